/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * zcache — DATA chunks compressed once with zstd and shared by every
 * receiver that asks for them. Pushing one image to many nodes, each
 * node's thread sends the same chunks at about the same time: the first
 * one compresses, the others copy the bytes. Bounded in memory; the
 * oldest chunks go first. Chunks that do not shrink are sent as they are.
 */
#ifndef IMGSYNC_ZCACHE_H
#define IMGSYNC_ZCACHE_H

#include <stddef.h>
#include <stdint.h>

#include "proto.h"

struct imgs_zcache;

/* A cache holding at most BUDGET bytes of compressed chunks. */
struct imgs_zcache *imgs_zcache_new(size_t budget);
void imgs_zcache_free(struct imgs_zcache *zc);

/*
 * The chunk of file INDEX at OFFSET, if cached: 1 with its ZDATA frame
 * appended to B and *RAWLEN set; -1 if it is known not to shrink (send it
 * as DATA); 0 if not cached.
 */
int imgs_zcache_frame(struct imgs_zcache *zc, struct imgs_wbuf *b, uint32_t index, uint64_t offset,
		      size_t *rawlen);
/* Compress RAW (LEN <= IMGS_CHUNK bytes), keep it, and append its frame (ZDATA or DATA) to B. */
void imgs_zcache_add_frame(struct imgs_zcache *zc, struct imgs_wbuf *b, uint32_t index, uint64_t offset,
			   const void *raw, size_t len);

#endif
