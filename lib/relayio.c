/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "relayio.h"
#include "relaynet.h"
#include "xalloc.h"

int relay_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	int idle = 0;
	while (len > 0) {
		ssize_t w = write(fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN) {
			struct pollfd pfd = { fd, POLLOUT, 0 };
			if (poll(&pfd, 1, 1000) == 0 && ++idle > RELAY_STALL_SECONDS) {
				errno = ETIMEDOUT;
				return -1;
			}
			continue;
		}
		if (w <= 0)
			return -1;
		p += w;
		len -= (size_t)w;
		idle = 0;
	}
	return 0;
}

int relay_read_full(int fd, void *buf, size_t len, int timeout_ms)
{
	char *p = buf;
	double deadline = now_monotonic() + timeout_ms / 1000.0;
	while (len > 0) {
		struct pollfd pfd = { fd, POLLIN, 0 };
		double ms = (deadline - now_monotonic()) * 1000;
		int pr = poll(&pfd, 1, timeout_ms < 0 ? -1 : ms < 0 ? 0 : (int)ms);
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr == 0)
			errno = ETIMEDOUT;
		if (pr <= 0)
			return -1;
		ssize_t r = read(fd, p, len);
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r <= 0) {
			if (r == 0)
				errno = 0;
			return -1;
		}
		p += r;
		len -= (size_t)r;
	}
	return 0;
}

/* Milliseconds left until DEADLINE (at least 1: poll's 0 would not wait at all). */
static int left_ms(double deadline)
{
	double ms = (deadline - now_monotonic()) * 1000;
	return ms < 1 ? 1 : (int)ms;
}

int relay_accept(int fd, const struct relay_key *k, uint32_t entry, uint64_t off, char *err, size_t errlen)
{
	struct relay_shake h;
	double deadline = now_monotonic() + RELAY_HANDSHAKE_MS / 1000.0;
	int rc = relay_shake_begin(&h, fd, err, errlen), refused;
	while (rc == 0 && (rc = relay_shake_step(&h, k, entry, off, &refused, err, errlen)) == 0) {
		struct pollfd p = { fd, relay_shake_events(&h), 0 };
		if (now_monotonic() >= deadline || (poll(&p, 1, left_ms(deadline)) < 0 && errno != EINTR)) {
			snprintf(err, errlen, "handshake not done in %d ms", RELAY_HANDSHAKE_MS);
			return -1;
		}
	}
	return rc > 0 ? 0 : -1;
}

int relay_hello_send(int fd, const struct relay_key *k, uint32_t *entry, uint64_t *off, char *err,
		     size_t errlen)
{
	unsigned char chal[RELAY_CHAL_LEN], hello[RELAY_MAC_LEN], resume[RELAY_RESUME_LEN];
	double deadline = now_monotonic() + RELAY_HANDSHAKE_MS / 1000.0;
	if (relay_read_full(fd, chal, sizeof chal, left_ms(deadline)) < 0 || relay_challenge_check(chal) < 0) {
		snprintf(err, errlen, "no relay challenge from the peer in %d ms", RELAY_HANDSHAKE_MS);
		return -1;
	}
	relay_hello(k, chal, hello);
	if (relay_write_all(fd, hello, sizeof hello) < 0 ||
	    relay_read_full(fd, resume, sizeof resume, left_ms(deadline)) < 0) {
		snprintf(err, errlen, "the peer refused the transfer key (or did not answer in %d ms)", RELAY_HANDSHAKE_MS);
		return -1;
	}
	if (relay_resume_check(k, chal, resume, entry, off) < 0) {
		snprintf(err, errlen, "the peer's answer is not signed with the transfer key");
		return -1;
	}
	return 0;
}

ssize_t relay_read_frame(int fd, unsigned char *buf, struct relay_frame *f, char *err, size_t errlen)
{
	if (relay_read_full(fd, buf, RELAY_HDR, -1) < 0) {
		if (errno == 0)
			return 0;
		snprintf(err, errlen, "read: %s", strerror(errno));
		return -1;
	}
	if (relay_frame_parse(buf, f, err, errlen) < 0)
		return -1;
	size_t rest = f->len + RELAY_TAG;
	if (relay_read_full(fd, buf + RELAY_HDR, rest, -1) < 0) {
		snprintf(err, errlen, "frame cut short");
		return -1;
	}
	return (ssize_t)(RELAY_HDR + rest);
}

