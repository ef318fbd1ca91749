/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * delta — librsync in imgsync's three places: the receiver's signature of
 * the file it holds, the sender's delta of the new file against that
 * signature, and the receiver's streaming patch that rebuilds the new file
 * from its old one. Plus the sparse writer every received byte goes
 * through: all-zero blocks become holes.
 */
#ifndef IMGSYNC_DELTA_H
#define IMGSYNC_DELTA_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "proto.h"

/*
 * Files at least this big that exist on the receiver are sent as deltas.
 * Small: a line appended to a 4 KiB config file should cost a few dozen
 * bytes on the wire, as with rsync over ssh (measured in bench/imgsync.sh).
 */
#define IMGS_DELTA_MIN 1024u

/* Writes at offsets, leaving holes for zero blocks; finish sets the size. */
struct imgs_sparse {
	int fd;
	uint64_t off;
	uint64_t max;       /* writes past this fail with EFBIG */
};
int imgs_sparse_write(struct imgs_sparse *s, const void *buf, size_t len);
int imgs_sparse_finish(struct imgs_sparse *s, uint64_t size);

/* librsync signature of FD's content (SIZE bytes) into OUT. 0 or -1. */
int imgs_sig_fd(int fd, uint64_t size, struct imgs_wbuf *out, char *err, size_t errlen);

/* Delta of NEWFD's content against signature SIG, written to OUTFD. 0 or -1. */
int imgs_delta_fd(const unsigned char *sig, size_t siglen, int newfd, int outfd, char *err, size_t errlen);

/* Streaming patch: basis file + delta chunks -> sparse output. */
struct imgs_patch;
struct imgs_patch *imgs_patch_new(int basisfd, struct imgs_sparse *out);
/* Feed a delta chunk (EOF: the last one). 0, or -1 with ERR. */
int imgs_patch_feed(struct imgs_patch *p, const void *buf, size_t len, int eof, char *err, size_t errlen);
/* Patch complete? */
int imgs_patch_done(const struct imgs_patch *p);
void imgs_patch_free(struct imgs_patch *p);

#endif
