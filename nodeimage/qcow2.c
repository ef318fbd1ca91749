/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * qcow2 — header, L1 and L2 decoding and cluster decompression; bytes in,
 * description out. Layout per qemu's docs/interop/qcow2.txt.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "fail.h"
#include "log.h"
#include "qcow2.h"
#include "xalloc.h"

#define QCOW2_MAGIC 0x514649fbu
#define INCOMPAT_DIRTY (1ull << 0)
#define INCOMPAT_CORRUPT (1ull << 1)
#define INCOMPAT_DATA_FILE (1ull << 2)
#define INCOMPAT_COMPRESSION (1ull << 3)
#define INCOMPAT_EXTL2 (1ull << 4)
#define INCOMPAT_KNOWN 0x1full
#define L1E_OFFSET_MASK 0x00fffffffffffe00ull
#define L2E_OFFSET_MASK 0x00fffffffffffe00ull
#define L2E_COMPRESSED (1ull << 62)
#define L2E_ZERO 1ull
#define MAX_VIRTUAL_SIZE (1ull << 56)

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t be64(const uint8_t *p)
{
	return (uint64_t)be32(p) << 32 | be32(p + 4);
}

/* Are the LEN bytes at OFF inside a file of SIZE bytes (no overflow)? */
static int in_file(uint64_t off, uint64_t len, uint64_t size)
{
	return off <= size && len <= size - off;
}

static int parse_raw(uint64_t file_size, struct qcow2_image *img)
{
	memset(img, 0, sizeof *img);
	img->format = QCOW2_FORMAT_RAW;
	img->file_size = file_size;
	img->virtual_size = file_size;
	return 0;
}

/* The version 3 fields: feature bits, header length, compression type. */
static int parse_v3(const uint8_t *buf, size_t len, struct qcow2_image *img, char *err, size_t errlen)
{
	if (len < 104)
		return fail("truncated version 3 header (%zu bytes)", len);
	uint64_t incompat = be64(buf + 72);
	uint32_t refcount_order = be32(buf + 96);
	uint32_t header_len = be32(buf + 100);
	if (incompat & INCOMPAT_DATA_FILE)
		return fail("image uses an external data file; nodeimage writes self-contained images only");
	if (incompat & INCOMPAT_CORRUPT)
		return fail("image is marked corrupt (repair it with qemu-img check -r all)");
	if (incompat & ~INCOMPAT_KNOWN)
		return fail("unknown incompatible feature bits 0x%llx", (unsigned long long)(incompat & ~INCOMPAT_KNOWN));
	if (refcount_order > 6)
		return fail("invalid refcount_order %u", refcount_order);
	if (header_len < 104 || header_len > img->cluster_size || header_len % 8)
		return fail("invalid header_length %u", header_len);
	img->dirty = !!(incompat & INCOMPAT_DIRTY);
	img->extended_l2 = !!(incompat & INCOMPAT_EXTL2);
	img->compression = QCOW2_COMPRESS_ZLIB;
	if (incompat & INCOMPAT_COMPRESSION) {
		if (header_len < 105 || len < 105)
			return fail("compression type bit set but header has no compression type field");
		if (buf[104] > QCOW2_COMPRESS_ZSTD)
			return fail("unknown compression type %u", buf[104]);
		img->compression = buf[104];
	} else if (header_len >= 105 && len >= 105 && buf[104] != 0) {
		return fail("compression type %u without the compression type feature bit", buf[104]);
	}
	return 0;
}

/* Backing file: name it if its bytes are in BUF. */
static int backing_error(const uint8_t *buf, size_t len, uint64_t off, uint32_t size, char *err, size_t errlen)
{
	if (size > 0 && size <= 1023 && in_file(off, size, len))
		return fail("image has a backing file (%.*s); nodeimage writes self-contained images only "
			    "(flatten it with qemu-img convert)", (int)size, (const char *)buf + off);
	return fail("image has a backing file; nodeimage writes self-contained images only "
		    "(flatten it with qemu-img convert)");
}

