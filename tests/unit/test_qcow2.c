/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "../../nodeimage/qcow2.h"

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)(v >> 32));
	put32(p + 4, (uint32_t)v);
}

/* A version 3 header: CLUSTER_BITS, SIZE, L1 with L1_SIZE entries at L1_OFF. */
static void header(uint8_t *h, uint32_t version, uint32_t cbits, uint64_t size, uint32_t l1_size, uint64_t l1_off)
{
	memset(h, 0, 512);
	put32(h, 0x514649fb);
	put32(h + 4, version);
	put32(h + 20, cbits);
	put64(h + 24, size);
	put32(h + 36, l1_size);
	put64(h + 40, l1_off);
	if (version == 3) {
		put32(h + 96, 4);
		put32(h + 100, 112);
	}
}

static char err[512];

static int parse(const uint8_t *h, uint64_t file_size, struct qcow2_image *img)
{
	return qcow2_parse_header(h, 512, file_size, img, err, sizeof err);
}

static void test_raw(void **state)
{
	(void)state;
	uint8_t buf[16] = "hello, world";
	struct qcow2_image img;
	assert_int_equal(qcow2_parse_header(buf, sizeof buf, 12345, &img, err, sizeof err), 0);
	assert_int_equal(img.format, QCOW2_FORMAT_RAW);
	assert_int_equal(img.virtual_size, 12345);
	struct qcow2_map m;
	assert_int_equal(qcow2_build_map(&img, NULL, &m, err, sizeof err), 0);
	assert_int_equal(m.n, 1);
	assert_int_equal(m.ext[0].kind, QCOW2_DATA);
	assert_int_equal(m.ext[0].len, 12345);
	qcow2_map_free(&m);
	/* an empty file is an empty raw image */
	assert_int_equal(qcow2_parse_header(buf, 0, 0, &img, err, sizeof err), 0);
	assert_int_equal(img.virtual_size, 0);
}

static void test_v2_and_v3_headers(void **state)
{
	(void)state;
	uint8_t h[512];
	struct qcow2_image img;
	header(h, 2, 16, 10 << 20, 1, 3 << 16);
	assert_int_equal(parse(h, 4 << 16, &img), 0);
	assert_int_equal(img.version, 2);
	assert_int_equal(img.cluster_size, 65536);
	assert_int_equal(img.l2_entries, 8192);
	assert_int_equal(img.l1_used, 1);
	assert_int_equal(qcow2_l1_bytes(&img), 8);
	assert_int_equal(qcow2_l2_bytes(&img), 65536);
	header(h, 3, 21, 5ull << 30, 3, 2 << 21);
	put64(h + 72, 1 << 4 | 1 << 3 | 1); /* extended L2, compression type, dirty */
	h[104] = 1;
	assert_int_equal(parse(h, 3 << 21, &img), 0);
	assert_true(img.extended_l2);
	assert_true(img.dirty);
	assert_int_equal(img.compression, QCOW2_COMPRESS_ZSTD);
	assert_int_equal(img.l2_entries, 131072);
	assert_int_equal(img.l1_used, 1); /* one L2 table of 128 Ki entries maps 256 GiB */
}

static void expect_error(const uint8_t *h, uint64_t file_size, const char *what)
{
	struct qcow2_image img;
	assert_int_equal(parse(h, file_size, &img), -1);
	if (!strstr(err, what))
		fail_msg("error \"%s\" does not say \"%s\"", err, what);
}

static void test_refusals(void **state)
{
	(void)state;
	uint8_t h[512];
	header(h, 3, 16, 1 << 20, 1, 1 << 16);
	put64(h + 8, 200);
	put32(h + 16, 9);
	memcpy(h + 200, "base.img", 9);
	expect_error(h, 1 << 20, "backing file (base.img");
	header(h, 3, 16, 1 << 20, 1, 1 << 16);
	put32(h + 32, 2);
	expect_error(h, 1 << 20, "encrypted (LUKS)");
	put32(h + 32, 1);
	expect_error(h, 1 << 20, "encrypted (AES)");
	header(h, 3, 16, 1 << 20, 1, 1 << 16);
	put64(h + 72, 1 << 2);
	expect_error(h, 1 << 20, "external data file");
	put64(h + 72, 1ull << 40);
	expect_error(h, 1 << 20, "unknown incompatible feature bits 0x10000000000");
	put64(h + 72, 1 << 1);
	expect_error(h, 1 << 20, "corrupt");
	header(h, 4, 16, 1 << 20, 1, 1 << 16);
	expect_error(h, 1 << 20, "version 4");
	header(h, 3, 8, 1 << 20, 1, 1 << 16);
	expect_error(h, 1 << 20, "cluster_bits 8");
	header(h, 3, 22, 1 << 20, 1, 1 << 16);
	expect_error(h, 1 << 20, "cluster_bits 22");
	header(h, 3, 16, 1 << 20, 1, 1 << 16);
	put64(h + 72, 1 << 3);
	h[104] = 7;
	expect_error(h, 1 << 20, "compression type 7");
}

