/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * image — the glue between fetch, qcow2 and writer. image_load() fetches
 * the header, the L1 table and every L2 table (neighbouring tables in one
 * request) and builds the mapping; image_copy() zeroes what reads as zero
 * and fetches the data clusters in host-file order, coalesced into large
 * ranges, routing each byte to its guest offset (inflating compressed
 * clusters) as it arrives, on a writer thread (pipeline) so the disk and
 * the network work at once. Both return a nodeimage exit status.
 */
#ifndef NODEIMAGE_IMAGE_H
#define NODEIMAGE_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "fetch.h"
#include "qcow2.h"
#include "writer.h"

enum {
	IMAGE_OK = 0,
	IMAGE_EXIT_DOWNLOAD = 2,
	IMAGE_EXIT_BAD_IMAGE = 3,
	IMAGE_EXIT_WRITE = 4,
};

/* Largest gap between two data ranges still fetched in one request. */
#define IMAGE_MAX_GAP (256u << 10)

struct image_stats {
	uint64_t fetch_bytes; /* bytes of data ranges requested (gaps included) */
	uint64_t ranges;      /* data range requests */
};

/*
 * 0, 2 (download) or 3 (bad image, or not of format WANT: see sniff.h) with
 * ERR; on success IMG and MAP are filled.
 */
int image_load(struct fetch *f, enum qcow2_format want, struct qcow2_image *img, struct qcow2_map *map,
	       char *err, size_t errlen);

/* 0, 2, 3 (a cluster does not decompress) or 4 (write) with ERR. PROGRESS: show a meter. */
int image_copy(struct fetch *f, const struct qcow2_image *img, const struct qcow2_map *map, struct writer *w,
	       int progress, struct image_stats *st, char *err, size_t errlen);

#endif