int qcow2_parse_header(const uint8_t *buf, size_t len, uint64_t file_size, struct qcow2_image *img,
		       char *err, size_t errlen)
{
	if (len > file_size)
		len = file_size;
	if (len < 4 || be32(buf) != QCOW2_MAGIC)
		return parse_raw(file_size, img);
	memset(img, 0, sizeof *img);
	img->format = QCOW2_FORMAT_QCOW2;
	img->file_size = file_size;
	if (len < 72)
		return fail("truncated qcow2 header (%zu bytes)", len);
	img->version = be32(buf + 4);
	if (img->version != 2 && img->version != 3)
		return fail("unsupported qcow2 version %u", img->version);
	img->cluster_bits = be32(buf + 20);
	if (img->cluster_bits < 9 || img->cluster_bits > 21)
		return fail("cluster_bits %u out of range 9..21", img->cluster_bits);
	img->cluster_size = 1ull << img->cluster_bits;
	if (be64(buf + 8) != 0)
		return backing_error(buf, len, be64(buf + 8), be32(buf + 16), err, errlen);
	uint32_t crypt = be32(buf + 32);
	if (crypt != 0)
		return fail("image is encrypted (%s); nodeimage does not decrypt",
			    crypt == 1 ? "AES" : crypt == 2 ? "LUKS" : "unknown method");
	if (img->version == 3 && parse_v3(buf, len, img, err, errlen) < 0)
		return -1;
	img->virtual_size = be64(buf + 24);
	if (img->virtual_size > MAX_VIRTUAL_SIZE)
		return fail("virtual size %llu is absurd", (unsigned long long)img->virtual_size);
	img->l1_size = be32(buf + 36);
	img->l1_offset = be64(buf + 40);
	img->l2_entries = (uint32_t)(img->cluster_size / (img->extended_l2 ? 16 : 8));
	uint64_t per_l1 = img->cluster_size * img->l2_entries;
	uint64_t need = (img->virtual_size + per_l1 - 1) / per_l1;
	if (need > img->l1_size)
		return fail("l1_size %u too small for virtual size %llu (needs %llu)", img->l1_size,
			    (unsigned long long)img->virtual_size, (unsigned long long)need);
	if ((uint64_t)img->l1_size * 8 > QCOW2_MAX_L1_BYTES)
		return fail("l1_size %u is absurd (over %u MiB of L1 table)", img->l1_size, QCOW2_MAX_L1_BYTES >> 20);
	img->l1_used = (uint32_t)need;
	if (need && (img->l1_offset % img->cluster_size || !in_file(img->l1_offset, need * 8, file_size)))
		return fail("L1 table at offset %llu (%llu bytes) lies outside the file of %llu bytes or is unaligned",
			    (unsigned long long)img->l1_offset, (unsigned long long)need * 8,
			    (unsigned long long)file_size);
	if (need * img->cluster_size > QCOW2_MAX_L2_TOTAL)
		return fail("image needs %llu MiB of L2 tables, more than nodeimage allows",
			    (unsigned long long)(need * img->cluster_size >> 20));
	return 0;
}

uint64_t qcow2_l1_bytes(const struct qcow2_image *img)
{
	return (uint64_t)img->l1_used * 8;
}

uint64_t qcow2_l2_bytes(const struct qcow2_image *img)
{
	return img->cluster_size;
}

int qcow2_parse_l1(const struct qcow2_image *img, const uint8_t *l1, uint64_t *l2_offsets, char *err,
		   size_t errlen)
{
	for (uint32_t i = 0; i < img->l1_used; i++) {
		uint64_t e = be64(l1 + 8 * (size_t)i);
		uint64_t off = e & L1E_OFFSET_MASK;
		if (off && (off % img->cluster_size || !in_file(off, img->cluster_size, img->file_size)))
			return fail("L1 entry %u: L2 table at offset %llu lies outside the file of %llu bytes "
				    "or is unaligned", i, (unsigned long long)off, (unsigned long long)img->file_size);
		l2_offsets[i] = off;
	}
	return 0;
}

