/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "chainfeed.h"
#include "log.h"
#include "relayctl.h"
#include "relayio.h"
#include "relaynet.h"
#include "xalloc.h"

struct cpentry {
	const struct cpplan_entry *pe;
	unsigned char sha[32];       /* its digest: SHA-256 over the SHA-256 of each block */
	unsigned char *hashes;       /* SHA-256 of each block, until signed */
	unsigned char **chunks;      /* the signed HASHES payloads */
	size_t nchunks;
	unsigned char *signed_entry; /* the ENTRY payload, signed by the head */
	size_t signed_len;
};

struct cpentries {
	struct cpentry *e;
	uint32_t n;
	int blind;
	unsigned char pub[RELAY_PUB_LEN];
	unsigned char end[RELAY_END_LEN];
};

static void fill(const struct cpentries *en, uint32_t i, struct relay_entry *re)
{
	const struct cpplan_entry *pe = en->e[i].pe;
	memset(re, 0, sizeof *re);
	re->type = pe->type == CPPLAN_DIR ? RELAY_E_DIR : RELAY_E_FILE;
	re->blind = en->blind;
	re->mode = pe->mode;
	re->mtime = pe->mtime;
	re->size = pe->type == CPPLAN_DIR ? 0 : pe->size;
	memcpy(re->sha256, en->e[i].sha, 32);
	snprintf(re->path, sizeof re->path, "%s", pe->dst);
}

/* Sign entry I's block hashes, RELAY_HASHES_PER a time. */
static int sign_hashes(EVP_PKEY *sk, uint32_t i, struct cpentry *e)
{
	if (e->pe->type != CPPLAN_FILE)
		return 0;
	e->nchunks = (size_t)((relay_blocks(e->pe->size) + RELAY_HASHES_PER - 1) / RELAY_HASHES_PER);
	e->chunks = xcalloc(e->nchunks + 1, sizeof *e->chunks);
	for (size_t c = 0; c < e->nchunks; c++) {
		size_t m = relay_chunk_hashes(e->pe->size, c);
		e->chunks[c] = xmalloc(RELAY_SIG_LEN + 32 * m);
		if (relay_hashes_sign(e->nchunks > 1 ? sk : NULL, i, c, e->hashes + 32 * c * RELAY_HASHES_PER, m,
				      e->chunks[c]) == 0)
			return -1;
	}
	free(e->hashes);
	e->hashes = NULL;
	return 0;
}

/* Sign every entry and the end with a key pair of this transfer alone (the private key goes at once). */
static int sign_all(struct cpentries *en)
{
	EVP_PKEY *sk = relay_signer_new(en->pub);
	if (!sk)
		return -1;
	struct relay_entry *re = xmalloc(sizeof *re);
	int rc = relay_end_sign(sk, en->n, en->end);
	for (uint32_t i = 0; i < en->n && rc == 0; i++) {
		fill(en, i, re);
		en->e[i].signed_entry = xmalloc(relay_signed_max());
		en->e[i].signed_len = relay_entry_sign(sk, i, en->n, re, en->e[i].signed_entry);
		rc = en->e[i].signed_len ? sign_hashes(sk, i, &en->e[i]) : -1;
	}
	free(re);
	EVP_PKEY_free(sk);
	return rc;
}

/* The SHA-256 of each block of PATH's first SIZE bytes, and their digest. */
static int hash_file(const char *path, uint64_t size, struct cpentry *e)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	uint64_t n = relay_blocks(size);
	unsigned char *buf = xmalloc(RELAY_BLOCK);
	e->hashes = xmalloc(32 * n + 1);
	int rc = 0;
	for (uint64_t b = 0; b < n && rc == 0; b++) {
		size_t len = size - b * RELAY_BLOCK < RELAY_BLOCK ? (size_t)(size - b * RELAY_BLOCK) : RELAY_BLOCK;
		ssize_t r = pread(fd, buf, len, (off_t)(b * RELAY_BLOCK));
		if (r != (ssize_t)len) {
			if (r >= 0)
				errno = EIO; /* shrank since it was listed */
			rc = -1;
		} else {
			relay_block_hash(buf, len, e->hashes + 32 * b);
		}
	}
	relay_digest(e->hashes, n, e->sha);
	free(buf);
	int saved = errno;
	close(fd);
	errno = saved;
	return rc;
}

