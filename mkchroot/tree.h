/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tree — walk a directory tree in sorted order and write it as archive
 * entries into a libarchive writer: an archive (VNFS image) or
 * archive_write_disk (a golden copy). Hard links stay links (the link
 * resolver follows the format's rules), inode numbers are renumbered in walk
 * order, atime/ctime are dropped, and under a clamp time mtimes later than it
 * are set to it, so that the same tree always gives the same bytes.
 * The walk stays on the root's filesystem (mount points are kept, empty).
 */
#ifndef MKCHROOT_TREE_H
#define MKCHROOT_TREE_H

#include <stdint.h>
#include <sys/types.h>

#include "excl.h"

struct archive;

struct mkc_tree_opts {
	const struct exclude *excl;  /* may be NULL */
	int link_format;              /* ARCHIVE_FORMAT_* for hard-link handling */
	int64_t max_file_size;        /* refuse larger regular files (0: no limit) */
	const char *format_name;      /* for the size message */
	int clamp;                    /* clamp mtimes to clamp_time */
	int64_t clamp_time;
	dev_t skip_dev;               /* a file never to include (the output being written) */
	ino_t skip_ino;
	int verbose_list;             /* print each path on stderr */
	void (*on_data)(uint64_t bytes, void *arg); /* file bytes written into OUT (progress); may be NULL */
	void *on_data_arg;
};

/* Totals of one walk. */
struct mkc_tree_stats {
	uint64_t entries;
	uint64_t bytes;
	uint64_t excluded;
};

/*
 * Write the tree at ROOT into OUT. 0, or -1 after a message naming the path
 * and the problem (OUT is then unusable).
 */
int mkc_tree_write(struct archive *out, const char *root, const struct mkc_tree_opts *o,
		   struct mkc_tree_stats *st);

/*
 * Bytes of the regular files a walk of ROOT would write (same filesystem,
 * EXCL applied; may be NULL): the total for a progress line. What cannot be
 * read is left out silently (the walk itself reports it).
 */
uint64_t mkc_tree_size(const char *root, const struct exclude *excl);

#endif
