/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rootfs — the filesystems on a written disk or image file, for a process
 * that looks inside them: rootfs_open() moves the calling process into a
 * mount namespace of its own (call it in a child: the mounts end with it),
 * finds the partitions (the kernel's, after a re-read, else added with
 * partx -a; an image file through a loop device; else the whole target)
 * and mounts each on
 * demand, ext4, XFS, btrfs or (read-only) vfat. Paths inside a filesystem
 * are resolved in it: a symbolic link cannot lead out.
 */
#ifndef NODEIMAGE_ROOTFS_H
#define NODEIMAGE_ROOTFS_H

#include <stddef.h>

struct rootfs;

/* 0 and *R, or -1 with ERR. */
int rootfs_open(const char *target, struct rootfs **r, char *err, size_t errlen);
void rootfs_close(struct rootfs *r);

/* The candidate filesystems: partitions in table order, or the target itself. */
size_t rootfs_count(const struct rootfs *r);
const char *rootfs_device(const struct rootfs *r, size_t i);

/* Mount filesystem I (read-write with RW): a directory fd of its top (owned by R), or -1. */
int rootfs_mount(struct rootfs *r, size_t i, int rw);
/* Unmount it (flushing what was written). 0 or -1. */
int rootfs_umount(struct rootfs *r, size_t i);

/* Open PATH below directory fd ROOT, never leaving it. An fd or -1 (errno). */
int rootfs_openat(int root, const char *path, int flags);
/*
 * Open the regular file PATH below ROOT to read, without waiting: a FIFO,
 * device, socket or directory there is refused. An fd and *ST, or -1 with
 * errno (ENOENT or ENOTDIR: nothing there) and WHY.
 */
struct stat;
int rootfs_open_file(int root, const char *path, struct stat *st, char *why, size_t whylen);
/* Its content, NUL-terminated, if at most MAX bytes: 0, *BUF (allocated) and *LEN; else -1 as above. */
int rootfs_read(int root, const char *path, size_t max, char **buf, size_t *len, char *why, size_t whylen);
/* Is the filesystem at ROOT a system's root (an /etc with fstab or os-release)? */
int rootfs_is_root(int root);

#endif