static void test_hostile_headers(void **state)
{
	(void)state;
	uint8_t h[512];
	header(h, 3, 9, 1ull << 30, 1, 512);
	expect_error(h, 1 << 20, "too small");
	header(h, 3, 16, 1 << 20, 0x7fffffff, 1 << 16);
	expect_error(h, 1 << 20, "absurd");
	header(h, 3, 16, 1 << 20, 1, 1ull << 40);
	expect_error(h, 1 << 20, "outside the file");
	header(h, 3, 16, 1 << 20, 1, (1 << 16) + 8);
	expect_error(h, 1 << 20, "unaligned");
	header(h, 3, 16, 1ull << 60, 1, 1 << 16);
	expect_error(h, 1 << 20, "absurd");
	header(h, 3, 16, 1 << 20, 1, 1 << 16);
	expect_error(h, 100, "truncated");
	put32(h + 100, 100);
	expect_error(h, 1 << 20, "header_length");
}

/* 64 KiB clusters, 200 KiB + 512 virtual, L1 at cluster 1, L2 at cluster 2, file of 8 clusters. */
static void small_image(struct qcow2_image *img)
{
	uint8_t h[512];
	header(h, 3, 16, (200 << 10) + 512, 1, 1 << 16);
	assert_int_equal(parse(h, 8 << 16, img), 0);
}

static void test_l1(void **state)
{
	(void)state;
	struct qcow2_image img;
	small_image(&img);
	uint8_t l1[8];
	uint64_t off;
	put64(l1, 1ull << 63 | 2 << 16);
	assert_int_equal(qcow2_parse_l1(&img, l1, &off, err, sizeof err), 0);
	assert_int_equal(off, 2 << 16);
	put64(l1, 0);
	assert_int_equal(qcow2_parse_l1(&img, l1, &off, err, sizeof err), 0);
	assert_int_equal(off, 0);
	put64(l1, 8 << 16); /* the table would start at EOF */
	assert_int_equal(qcow2_parse_l1(&img, l1, &off, err, sizeof err), -1);
	assert_non_null(strstr(err, "L1 entry 0: L2 table at offset 524288 lies outside"));
	put64(l1, (2 << 16) + 512);
	assert_int_equal(qcow2_parse_l1(&img, l1, &off, err, sizeof err), -1);
}

static void test_map_standard(void **state)
{
	(void)state;
	struct qcow2_image img;
	small_image(&img);
	uint8_t *l2 = calloc(1, 65536);
	put64(l2 + 0, 1ull << 63 | 3 << 16);  /* cluster 0 at host 3 */
	put64(l2 + 8, 1ull << 63 | 4 << 16);  /* cluster 1 at host 4: merges */
	put64(l2 + 16, 5 << 16 | 1);          /* cluster 2: zero flag */
	put64(l2 + 24, 6 << 16);              /* cluster 3 (partial, 8.5 KiB) at host 6 */
	const uint8_t *tables[1] = { l2 };
	struct qcow2_map m;
	assert_int_equal(qcow2_build_map(&img, tables, &m, err, sizeof err), 0);
	assert_int_equal(m.n, 3);
	assert_int_equal(m.ext[0].kind, QCOW2_DATA);
	assert_int_equal(m.ext[0].guest, 0);
	assert_int_equal(m.ext[0].len, 2 << 16);
	assert_int_equal(m.ext[0].host, 3 << 16);
	assert_int_equal(m.ext[1].kind, QCOW2_ZERO);
	assert_int_equal(m.ext[1].len, 1 << 16);
	assert_int_equal(m.ext[2].kind, QCOW2_DATA);
	assert_int_equal(m.ext[2].len, (200 << 10) + 512 - (3 << 16));
	assert_int_equal(m.data_bytes, (200 << 10) + 512 - (1 << 16));
	qcow2_map_free(&m);
	/* no L2 table: all zero */
	tables[0] = NULL;
	assert_int_equal(qcow2_build_map(&img, tables, &m, err, sizeof err), 0);
	assert_int_equal(m.n, 1);
	assert_int_equal(m.ext[0].kind, QCOW2_ZERO);
	assert_int_equal(m.ext[0].len, img.virtual_size);
	qcow2_map_free(&m);
	/* a data cluster past the end of the file */
	tables[0] = l2;
	put64(l2 + 8, 9 << 16);
	assert_int_equal(qcow2_build_map(&img, tables, &m, err, sizeof err), -1);
	assert_non_null(strstr(err, "guest offset 65536: host offset 589824 lies outside"));
	assert_null(m.ext);
	free(l2);
}

