/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mounted — is a block device in use as a filesystem: mounted itself, or a
 * partition of it mounted (from /proc/self/mountinfo and /sys/dev/block).
 */
#ifndef MKCHROOT_MOUNTED_H
#define MKCHROOT_MOUNTED_H

#include <stddef.h>
#include <sys/types.h>

/* 1 with the mount point in WHERE if DEV or one of its partitions is mounted, else 0. */
int mkc_dev_mounted(dev_t dev, char *where, size_t len);

#endif
