/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ext4times — inode times clamped in place (see ext4times.h). The on-disk
 * layout is the kernel's (Documentation/filesystems/ext4): the superblock at
 * 1024, the group descriptors in the block after it, an inode bitmap and an
 * inode table per group; groups whose inodes were never used are skipped.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ext4times.h"
#include "xalloc.h"

#define SB_OFF 1024
#define INCOMPAT_64BIT 0x80u
#define INCOMPAT_CSUM_SEED 0x2000u
#define RO_COMPAT_METADATA_CSUM 0x400u
#define BG_INODE_UNINIT 0x1u
#define GOOD_OLD_INODE 128u

/* Inode fields: the classic times, the checksum's halves, the extra part. */
#define I_ATIME 0x08
#define I_CTIME 0x0c
#define I_MTIME 0x10
#define I_GENERATION 0x64
#define I_CSUM_LO 0x7c
#define I_EXTRA_ISIZE 0x80
#define I_CSUM_HI 0x82
#define I_CTIME_EXTRA 0x84
#define I_MTIME_EXTRA 0x88
#define I_ATIME_EXTRA 0x8c
#define I_CRTIME 0x90
#define I_CRTIME_EXTRA 0x94

static uint32_t le16(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t le32(const unsigned char *p)
{
	return le16(p) | le16(p + 2) << 16;
}

static void put16(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
}

static void put32(unsigned char *p, uint32_t v)
{
	put16(p, v);
	put16(p + 2, v >> 16);
}

uint32_t mkc_crc32c(uint32_t crc, const void *buf, size_t len)
{
	const unsigned char *p = buf;
	while (len--) {
		crc ^= *p++;
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0x82f63b78u & (0u - (crc & 1)));
	}
	return crc;
}

struct fs {
	int fd;
	uint64_t off, bsize;
	uint32_t ipg, isize, groups, desc_size;
	int csum;
	uint32_t csum_seed;
};

static int read_at(const struct fs *f, void *buf, size_t len, uint64_t at)
{
	return pread(f->fd, buf, len, (off_t)(f->off + at)) == (ssize_t)len ? 0 : -1;
}

static int open_fs(struct fs *f, char *err, size_t errlen)
{
	unsigned char sb[1024];
	if (read_at(f, sb, sizeof sb, SB_OFF) < 0 || le16(sb + 0x38) != 0xef53) {
		snprintf(err, errlen, "no ext4 superblock at byte %ju", (uintmax_t)f->off);
		return -1;
	}
	uint32_t incompat = le32(sb + 0x60);
	f->bsize = 1024ull << le32(sb + 0x18);
	f->ipg = le32(sb + 0x28);
	f->isize = le16(sb + 0x58);
	f->desc_size = incompat & INCOMPAT_64BIT ? le16(sb + 0xfe) : 32;
	if (!f->ipg || f->isize < GOOD_OLD_INODE || f->desc_size < 32 || f->bsize > 65536) {
		snprintf(err, errlen, "an ext4 superblock it cannot read (inode size %u)", f->isize);
		return -1;
	}
	f->groups = (le32(sb) + f->ipg - 1) / f->ipg;
	f->csum = (le32(sb + 0x64) & RO_COMPAT_METADATA_CSUM) != 0;
	f->csum_seed = incompat & INCOMPAT_CSUM_SEED ? le32(sb + 0x270) : mkc_crc32c(~0u, sb + 0x68, 16);
	return 0;
}

static void inode_csum(const struct fs *f, uint32_t ino, unsigned char *in)
{
	unsigned char num[4];
	int has_hi = f->isize > GOOD_OLD_INODE && le16(in + I_EXTRA_ISIZE) >= 4;
	put16(in + I_CSUM_LO, 0);
	if (has_hi)
		put16(in + I_CSUM_HI, 0);
	put32(num, ino);
	uint32_t c = mkc_crc32c(f->csum_seed, num, 4);
	c = mkc_crc32c(c, in + I_GENERATION, 4);
	c = mkc_crc32c(c, in, f->isize);
	put16(in + I_CSUM_LO, c & 0xffff);
	if (has_hi)
		put16(in + I_CSUM_HI, c >> 16);
}

