/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
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

/* One sealing session of relay_feed. */
struct feeder {
	int fd;
	const struct relay_key *k;
	const struct relay_source *src;
	struct relay_sealer sealer;
	unsigned char *plain, *out;
	char *err;
	size_t errlen;
};

static int send_frame(struct feeder *fs, struct relay_frame *f, const void *plain)
{
	size_t n = relay_seal(fs->k, &fs->sealer, f, plain, fs->out);
	if (n == 0 || relay_write_all(fs->fd, fs->out, n) < 0) {
		snprintf(fs->err, fs->errlen, "send: %s", n == 0 ? "cannot seal" : strerror(errno));
		return -1;
	}
	return 0;
}

/* The signed hashes of block B of entry I, sent first when the feed enters their chunk. */
static const unsigned char *hashes_for(struct feeder *fs, uint32_t i, uint64_t b, const unsigned char *cur,
				       const char *path)
{
	if (cur && b % RELAY_HASHES_PER)
		return cur;
	size_t len;
	const unsigned char *p = fs->src->hashes(fs->src->arg, i, b / RELAY_HASHES_PER, &len);
	if (!p) {
		snprintf(fs->err, fs->errlen, "%s: no signed block hashes here", path);
		return NULL;
	}
	struct relay_frame f = { RELAY_HASHES, i, b / RELAY_HASHES_PER, (uint32_t)len, { 0 } };
	return send_frame(fs, &f, p) < 0 ? NULL : p;
}