struct cpentries *cpentries_new(const struct cpplan *plan, int blind, char *err, size_t errlen)
{
	struct cpentries *en = xcalloc(1, sizeof *en);
	en->blind = blind;
	en->e = xcalloc(plan->n + 1, sizeof *en->e);
	for (size_t i = 0; i < plan->n; i++) {
		const struct cpplan_entry *pe = &plan->e[i];
		if (pe->type == CPPLAN_LINK)
			continue;
		struct cpentry *e = &en->e[en->n++];
		e->pe = pe;
		if (pe->type == CPPLAN_FILE && hash_file(pe->src, pe->size, e) < 0) {
			snprintf(err, errlen, "%s: %s", pe->src, strerror(errno));
			cpentries_free(en);
			return NULL;
		}
	}
	if (sign_all(en) < 0) {
		snprintf(err, errlen, "cannot sign the entries (Ed25519)");
		cpentries_free(en);
		return NULL;
	}
	return en;
}

const unsigned char *cpentries_pub(const struct cpentries *en)
{
	return en->pub;
}

uint32_t cpentries_count(const struct cpentries *en)
{
	return en->n;
}

const char *cpentries_path(const struct cpentries *en, uint32_t i)
{
	return en->e[i].pe->dst;
}

uint64_t cpentries_size(const struct cpentries *en, uint32_t i)
{
	return en->e[i].pe->type == CPPLAN_DIR ? UINT64_MAX : en->e[i].pe->size;
}

void cpentries_free(struct cpentries *en)
{
	if (!en)
		return;
	for (uint32_t i = 0; i < en->n; i++) {
		for (size_t c = 0; c < en->e[i].nchunks; c++)
			free(en->e[i].chunks[c]);
		free(en->e[i].chunks);
		free(en->e[i].hashes);
		free(en->e[i].signed_entry);
	}
	free(en->e);
	free(en);
}

static int entries_get(void *arg, uint32_t i, struct relay_entry *re, const unsigned char **signed_entry,
		       size_t *len, const char **data_path)
{
	const struct cpentries *en = arg;
	if (i >= en->n)
		return -1;
	fill(en, i, re);
	*signed_entry = en->e[i].signed_entry;
	*len = en->e[i].signed_len;
	*data_path = en->e[i].pe->type == CPPLAN_FILE ? en->e[i].pe->src : NULL;
	return 0;
}

static const unsigned char *entries_hashes(void *arg, uint32_t i, uint64_t chunk, size_t *len)
{
	const struct cpentries *en = arg;
	if (i >= en->n || chunk >= en->e[i].nchunks)
		return NULL;
	*len = RELAY_SIG_LEN + 32 * relay_chunk_hashes(en->e[i].pe->size, chunk);
	return en->e[i].chunks[chunk];
}

/* ---- the feeder thread ----------------------------------------------------- */

struct cpfeed {
	const struct cpentries *en;
	struct relay_key key;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	char host[256];
	int port;
	char src[64];  /* the address to connect from (the one the node was told to expect) */
	unsigned gen;  /* bumped by every cpfeed_target */
	int fd;        /* current connection, -1 */
	int quit, done;
	int changed;   /* a source file is not what was hashed and signed */
	char err[512];
	uint64_t fed;  /* data bytes sent, re-feeds included (atomic) */
};

struct dialing {
	struct cpfeed *f;
	unsigned gen;
};

/* Give up a dial: the feeder was re-targeted or is being freed. */
static int dial_cancelled(void *arg)
{
	struct dialing *d = arg;
	pthread_mutex_lock(&d->f->mu);
	int c = d->f->quit || d->f->gen != d->gen;
	pthread_mutex_unlock(&d->f->mu);
	return c;
}

/* Connect within RELAY_CONNECT_MS from SRC; the socket stays non-blocking (writes give up after RELAY_STALL_SECONDS). */
static int dial(struct cpfeed *f, const char *host, int port, const char *src, unsigned gen)
{
	char ps[16];
	snprintf(ps, sizeof ps, "%d", port);
	int fd = relay_connect_start(host, ps, src);
	struct dialing d = { f, gen };
	if (fd >= 0 && relay_connect_wait(fd, RELAY_CONNECT_MS, dial_cancelled, &d) < 0) {
		int saved = errno;
		close(fd);
		errno = saved;
		fd = -1;
	}
	return fd;
}

