/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * qcow2 — what an image file says, from its bytes alone.
 *
 * The parser never reads a file: it takes the first bytes of an image and
 * its total size and describes the image (qcow2 v2/v3 or raw); it takes the
 * L1 table and the L2 tables the caller fetched and returns the
 * guest-to-host mapping as extents (data at a host offset, compressed
 * cluster, or reads-as-zero), every host range checked against the file
 * size; and it inflates one compressed cluster (zlib or zstd). Images that
 * need anything besides their own bytes (backing file, external data file)
 * or that are encrypted are refused with a message saying which.
 */
#ifndef NODEIMAGE_QCOW2_H
#define NODEIMAGE_QCOW2_H

#include <stddef.h>
#include <stdint.h>

enum qcow2_format { QCOW2_FORMAT_RAW, QCOW2_FORMAT_QCOW2 };
enum qcow2_compression { QCOW2_COMPRESS_ZLIB = 0, QCOW2_COMPRESS_ZSTD = 1 };

/* Bytes the header parser wants to see (fewer are fine for a short file). */
#define QCOW2_HEADER_PROBE 4096

/* Limits: L1 at most 32 MiB (as qemu), all L2 tables together at most 1 GiB. */
#define QCOW2_MAX_L1_BYTES (32u << 20)
#define QCOW2_MAX_L2_TOTAL (1ull << 30)

struct qcow2_image {
	enum qcow2_format format;
	uint32_t version;        /* 2 or 3; 0 for raw */
	uint64_t file_size;      /* size of the image file */
	uint64_t virtual_size;   /* size of the disk it holds */
	uint32_t cluster_bits;
	uint64_t cluster_size;
	uint64_t l1_offset;
	uint32_t l1_size;        /* entries in the header */
	uint32_t l1_used;        /* entries the virtual size needs */
	int extended_l2;         /* 128-bit L2 entries, 32 subclusters */
	uint32_t l2_entries;     /* entries per L2 table */
	enum qcow2_compression compression;
	int dirty;               /* refcounts may be stale: mapping still valid */
};

enum qcow2_kind {
	QCOW2_ZERO,       /* unallocated or zero: reads as zeros */
	QCOW2_DATA,       /* LEN bytes at HOST */
	QCOW2_COMPRESSED, /* one cluster compressed in HOST_LEN bytes at HOST */
};

struct qcow2_extent {
	uint64_t guest;
	uint64_t len;      /* guest bytes */
	uint64_t host;
	uint64_t host_len; /* bytes to fetch: LEN for data, the compressed size */
	enum qcow2_kind kind;
};

struct qcow2_map {
	struct qcow2_extent *ext; /* in guest order, adjacent alike extents merged */
	size_t n, cap;
	uint64_t data_bytes;       /* guest bytes backed by data or compressed clusters */
	uint64_t host_bytes;       /* host bytes those need */
};

/*
 * Describe the image whose first LEN bytes are BUF (LEN may be short only if
 * the file is) and whose size is FILE_SIZE. Anything not "QFI\xfb" is raw.
 * 0 on success; -1 with a message in ERR for a bad or unsupported image.
 */
int qcow2_parse_header(const uint8_t *buf, size_t len, uint64_t file_size, struct qcow2_image *img,
		       char *err, size_t errlen);

/* Bytes of L1 table to fetch at img->l1_offset (only the entries in use). */
uint64_t qcow2_l1_bytes(const struct qcow2_image *img);
/* Bytes of one L2 table. */
uint64_t qcow2_l2_bytes(const struct qcow2_image *img);

/*
 * Decode the L1 table L1 (qcow2_l1_bytes long) into L2_OFFSETS[img->l1_used]:
 * the host offset of each L2 table, 0 for none. Checks alignment and that
 * every table lies inside the file. 0 or -1 with ERR.
 */
int qcow2_parse_l1(const struct qcow2_image *img, const uint8_t *l1, uint64_t *l2_offsets, char *err,
		   size_t errlen);

/*
 * Build the mapping. L2[i] holds L2 table i (qcow2_l2_bytes long) or NULL if
 * L1 entry i is empty; ignored for raw images. 0 or -1 with ERR; on error the
 * map is freed.
 */
int qcow2_build_map(const struct qcow2_image *img, const uint8_t *const *l2, struct qcow2_map *map,
		    char *err, size_t errlen);
void qcow2_map_free(struct qcow2_map *map);

/*
 * Inflate one compressed cluster: IN (INLEN bytes, may carry trailing
 * padding) into OUT (OUTLEN bytes, the extent length). 0, or -1 with ERR if
 * the data does not decompress to at least OUTLEN bytes.
 */
int qcow2_decompress(const struct qcow2_image *img, const uint8_t *in, size_t inlen, uint8_t *out,
		     size_t outlen, char *err, size_t errlen);

#endif
