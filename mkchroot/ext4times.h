/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ext4times — the inode times of an ext4 filesystem made reproducible, in
 * place in an image file: every inode's modification time clamped to
 * SOURCE_DATE_EPOCH, and its access, change and creation times set to that
 * (freed inodes too: they keep the times they had).
 * mkfs.ext4 -d copies the tree's access and change times, which differ
 * between two copies of the same tree and move when the tree is read.
 */
#ifndef MKCHROOT_EXT4TIMES_H
#define MKCHROOT_EXT4TIMES_H

#include <stddef.h>
#include <stdint.h>

/* crc32c as ext4 uses it: SEED in, no inversion at either end. */
uint32_t mkc_crc32c(uint32_t seed, const void *buf, size_t len);

/*
 * Clamp the inode times of the ext4 filesystem at byte OFFSET of the image
 * open on FD to T, updating the inode checksums. The number of inodes
 * changed, or -1 with the reason in ERR.
 */
long mkc_ext4_clamp_times(int fd, uint64_t offset, int64_t t, char *err, size_t errlen);

#endif
