/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "delta.h"
#include "fsutil.h"
#include "log.h"
#include "meter.h"
#include "sender.h"
#include "xalloc.h"
#include "zcache.h"

#define SIG_MAX (1ull << 30)
/* compressed chunks kept for the nodes that lag behind the first (about 2-3x as much image) */
#define ZCACHE_BUDGET (128u << 20)

/* --- delta cache: one delta per (file, signature) ------------------------- */

struct cached {
	uint32_t index;
	unsigned char key[32];
	int fd;           /* unnamed temp file holding the delta */
	int state;        /* 0 being computed, 1 ready, -1 failed */
	uint64_t len;
};

struct imgs_delta_cache {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct cached *c;
	size_t n;
};

static struct imgs_delta_cache *cache_new(void)
{
	struct imgs_delta_cache *dc = xcalloc(1, sizeof *dc);
	pthread_mutex_init(&dc->mu, NULL);
	pthread_cond_init(&dc->cv, NULL);
	return dc;
}

static void cache_free(struct imgs_delta_cache *dc)
{
	if (!dc)
		return;
	for (size_t i = 0; i < dc->n; i++)
		if (dc->c[i].fd >= 0)
			close(dc->c[i].fd);
	free(dc->c);
	pthread_mutex_destroy(&dc->mu);
	pthread_cond_destroy(&dc->cv);
	free(dc);
}

static void sig_key(const unsigned char *sig, size_t len, unsigned char key[32])
{
	unsigned int n = 32;
	EVP_Digest(sig, len, key, &n, EVP_sha256(), NULL);
}

static int anon_file(void)
{
	const char *dir = getenv("TMPDIR");
	if (!dir || !*dir)
		dir = "/tmp";
	int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd >= 0 || (errno != EOPNOTSUPP && errno != EISDIR))
		return fd;
	char *path = xasprintf("%s/imgsync-delta.XXXXXX", dir);
	fd = mkostemp(path, O_CLOEXEC);
	if (fd >= 0)
		unlink(path);
	free(path);
	return fd;
}

/* The delta of file INDEX against SIG: a fd to pread from, or -1. */
static int cache_get(struct imgs_image *im, uint32_t index, int srcfd, const unsigned char *sig, size_t siglen,
		     uint64_t *len, char *err, size_t errlen)
{
	struct imgs_delta_cache *dc = im->cache;
	unsigned char key[32];
	sig_key(sig, siglen, key);
	pthread_mutex_lock(&dc->mu);
	for (size_t i = 0; i < dc->n; i++) {
		struct cached *c = &dc->c[i];
		if (c->index != index || memcmp(c->key, key, 32) != 0)
			continue;
		while (dc->c[i].state == 0)
			pthread_cond_wait(&dc->cv, &dc->mu);
		int fd = dc->c[i].state > 0 ? dc->c[i].fd : -1;
		*len = dc->c[i].len;
		im->deltas_shared++;
		pthread_mutex_unlock(&dc->mu);
		if (fd < 0)
			snprintf(err, errlen, "delta failed for another node");
		return fd;
	}
	dc->c = xgrowarray(dc->c, dc->n, sizeof *dc->c);
	size_t slot = dc->n++;
	dc->c[slot] = (struct cached){ .index = index, .fd = -1 };
	memcpy(dc->c[slot].key, key, 32);
	im->deltas_computed++;
	pthread_mutex_unlock(&dc->mu);

	int fd = anon_file();
	int ok = fd >= 0 && imgs_delta_fd(sig, siglen, srcfd, fd, err, errlen) == 0;
	if (fd < 0)
		snprintf(err, errlen, "temporary file: %s", strerror(errno));
	off_t end = ok ? lseek(fd, 0, SEEK_END) : -1;

	pthread_mutex_lock(&dc->mu);
	dc->c[slot].fd = ok ? fd : -1;
	dc->c[slot].state = ok ? 1 : -1;
	dc->c[slot].len = end > 0 ? (uint64_t)end : 0;
	*len = dc->c[slot].len;
	pthread_cond_broadcast(&dc->cv);
	pthread_mutex_unlock(&dc->mu);
	if (!ok && fd >= 0)
		close(fd);
	return ok ? fd : -1;
}

/* --- image --------------------------------------------------------------- */

int imgs_image_load(struct imgs_image *im, const char *root, const struct exclude *ex, uint32_t flags,
		    char *err, size_t errlen)
{
	memset(im, 0, sizeof *im);
	im->rootfd = -1;
	im->flags = flags;
	im->root = xstrdup(root);
	if (imgs_flist_walk(root, ex, !!(flags & IMGS_F_CHECKSUM), &im->list, err, errlen) < 0)
		return -1;
	im->rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (im->rootfd < 0) {
		snprintf(err, errlen, "%s: %s", root, strerror(errno));
		return -1;
	}
	imgs_enc_list(&im->frames, &im->list);
	im->cache = cache_new();
	im->zcache = imgs_zcache_new(ZCACHE_BUDGET);
	return 0;
}