static void test_map_compressed(void **state)
{
	(void)state;
	struct qcow2_image img;
	small_image(&img);
	uint8_t *l2 = calloc(1, 65536);
	/* cluster_bits 16: offset in bits 0..53, additional sectors in 54..61 */
	put64(l2, 1ull << 62 | 2ull << 54 | ((3 << 16) + 100));
	const uint8_t *tables[1] = { l2 };
	struct qcow2_map m;
	assert_int_equal(qcow2_build_map(&img, tables, &m, err, sizeof err), 0);
	assert_int_equal(m.ext[0].kind, QCOW2_COMPRESSED);
	assert_int_equal(m.ext[0].host, (3 << 16) + 100);
	assert_int_equal(m.ext[0].host_len, 3 * 512 - 100);
	assert_int_equal(m.ext[0].len, 65536);
	qcow2_map_free(&m);
	/* the last sector may hang over EOF: clamped */
	put64(l2, 1ull << 62 | 1ull << 54 | ((8 << 16) - 600));
	assert_int_equal(qcow2_build_map(&img, tables, &m, err, sizeof err), 0);
	assert_int_equal(m.ext[0].host_len, 600);
	qcow2_map_free(&m);
	/* but not more than that */
	put64(l2, 1ull << 62 | 255ull << 54 | ((8 << 16) - 600));
	assert_int_equal(qcow2_build_map(&img, tables, &m, err, sizeof err), -1);
	assert_non_null(strstr(err, "run past the end of the file"));
	free(l2);
}

static void test_map_extended_l2(void **state)
{
	(void)state;
	uint8_t h[512];
	struct qcow2_image img;
	header(h, 3, 16, 1 << 17, 1, 1 << 16);
	put64(h + 72, 1 << 4);
	assert_int_equal(parse(h, 8 << 16, &img), 0);
	uint8_t *l2 = calloc(1, 65536);
	/* cluster 0 at host 3: subclusters 0-1 allocated, 2 zero, rest unallocated */
	put64(l2, 3 << 16);
	put64(l2 + 8, 1ull << 34 | 3);
	/* cluster 1 unallocated with zero bits */
	put64(l2 + 16, 0);
	put64(l2 + 24, 0xffffffffull << 32);
	const uint8_t *tables[1] = { l2 };
	struct qcow2_map m;
	assert_int_equal(qcow2_build_map(&img, tables, &m, err, sizeof err), 0);
	assert_int_equal(m.n, 2);
	assert_int_equal(m.ext[0].kind, QCOW2_DATA);
	assert_int_equal(m.ext[0].len, 4096);
	assert_int_equal(m.ext[0].host, 3 << 16);
	assert_int_equal(m.ext[1].kind, QCOW2_ZERO);
	assert_int_equal(m.ext[1].guest, 4096);
	assert_int_equal(m.ext[1].len, (1 << 17) - 4096);
	qcow2_map_free(&m);
	put64(l2 + 8, 1ull << 32 | 1); /* allocated and zero at once */
	assert_int_equal(qcow2_build_map(&img, tables, &m, err, sizeof err), -1);
	assert_non_null(strstr(err, "both allocated and zero"));
	put64(l2, 0);
	put64(l2 + 8, 1); /* allocated subcluster in an unallocated cluster */
	assert_int_equal(qcow2_build_map(&img, tables, &m, err, sizeof err), -1);
	free(l2);
}

static void test_decompress(void **state)
{
	(void)state;
	struct qcow2_image img;
	small_image(&img);
	uint8_t *plain = malloc(65536), *out = malloc(65536), *comp = malloc(70000);
	for (int i = 0; i < 65536; i++)
		plain[i] = (uint8_t)(i / 100);
	/* zlib: raw deflate, window 12, as qemu writes it, with trailing padding */
	z_stream z;
	memset(&z, 0, sizeof z);
	assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, -12, 9, Z_DEFAULT_STRATEGY), Z_OK);
	z.next_in = plain;
	z.avail_in = 65536;
	z.next_out = comp;
	z.avail_out = 70000;
	assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
	size_t n = z.total_out;
	deflateEnd(&z);
	memset(comp + n, 0xee, 300);
	assert_int_equal(qcow2_decompress(&img, comp, n + 300, out, 65536, err, sizeof err), 0);
	assert_memory_equal(out, plain, 65536);
	assert_int_equal(qcow2_decompress(&img, comp, n / 2, out, 65536, err, sizeof err), -1);
	assert_non_null(strstr(err, "zlib data does not decompress"));
	/* zstd */
	img.compression = QCOW2_COMPRESS_ZSTD;
	n = ZSTD_compress(comp, 70000, plain, 65536, 3);
	assert_false(ZSTD_isError(n));
	memset(comp + n, 0, 100);
	assert_int_equal(qcow2_decompress(&img, comp, n + 100, out, 65536, err, sizeof err), 0);
	assert_memory_equal(out, plain, 65536);
	memset(comp, 0x5a, 64);
	assert_int_equal(qcow2_decompress(&img, comp, n, out, 65536, err, sizeof err), -1);
	free(plain);
	free(out);
	free(comp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_raw),
		cmocka_unit_test(test_v2_and_v3_headers),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_hostile_headers),
		cmocka_unit_test(test_l1),
		cmocka_unit_test(test_map_standard),
		cmocka_unit_test(test_map_compressed),
		cmocka_unit_test(test_map_extended_l2),
		cmocka_unit_test(test_decompress),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
