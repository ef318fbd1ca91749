/* SPDX-License-Identifier: BSD-3-Clause */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#include "log.h"
#include "xalloc.h"
#include "zcache.h"

#define ZLEVEL 1          /* fast: the point is fewer bytes to encrypt, not the smallest image */
#define NBUCKETS 4096

struct zchunk {
	uint32_t index;
	uint64_t offset;
	size_t rawlen, zlen;     /* zlen 0: sent raw (did not shrink) */
	unsigned char *z;
	struct zchunk *next;     /* bucket chain */
	struct zchunk *newer;    /* age order */
};

struct imgs_zcache {
	pthread_mutex_t mu;
	size_t budget, used;
	struct zchunk *bucket[NBUCKETS];
	struct zchunk *oldest, *newest;
};

struct imgs_zcache *imgs_zcache_new(size_t budget)
{
	struct imgs_zcache *zc = xcalloc(1, sizeof *zc);
	pthread_mutex_init(&zc->mu, NULL);
	zc->budget = budget;
	return zc;
}

void imgs_zcache_free(struct imgs_zcache *zc)
{
	if (!zc)
		return;
	for (struct zchunk *c = zc->oldest, *next; c; c = next) {
		next = c->newer;
		free(c->z);
		free(c);
	}
	pthread_mutex_destroy(&zc->mu);
	free(zc);
}

static size_t bucket_of(uint32_t index, uint64_t offset)
{
	uint64_t h = ((uint64_t)index * 0x9e3779b97f4a7c15ull) ^ (offset / IMGS_CHUNK);
	return (size_t)((h ^ (h >> 29)) % NBUCKETS);
}

static struct zchunk *find(struct imgs_zcache *zc, uint32_t index, uint64_t offset)
{
	for (struct zchunk *c = zc->bucket[bucket_of(index, offset)]; c; c = c->next)
		if (c->index == index && c->offset == offset)
			return c;
	return NULL;
}

static void unlink_oldest(struct imgs_zcache *zc)
{
	struct zchunk *c = zc->oldest;
	struct zchunk **p = &zc->bucket[bucket_of(c->index, c->offset)];
	while (*p != c)
		p = &(*p)->next;
	*p = c->next;
	zc->oldest = c->newer;
	if (!zc->oldest)
		zc->newest = NULL;
	zc->used -= c->zlen + sizeof *c;
	free(c->z);
	free(c);
}

static void put_frame(struct imgs_wbuf *b, const struct zchunk *c, const void *raw)
{
	if (c->zlen)
		imgs_enc_zdata(b, c->index, c->offset, (uint32_t)c->rawlen, c->z, c->zlen);
	else
		imgs_enc_data(b, c->index, c->offset, raw, c->rawlen);
}

int imgs_zcache_frame(struct imgs_zcache *zc, struct imgs_wbuf *b, uint32_t index, uint64_t offset,
		      size_t *rawlen)
{
	int rc = 0;
	pthread_mutex_lock(&zc->mu);
	struct zchunk *c = find(zc, index, offset);
	if (c && c->zlen) {
		put_frame(b, c, NULL);
		*rawlen = c->rawlen;
		rc = 1;
	} else if (c) {
		rc = -1; /* no bytes kept for a chunk that did not shrink: the caller reads it */
	}
	pthread_mutex_unlock(&zc->mu);
	return rc;
}

void imgs_zcache_add_frame(struct imgs_zcache *zc, struct imgs_wbuf *b, uint32_t index, uint64_t offset,
			   const void *raw, size_t len)
{
	struct zchunk *c = xcalloc(1, sizeof *c);
	*c = (struct zchunk){ .index = index, .offset = offset, .rawlen = len };
	size_t cap = ZSTD_compressBound(len);
	c->z = xmalloc(cap);
	size_t z = ZSTD_compress(c->z, cap, raw, len, ZLEVEL);
	if (!ZSTD_isError(z) && z < len - len / 8) { /* worth it only if it saves an eighth */
		c->zlen = z;
		c->z = xrealloc(c->z, z);
	} else {
		free(c->z);
		c->z = NULL;
	}
	put_frame(b, c, raw);
	pthread_mutex_lock(&zc->mu);
	if (find(zc, index, offset)) { /* another thread was quicker */
		pthread_mutex_unlock(&zc->mu);
		free(c->z);
		free(c);
		return;
	}
	size_t b_i = bucket_of(index, offset);
	c->next = zc->bucket[b_i];
	zc->bucket[b_i] = c;
	if (zc->newest)
		zc->newest->newer = c;
	else
		zc->oldest = c;
	zc->newest = c;
	zc->used += c->zlen + sizeof *c;
	while (zc->used > zc->budget && zc->oldest != c)
		unlink_oldest(zc);
	pthread_mutex_unlock(&zc->mu);
}
