/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sniff — what the first bytes of a download look like, so that a body
 * which is not the image format asked for (an HTML error page served with
 * status 200, a compressed file, text, random bytes) is refused before
 * anything is written. Pure: it takes the first bytes in a buffer.
 */
#ifndef NODEIMAGE_SNIFF_H
#define NODEIMAGE_SNIFF_H

#include <stddef.h>
#include <stdint.h>

#include "qcow2.h"

enum sniff_kind {
	SNIFF_EMPTY,
	SNIFF_QCOW2,
	SNIFF_GZIP,
	SNIFF_XZ,
	SNIFF_ZSTD,
	SNIFF_BZIP2,
	SNIFF_HTML,
	SNIFF_TEXT,
	SNIFF_DISK,    /* a boot sector signature: MBR or GPT partition table */
	SNIFF_FS,      /* a bare ext2/3/4 or XFS filesystem */
	SNIFF_UNKNOWN,
};

/* Bytes sniff() wants to see (fewer are fine for a short file). */
#define SNIFF_PROBE 4096

/* What the body starting with the LEN bytes of BUF looks like. */
enum sniff_kind sniff(const uint8_t *buf, size_t len);
/* "an HTML page", "gzip-compressed data", "unknown data", ... */
const char *sniff_name(enum sniff_kind kind);

/*
 * Is a body starting with BUF an image of format WANT? A qcow2 image must
 * carry the qcow2 signature; a raw image may be anything but empty, qcow2,
 * compressed, HTML or text. 0, or -1 with ERR saying what it looks like.
 */
int sniff_check(enum qcow2_format want, const uint8_t *buf, size_t len, char *err, size_t errlen);

#endif