/* Append an extent, merging with the previous one when they continue each other. */
static void map_add(struct qcow2_map *m, uint64_t guest, uint64_t len, enum qcow2_kind kind, uint64_t host,
		    uint64_t host_len)
{
	if (len == 0)
		return;
	if (kind != QCOW2_ZERO) {
		m->data_bytes += len;
		m->host_bytes += host_len;
	}
	if (m->n > 0 && kind != QCOW2_COMPRESSED) {
		struct qcow2_extent *p = &m->ext[m->n - 1];
		if (p->kind == kind && p->guest + p->len == guest &&
		    (kind == QCOW2_ZERO || p->host + p->host_len == host)) {
			p->len += len;
			p->host_len += host_len;
			return;
		}
	}
	if (m->n == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 64;
		m->ext = xreallocarray(m->ext, m->cap, sizeof *m->ext);
	}
	m->ext[m->n++] = (struct qcow2_extent){ guest, len, host, kind == QCOW2_ZERO ? 0 : host_len, kind };
}

/* A compressed cluster descriptor: offset and byte count, checked against the file. */
static int map_compressed(const struct qcow2_image *img, uint64_t e, uint64_t guest, uint64_t len,
			  struct qcow2_map *m, char *err, size_t errlen)
{
	unsigned x = 70 - img->cluster_bits;
	uint64_t host = e & ((1ull << x) - 1);
	uint64_t sectors = ((e & ~L2E_COMPRESSED & ~(1ull << 63)) >> x) + 1;
	uint64_t clen = sectors * 512 - (host & 511);
	/* the last sector may end past EOF: qemu rounds the length up to sectors */
	if (host >= img->file_size || clen > img->file_size - host + 511)
		return fail("compressed cluster at guest offset %llu: %llu bytes at host offset %llu run past "
			    "the end of the file (%llu bytes)", (unsigned long long)guest, (unsigned long long)clen,
			    (unsigned long long)host, (unsigned long long)img->file_size);
	if (clen > img->file_size - host)
		clen = img->file_size - host;
	map_add(m, guest, len, QCOW2_COMPRESSED, host, clen);
	return 0;
}

/* LEN bytes of data at HOST; what lies past the end of the file reads as zeros (as qemu reads it). */
static void map_data(const struct qcow2_image *img, struct qcow2_map *m, uint64_t guest, uint64_t len, uint64_t host)
{
	uint64_t have = host < img->file_size ? img->file_size - host : 0;
	if (have >= len) {
		map_add(m, guest, len, QCOW2_DATA, host, len);
		return;
	}
	map_add(m, guest, have, QCOW2_DATA, host, have);
	map_add(m, guest + have, len - have, QCOW2_ZERO, 0, 0);
}

/* A standard cluster (offset, zero flag), LEN guest bytes at GUEST. */
static int map_standard(const struct qcow2_image *img, uint64_t e, uint64_t bitmap, uint64_t guest, uint64_t len,
			struct qcow2_map *m, char *err, size_t errlen)
{
	uint64_t host = e & L2E_OFFSET_MASK;
	if (host && (host % img->cluster_size || host >= img->file_size))
		return fail("cluster at guest offset %llu: host offset %llu lies outside the file of %llu bytes "
			    "or is unaligned", (unsigned long long)guest, (unsigned long long)host,
			    (unsigned long long)img->file_size);
	if (!img->extended_l2) {
		if (!host || (e & L2E_ZERO))
			map_add(m, guest, len, QCOW2_ZERO, 0, 0);
		else
			map_data(img, m, guest, len, host);
		return 0;
	}
	uint64_t sc = img->cluster_size / 32;
	for (unsigned i = 0; i < 32 && i * sc < len; i++) {
		uint64_t n = len - i * sc < sc ? len - i * sc : sc;
		int alloc = (bitmap >> i) & 1, zero = (bitmap >> (32 + i)) & 1;
		if (alloc && zero)
			return fail("cluster at guest offset %llu: subcluster %u both allocated and zero",
				    (unsigned long long)guest, i);
		if (alloc && !host)
			return fail("cluster at guest offset %llu: subcluster %u allocated in an unallocated cluster",
				    (unsigned long long)guest, i);
		if (alloc)
			map_data(img, m, guest + i * sc, n, host + i * sc);
		else
			map_add(m, guest + i * sc, n, QCOW2_ZERO, 0, 0);
	}
	return 0;
}