void imgs_image_free(struct imgs_image *im)
{
	imgs_flist_free(&im->list);
	imgs_wbuf_free(&im->frames);
	cache_free(im->cache);
	imgs_zcache_free(im->zcache);
	if (im->rootfd >= 0)
		close(im->rootfd);
	free(im->root);
	memset(im, 0, sizeof *im);
	im->rootfd = -1;
}

/* --- serving one receiver ---------------------------------------------------- */

struct req {
	uint32_t index;
	uint8_t kind;
	struct imgs_wbuf sig;
};

struct send {
	struct imgs_image *im;
	struct imgs_xport *x;
	struct req *reqs;
	size_t nreq;
	uint64_t counted;     /* bytes of the current file on the meter */
	char err[400];
};

static int send_fail(struct send *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int send_fail(struct send *s, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(s->err, sizeof s->err, fmt, ap);
	va_end(ap);
	return -1;
}

static int read_requests(struct send *s)
{
	const struct imgs_flist *l = &s->im->list;
	for (;;) {
		uint8_t type;
		const unsigned char *body, *data;
		size_t len, dlen;
		uint32_t idx;
		uint8_t kind;
		int n = imgs_xport_recv(s->x, &type, &body, &len);
		if (n <= 0)
			return send_fail(s, "reading requests: %s", n == 0 ? "connection closed" : s->x->err);
		switch (type) {
		case IMGS_M_REQ_END:
			return 0;
		case IMGS_M_REQ:
			if (imgs_dec_req(body, len, &idx, &kind) < 0 || idx >= l->n || l->e[idx].type != IMGS_REG ||
			    l->e[idx].link_to != IMGS_NOLINK || (s->nreq && s->reqs[s->nreq - 1].index >= idx))
				return send_fail(s, "bad request");
			s->reqs = xgrowarray(s->reqs, s->nreq, sizeof *s->reqs);
			s->reqs[s->nreq++] = (struct req){ idx, kind, { 0 } };
			break;
		case IMGS_M_SIG:
			if (imgs_dec_chunk(body, len, &idx, &data, &dlen) < 0 || s->nreq == 0 ||
			    s->reqs[s->nreq - 1].index != idx || s->reqs[s->nreq - 1].kind != IMGS_REQ_DELTA ||
			    s->reqs[s->nreq - 1].sig.len + dlen > SIG_MAX)
				return send_fail(s, "bad signature message");
			imgs_put_bytes(&s->reqs[s->nreq - 1].sig, data, dlen);
			break;
		case IMGS_M_ERROR: {
			char *t = imgs_dec_text(body, len);
			send_fail(s, "%s", t ? t : "(unreadable error)");
			free(t);
			return -1;
		}
		default:
			return send_fail(s, "unexpected message %u while reading requests", type);
		}
	}
}

static int send_whole(struct send *s, uint32_t idx, int fd, struct imgs_wbuf *b, unsigned char *buf)
{
	uint64_t size = s->im->list.e[idx].size;
	off_t pos = 0;
	while ((uint64_t)pos < size) {
		off_t data = lseek(fd, pos, SEEK_DATA);
		if (data < 0)
			break; /* only a hole is left */
		off_t hole = lseek(fd, data, SEEK_HOLE);
		if (hole < 0)
			hole = (off_t)size;
		if ((uint64_t)hole > size)
			hole = (off_t)size;
		for (off_t off = data; off < hole;) {
			size_t want = (size_t)(hole - off) < IMGS_CHUNK ? (size_t)(hole - off) : IMGS_CHUNK;
			size_t got = 0;
			int cached = s->x->zdata ? imgs_zcache_frame(s->im->zcache, b, idx, (uint64_t)off, &got) : -1;
			ssize_t n = (ssize_t)got;
			if (cached != 1) {
				n = pread(fd, buf, want, off);
				if (n < 0 && errno == EINTR)
					continue;
				if (n <= 0)
					return 0; /* shrank meanwhile: the receiver pads to the listed size */
				if (cached == 0)
					imgs_zcache_add_frame(s->im->zcache, b, idx, (uint64_t)off, buf, (size_t)n);
				else
					imgs_enc_data(b, idx, (uint64_t)off, buf, (size_t)n);
			}
			if (imgs_xport_queue(s->x, b) < 0)
				return -1;
			off += n;
			s->counted += (uint64_t)n;
			imgs_meter_add(s->x->meter, (uint64_t)n);
		}
		pos = hole;
	}
	return 0;
}

static int send_delta(struct send *s, struct req *r, int fd, struct imgs_wbuf *b, unsigned char *buf)
{
	char err[300];
	uint64_t len;
	int dfd = cache_get(s->im, r->index, fd, r->sig.p, r->sig.len, &len, err, sizeof err);
	if (dfd < 0) {
		warnmsg("%s: %s: delta: %s; the receiver keeps its old file", s->x->name,
			s->im->list.e[r->index].path, err);
		return 0;
	}
	for (uint64_t off = 0; off < len;) {
		ssize_t n = pread(dfd, buf, IMGS_CHUNK, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		imgs_enc_chunk(b, IMGS_M_DELTA, r->index, buf, (size_t)n);
		if (imgs_xport_queue(s->x, b) < 0)
			return -1;
		off += (uint64_t)n;
	}
	return 0;
}

static int send_files(struct send *s)
{
	struct imgs_wbuf b = { 0 };
	unsigned char *buf = xmalloc(IMGS_CHUNK);
	int rc = 0;
	for (size_t k = 0; k < s->nreq && rc == 0; k++) {
		struct req *r = &s->reqs[k];
		const struct imgs_entry *e = &s->im->list.e[r->index];
		int fd = fs_open_beneath(s->im->rootfd, e->path, O_RDONLY | O_NOFOLLOW, 0);
		if (fd < 0)
			warnmsg_errno("%s", e->path);
		else if (r->kind == IMGS_REQ_DELTA)
			rc = send_delta(s, r, fd, &b, buf);
		else
			rc = send_whole(s, r->index, fd, &b, buf);
		if (fd >= 0)
			close(fd);
		imgs_meter_file_done(s->x->meter, e->size, s->counted);
		s->counted = 0;
		imgs_enc_u32msg(&b, IMGS_M_FILE_END, r->index);
		if (rc == 0)
			rc = imgs_xport_queue(s->x, &b);
	}
	size_t f = imgs_frame_begin(&b, IMGS_M_DONE);
	imgs_frame_end(&b, f);
	if (rc == 0)
		rc = imgs_xport_queue(s->x, &b);
	if (rc == 0)
		rc = imgs_xport_flush(s->x);
	free(buf);
	imgs_wbuf_free(&b);
	return rc < 0 ? send_fail(s, "sending data: %s", s->x->err) : 0;
}

static int read_report(struct send *s, struct imgs_report *rep)
{
	for (;;) {
		uint8_t type;
		const unsigned char *body;
		size_t len;
		int n = imgs_xport_recv(s->x, &type, &body, &len);
		if (n <= 0)
			return send_fail(s, "reading the summary: %s", n == 0 ? "connection closed" : s->x->err);
		if (type == IMGS_M_ITEM) {
			char *t = imgs_dec_text(body, len);
			if (!t)
				return send_fail(s, "bad itemize line");
			imgs_report_item(rep, t);
		} else if (type == IMGS_M_SUMMARY) {
			if (imgs_dec_summary(body, len, &rep->sum) < 0)
				return send_fail(s, "bad summary");
			return 0;
		} else if (type == IMGS_M_ERROR) {
			char *t = imgs_dec_text(body, len);
			send_fail(s, "%s", t ? t : "(unreadable error)");
			free(t);
			return -1;
		} else {
			return send_fail(s, "unexpected message %u at the end", type);
		}
	}
}

/* The files this receiver asked for, on the progress line. */
static void meter_plan(const struct send *s)
{
	uint64_t bytes = 0;
	for (size_t k = 0; k < s->nreq; k++)
		bytes += s->im->list.e[s->reqs[k].index].size;
	imgs_meter_plan(s->x->meter, s->nreq, bytes);
}

int imgs_send(struct imgs_image *im, struct imgs_xport *x, struct imgs_report *rep)
{
	struct send s = { .im = im, .x = x };
	struct imgs_wbuf copy = { 0 };
	imgs_put_bytes(&copy, im->frames.p, im->frames.len);
	int rc = imgs_xport_queue(x, &copy);
	imgs_wbuf_free(&copy);
	if (rc < 0)
		send_fail(&s, "sending the file list: %s", x->err);
	if (rc == 0)
		rc = read_requests(&s);
	if (rc == 0)
		meter_plan(&s);
	if (rc == 0)
		rc = send_files(&s);
	if (rc == 0 && rep)
		rc = read_report(&s, rep);
	if (rc < 0 && rep && !rep->error)
		rep->error = xstrdup(s.err);
	if (rc < 0 && !rep)
		warnmsg("%s", s.err);
	for (size_t i = 0; i < s.nreq; i++)
		imgs_wbuf_free(&s.reqs[i].sig);
	free(s.reqs);
	return rc;
}

int imgs_serve_sender(const char *root)
{
	struct imgs_xport x;
	imgs_xport_init_fds(&x, "server", 0, 1);
	struct exclude ex;
	imgs_excl_init(&ex);
	struct imgs_image im = { .rootfd = -1 };
	char err[300];
	uint32_t flags = 0;
	int status = 1;
	if (imgs_read_hello(&x, &flags, &ex, err, sizeof err) < 0 ||
	    imgs_image_load(&im, root, &ex, flags, err, sizeof err) < 0) {
		imgs_xport_send_error(&x, err);
		goto out;
	}
	x.zdata = !!(flags & IMGS_F_COMPRESS);
	status = imgs_send(&im, &x, NULL) < 0 ? 2 : 0;
out:
	x.rfd = x.wfd = -1;
	imgs_xport_close(&x);
	imgs_image_free(&im);
	exclude_free(&ex);
	return status;
}