/* One attempt on the current target. */
static void feed_once(struct cpfeed *f, const char *host, int port, const char *src, unsigned gen)
{
	char err[512] = "";
	uint32_t e;
	uint64_t off;
	int rc = 0, fd = dial(f, host, port, src, gen);
	if (fd < 0) {
		snprintf(err, sizeof err, "%s:%d: cannot connect: %s", host, port, strerror(errno));
	} else {
		pthread_mutex_lock(&f->mu);
		int current = f->gen == gen;
		if (current)
			f->fd = fd;
		pthread_mutex_unlock(&f->mu);
		struct relay_source rs = { entries_get, entries_hashes, f->en->end, (void *)f->en, &f->fed };
		if (!current)
			snprintf(err, sizeof err, "re-targeted");
		else if (relay_hello_send(fd, &f->key, &e, &off, err, sizeof err) == 0 &&
			 (rc = relay_feed(fd, &f->key, &rs, e, off, f->en->n, 0, RELAY_FEED_END, err, sizeof err)) == 0)
			err[0] = '\0';
	}
	pthread_mutex_lock(&f->mu);
	if (f->gen == gen) {
		snprintf(f->err, sizeof f->err, "%s", err);
		f->done = err[0] == '\0';
	}
	if (rc == RELAY_REFUSED)
		f->changed = 1;
	if (fd >= 0 && f->fd == fd)
		f->fd = -1;
	pthread_mutex_unlock(&f->mu);
	if (fd >= 0)
		close(fd); /* after the END frame: the node has it all */
}

static void *feeder(void *arg)
{
	struct cpfeed *f = arg;
	unsigned seen = 0;
	pthread_mutex_lock(&f->mu);
	for (;;) {
		while (!f->quit && f->gen == seen)
			pthread_cond_wait(&f->cv, &f->mu);
		if (f->quit)
			break;
		seen = f->gen;
		char host[256], src[64];
		int port = f->port;
		snprintf(host, sizeof host, "%s", f->host);
		snprintf(src, sizeof src, "%s", f->src);
		pthread_mutex_unlock(&f->mu);
		feed_once(f, host, port, src, seen);
		pthread_mutex_lock(&f->mu);
	}
	pthread_mutex_unlock(&f->mu);
	return NULL;
}

struct cpfeed *cpfeed_new(const struct cpentries *en, const struct relay_key *k)
{
	struct cpfeed *f = xcalloc(1, sizeof *f);
	f->en = en;
	f->key = *k;
	f->fd = -1;
	pthread_mutex_init(&f->mu, NULL);
	pthread_cond_init(&f->cv, NULL);
	if (pthread_create(&f->thread, NULL, feeder, f) != 0)
		die(1, "cannot start a thread");
	return f;
}

/* Cut the current connection (under the lock): a blocked send returns; the thread closes it. */
static void cut(struct cpfeed *f)
{
	if (f->fd >= 0)
		shutdown(f->fd, SHUT_RDWR);
	f->fd = -1;
}

void cpfeed_target(struct cpfeed *f, const char *host, int port, const char *src)
{
	pthread_mutex_lock(&f->mu);
	cut(f);
	snprintf(f->host, sizeof f->host, "%s", host);
	snprintf(f->src, sizeof f->src, "%s", src ? src : "");
	f->port = port;
	f->gen++;
	f->done = 0;
	f->err[0] = '\0';
	pthread_cond_signal(&f->cv);
	pthread_mutex_unlock(&f->mu);
}

int cpfeed_changed(struct cpfeed *f)
{
	pthread_mutex_lock(&f->mu);
	int c = f->changed;
	pthread_mutex_unlock(&f->mu);
	return c;
}

int cpfeed_done(struct cpfeed *f)
{
	pthread_mutex_lock(&f->mu);
	int d = f->done;
	pthread_mutex_unlock(&f->mu);
	return d;
}

void cpfeed_error(struct cpfeed *f, char *buf, size_t len)
{
	pthread_mutex_lock(&f->mu);
	snprintf(buf, len, "%s", f->err);
	pthread_mutex_unlock(&f->mu);
}

void cpfeed_free(struct cpfeed *f)
{
	if (!f)
		return;
	pthread_mutex_lock(&f->mu);
	f->quit = 1;
	f->gen++;
	cut(f);
	pthread_cond_signal(&f->cv);
	pthread_mutex_unlock(&f->mu);
	pthread_join(f->thread, NULL);
	pthread_mutex_destroy(&f->mu);
	pthread_cond_destroy(&f->cv);
	free(f);
}

uint64_t cpfeed_fed(struct cpfeed *f)
{
	return __atomic_load_n(&f->fed, __ATOMIC_RELAXED);
}
