/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * diskplan — the layout of a disk image made by mkchroot --disk, computed
 * without touching anything: GPT with a BIOS boot partition, an EFI system
 * partition and the root filesystem last (so nodeimage --grow can grow it),
 * the root's size from what the tree holds, the UUIDs derived from a seed,
 * and the sfdisk script that writes the table.
 */
#ifndef MKCHROOT_DISKPLAN_H
#define MKCHROOT_DISKPLAN_H

#include <stddef.h>
#include <stdint.h>

#define MKC_SECTOR 512u
#define MKC_MIB (1024u * 1024u)
#define MKC_DISK_FREE_DEFAULT (256ull * MKC_MIB) /* --disk-free when not given */

/* What the tree needs: its blocks (4 KiB each, as ext4 stores it) and inodes. */
struct mkc_tree_usage {
	uint64_t blocks;
	uint64_t inodes;
};

struct mkc_disk_part {
	const char *name;   /* "bios", "esp", "root" */
	const char *type;   /* GPT type GUID */
	uint64_t start;     /* in sectors */
	uint64_t sectors;
	char uuid[37];      /* the partition's unique GUID */
};

enum { MKC_PART_BIOS, MKC_PART_ESP, MKC_PART_ROOT, MKC_NPARTS };

struct mkc_disk_plan {
	struct mkc_disk_part part[MKC_NPARTS];
	uint64_t bytes;        /* the whole disk */
	uint64_t root_min;     /* the least the root filesystem can be, in bytes */
	uint64_t inodes;       /* for mkfs.ext4 -N */
	char disk_uuid[37];    /* the GPT label-id */
	char fs_uuid[37];      /* the root filesystem's UUID */
	char esp_serial[9];    /* the FAT volume id, 8 hex digits */
};

/*
 * Lay out a disk for a tree of usage U: SIZE bytes in all if nonzero, else
 * the root's least size plus FREE bytes. UUIDs from SEED. 0, or -1 with the
 * reason in ERR (SIZE too small for the root: nothing is to be written).
 */
int mkc_disk_plan(const struct mkc_tree_usage *u, uint64_t size, uint64_t free_bytes, const char *seed,
		  struct mkc_disk_plan *p, char *err, size_t errlen);

/* The sfdisk script writing P's partition table. Caller frees. */
char *mkc_disk_sfdisk_script(const struct mkc_disk_plan *p);

/* A UUID (version 4 layout) derived from SEED and LABEL into OUT. */
void mkc_disk_uuid(const char *seed, const char *label, char out[37]);

/* SIZE: a whole number with K, M, G or T (powers of 1024, "iB" allowed) or bytes. 0, or -1. */
int mkc_disk_parse_size(const char *s, uint64_t *out);

#endif
