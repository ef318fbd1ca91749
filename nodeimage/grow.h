/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * grow — after an image was written to a bigger disk: move the GPT backup
 * header to the end of the disk, grow the last partition to fill the disk
 * (sfdisk), and grow its ext2/3/4 (e2fsck -f, resize2fs) or XFS (mounted
 * on a temporary directory in a private mount namespace, xfs_growfs)
 * filesystem. Helpers run by
 * fork/exec with an argv, never through a shell; their chatter goes to
 * stderr.
 */
#ifndef NODEIMAGE_GROW_H
#define NODEIMAGE_GROW_H

#include <stddef.h>

/* Grow the last partition of block device DEV and its filesystem. 0 or -1 with ERR. */
int grow_disk(const char *dev, int quiet, char *err, size_t errlen);

/* "ext4", "xfs" or NULL: the filesystem whose superblock starts BUF (at least 2 KiB). */
const char *grow_fs_type(const unsigned char *buf, size_t len);

#endif
