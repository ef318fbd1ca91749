/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: nodeimage's qcow2 reader. The input is a whole image
 * file: header, L1 and L2 tables are taken from it where the header says,
 * the mapping is built and checked to cover the disk exactly once, and the
 * first compressed clusters are inflated. The format sniffer sees the same
 * bytes first, as nodeimage does: it must name a kind and agree with itself.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../nodeimage/qcow2.h"
#include "../../nodeimage/sniff.h"

static void check_map(const struct qcow2_image *img, const struct qcow2_map *m)
{
	uint64_t at = 0;
	for (size_t i = 0; i < m->n; i++) {
		const struct qcow2_extent *e = &m->ext[i];
		if (e->guest != at || e->len == 0)
			abort();
		if (e->kind != QCOW2_ZERO && (e->host > img->file_size || e->host_len > img->file_size - e->host))
			abort();
		at += e->len;
	}
	if (at != img->virtual_size)
		abort();
}

static void inflate_some(const struct qcow2_image *img, const struct qcow2_map *m, const uint8_t *data)
{
	uint8_t *out = NULL;
	char err[256];
	for (size_t i = 0, done = 0; i < m->n && done < 4; i++) {
		if (m->ext[i].kind != QCOW2_COMPRESSED)
			continue;
		if (!out)
			out = malloc(img->cluster_size);
		qcow2_decompress(img, data + m->ext[i].host, m->ext[i].host_len, out, img->cluster_size, err, sizeof err);
		done++;
	}
	free(out);
}

static void check_sniff(const uint8_t *data, size_t size)
{
	char err[512] = "";
	enum sniff_kind k = sniff(data, size);
	if (k > SNIFF_UNKNOWN || !*sniff_name(k))
		abort();
	int q = sniff_check(QCOW2_FORMAT_QCOW2, data, size, err, sizeof err);
	if ((q == 0) != (k == SNIFF_QCOW2) || (q < 0 && !strstr(err, sniff_name(k))))
		abort();
	if (sniff_check(QCOW2_FORMAT_RAW, data, size, err, sizeof err) == 0 && q == 0)
		abort(); /* never both */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct qcow2_image img;
	char err[512];
	check_sniff(data, size);
	size_t n = size < QCOW2_HEADER_PROBE ? size : QCOW2_HEADER_PROBE;
	if (qcow2_parse_header(data, n, size, &img, err, sizeof err) < 0)
		return 0;
	struct qcow2_map m;
	if (img.format == QCOW2_FORMAT_RAW) {
		qcow2_build_map(&img, NULL, &m, err, sizeof err);
		check_map(&img, &m);
		qcow2_map_free(&m);
		return 0;
	}
	uint64_t *offs = calloc(img.l1_used + 1, sizeof *offs);
	const uint8_t **l2 = calloc(img.l1_used + 1, sizeof *l2);
	const uint8_t *l1 = img.l1_used ? data + img.l1_offset : data;
	if (qcow2_parse_l1(&img, l1, offs, err, sizeof err) == 0) {
		for (uint32_t i = 0; i < img.l1_used; i++)
			l2[i] = offs[i] ? data + offs[i] : NULL;
		if (qcow2_build_map(&img, l2, &m, err, sizeof err) == 0) {
			check_map(&img, &m);
			inflate_some(&img, &m, data);
			qcow2_map_free(&m);
		}
	}
	free(offs);
	free(l2);
	return 0;
}