/* One inode's times: 1 if it changed. Seconds past 2038 live in the extra fields' two low bits. */
static int clamp_inode(const struct fs *f, uint32_t ino, unsigned char *in, int64_t t)
{
	int extra = f->isize > GOOD_OLD_INODE && le16(in + I_EXTRA_ISIZE) >= I_CRTIME_EXTRA + 4 - GOOD_OLD_INODE;
	uint32_t mx = extra ? le32(in + I_MTIME_EXTRA) : 0;
	int64_t m = (int64_t)(int32_t)le32(in + I_MTIME) + ((int64_t)(mx & 3) << 32);
	unsigned char old[1024];
	memcpy(old, in, f->isize);
	if (m > t) {
		m = t;
		mx = (uint32_t)(((t - (int64_t)(int32_t)(uint32_t)t) >> 32) & 3);
	}
	put32(in + I_ATIME, (uint32_t)m);
	put32(in + I_CTIME, (uint32_t)m);
	put32(in + I_MTIME, (uint32_t)m);
	if (extra) {
		put32(in + I_CTIME_EXTRA, mx);
		put32(in + I_MTIME_EXTRA, mx);
		put32(in + I_ATIME_EXTRA, mx);
		put32(in + I_CRTIME, (uint32_t)m);
		put32(in + I_CRTIME_EXTRA, mx);
	}
	if (memcmp(old, in, f->isize) == 0)
		return 0;
	if (f->csum)
		inode_csum(f, ino, in);
	return 1;
}

static int nonzero(const unsigned char *p, size_t n)
{
	while (n--)
		if (*p++)
			return 1;
	return 0;
}

/*
 * The inodes of group G that hold something: in use, or freed (debugfs rm
 * leaves the times the tree had in them); the table's never used tail
 * (bg_itable_unused) is left alone. The number changed, or -1.
 */
static long clamp_group(const struct fs *f, uint32_t g, unsigned char *bitmap, int64_t t)
{
	unsigned char d[64], in[1024];
	uint64_t gdt = (f->bsize == 1024 ? 2 : 1) * f->bsize;
	if (read_at(f, d, f->desc_size > 64 ? 64 : f->desc_size, gdt + (uint64_t)g * f->desc_size) < 0)
		return -1;
	if (le16(d + 0x12) & BG_INODE_UNINIT)
		return 0;
	int hi = f->desc_size >= 64;
	uint64_t ibm = le32(d + 0x4) | (hi ? (uint64_t)le32(d + 0x24) << 32 : 0);
	uint64_t itab = le32(d + 0x8) | (hi ? (uint64_t)le32(d + 0x28) << 32 : 0);
	if (read_at(f, bitmap, f->ipg / 8, ibm * f->bsize) < 0)
		return -1;
	uint32_t unused = le16(d + 0x1c) | (hi ? le16(d + 0x32) << 16 : 0), last = unused < f->ipg ? f->ipg - unused : 0;
	long n = 0;
	for (uint32_t i = 0; i < last; i++) {
		uint64_t at = itab * f->bsize + (uint64_t)i * f->isize;
		if (read_at(f, in, f->isize, at) < 0)
			return -1;
		if (!(bitmap[i / 8] & (1u << (i % 8))) && !nonzero(in, f->isize))
			continue;
		if (clamp_inode(f, g * f->ipg + i + 1, in, t)) {
			if (pwrite(f->fd, in, f->isize, (off_t)(f->off + at)) != (ssize_t)f->isize)
				return -1;
			n++;
		}
	}
	return n;
}

long mkc_ext4_clamp_times(int fd, uint64_t offset, int64_t t, char *err, size_t errlen)
{
	struct fs f = { .fd = fd, .off = offset };
	if (open_fs(&f, err, errlen) < 0)
		return -1;
	if (f.isize > 1024 || f.ipg / 8 > f.bsize) {
		snprintf(err, errlen, "an ext4 layout it cannot read (%u-byte inodes, %u per group)", f.isize, f.ipg);
		return -1;
	}
	unsigned char *bitmap = xmalloc(f.bsize);
	long total = 0;
	for (uint32_t g = 0; g < f.groups && total >= 0; g++) {
		long n = clamp_group(&f, g, bitmap, t);
		total = n < 0 ? -1 : total + n;
	}
	free(bitmap);
	if (total < 0)
		snprintf(err, errlen, "reading or writing the inode tables failed");
	return total;
}