static int send_frame(int fd, const struct relay_key *k, unsigned char *out, const struct relay_frame *f,
		      const void *plain)
{
	size_t n = relay_seal(k, f, plain, out);
	return n == 0 ? -1 : relay_write_all(fd, out, n);
}

/* Entry I's bytes [FROM, TO) as DATA frames read from PATH. */
static int feed_data(int fd, const struct relay_key *k, uint32_t i, const char *path, uint64_t from,
		     uint64_t to, uint64_t *fed, unsigned char *plain, unsigned char *out, char *err, size_t errlen)
{
	int in = open(path, O_RDONLY | O_CLOEXEC);
	if (in < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	int rc = 0;
	for (uint64_t off = from; off < to && rc == 0; off += RELAY_BLOCK) {
		size_t len = to - off < RELAY_BLOCK ? (size_t)(to - off) : RELAY_BLOCK;
		ssize_t r = pread(in, plain, len, (off_t)off);
		if (r != (ssize_t)len) {
			snprintf(err, errlen, "%s: %s", path, r < 0 ? strerror(errno) : "file shrank");
			rc = -1;
			break;
		}
		struct relay_frame f = { RELAY_DATA, i, off / RELAY_BLOCK, (uint32_t)len };
		if (send_frame(fd, k, out, &f, plain) < 0) {
			snprintf(err, errlen, "send: %s", strerror(errno));
			rc = -1;
		} else if (fed) {
			__atomic_add_fetch(fed, len, __ATOMIC_RELAXED);
		}
	}
	close(in);
	return rc;
}

/* Entry I from FROM up to TO (UINT64_MAX: its end). */
static int feed_entry(int fd, const struct relay_key *k, const struct relay_source *src, uint32_t i,
		      uint64_t from, uint64_t to, unsigned char *plain, unsigned char *out, char *err,
		      size_t errlen)
{
	struct relay_entry *e = xmalloc(sizeof *e);
	const char *path = NULL;
	int rc = -1;
	if (src->get(src->arg, i, e, &path) < 0) {
		snprintf(err, errlen, "entry %u: not available here", i);
		goto out;
	}
	struct relay_frame f = { RELAY_ENTRY, i, UINT64_MAX, 0 };
	f.len = (uint32_t)relay_entry_encode(e, plain);
	if (send_frame(fd, k, out, &f, plain) < 0) {
		snprintf(err, errlen, "send: %s", strerror(errno));
		goto out;
	}
	if (to > e->size)
		to = e->size;
	rc = 0;
	if (e->type == RELAY_E_FILE && from < to) {
		if (!path) {
			snprintf(err, errlen, "%s: not kept here", e->path);
			rc = -1;
		} else {
			rc = feed_data(fd, k, i, path, from, to, src->fed, plain, out, err, errlen);
		}
	}
out:
	free(e);
	return rc;
}

int relay_feed(int fd, const struct relay_key *k, const struct relay_source *src, uint32_t from_entry,
	       uint64_t from_off, uint32_t to_entry, uint64_t to_off, int flags, char *err, size_t errlen)
{
	unsigned char *plain = xmalloc(RELAY_BLOCK);
	unsigned char *out = xmalloc(RELAY_MAX_FRAME);
	int rc = 0;
	for (uint32_t i = from_entry; i < to_entry && rc == 0; i++)
		rc = feed_entry(fd, k, src, i, i == from_entry ? from_off : 0, UINT64_MAX, plain, out, err,
				errlen);
	if (rc == 0 && (flags & RELAY_FEED_LAST))
		rc = feed_entry(fd, k, src, to_entry, from_entry == to_entry ? from_off : 0, to_off, plain,
				out, err, errlen);
	if (rc == 0 && (flags & RELAY_FEED_END)) {
		struct relay_frame f = { RELAY_END, UINT32_MAX, UINT64_MAX - 1, 0 };
		if (send_frame(fd, k, out, &f, NULL) < 0) {
			snprintf(err, errlen, "send: %s", strerror(errno));
			rc = -1;
		}
	}
	free(plain);
	free(out);
	return rc;
}

/* ---- the sink ------------------------------------------------------------ */

char *relay_tmp_name(const char *path, const char *tag)
{
	const char *slash = strrchr(path, '/');
	return xasprintf("%.*s/.cpush.%s.%s.tmp", (int)(slash - path), path, slash + 1, tag);
}

void relay_sink_init(struct relay_sink *s, const char *tag)
{
	memset(s, 0, sizeof *s);
	s->tag = tag;
	s->fd = -1;
	s->sha = EVP_MD_CTX_new();
	if (!s->sha)
		die(1, "out of memory");
}

static void drop_tmp(struct relay_sink *s)
{
	if (s->fd >= 0)
		close(s->fd);
	if (s->tmp)
		unlink(s->tmp);
	free(s->tmp);
	s->fd = -1;
	s->tmp = NULL;
}

void relay_sink_free(struct relay_sink *s)
{
	drop_tmp(s);
	for (size_t i = 0; i < s->n; i++) {
		free(s->e[i].path);
		free(s->e[i].error);
	}
	free(s->e);
	EVP_MD_CTX_free(s->sha);
	memset(s, 0, sizeof *s);
	s->fd = -1;
}

/* Entry have_entry is complete (RESULT, MSG for errors): report and move on. */
static void finish(struct relay_sink *s, enum relay_result result, const char *msg)
{
	struct relay_landed *l = &s->e[s->have_entry];
	l->result = result;
	l->done = 1;
	if (result == RELAY_R_ERR)
		drop_tmp(s);
	if (msg) {
		free(l->error);
		l->error = xstrdup(msg);
	}
	if (s->report)
		s->report(s->arg, s->have_entry, l);
	s->have_entry++;
	s->have_off = 0;
}

/* Writing entry have_entry failed: keep reading (and forwarding) it, report at its end. */
static void fail(struct relay_sink *s, const char *what)
{
	struct relay_landed *l = &s->e[s->have_entry];
	l->result = RELAY_R_ERR;
	free(l->error);
	l->error = what ? xasprintf("%s: %s", what, strerror(errno)) : xstrdup(strerror(errno));
	drop_tmp(s);
}

/* The last byte of the file is written: check, set mode and times, rename. */
static void land(struct relay_sink *s)
{
	struct relay_landed *l = &s->e[s->have_entry];
	if (l->result != RELAY_R_OK) {
		finish(s, l->result, NULL);
		return;
	}
	unsigned char sha[32];
	unsigned int n = 0;
	EVP_DigestFinal_ex(s->sha, sha, &n);
	if (memcmp(sha, l->sha256, 32) != 0) {
		finish(s, RELAY_R_ERR, "SHA-256 of the received file differs: not installed");
		return;
	}
	struct timespec ts[2] = { { (time_t)l->mtime, 0 }, { (time_t)l->mtime, 0 } };
	int rc = fchmod(s->fd, (mode_t)l->mode) < 0 || futimens(s->fd, ts) < 0 ? -1 : 0;
	if (close(s->fd) < 0)
		rc = -1;
	s->fd = -1;
	if (rc < 0 || rename(s->tmp, l->path) < 0) {
		fail(s, rc < 0 ? "set mode and times" : "rename");
		finish(s, RELAY_R_ERR, NULL);
		return;
	}
	free(s->tmp);
	s->tmp = NULL;
	finish(s, RELAY_R_OK, NULL);
}

static void open_file(struct relay_sink *s, struct relay_landed *l)
{
	struct stat st;
	if (!l->blind && lstat(l->path, &st) == 0 && S_ISREG(st.st_mode) && (uint64_t)st.st_size == l->size &&
	    (int64_t)st.st_mtime == l->mtime && (st.st_mode & 07777) == l->mode) {
		l->result = RELAY_R_SKIP;
		return;
	}
	s->tmp = relay_tmp_name(l->path, s->tag);
	unlink(s->tmp);
	s->fd = open(s->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (s->fd < 0) {
		fail(s, NULL);
		return;
	}
	EVP_DigestInit_ex(s->sha, EVP_sha256(), NULL);
}

static void make_dir(struct relay_sink *s, struct relay_landed *l)
{
	struct stat st;
	if (lstat(l->path, &st) == 0) {
		errno = ENOTDIR;
		if (S_ISDIR(st.st_mode))
			finish(s, RELAY_R_SKIP, NULL);
		else
			finish(s, RELAY_R_ERR, "exists and is not a directory");
		return;
	}
	if (mkdir(l->path, (mode_t)(l->mode | 0700)) < 0) {
		fail(s, NULL);
		finish(s, RELAY_R_ERR, NULL);
		return;
	}
	finish(s, RELAY_R_OK, NULL);
}

static int on_entry(struct relay_sink *s, uint32_t i, const unsigned char *plain, uint32_t len, char *err,
		    size_t errlen)
{
	struct relay_entry *e = xmalloc(sizeof *e);
	int rc = relay_entry_decode(plain, len, e, err, errlen);
	if (rc == 0 && i < s->n && s->e[i].path) {
		/* sent again after a re-route: must be the same entry */
		rc = strcmp(s->e[i].path, e->path) == 0 && s->e[i].size == e->size ? 0 : -1;
		if (rc < 0)
			snprintf(err, errlen, "entry %u sent twice with different contents", i);
		free(e);
		return rc < 0 ? -1 : 0;
	}
	if (rc == 0 && i != s->n) {
		snprintf(err, errlen, "entry %u out of sequence (expected %zu)", i, s->n);
		rc = -1;
	}
	if (rc < 0) {
		free(e);
		return -1;
	}
	s->e = xreallocarray(s->e, s->n + 1, sizeof *s->e);
	struct relay_landed *l = &s->e[s->n++];
	*l = (struct relay_landed){ .path = xstrdup(e->path), .type = e->type, .blind = e->blind,
				    .mode = e->mode, .mtime = e->mtime, .size = e->size };
	memcpy(l->sha256, e->sha256, 32);
	free(e);
	if (l->type == RELAY_E_DIR) {
		make_dir(s, l);
		return 1;
	}
	open_file(s, l);
	if (l->size == 0)
		land(s);
	return 1;
}

static int on_data(struct relay_sink *s, const struct relay_frame *f, const unsigned char *plain)
{
	struct relay_landed *l = &s->e[s->have_entry];
	if (l->result == RELAY_R_OK) {
		if (pwrite(s->fd, plain, f->len, (off_t)s->have_off) != (ssize_t)f->len) {
			if (errno == 0)
				errno = ENOSPC;
			fail(s, NULL);
		} else {
			EVP_DigestUpdate(s->sha, plain, f->len);
		}
	}
	s->have_off += f->len;
	if (s->have_off >= l->size)
		land(s);
	return 1;
}

int relay_sink_frame(struct relay_sink *s, const struct relay_frame *f, const unsigned char *plain, char *err,
		     size_t errlen)
{
	if (s->ended)
		return 0;
	switch (f->type) {
	case RELAY_ENTRY:
		if (f->entry < s->have_entry)
			return 0;
		return on_entry(s, f->entry, plain, f->len, err, errlen);
	case RELAY_DATA:
		if (f->entry < s->have_entry ||
		    (f->entry == s->have_entry && f->block * (uint64_t)RELAY_BLOCK < s->have_off))
			return 0;
		if (f->entry != s->have_entry || s->have_entry >= s->n ||
		    f->block * (uint64_t)RELAY_BLOCK != s->have_off || s->e[s->have_entry].type != RELAY_E_FILE ||
		    s->have_off + f->len > s->e[s->have_entry].size ||
		    (f->len != RELAY_BLOCK && s->have_off + f->len != s->e[s->have_entry].size)) {
			snprintf(err, errlen, "data block %u/%llu out of sequence", f->entry,
				 (unsigned long long)f->block);
			return -1;
		}
		return on_data(s, f, plain);
	case RELAY_END:
		if (s->have_entry != s->n) {
			snprintf(err, errlen, "end of stream inside an entry");
			return -1;
		}
		s->ended = 1;
		return 1;
	}
	snprintf(err, errlen, "unknown frame");
	return -1;
}

static int sink_get(void *arg, uint32_t i, struct relay_entry *e, const char **data_path)
{
	struct relay_sink *s = arg;
	if (i >= s->n)
		return -1;
	const struct relay_landed *l = &s->e[i];
	memset(e, 0, sizeof *e);
	e->type = l->type;
	e->blind = l->blind;
	e->mode = l->mode;
	e->mtime = l->mtime;
	e->size = l->size;
	memcpy(e->sha256, l->sha256, 32);
	snprintf(e->path, sizeof e->path, "%s", l->path);
	*data_path = NULL;
	if (l->type == RELAY_E_FILE && l->result != RELAY_R_ERR)
		*data_path = l->done || l->result == RELAY_R_SKIP ? l->path : s->tmp;
	return 0;
}

void relay_sink_source(struct relay_sink *s, struct relay_source *src)
{
	src->get = sink_get;
	src->arg = s;
	src->fed = NULL;
}
