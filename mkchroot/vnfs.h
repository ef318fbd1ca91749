/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vnfs — pack a chroot into a VNFS image: cpio newc (a bootable initramfs)
 * or pax tar (keeps xattrs such as security.capability), compressed with
 * gzip, zstd or xz (threaded where libarchive offers it), written to a
 * temporary file and renamed into place only when complete.
 */
#ifndef MKCHROOT_VNFS_H
#define MKCHROOT_VNFS_H

#include <stdint.h>

#include "excl.h"

enum mkc_vnfs_format { MKC_VNFS_AUTO = 0, MKC_VNFS_NEWC, MKC_VNFS_PAX };
enum mkc_vnfs_compress { MKC_VNFS_ZAUTO = 0, MKC_VNFS_NONE, MKC_VNFS_GZIP, MKC_VNFS_ZSTD, MKC_VNFS_XZ };

struct mkc_vnfs_opts {
	enum mkc_vnfs_format format;
	enum mkc_vnfs_compress compress;
	int level;          /* compression level, 0: the filter's default */
	int threads;        /* 0: one per CPU */
	const struct exclude *excl;
	int clamp;          /* SOURCE_DATE_EPOCH given */
	int64_t clamp_time;
};

/* "newc"/"cpio", "pax"/"tar" -> format; -1 if unknown. */
int mkc_vnfs_format_parse(const char *s);
/* "gzip"/"gz", "zstd"/"zst", "xz", "none" -> compression; -1 if unknown. */
int mkc_vnfs_compress_parse(const char *s);
/* Fill AUTO choices from the output name: .tar* -> pax, .gz/.zst/.xz -> filter, else newc + gzip. */
void mkc_vnfs_from_name(const char *output, enum mkc_vnfs_format *f, enum mkc_vnfs_compress *c);

/* What a pack did, for -v and --json. */
struct mkc_vnfs_stats {
	uintmax_t files;    /* entries written */
	uintmax_t bytes_in; /* bytes in regular files */
	uintmax_t excluded;
	intmax_t bytes;     /* size of OUTPUT */
	double seconds;
};

/* "newc", "pax"; "gzip", "zstd", "xz", "none". */
const char *mkc_vnfs_format_name(enum mkc_vnfs_format f);
const char *mkc_vnfs_compress_name(enum mkc_vnfs_compress c);

/* Pack ROOT into OUTPUT, filling *ST (may be NULL). 0, or 1 after a message (no OUTPUT written or changed). */
int mkc_vnfs_pack(const char *output, const char *root, const struct mkc_vnfs_opts *o, struct mkc_vnfs_stats *st);

#endif
