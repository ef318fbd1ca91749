/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fetch — libcurl range requests with resume, a spool file for servers
 * without ranges, and plain reads for local files.
 */
#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fail.h"
#include "fetch.h"
#include "log.h"
#include "xalloc.h"

#define CHUNK (1u << 20)

struct fetch {
	char *url;             /* for messages */
	int fd;                /* local file or spool; -1 while reading over HTTP */
	CURL *curl;
	uint64_t size;
	struct fetch_opts o;
	struct fetch_stats st;
	char curl_err[CURL_ERROR_SIZE];
};

/* One HTTP transfer of [off, off+len), of which GOT bytes are already delivered. */
struct xfer {
	struct fetch *f;
	uint64_t off, len, got;
	fetch_sink sink;
	void *arg;
	int started;      /* first body byte seen and the response checked */
	int sink_failed;
	int not_ranged;   /* server answered 200 to a range request */
	int bad_range;    /* Content-Range did not match the request */
	int have_cr;
	uint64_t cr_start, cr_total;
	int accept_none;  /* Accept-Ranges: none */
	uint64_t skip;    /* body bytes to drop: a 200 answer while resuming the spool */
};

static int stopped(const struct fetch *f)
{
	return f->o.stop && *f->o.stop;
}

uint64_t fetch_size(const struct fetch *f)
{
	return f->size;
}

const struct fetch_stats *fetch_stats(const struct fetch *f)
{
	return &f->st;
}

