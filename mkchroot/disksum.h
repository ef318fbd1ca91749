/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * disksum — the SHA-256 that nodeimage --sha256 checks: of the raw disk
 * image's bytes, its holes read as zeros (for a qcow2 image, of the raw disk
 * it holds), as 64 lowercase hex digits.
 */
#ifndef MKCHROOT_DISKSUM_H
#define MKCHROOT_DISKSUM_H

/* The SHA-256 of the file RAW into HEX; a progress line on a terminal. 0, or -1 after a message. */
int mkc_disk_sha256(const char *raw, char hex[65]);

#endif
