/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * flist — the file list of an image: one entry per path below the root (the
 * root itself first, as "."), sorted by path bytes so parents come before
 * their children, with everything imgsync keeps: type, mode, numeric owner,
 * nanosecond mtime, device numbers, symlink targets, xattrs (file
 * capabilities and POSIX ACLs are xattrs), hard-link groups (a later link
 * names its leader's index) and optionally a content checksum. The walk
 * never leaves the root's filesystem and skips excluded paths.
 */
#ifndef IMGSYNC_FLIST_H
#define IMGSYNC_FLIST_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "exclude.h"

enum imgs_type { IMGS_REG = 1, IMGS_DIR, IMGS_LNK, IMGS_CHR, IMGS_BLK, IMGS_FIFO, IMGS_SOCK };

#define IMGS_NOLINK UINT32_MAX
#define IMGS_SUMLEN 32

struct imgs_xattr {
	char *name;
	unsigned char *value;
	uint32_t len;
};

struct imgs_entry {
	char *path;            /* "." for the root, else "a/b" */
	uint8_t type;          /* enum imgs_type */
	uint32_t mode;         /* permission bits, 07777 */
	uint32_t uid, gid;
	uint64_t size;         /* regular files */
	int64_t mtime_sec;
	uint32_t mtime_nsec;
	uint64_t rdev;         /* devices */
	char *target;          /* symlinks */
	uint32_t link_to;      /* index of the hard-link leader, or IMGS_NOLINK */
	uint32_t nxattrs;
	struct imgs_xattr *xattrs; /* sorted by name */
	uint8_t has_sum;
	unsigned char sum[IMGS_SUMLEN];
	/* local only, not sent */
	dev_t dev;
	ino_t ino;
	nlink_t nlink;
};

struct imgs_flist {
	struct imgs_entry *e;
	size_t n, cap;
};

const char *imgs_type_name(int type);
int imgs_type_of_mode(mode_t mode);
mode_t imgs_mode_of_type(int type);

/*
 * Walk ROOT into LIST. CHECKSUM: fill sum for regular files. 0, or -1 with
 * ERR naming the path and the problem (unreadable subtrees are warned about
 * and skipped; only an unusable root fails).
 */
int imgs_flist_walk(const char *root, const struct exclude *ex, int checksum,
		    struct imgs_flist *list, char *err, size_t errlen);
void imgs_flist_free(struct imgs_flist *list);
/* Append a copy-free entry (LIST takes ownership of its allocations). */
void imgs_flist_push(struct imgs_flist *list, const struct imgs_entry *e);
void imgs_entry_free(struct imgs_entry *e);
/* Index of PATH in a sorted list, or -1. */
long imgs_flist_find(const struct imgs_flist *list, const char *path);
/* Path order: "." first, then strcmp. */
int imgs_path_cmp(const char *a, const char *b);

/* Fill metadata from ST (no xattrs, target or sum). */
void imgs_entry_from_stat(struct imgs_entry *e, const struct stat *st);
/*
 * Read the xattrs of NAME in directory DIRFD without following a symlink
 * at NAME. Returns 0 (ENOTSUP counts as none) or -1 with errno.
 */
int imgs_read_xattrs(int dirfd, const char *name, struct imgs_xattr **xs, uint32_t *n);
void imgs_xattrs_free(struct imgs_xattr *xs, uint32_t n);
int imgs_xattrs_equal(const struct imgs_xattr *a, uint32_t na, const struct imgs_xattr *b, uint32_t nb,
		      int acl_only);
/* SHA-256 of an open file's content. 0 or -1. */
int imgs_checksum_fd(int fd, unsigned char sum[IMGS_SUMLEN]);

#endif
