/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fsutil — files that appear complete or not at all, and names from outside
 * that cannot escape the directory they are meant for.
 */
#ifndef CT_FSUTIL_H
#define CT_FSUTIL_H

#include <stddef.h>
#include <sys/types.h>

/* A file being written under a temporary name beside its final path. */
struct fs_tmpfile {
	int fd;
	int dirfd;        /* directory both names live in */
	char *tmp_name;   /* relative to dirfd */
	char *final_name; /* relative to dirfd */
};

/*
 * Open a temporary file in the directory of PATH (dirfd AT_FDCWD) or of the
 * name PATH relative to DIRFD. Returns 0, or -1 with errno set.
 */
int fs_tmp_open(int dirfd, const char *path, mode_t mode, struct fs_tmpfile *t);
/*
 * While a temporary file exists, SIGINT/SIGTERM/SIGHUP (if still at their
 * default action when the first one was opened) remove it before the process
 * dies of the signal: an interrupted tool leaves neither a partial target
 * nor a temporary file.
 */
/* fsync, rename over the final name, fsync the directory. -1 and errno on failure (temp removed). */
int fs_tmp_commit(struct fs_tmpfile *t);
/* Remove the temporary file; safe to call after a failed commit or twice. */
void fs_tmp_abort(struct fs_tmpfile *t);

/* Write BUF to PATH atomically (temp + fsync + rename). 0 or -1 with errno. */
int fs_atomic_write(const char *path, const void *buf, size_t len, mode_t mode);

/* Read a whole file (at most MAX bytes, else EFBIG). NUL-terminated; LEN excludes it. */
char *fs_read_file(const char *path, size_t max, size_t *len);
/* The same for FD, read to its end (EINTR retried); FD stays open. */
char *fs_read_fd(int fd, size_t max, size_t *len);

/*
 * Is NAME a safe relative name: not empty, not absolute, no "." or ".."
 * component, no empty component? Returns 1 or 0.
 */
int fs_name_is_safe(const char *name);

/* DIR "/" NAME if NAME is safe, else NULL with errno EINVAL. Caller frees. */
char *fs_join_safe(const char *dir, const char *name);

/*
 * openat(2) that never leaves DIRFD: ".." and symlinks anywhere in NAME are
 * refused (openat2 RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS). -1 and errno on failure.
 */
int fs_open_beneath(int dirfd, const char *name, int flags, mode_t mode);

/* mkdir -p relative to DIRFD, never following symlinks. 0 or -1 with errno. */
int fs_mkdirs_beneath(int dirfd, const char *name, mode_t mode);

/*
 * BUF written to REL (a path with a directory part) beneath ROOTFD, atomically,
 * its directories made, with MODE and, unless UID is -1, owner UID:GID; never
 * through a symlink. 0 or -1 with errno.
 */
int fs_write_beneath(int rootfd, const char *rel, const void *buf, size_t len, mode_t mode, uid_t uid, gid_t gid);

/* Write all of BUF to FD, retrying on EINTR and short writes. 0 or -1. */
int fs_write_all(int fd, const void *buf, size_t len);

#endif