static void backoff(int attempt)
{
	long ms = 250L << (attempt < 4 ? attempt : 4);
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

/* --- reading local files and the spool ------------------------------------ */

static int fd_stream(struct fetch *f, uint64_t off, uint64_t len, fetch_sink sink, void *arg, char *err,
		     size_t errlen)
{
	uint8_t *buf = xmalloc(CHUNK);
	int rc = 0;
	while (len > 0) {
		if (stopped(f)) {
			rc = fail("%s: interrupted", f->url);
			break;
		}
		size_t n = len < CHUNK ? (size_t)len : CHUNK;
		ssize_t r = pread(f->fd, buf, n, (off_t)off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			rc = r < 0 ? fail("%s: read at offset %" PRIu64 ": %s", f->url, off, strerror(errno))
				   : fail("%s: file ends at offset %" PRIu64, f->url, off);
			break;
		}
		if (sink(arg, off, buf, (size_t)r) < 0) {
			rc = -2;
			break;
		}
		off += (uint64_t)r;
		len -= (uint64_t)r;
	}
	free(buf);
	return rc;
}

/* --- sources: which scheme ------------------------------------------------ */

/* Length of SOURCE's URL scheme ("http" in "http://h/x"); 0 for a plain path. */
static size_t scheme_len(const char *source)
{
	size_t n = 0;
	if (!isalpha((unsigned char)source[0]))
		return 0;
	while (isalnum((unsigned char)source[n]) || (source[n] && strchr("+-.", source[n])))
		n++;
	return strncmp(source + n, "://", 3) == 0 ? n : 0;
}

static int has_scheme(const char *source, const char *scheme)
{
	size_t n = scheme_len(source);
	return n == strlen(scheme) && strncasecmp(source, scheme, n) == 0;
}

int fetch_check_source(const char *source, char *err, size_t errlen)
{
	size_t n = scheme_len(source);
	if (n == 0 || has_scheme(source, "http") || has_scheme(source, "https") || has_scheme(source, "file"))
		return 0;
	return fail("%s: unsupported URL scheme %.*s:// (http://, https://, file:// or a local path)", source,
		    (int)n, source);
}

static int is_url(const char *s)
{
	return scheme_len(s) > 0 && !has_scheme(s, "file");
}

/* --- local files and the spool ------------------------------------------ */

static char *local_path(const char *source)
{
	if (!has_scheme(source, "file"))
		return xstrdup(source);
	const char *p = source + 7;
	if (strncmp(p, "localhost/", 10) == 0)
		p += 9;
	int n;
	char *s = curl_easy_unescape(NULL, p, 0, &n);
	char *r = xstrdup(s ? s : p);
	curl_free(s);
	return r;
}

static int open_local(struct fetch *f, const char *source, char *err, size_t errlen)
{
	char *path = local_path(source);
	f->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (f->fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		free(path);
		return -1;
	}
	free(path);
	off_t end = lseek(f->fd, 0, SEEK_END);
	if (end < 0)
		return fail("%s: %s", f->url, strerror(errno));
	f->size = (uint64_t)end;
	return 0;
}

/* --- HTTP ------------------------------------------------------------------ */

static size_t on_header(char *line, size_t size, size_t nmemb, void *p)
{
	struct xfer *x = p;
	size_t n = size * nmemb;
	char buf[256];
	size_t m = n < sizeof buf - 1 ? n : sizeof buf - 1;
	memcpy(buf, line, m);
	buf[m] = 0;
	unsigned long long a, b, t;
	if (strncasecmp(buf, "HTTP/", 5) == 0)
		x->have_cr = 0; /* a new response (after a redirect) */
	else if (sscanf(buf, "%*[Cc]ontent-%*[Rr]ange: bytes %llu-%llu/%llu", &a, &b, &t) == 3) {
		x->have_cr = 1;
		x->cr_start = a;
		x->cr_total = t;
	} else if (strncasecmp(buf, "accept-ranges:", 14) == 0 && strstr(buf + 14, "none"))
		x->accept_none = 1;
	return n;
}

static int spool_sink(void *arg, uint64_t off, const uint8_t *data, size_t len);

/* The first body bytes: is this the range we asked for? */
static int check_response(struct xfer *x)
{
	long code = 0;
	curl_easy_getinfo(x->f->curl, CURLINFO_RESPONSE_CODE, &code);
	x->started = 1;
	if (code == 206) {
		if (!x->have_cr || x->cr_start != x->off + x->got || x->cr_total != x->f->size) {
			x->bad_range = 1;
			return -1;
		}
		return 0;
	}
	if (code == 200 && x->off + x->got == 0)
		return 0; /* whole file from the start: take what we need */
	if (code == 200 && x->sink == spool_sink) {
		x->skip = x->off + x->got; /* no ranges: read past what the spool has */
		return 0;
	}
	x->not_ranged = 1;
	return -1;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *p)
{
	struct xfer *x = p;
	size_t n = size * nmemb;
	if (!x->started && check_response(x) < 0)
		return 0;
	if (x->skip) {
		size_t s = n < x->skip ? n : (size_t)x->skip;
		x->skip -= s;
		if (s == n)
			return n;
		data += s;
		n -= s;
	}
	uint64_t want = x->len - x->got;
	size_t take = n < want ? n : (size_t)want;
	if (take && x->sink(x->arg, x->off + x->got, (const uint8_t *)data, take) < 0) {
		x->sink_failed = 1;
		return 0;
	}
	x->got += take;
	x->f->st.bytes += take;
	return take == n ? size * nmemb : 0; /* stop once we have the range */
}

/* One request for what is left of X. Returns the curl code; fills the HTTP status. */
static CURLcode http_once(struct xfer *x, int head, long *status)
{
	struct fetch *f = x->f;
	char range[64];
	x->started = x->have_cr = 0;
	x->skip = 0;
	curl_easy_setopt(f->curl, CURLOPT_NOBODY, head ? 1L : 0L);
	if (!head)
		curl_easy_setopt(f->curl, CURLOPT_HTTPGET, 1L);
	if (head || x->len == 0) {
		curl_easy_setopt(f->curl, CURLOPT_RANGE, NULL);
	} else {
		snprintf(range, sizeof range, "%" PRIu64 "-%" PRIu64, x->off + x->got, x->off + x->len - 1);
		curl_easy_setopt(f->curl, CURLOPT_RANGE, range);
	}
	curl_easy_setopt(f->curl, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(f->curl, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(f->curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(f->curl, CURLOPT_WRITEDATA, x);
	f->curl_err[0] = 0;
	f->st.requests++;
	CURLcode c = curl_easy_perform(f->curl);
	*status = 0;
	curl_easy_getinfo(f->curl, CURLINFO_RESPONSE_CODE, status);
	return c;
}

static const char *curl_msg(struct fetch *f, CURLcode c)
{
	return f->curl_err[0] ? f->curl_err : curl_easy_strerror(c);
}

/* A failure worth another attempt: network trouble or a 5xx / 408 / 429. */
static int retryable(CURLcode c, long status)
{
	if (c == CURLE_HTTP_RETURNED_ERROR)
		return status >= 500 || status == 408 || status == 429;
	return c != CURLE_UNSUPPORTED_PROTOCOL && c != CURLE_URL_MALFORMAT && c != CURLE_COULDNT_RESOLVE_HOST;
}

static int spool(struct fetch *f, char *err, size_t errlen);

static int spool_sink(void *arg, uint64_t off, const uint8_t *data, size_t len)
{
	struct fetch *f = arg;
	while (len > 0) {
		ssize_t w = pwrite(f->fd, data, len, (off_t)off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		data += w;
		len -= (size_t)w;
		off += (uint64_t)w;
	}
	return 0;
}

static int http_stream(struct fetch *f, uint64_t off, uint64_t len, fetch_sink sink, void *arg, char *err,
		       size_t errlen)
{
	struct xfer x = { .f = f, .off = off, .len = len, .sink = sink, .arg = arg };
	for (int attempt = 0;; attempt++) {
		long status;
		CURLcode c = http_once(&x, 0, &status);
		if (x.got == x.len && (c == CURLE_OK || c == CURLE_WRITE_ERROR))
			return 0;
		if (x.sink_failed)
			return -2;
		if (stopped(f))
			return fail("%s: interrupted at offset %" PRIu64, f->url, off + x.got);
		if (x.not_ranged && sink != spool_sink) {
			if (spool(f, err, errlen) < 0)
				return -1;
			return fd_stream(f, off + x.got, len - x.got, sink, arg, err, errlen);
		}
		if (x.bad_range)
			return fail("%s: server sent a different byte range or size than asked for "
				    "(did the image change?)", f->url);
		if (c == CURLE_OK)
			c = CURLE_PARTIAL_FILE; /* body ended short of the range */
		if (attempt >= f->o.retries || !retryable(c, status))
			return fail("%s: bytes %" PRIu64 "-%" PRIu64 ": %s (%d attempt%s)", f->url, off + x.got,
				    off + len - 1, curl_msg(f, c), attempt + 1, attempt ? "s" : "");
		warnmsg("%s: %s at offset %" PRIu64 "; resuming", f->url, curl_msg(f, c), off + x.got);
		f->st.resumed++;
		backoff(attempt);
	}
}

/* Spool file: unlinked, in $TMPDIR or /var/tmp. The image is read once, whole. */
static int spool(struct fetch *f, char *err, size_t errlen)
{
	const char *dir = getenv("TMPDIR");
	if (!dir || !*dir)
		dir = "/var/tmp";
	f->fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (f->fd < 0)
		return fail("%s: server does not serve byte ranges and no spool file in %s: %s", f->url, dir,
			    strerror(errno));
	f->st.spooled = 1;
	warnmsg("%s: server does not serve byte ranges; reading it whole into a spool file in %s", f->url, dir);
	int rc = http_stream(f, 0, f->size, spool_sink, f, err, errlen);
	if (rc == -2)
		return fail("spool file in %s: %s", dir, strerror(errno));
	return rc;
}

static int http_head(struct fetch *f, char *err, size_t errlen)
{
	struct xfer x = { .f = f };
	for (int attempt = 0;; attempt++) {
		long status;
		CURLcode c = http_once(&x, 1, &status);
		if (c == CURLE_OK) {
			curl_off_t n = -1;
			curl_easy_getinfo(f->curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &n);
			if (n < 0)
				return fail("%s: server does not tell the image size", f->url);
			f->size = (uint64_t)n;
			return x.accept_none ? spool(f, err, errlen) : 0;
		}
		if (stopped(f))
			return fail("%s: interrupted", f->url);
		if (attempt >= f->o.retries || !retryable(c, status))
			return fail("%s: %s", f->url, curl_msg(f, c));
		backoff(attempt);
	}
}

/* Called by libcurl about once a second and as bytes move: nonzero aborts the transfer. */
static int on_progress(void *p, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
	(void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
	return stopped(p);
}

static int open_http(struct fetch *f, char *err, size_t errlen)
{
	f->curl = curl_easy_init();
	if (!f->curl)
		return fail("cannot initialise libcurl");
	curl_easy_setopt(f->curl, CURLOPT_URL, f->url);
	curl_easy_setopt(f->curl, CURLOPT_ERRORBUFFER, f->curl_err);
	curl_easy_setopt(f->curl, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(f->curl, CURLOPT_MAXREDIRS, 5L);
	curl_easy_setopt(f->curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(f->curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(f->curl, CURLOPT_FAILONERROR, 1L);
	curl_easy_setopt(f->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(f->curl, CURLOPT_BUFFERSIZE, 2048L * 1024);
	curl_easy_setopt(f->curl, CURLOPT_CONNECTTIMEOUT, f->o.connect_timeout);
	curl_easy_setopt(f->curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(f->curl, CURLOPT_LOW_SPEED_TIME, f->o.stall_timeout);
	curl_easy_setopt(f->curl, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(f->curl, CURLOPT_XFERINFODATA, f);
	curl_easy_setopt(f->curl, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(f->curl, CURLOPT_USERAGENT, "nodeimage/" CT_VERSION);
	curl_easy_setopt(f->curl, CURLOPT_ACCEPT_ENCODING, NULL);
	return http_head(f, err, errlen);
}

struct fetch *fetch_new(const char *source, const struct fetch_opts *opts)
{
	struct fetch *f = xcalloc(1, sizeof *f);
	f->url = xstrdup(source);
	f->fd = -1;
	f->o = *opts;
	return f;
}

int fetch_open(struct fetch *f, char *err, size_t errlen)
{
	if (fetch_check_source(f->url, err, errlen) < 0)
		return -1;
	return is_url(f->url) ? open_http(f, err, errlen) : open_local(f, f->url, err, errlen);
}

struct membuf {
	uint8_t *p;
	uint64_t base;
};

static int mem_sink(void *arg, uint64_t off, const uint8_t *data, size_t len)
{
	struct membuf *m = arg;
	memcpy(m->p + (off - m->base), data, len);
	return 0;
}

int fetch_read(struct fetch *f, uint64_t off, void *buf, size_t len, char *err, size_t errlen)
{
	struct membuf m = { buf, off };
	return fetch_stream(f, off, len, mem_sink, &m, err, errlen) < 0 ? -1 : 0;
}

int fetch_stream(struct fetch *f, uint64_t off, uint64_t len, fetch_sink sink, void *arg, char *err,
		 size_t errlen)
{
	if (off > f->size || len > f->size - off)
		return fail("%s: bytes %" PRIu64 "+%" PRIu64 " lie past the end (%" PRIu64 " bytes)", f->url, off,
			    len, f->size);
	if (len == 0)
		return 0;
	if (f->fd >= 0)
		return fd_stream(f, off, len, sink, arg, err, errlen);
	return http_stream(f, off, len, sink, arg, err, errlen);
}

void fetch_close(struct fetch *f)
{
	if (!f)
		return;
	if (f->curl)
		curl_easy_cleanup(f->curl);
	if (f->fd >= 0)
		close(f->fd);
	free(f->url);
	free(f);
}