/* The clusters of L2 table TABLE (index I), or zeros when TABLE is NULL. */
static int map_table(const struct qcow2_image *img, uint32_t i, const uint8_t *table, struct qcow2_map *m,
		     char *err, size_t errlen)
{
	uint64_t span = img->cluster_size * img->l2_entries;
	uint64_t start = (uint64_t)i * span;
	uint64_t end = img->virtual_size - start < span ? img->virtual_size : start + span;
	if (!table) {
		map_add(m, start, end - start, QCOW2_ZERO, 0, 0);
		return 0;
	}
	size_t esize = img->extended_l2 ? 16 : 8;
	for (uint64_t g = start, j = 0; g < end; g += img->cluster_size, j++) {
		uint64_t len = end - g < img->cluster_size ? end - g : img->cluster_size;
		uint64_t e = be64(table + j * esize);
		uint64_t bitmap = img->extended_l2 ? be64(table + j * esize + 8) : 0;
		int r = (e & L2E_COMPRESSED) ? map_compressed(img, e, g, len, m, err, errlen)
					     : map_standard(img, e, bitmap, g, len, m, err, errlen);
		if (r < 0)
			return -1;
	}
	return 0;
}

int qcow2_build_map(const struct qcow2_image *img, const uint8_t *const *l2, struct qcow2_map *map,
		    char *err, size_t errlen)
{
	memset(map, 0, sizeof *map);
	if (img->format == QCOW2_FORMAT_RAW) {
		map_add(map, 0, img->virtual_size, QCOW2_DATA, 0, img->virtual_size);
		return 0;
	}
	for (uint32_t i = 0; i < img->l1_used; i++) {
		if (map_table(img, i, l2[i], map, err, errlen) < 0) {
			qcow2_map_free(map);
			return -1;
		}
	}
	return 0;
}

void qcow2_map_free(struct qcow2_map *map)
{
	free(map->ext);
	memset(map, 0, sizeof *map);
}

static int inflate_zlib(const uint8_t *in, size_t inlen, uint8_t *out, size_t outlen)
{
	z_stream z;
	memset(&z, 0, sizeof z);
	if (inflateInit2(&z, -12) != Z_OK)
		return -1;
	z.next_in = (Bytef *)in;
	z.avail_in = (uInt)inlen;
	z.next_out = out;
	z.avail_out = (uInt)outlen;
	int r = inflate(&z, Z_FINISH);
	int ok = (r == Z_STREAM_END || r == Z_BUF_ERROR || r == Z_OK) && z.avail_out == 0;
	inflateEnd(&z);
	return ok ? 0 : -1;
}

static int inflate_zstd(const uint8_t *in, size_t inlen, uint8_t *out, size_t outlen)
{
	ZSTD_DStream *z = ZSTD_createDStream();
	if (!z)
		return -1;
	ZSTD_inBuffer ib = { in, inlen, 0 };
	ZSTD_outBuffer ob = { out, outlen, 0 };
	int ok = 0;
	while (ob.pos < ob.size) {
		size_t r = ZSTD_decompressStream(z, &ob, &ib);
		if (ZSTD_isError(r))
			break;
		if (ob.pos == ob.size) {
			ok = 1;
			break;
		}
		if (r == 0 || ib.pos == ib.size) /* frame ended or input used up short of a cluster */
			break;
	}
	ZSTD_freeDStream(z);
	return ok ? 0 : -1;
}

int qcow2_decompress(const struct qcow2_image *img, const uint8_t *in, size_t inlen, uint8_t *out,
		     size_t outlen, char *err, size_t errlen)
{
	int r = img->compression == QCOW2_COMPRESS_ZSTD ? inflate_zstd(in, inlen, out, outlen)
							: inflate_zlib(in, inlen, out, outlen);
	if (r < 0)
		return fail("%s data does not decompress to a %zu-byte cluster",
			    img->compression == QCOW2_COMPRESS_ZSTD ? "zstd" : "zlib", outlen);
	return 0;
}
