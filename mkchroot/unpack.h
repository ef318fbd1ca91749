/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * unpack — write archive entries into a node root with libarchive's
 * archive_write_disk: names cleaned (layers.h) and symlinks or ".." never
 * followed out of the root, numeric owners, modes, mtimes, xattrs and ACLs
 * kept. Used by the archive backend (a rootfs tarball, or a `docker save` /
 * OCI archive whose layers are applied in order with their whiteouts) and
 * by golden copies streamed from another host.
 */
#ifndef MKCHROOT_UNPACK_H
#define MKCHROOT_UNPACK_H

#include <stdint.h>
#include <sys/types.h>

#include "excl.h"

struct archive;

struct mkc_unpack {
	struct archive *disk;
	int rootfd;
	int oldcwd;
	const struct exclude *excl;
	unsigned long entries;
	unsigned long skipped;
};

/* Start writing into ROOT (an existing directory). 0, or -1 after a message. */
int mkc_unpack_begin(struct mkc_unpack *u, const char *root, const struct exclude *excl);
/*
 * Extract every entry of IN (named WHAT in messages). With LAYER, whiteout
 * entries are skipped and a non-directory replaces a directory below it.
 * 0, or -1 after a message.
 */
int mkc_unpack_stream(struct mkc_unpack *u, struct archive *in, const char *what, int layer);
/* Apply the whiteouts of layer IN (before its entries are extracted). 0 or -1. */
int mkc_unpack_whiteouts(struct mkc_unpack *u, struct archive *in, const char *what);
/* Remove REL below the root (its contents only, with CONTENTS_ONLY); a missing path is fine. 0 or -1. */
int mkc_unpack_remove(struct mkc_unpack *u, const char *rel, int contents_only);
/* Give the root directory itself this owner and mode. */
void mkc_unpack_root_meta(struct mkc_unpack *u, int64_t uid, int64_t gid, mode_t perm);
void mkc_unpack_end(struct mkc_unpack *u);

/*
 * The archive backend: unpack FILE (a rootfs tarball in any format and
 * compression libarchive reads, or a docker-save / OCI image archive) into
 * ROOT. 0, or -1 after a message.
 */
int mkc_unpack_file(const char *file, const char *root, const struct exclude *excl);

#endif