/* Entry I's bytes [FROM, TO) as DATA frames read from PATH, each checked against its signed hash. */
static int feed_data(struct feeder *fs, uint32_t i, const char *path, uint64_t from, uint64_t to)
{
	int in = open(path, O_RDONLY | O_CLOEXEC);
	if (in < 0) {
		snprintf(fs->err, fs->errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	const unsigned char *hashes = NULL;
	int rc = 0;
	for (uint64_t off = from; off < to && rc == 0; off += RELAY_BLOCK) {
		uint64_t b = off / RELAY_BLOCK;
		size_t len = to - off < RELAY_BLOCK ? (size_t)(to - off) : RELAY_BLOCK;
		unsigned char h[32];
		if (!(hashes = hashes_for(fs, i, b, hashes, path))) {
			rc = -1;
			break;
		}
		ssize_t r = pread(in, fs->plain, len, (off_t)off);
		if (r != (ssize_t)len) {
			snprintf(fs->err, fs->errlen, "%s: %s", path, r < 0 ? strerror(errno) : "file shrank");
			rc = -1;
			break;
		}
		relay_block_hash(fs->plain, len, h);
		if (memcmp(h, hashes + RELAY_SIG_LEN + 32 * (b % RELAY_HASHES_PER), 32) != 0) {
			snprintf(fs->err, fs->errlen, "%s: changed since it was hashed (block %llu is not the signed one): not sent",
				 path, (unsigned long long)b);
			rc = RELAY_REFUSED;
			break;
		}
		struct relay_frame f = { RELAY_DATA, i, b, (uint32_t)len, { 0 } };
		rc = send_frame(fs, &f, fs->plain);
		if (rc == 0 && fs->src->fed)
			__atomic_add_fetch(fs->src->fed, len, __ATOMIC_RELAXED);
	}
	close(in);
	return rc;
}

/*
 * A feed that stops inside entry I at TO: the next blocks come live from
 * upstream, maybe without their chunk's hashes (already taken here): send
 * them if held.
 */
static int hashes_ahead(struct feeder *fs, uint32_t i, uint64_t to)
{
	size_t len;
	uint64_t c = to / RELAY_BLOCK / RELAY_HASHES_PER;
	const unsigned char *p = fs->src->hashes(fs->src->arg, i, c, &len);
	struct relay_frame f = { RELAY_HASHES, i, c, (uint32_t)len, { 0 } };
	return p ? send_frame(fs, &f, p) : 0;
}

/* Entry I from FROM up to TO (UINT64_MAX: its end). */
static int feed_entry(struct feeder *fs, uint32_t i, uint64_t from, uint64_t to)
{
	struct relay_entry *e = xmalloc(sizeof *e);
	const char *path = NULL;
	const unsigned char *signed_entry;
	size_t len;
	int rc = -1;
	if (fs->src->get(fs->src->arg, i, e, &signed_entry, &len, &path) < 0) {
		snprintf(fs->err, fs->errlen, "entry %u: not available here", i);
		goto out;
	}
	struct relay_frame f = { RELAY_ENTRY, i, UINT64_MAX, (uint32_t)len, { 0 } };
	if (send_frame(fs, &f, signed_entry) < 0)
		goto out;
	if (to > e->size)
		to = e->size;
	rc = 0;
	if (e->type == RELAY_E_FILE && from < to) {
		if (!path) {
			snprintf(fs->err, fs->errlen, "%s: not kept here", e->path);
			rc = -1;
		} else {
			rc = feed_data(fs, i, path, from, to);
		}
	}
	if (rc == 0 && e->type == RELAY_E_FILE && to < e->size)
		rc = hashes_ahead(fs, i, to);
out:
	free(e);
	return rc;
}

int relay_feed(int fd, const struct relay_key *k, const struct relay_source *src, uint32_t from_entry,
	       uint64_t from_off, uint32_t to_entry, uint64_t to_off, int flags, char *err, size_t errlen)
{
	struct feeder fs = { .fd = fd, .k = k, .src = src, .err = err, .errlen = errlen };
	if (relay_sealer_new(&fs.sealer) < 0) {
		snprintf(err, errlen, "cannot draw a nonce");
		return -1;
	}
	fs.plain = xmalloc(RELAY_BLOCK);
	fs.out = xmalloc(RELAY_MAX_FRAME);
	int rc = 0;
	for (uint32_t i = from_entry; i < to_entry && rc == 0; i++)
		rc = feed_entry(&fs, i, i == from_entry ? from_off : 0, UINT64_MAX);
	if (rc == 0 && (flags & RELAY_FEED_LAST))
		rc = feed_entry(&fs, to_entry, from_entry == to_entry ? from_off : 0, to_off);
	if (rc == 0 && (flags & RELAY_FEED_END)) {
		struct relay_frame f = { RELAY_END, UINT32_MAX, UINT64_MAX - 1, RELAY_END_LEN, { 0 } };
		rc = src->end ? send_frame(&fs, &f, src->end) : -1;
		if (!src->end)
			snprintf(err, errlen, "no signed end of stream here");
	}
	free(fs.plain);
	free(fs.out);
	return rc;
}

/* ---- the sink ------------------------------------------------------------ */

char *relay_tmp_name(const char *path, const char *tag)
{
	const char *slash = strrchr(path, '/');
	return xasprintf("%.*s/.cpush.%s.%s.tmp", (int)(slash - path), path, slash + 1, tag);
}

int relay_sink_init(struct relay_sink *s, const char *tag, const unsigned char head[RELAY_PUB_LEN])
{
	memset(s, 0, sizeof *s);
	s->tag = tag;
	s->fd = -1;
	s->sha = EVP_MD_CTX_new();
	if (!s->sha)
		die(1, "out of memory");
	s->head = relay_verifier_new(head);
	return s->head ? 0 : -1;
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
		for (size_t c = 0; c < s->e[i].nchunks; c++)
			free(s->e[i].chunks[c]);
		free(s->e[i].chunks);
		free(s->e[i].signed_entry);
		free(s->e[i].path);
		free(s->e[i].error);
	}
	free(s->e);
	EVP_MD_CTX_free(s->sha);
	EVP_PKEY_free(s->head);
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

/* Not what the head signed: nothing of it stays, nothing more is taken. RELAY_REFUSED. */
static int refused(struct relay_sink *s)
{
	drop_tmp(s);
	if (s->have_entry < s->n) {
		s->e[s->have_entry].result = RELAY_R_ERR; /* not served to anyone */
		free(s->e[s->have_entry].error);
		s->e[s->have_entry].error = xstrdup("refused");
	}
	s->refused = 1;
	return RELAY_REFUSED;
}

static int refuse(struct relay_sink *s, char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int refuse(struct relay_sink *s, char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return refused(s);
}

/* The last byte of the file is written: check, set mode and times, rename. 1, or RELAY_REFUSED. */
static int land(struct relay_sink *s, char *err, size_t errlen)
{
	struct relay_landed *l = &s->e[s->have_entry];
	unsigned char sha[32];
	unsigned int n = 0;
	if (l->result == RELAY_R_OK)
		EVP_DigestFinal_ex(s->sha, sha, &n);
	if (l->result == RELAY_R_OK && memcmp(sha, l->sha256, 32) != 0)
		return refuse(s, err, errlen, "%s: digest of the received file is not the signed one: not installed",
			      l->path);
	if (l->result != RELAY_R_OK) {
		finish(s, l->result, NULL);
		return 1;
	}
	struct timespec ts[2] = { { (time_t)l->mtime, 0 }, { (time_t)l->mtime, 0 } };
	int rc = fchmod(s->fd, (mode_t)l->mode) < 0 || futimens(s->fd, ts) < 0 ? -1 : 0;
	if (close(s->fd) < 0)
		rc = -1;
	s->fd = -1;
	if (rc < 0 || rename(s->tmp, l->path) < 0) {
		fail(s, rc < 0 ? "set mode and times" : "rename");
		finish(s, RELAY_R_ERR, NULL);
		return 1;
	}
	free(s->tmp);
	s->tmp = NULL;
	finish(s, RELAY_R_OK, NULL);
	return 1;
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
	uint32_t count;
	int rc = relay_entry_verify(s->head, i, plain, len, e, &count, err, errlen);
	if (rc == 0 && s->n > 0 && count != s->count)
		snprintf(err, errlen, "entry %u says %u entries, the first said %u", i, count, s->count), rc = -1;
	else if (rc == 0 && i < s->n &&
		 (s->e[i].signed_len != len || memcmp(s->e[i].signed_entry, plain, len) != 0))
		snprintf(err, errlen, "entry %u sent twice with different contents", i), rc = -1;
	else if (rc == 0 && i > s->n)
		snprintf(err, errlen, "entry %u out of order (expected %zu)", i, s->n), rc = -1;
	if (rc < 0 || i < s->n) { /* refused, or sent again after a re-route: the same bytes */
		free(e);
		return rc < 0 ? refused(s) : 0;
	}
	s->count = count;
	s->e = xreallocarray(s->e, s->n + 1, sizeof *s->e);
	struct relay_landed *l = &s->e[s->n++];
	*l = (struct relay_landed){ .signed_entry = xmalloc(len), .signed_len = len, .path = xstrdup(e->path),
				    .type = e->type, .blind = e->blind, .mode = e->mode, .mtime = e->mtime,
				    .size = e->size };
	memcpy(l->signed_entry, plain, len);
	memcpy(l->sha256, e->sha256, 32);
	free(e);
	if (l->type == RELAY_E_DIR) {
		make_dir(s, l);
		return 1;
	}
	open_file(s, l);
	return l->size == 0 ? land(s, err, errlen) : 1;
}

/* The signed hashes of entry I's chunk CHUNK: kept, 0 if seen already, RELAY_REFUSED. */
static int on_hashes(struct relay_sink *s, uint32_t i, uint64_t chunk, const unsigned char *plain, uint32_t len,
		     char *err, size_t errlen)
{
	if (i < s->have_entry)
		return 0;
	struct relay_landed *l = i == s->have_entry && i < s->n ? &s->e[i] : NULL;
	size_t n = l && l->type == RELAY_E_FILE ? relay_chunk_hashes(l->size, chunk) : 0;
	if (n == 0 || len != RELAY_SIG_LEN + 32 * n)
		return refuse(s, err, errlen, "block hashes %u/%llu do not belong to the entry being received", i,
			      (unsigned long long)chunk);
	if (!l->chunks) {
		l->nchunks = (size_t)((relay_blocks(l->size) + RELAY_HASHES_PER - 1) / RELAY_HASHES_PER);
		l->chunks = xcalloc(l->nchunks, sizeof *l->chunks);
	}
	if (l->chunks[chunk])
		return memcmp(l->chunks[chunk], plain, len) == 0
			       ? 0
			       : refuse(s, err, errlen, "block hashes %u/%llu sent twice with different contents", i,
					(unsigned long long)chunk);
	if (relay_hashes_verify(s->head, i, chunk, plain, len, l->nchunks == 1 ? l->sha256 : NULL) < 0)
		return refuse(s, err, errlen, "%s: block hashes %llu not signed by the head", l->path,
			      (unsigned long long)chunk);
	l->chunks[chunk] = xmalloc(len);
	memcpy(l->chunks[chunk], plain, len);
	return 1;
}

/* Is block B of the entry being received the one the head signed? Its hash into H. */
static int block_signed(struct relay_sink *s, uint64_t b, const unsigned char *plain, uint32_t len,
			unsigned char h[32], char *err, size_t errlen)
{
	struct relay_landed *l = &s->e[s->have_entry];
	uint64_t c = b / RELAY_HASHES_PER;
	if (!l->chunks || c >= l->nchunks || !l->chunks[c])
		return refuse(s, err, errlen, "%s: block %llu came before its signed hash", l->path,
			      (unsigned long long)b);
	relay_block_hash(plain, len, h);
	if (memcmp(h, l->chunks[c] + RELAY_SIG_LEN + 32 * (b % RELAY_HASHES_PER), 32) != 0)
		return refuse(s, err, errlen, "%s: block %llu is not the one the head signed: not installed", l->path,
			      (unsigned long long)b);
	return 0;
}

static int on_data(struct relay_sink *s, const struct relay_frame *f, const unsigned char *plain, char *err,
		   size_t errlen)
{
	struct relay_landed *l = &s->e[s->have_entry];
	unsigned char h[32];
	if (block_signed(s, f->block, plain, f->len, h, err, errlen) < 0)
		return RELAY_REFUSED;
	if (l->result == RELAY_R_OK) {
		if (pwrite(s->fd, plain, f->len, (off_t)s->have_off) != (ssize_t)f->len) {
			if (errno == 0)
				errno = ENOSPC;
			fail(s, NULL);
		} else {
			EVP_DigestUpdate(s->sha, h, sizeof h);
		}
	}
	s->have_off += f->len;
	return s->have_off >= l->size ? land(s, err, errlen) : 1;
}

static int on_end(struct relay_sink *s, const unsigned char *plain, char *err, size_t errlen)
{
	uint32_t count;
	if (relay_end_verify(s->head, plain, &count) < 0)
		return refuse(s, err, errlen, "end of stream not signed by the head");
	if (count != s->n)
		return refuse(s, err, errlen, "end of stream after %zu entries, the head signed %u", s->n, count);
	if (s->have_entry != s->n) {
		snprintf(err, errlen, "end of stream inside an entry");
		return -1;
	}
	memcpy(s->end, plain, RELAY_END_LEN);
	s->ended = 1;
	return 1;
}

int relay_sink_frame(struct relay_sink *s, const struct relay_frame *f, const unsigned char *plain, char *err,
		     size_t errlen)
{
	if (s->refused) {
		snprintf(err, errlen, "refused: an earlier frame was not what the head signed");
		return RELAY_REFUSED;
	}
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
		return on_data(s, f, plain, err, errlen);
	case RELAY_HASHES:
		return on_hashes(s, f->entry, f->block, plain, f->len, err, errlen);
	case RELAY_END:
		return on_end(s, plain, err, errlen);
	}
	snprintf(err, errlen, "unknown frame");
	return -1;
}

static int sink_get(void *arg, uint32_t i, struct relay_entry *e, const unsigned char **signed_entry, size_t *len,
		    const char **data_path)
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
	*signed_entry = l->signed_entry;
	*len = l->signed_len;
	*data_path = NULL;
	if (l->type == RELAY_E_FILE && l->result != RELAY_R_ERR)
		*data_path = l->done || l->result == RELAY_R_SKIP ? l->path : s->tmp;
	return 0;
}

static const unsigned char *sink_hashes(void *arg, uint32_t i, uint64_t chunk, size_t *len)
{
	struct relay_sink *s = arg;
	if (i >= s->n || chunk >= s->e[i].nchunks || !s->e[i].chunks[chunk])
		return NULL;
	*len = RELAY_SIG_LEN + 32 * relay_chunk_hashes(s->e[i].size, chunk);
	return s->e[i].chunks[chunk];
}

void relay_sink_source(struct relay_sink *s, struct relay_source *src)
{
	src->get = sink_get;
	src->hashes = sink_hashes;
	src->end = s->ended ? s->end : NULL;
	src->arg = s;
	src->fed = NULL;
}
