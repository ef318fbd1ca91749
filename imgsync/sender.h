/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sender — the side that holds the image: walks it once, encodes the file
 * list once, and serves any number of receivers (one per thread when
 * pushing to many nodes): the list, then the content each one asks for —
 * data extents only (holes are skipped) or a librsync delta against the
 * receiver's signature. A delta is computed once per file and signature and
 * shared by every node that holds the same old file.
 */
#ifndef IMGSYNC_SENDER_H
#define IMGSYNC_SENDER_H

#include <pthread.h>

#include "excl.h"
#include "flist.h"
#include "proto.h"
#include "receiver.h"
#include "xport.h"

struct imgs_delta_cache;
struct imgs_zcache;

struct imgs_image {
	char *root;
	int rootfd;
	uint32_t flags;
	struct imgs_flist list;
	struct imgs_wbuf frames;   /* HELLO-less encoded list: ENTRY... LIST_END */
	struct imgs_delta_cache *cache;
	struct imgs_zcache *zcache;   /* compressed DATA chunks, shared by the receivers */
	uint64_t deltas_computed, deltas_shared;
};

/* Walk ROOT and encode its list. 0, or -1 with ERR. */
int imgs_image_load(struct imgs_image *im, const char *root, const struct exclude *ex, uint32_t flags,
		    char *err, size_t errlen);
void imgs_image_free(struct imgs_image *im);

/*
 * Serve one receiver over X (HELLO already exchanged). With REP (the client
 * side), read the receiver's ITEM lines and SUMMARY into it afterwards.
 * 0, or -1 with rep->error / a message.
 */
int imgs_send(struct imgs_image *im, struct imgs_xport *x, struct imgs_report *rep);

/* "imgsync --server --sender ROOT" on stdin/stdout. Exit status. */
int imgs_serve_sender(const char *root);

#endif
