/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * disk — mkchroot --disk: pack a node root into a bootable disk image
 * (qcow2, or raw), without loop devices or mounts: the root filesystem made
 * by mkfs.ext4 -d from the tree, then adjusted with debugfs (fstab, boot
 * entries, the stateless steps) so the administrator's tree is never
 * changed; GRUB for BIOS in the BIOS boot partition; the whole built in a
 * directory beside OUT and renamed into place only when complete.
 */
#ifndef MKCHROOT_DISK_H
#define MKCHROOT_DISK_H

#include <stdint.h>

struct mkc_disk_opts {
	const char *output, *root;
	int raw;              /* --format raw, else qcow2 */
	uint64_t size;        /* --disk-size, 0: from the tree */
	uint64_t free_bytes;  /* --disk-free */
	const char *seed;     /* --uuid-seed, NULL: derived from the tree (diskseed.h) */
	const char *cmdline;  /* --cmdline: kernel options after root=UUID=... ro */
	int no_stateless, force, dry_run;
	int sha256;           /* --sha256: write OUT.sha256 */
	char *digest;         /* with --sha256, 65 bytes: set to the digest written */
	int clamp;            /* SOURCE_DATE_EPOCH given: every time in the image at most CLAMP_TIME */
	int64_t clamp_time;
};

/* Make O->output. 0; 1 after a message (usage or local error, no OUT written); 2 a tool failed. */
int mkc_disk_make(const struct mkc_disk_opts *o);

#endif
