/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * diskplan — disk image layout (see diskplan.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diskplan.h"
#include "xalloc.h"

#define BLOCK 4096ull
#define FIRST 2048ull                    /* sectors: 1 MiB before the first partition */
#define BIOS_SECTORS 2048ull             /* 1 MiB for GRUB's core.img */
#define ESP_SECTORS (64ull * MKC_MIB / MKC_SECTOR)
#define TAIL (1ull * MKC_MIB)            /* after the root: the backup GPT, MiB-aligned */
#define ROOT_START (FIRST + BIOS_SECTORS + ESP_SECTORS)
#define INODE_SIZE 256ull
#define INODE_RATIO 16384ull             /* mke2fs.conf's default */

static const char *const TYPE_BIOS = "21686148-6E6F-744E-6564-4546494C4549";
static const char *const TYPE_ESP = "C12A7328-F81F-11D2-BA4B-00A0C93EC93B";
static const char *const TYPE_ROOT = "4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709"; /* Linux root (x86-64) */

/* e2fsprogs' ext2fs_default_journal_size, in bytes, for a filesystem of BYTES. */
static uint64_t journal_bytes(uint64_t bytes)
{
	static const struct { uint64_t below, blocks; } steps[] = {
		{ 2048, 0 }, { 32768, 1024 }, { 256 * 1024, 4096 }, { 512 * 1024, 8192 },
		{ 4096 * 1024, 16384 }, { 8192 * 1024, 32768 }, { 16384 * 1024, 65536 }, { 32768 * 1024, 131072 },
	};
	uint64_t blocks = bytes / BLOCK;
	for (size_t i = 0; i < sizeof steps / sizeof *steps; i++)
		if (blocks < steps[i].below)
			return steps[i].blocks * BLOCK;
	return 262144 * BLOCK;
}

static uint64_t inodes_for(const struct mkc_tree_usage *u, uint64_t bytes)
{
	uint64_t want = u->inodes + u->inodes / 4 + 1024, ratio = bytes / INODE_RATIO;
	return want > ratio ? want : ratio;
}

/*
 * What a root filesystem of BYTES needs for the tree: its blocks (plus 2%
 * for directories and extent blocks mkfs lays out differently), the inode
 * tables, the journal, bitmaps and group descriptors (under 0.4%), and 4 MiB
 * of superblock copies and reserved descriptors.
 */
static uint64_t need_bytes(const struct mkc_tree_usage *u, uint64_t bytes)
{
	uint64_t data = u->blocks * BLOCK;
	return data + data / 50 + inodes_for(u, bytes) * INODE_SIZE + journal_bytes(bytes) + bytes / 256 +
	       4 * MKC_MIB;
}

static uint64_t round_mib(uint64_t b)
{
	return (b + MKC_MIB - 1) / MKC_MIB * MKC_MIB;
}

/* The least root size that holds the tree: the need grows with the size, so settle it. */
static uint64_t least_root(const struct mkc_tree_usage *u)
{
	uint64_t r = round_mib(need_bytes(u, 0));
	for (int i = 0; i < 8 && need_bytes(u, r) > r; i++)
		r = round_mib(need_bytes(u, r));
	return r;
}

static void set_part(struct mkc_disk_part *p, const char *name, const char *type, uint64_t start, uint64_t sectors,
		     const char *seed)
{
	p->name = name;
	p->type = type;
	p->start = start;
	p->sectors = sectors;
	mkc_disk_uuid(seed, name, p->uuid);
}

int mkc_disk_plan(const struct mkc_tree_usage *u, uint64_t size, uint64_t free_bytes, const char *seed,
		  struct mkc_disk_plan *p, char *err, size_t errlen)
{
	memset(p, 0, sizeof *p);
	p->root_min = least_root(u);
	uint64_t root;
	if (size) {
		uint64_t head = ROOT_START * MKC_SECTOR;
		root = size / MKC_MIB * MKC_MIB;
		root = root > head + TAIL ? root - head - TAIL : 0;
		if (root < p->root_min || need_bytes(u, root) > root) {
			snprintf(err, errlen,
				 "the tree needs a root filesystem of %ju MiB, a disk of at least %ju MiB; "
				 "--disk-size gives %ju MiB",
				 (uintmax_t)(p->root_min / MKC_MIB), (uintmax_t)((p->root_min + head + TAIL) / MKC_MIB),
				 (uintmax_t)(size / MKC_MIB));
			return -1;
		}
	} else {
		root = round_mib(p->root_min + free_bytes);
	}
	set_part(&p->part[MKC_PART_BIOS], "bios", TYPE_BIOS, FIRST, BIOS_SECTORS, seed);
	set_part(&p->part[MKC_PART_ESP], "esp", TYPE_ESP, FIRST + BIOS_SECTORS, ESP_SECTORS, seed);
	set_part(&p->part[MKC_PART_ROOT], "root", TYPE_ROOT, ROOT_START, root / MKC_SECTOR, seed);
	p->bytes = ROOT_START * MKC_SECTOR + root + TAIL;
	p->inodes = inodes_for(u, root);
	mkc_disk_uuid(seed, "disk", p->disk_uuid);
	mkc_disk_uuid(seed, "rootfs", p->fs_uuid);
	char esp[37];
	mkc_disk_uuid(seed, "espfs", esp);
	memcpy(p->esp_serial, esp, 8);
	p->esp_serial[8] = '\0';
	return 0;
}

char *mkc_disk_sfdisk_script(const struct mkc_disk_plan *p)
{
	static const char *const labels[] = { "BIOS boot", "EFI system", "root" };
	char *s = xasprintf("label: gpt\nlabel-id: %s\nunit: sectors\n", p->disk_uuid);
	for (size_t i = 0; i < MKC_NPARTS; i++) {
		const struct mkc_disk_part *q = &p->part[i];
		char *t = xasprintf("%sstart=%ju, size=%ju, type=%s, uuid=%s, name=\"%s\"\n", s, (uintmax_t)q->start,
				    (uintmax_t)q->sectors, q->type, q->uuid, labels[i]);
		free(s);
		s = t;
	}
	return s;
}

/* FNV-1a over SEED, a NUL, LABEL and SALT, then splitmix64's finaliser. */
static uint64_t hash64(const char *seed, const char *label, uint64_t salt)
{
	uint64_t h = 0xcbf29ce484222325ull ^ salt;
	for (const char *s = seed; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
	h *= 0x100000001b3ull;
	for (const char *s = label; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ull;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebull;
	return h ^ (h >> 31);
}

void mkc_disk_uuid(const char *seed, const char *label, char out[37])
{
	unsigned char b[16];
	uint64_t hi = hash64(seed, label, 1), lo = hash64(seed, label, 2);
	for (int i = 0; i < 8; i++) {
		b[i] = (unsigned char)(hi >> (56 - 8 * i));
		b[8 + i] = (unsigned char)(lo >> (56 - 8 * i));
	}
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2],
		 b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

int mkc_disk_parse_size(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	const char *p = s;
	if (*p < '0' || *p > '9')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (v > (UINT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	static const char units[] = "KMGT";
	const char *u = *p ? strchr(units, *p) : NULL;
	if (*p && !u)
		return -1;
	if (u) {
		int shift = 10 * (int)(u - units + 1);
		if (v > (UINT64_MAX >> shift))
			return -1;
		v <<= shift;
		p++;
		if (strcmp(p, "iB") == 0 || strcmp(p, "B") == 0)
			p += strlen(p);
	}
	if (*p)
		return -1;
	*out = v;
	return 0;
}
