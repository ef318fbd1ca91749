/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * writer — the target of nodeimage: a block device or a file.
 *
 * A file is written under a temporary name beside its final path, sized to
 * the image and left sparse: ranges that read as zero (and all-zero data
 * blocks) stay holes; it is renamed into place only by writer_commit(). A
 * block device is opened exclusively after checking that neither it nor
 * any of its partitions is mounted, used as swap or held by another device
 * (device mapper, md); ranges that read as zero are zeroed on the device
 * (BLKZEROOUT, which may discard) so old contents never show through.
 * Nothing is ever written past the image size or the end of the device.
 */
#ifndef NODEIMAGE_WRITER_H
#define NODEIMAGE_WRITER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct writer;

/* Open PATH for an image of SIZE bytes. WIPE clears the first and last MiB of a device first. */
struct writer *writer_open(const char *path, uint64_t size, int wipe, char *err, size_t errlen);
int writer_is_blockdev(const struct writer *w);
dev_t writer_rdev(const struct writer *w);
uint64_t writer_bytes_written(const struct writer *w);

/* LEN bytes at OFF read as zero. 0 or -1 with ERR. */
int writer_zero(struct writer *w, uint64_t off, uint64_t len, char *err, size_t errlen);
/* Write BUF at OFF. 0 or -1 with ERR. */
int writer_write(struct writer *w, uint64_t off, const void *buf, size_t len, char *err, size_t errlen);
/* SHA-256 of the first SIZE bytes as written, read back from the target. 0 or -1 with ERR. */
int writer_sha256(struct writer *w, uint8_t out[32], char *err, size_t errlen);
/* Flush; rename a file into place; re-read a device's partition table. Frees W. 0 or -1 with ERR. */
int writer_commit(struct writer *w, char *err, size_t errlen);
/* Give up: a file's temporary is removed. Frees W. */
void writer_abort(struct writer *w);

/* Ask the kernel to re-read the partition table of DEV (not held open). 0 or -1. */
int writer_reread_partitions(const char *dev);

/*
 * Is device DEV (or a partition of it) in use? Fills WHY ("mounted on /x",
 * "held by dm-0", "used as swap") and returns 1; 0 if free. Reads
 * /proc/self/mountinfo, /proc/swaps and /sys/dev/block.
 */
int writer_device_busy(dev_t dev, char *why, size_t whylen);

#endif
