/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * compare — what must change for one destination path to equal its image
 * entry, decided from what the destination holds (lstat, xattrs, symlink
 * target, checksum). Pure: no I/O. Also renders the decision as an
 * rsync-style itemize line ("YXcstpoguax PATH").
 */
#ifndef IMGSYNC_COMPARE_H
#define IMGSYNC_COMPARE_H

#include <sys/stat.h>

#include "flist.h"

/* What the destination holds at a path. */
struct imgs_have {
	int exists;
	struct stat st;
	struct imgs_xattr *xs;
	uint32_t nx;
	char *target;       /* symlinks */
	int has_sum;
	unsigned char sum[IMGS_SUMLEN];
};

struct imgs_cmp {
	int create;         /* absent, or of another type: make it anew */
	int replace;        /* an existing path of another type goes first */
	int content;        /* regular file: content must be sent */
	int meta;           /* owner/mode/xattrs/mtime differ */
	int owner, group, mode, mtime, xattr, acl, size, sum;
};

/* Does a regular file need its content? Needs HAVE's checksum when CHECKSUM. */
int imgs_content_differs(const struct imgs_entry *e, const struct imgs_have *h, int checksum);
void imgs_compare(const struct imgs_entry *e, const struct imgs_have *h, int checksum, struct imgs_cmp *c);
/* Is any change needed? */
int imgs_cmp_changes(const struct imgs_cmp *c);
/* "cd+++++++++ etc/" ... ; LEADER for hard links (Y = 'h'). Caller frees. */
char *imgs_itemize(const struct imgs_entry *e, const struct imgs_cmp *c, const char *leader);
char *imgs_itemize_delete(const char *path, int is_dir);

#endif
