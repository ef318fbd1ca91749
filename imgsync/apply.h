/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * apply — the receiver's changes to the destination tree, each confined to
 * the destination root: every directory is opened with openat2
 * RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS (no "..", no symlink anywhere on
 * the way, no other filesystem), every name is then used relative to it.
 * New and changed paths land whole: regular files are written to an
 * unnamed O_TMPFILE inode that is linked and renamed into place, symlinks,
 * devices and fifos are made under a temporary name and renamed.
 */
#ifndef IMGSYNC_APPLY_H
#define IMGSYNC_APPLY_H

#include <sys/types.h>

#include "compare.h"
#include "flist.h"

struct imgs_dirs {
	int rootfd;
	dev_t rootdev;
	char *cur;          /* directory path of curfd */
	int curfd;
};

/* Open ROOT; CREATE: make it first if need be (its last component: the parent must exist). 0 or -1 with errno. */
int imgs_dirs_open(struct imgs_dirs *d, const char *root, int create);
void imgs_dirs_close(struct imgs_dirs *d);
/*
 * Directory holding PATH ("a/b" -> "a", "x" -> root), cached; sets *BASE to
 * the last component. -1 with errno (ELOOP through a symlink, EXDEV on
 * another filesystem) — not to be closed by the caller.
 */
int imgs_dirs_parent(struct imgs_dirs *d, const char *path, const char **base);

/* What NAME in DIRFD holds (NULL: DIRFD itself). WANT_SUM: checksum a regular file. */
void imgs_have_read(int dirfd, const char *name, int want_sum, struct imgs_have *h);
void imgs_have_free(struct imgs_have *h);

/*
 * Sorted names in directory FD (without . and ..); NULL if none or
 * unreadable. TYPES (if not NULL) gets each name's d_type (DT_UNKNOWN if the
 * filesystem does not say); free it too.
 */
char **imgs_dir_names(int fd, size_t *np, unsigned char **types);

/* Callback per deleted path (for itemize), children before their directory. */
typedef void (*imgs_del_cb)(void *arg, const char *relpath, int is_dir);
/*
 * Remove NAME (RELPATH for messages) from DIRFD, recursively; never crosses
 * into another filesystem. DRY: only report. 0 or -1 (errors are warned).
 */
int imgs_rm_rf(int dirfd, const char *name, const char *relpath, dev_t rootdev, int dry,
	       imgs_del_cb cb, void *arg);

/* Set owner, mode, xattrs, mtime (not for directories: SKIP_MTIME) of NAME. */
int imgs_set_meta(int dirfd, const char *name, const struct imgs_entry *e, const struct imgs_have *h,
		  int skip_mtime);
/* The same on an open regular file before it is linked into place. */
int imgs_set_meta_fd(int fd, const struct imgs_entry *e);
/* mkdir, or make a symlink/device/fifo/socket under a temp name and rename it to NAME. */
int imgs_make_node(int dirfd, const char *name, const struct imgs_entry *e);
/* Link LEADER (in LDIRFD) as NAME in DIRFD, replacing NAME atomically. */
int imgs_make_link(int ldirfd, const char *leader, int dirfd, const char *name);
/* An unnamed file in DIRFD to write new content into. */
int imgs_tmp_file(int dirfd);
/* Give the unnamed file FD the name NAME in DIRFD (atomic replace). Closes FD. */
int imgs_tmp_commit(int fd, int dirfd, const char *name);

#endif
