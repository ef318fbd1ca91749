/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * image — metadata fetch, host-order data runs and the byte router.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image.h"
#include "log.h"
#include "pipeline.h"
#include "progress.h"
#include "sniff.h"
#include "xalloc.h"

#define MAX_RUN (1ull << 30)

/* --- metadata ------------------------------------------------------------- */

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* Fetch the distinct L2 tables in OFFS (sorted, unique, N of them), adjacent ones together. */
static int fetch_l2(struct fetch *f, uint64_t tsize, const uint64_t *offs, size_t n, uint8_t **bufs,
		    char *err, size_t errlen)
{
	for (size_t i = 0; i < n;) {
		size_t j = i + 1;
		while (j < n && offs[j] - offs[j - 1] <= tsize + IMAGE_MAX_GAP && offs[j] + tsize - offs[i] <= MAX_RUN)
			j++;
		uint64_t len = offs[j - 1] + tsize - offs[i];
		uint8_t *run = xmalloc(len);
		if (fetch_read(f, offs[i], run, len, err, errlen) < 0) {
			free(run);
			return -1;
		}
		for (size_t k = i; k < j; k++) {
			bufs[k] = xmalloc(tsize);
			memcpy(bufs[k], run + (offs[k] - offs[i]), tsize);
		}
		free(run);
		i = j;
	}
	return 0;
}

static const uint8_t *find_table(uint64_t off, const uint64_t *offs, size_t n, uint8_t *const *bufs)
{
	const uint64_t *p = bsearch(&off, offs, n, sizeof *offs, cmp_u64);
	return p ? bufs[p - offs] : NULL;
}

static int load_tables(struct fetch *f, const struct qcow2_image *img, struct qcow2_map *map, char *err,
		       size_t errlen)
{
	uint64_t l1len = qcow2_l1_bytes(img), tsize = qcow2_l2_bytes(img);
	uint8_t *l1 = xmalloc(l1len ? l1len : 1);
	uint64_t *l2off = xcalloc(img->l1_used + 1, sizeof *l2off);
	uint64_t *offs = xcalloc(img->l1_used + 1, sizeof *offs);
	uint8_t **bufs = xcalloc(img->l1_used + 1, sizeof *bufs);
	const uint8_t **l2 = xcalloc(img->l1_used + 1, sizeof *l2);
	size_t n = 0;
	int rc = IMAGE_OK;
	if (l1len && fetch_read(f, img->l1_offset, l1, l1len, err, errlen) < 0)
		rc = IMAGE_EXIT_DOWNLOAD;
	else if (qcow2_parse_l1(img, l1, l2off, err, errlen) < 0)
		rc = IMAGE_EXIT_BAD_IMAGE;
	if (rc == IMAGE_OK) {
		for (uint32_t i = 0; i < img->l1_used; i++)
			if (l2off[i])
				offs[n++] = l2off[i];
		qsort(offs, n, sizeof *offs, cmp_u64);
		size_t u = 0;
		for (size_t i = 0; i < n; i++)
			if (u == 0 || offs[u - 1] != offs[i])
				offs[u++] = offs[i];
		n = u;
		if (fetch_l2(f, tsize, offs, n, bufs, err, errlen) < 0)
			rc = IMAGE_EXIT_DOWNLOAD;
	}
	if (rc == IMAGE_OK) {
		for (uint32_t i = 0; i < img->l1_used; i++)
			l2[i] = l2off[i] ? find_table(l2off[i], offs, n, bufs) : NULL;
		if (qcow2_build_map(img, l2, map, err, errlen) < 0)
			rc = IMAGE_EXIT_BAD_IMAGE;
	}
	for (size_t i = 0; i < n; i++)
		free(bufs[i]);
	free(bufs);
	free(l2);
	free(offs);
	free(l2off);
	free(l1);
	return rc;
}

int image_load(struct fetch *f, enum qcow2_format want, struct qcow2_image *img, struct qcow2_map *map,
	       char *err, size_t errlen)
{
	_Static_assert(SNIFF_PROBE <= QCOW2_HEADER_PROBE, "the header read holds what sniff() wants");
	uint64_t size = fetch_size(f);
	size_t n = size < QCOW2_HEADER_PROBE ? (size_t)size : QCOW2_HEADER_PROBE;
	uint8_t head[QCOW2_HEADER_PROBE];
	memset(map, 0, sizeof *map);
	if (fetch_read(f, 0, head, n, err, errlen) < 0)
		return IMAGE_EXIT_DOWNLOAD;
	if (sniff_check(want, head, n, err, errlen) < 0 || qcow2_parse_header(head, n, size, img, err, errlen) < 0)
		return IMAGE_EXIT_BAD_IMAGE;
	if (img->format == QCOW2_FORMAT_RAW) {
		qcow2_build_map(img, NULL, map, err, errlen);
		return IMAGE_OK;
	}
	return load_tables(f, img, map, err, errlen);
}

/* --- data ------------------------------------------------------------------ */

/* One coalesced range request and the extents it carries, sorted by host offset. */
struct router {
	const struct qcow2_image *img;
	struct writer *w;
	const struct qcow2_extent **e;
	uint8_t *done;
	size_t n, first;
	uint8_t *stage;        /* bytes kept for compressed clusters */
	uint64_t stage_off;
	size_t stage_len, stage_cap;
	uint8_t *cluster;      /* one inflated cluster */
	int status;            /* exit status when the sink stopped */
	char *err;
	size_t errlen;
	struct progress *meter;
	uint64_t base;         /* bytes of earlier runs, for the meter */
	uint64_t run_start;
};

static int host_order(const void *a, const void *b)
{
	const struct qcow2_extent *x = *(const struct qcow2_extent *const *)a;
	const struct qcow2_extent *y = *(const struct qcow2_extent *const *)b;
	return x->host < y->host ? -1 : x->host > y->host;
}

static void stage_append(struct router *r, uint64_t off, const uint8_t *data, size_t len)
{
	if (r->stage_len == 0)
		r->stage_off = off;
	if (r->stage_len + len > r->stage_cap) {
		r->stage_cap = (r->stage_len + len) * 2;
		r->stage = xrealloc(r->stage, r->stage_cap);
	}
	memcpy(r->stage + r->stage_len, data, len);
	r->stage_len += len;
}

/* Drop staged bytes before KEEP. */
static void stage_trim(struct router *r, uint64_t keep)
{
	if (keep <= r->stage_off)
		return;
	uint64_t drop = keep - r->stage_off;
	if (drop >= r->stage_len) {
		r->stage_len = 0;
		return;
	}
	memmove(r->stage, r->stage + drop, r->stage_len - drop);
	r->stage_len -= drop;
	r->stage_off = keep;
}

static int inflate_one(struct router *r, const struct qcow2_extent *e)
{
	const uint8_t *in = r->stage + (e->host - r->stage_off);
	if (qcow2_decompress(r->img, in, e->host_len, r->cluster, r->img->cluster_size, r->err, r->errlen) < 0) {
		size_t l = strlen(r->err);
		snprintf(r->err + l, r->errlen - l, " (compressed cluster at guest offset %llu)",
			 (unsigned long long)e->guest);
		r->status = IMAGE_EXIT_BAD_IMAGE;
		return -1;
	}
	if (writer_write(r->w, e->guest, r->cluster, e->len, r->err, r->errlen) < 0) {
		r->status = IMAGE_EXIT_WRITE;
		return -1;
	}
	return 0;
}

/* Route the bytes [OFF, OFF+LEN) of the image to the extents they belong to. */
static int route(void *arg, uint64_t off, const uint8_t *data, size_t len)
{
	struct router *r = arg;
	uint64_t end = off + len, keep = end;
	int staged = 0;
	for (size_t i = r->first; i < r->n && r->e[i]->host < end; i++) {
		const struct qcow2_extent *e = r->e[i];
		uint64_t eend = e->host + e->host_len;
		if (r->done[i] || eend <= off)
			continue;
		if (e->kind == QCOW2_DATA) {
			uint64_t s = e->host > off ? e->host : off, t = eend < end ? eend : end;
			if (writer_write(r->w, e->guest + (s - e->host), data + (s - off), t - s, r->err, r->errlen) < 0) {
				r->status = IMAGE_EXIT_WRITE;
				return -1;
			}
		} else {
			if (!staged)
				stage_append(r, off, data, len);
			staged = 1;
			if (eend <= end && inflate_one(r, e) < 0)
				return -1;
			if (eend > end && e->host < keep)
				keep = e->host;
		}
		if (eend <= end)
			r->done[i] = 1;
	}
	if (staged)
		stage_trim(r, keep);
	while (r->first < r->n && r->done[r->first])
		r->first++;
	progress_update(r->meter, r->base + (end - r->run_start));
	return 0;
}

static int zero_ranges(const struct qcow2_map *map, struct writer *w, char *err, size_t errlen)
{
	for (size_t i = 0; i < map->n; i++)
		if (map->ext[i].kind == QCOW2_ZERO && writer_zero(w, map->ext[i].guest, map->ext[i].len, err, errlen) < 0)
			return IMAGE_EXIT_WRITE;
	return IMAGE_OK;
}

/* End of the run that starts at extent I of the host-ordered list: index one past it. */
static size_t run_end(const struct qcow2_extent **e, size_t n, size_t i, uint64_t *len)
{
	uint64_t start = e[i]->host, end = e[i]->host + e[i]->host_len;
	size_t j = i + 1;
	while (j < n && e[j]->host <= end + IMAGE_MAX_GAP && e[j]->host + e[j]->host_len - start <= MAX_RUN) {
		if (e[j]->host + e[j]->host_len > end)
			end = e[j]->host + e[j]->host_len;
		j++;
	}
	*len = end - start;
	return j;
}

int image_copy(struct fetch *f, const struct qcow2_image *img, const struct qcow2_map *map, struct writer *w,
	       int progress, struct image_stats *st, char *err, size_t errlen)
{
	memset(st, 0, sizeof *st);
	int rc = zero_ranges(map, w, err, errlen);
	if (rc != IMAGE_OK)
		return rc;
	const struct qcow2_extent **e = xcalloc(map->n + 1, sizeof *e);
	size_t n = 0;
	for (size_t i = 0; i < map->n; i++)
		if (map->ext[i].kind != QCOW2_ZERO)
			e[n++] = &map->ext[i];
	qsort(e, n, sizeof *e, host_order);
	uint64_t total = 0, len;
	for (size_t i = 0; i < n; i = run_end(e, n, i, &len))
		total += (run_end(e, n, i, &len), len);
	struct router r = { .img = img, .w = w, .e = e, .n = n, .err = err, .errlen = errlen };
	r.done = xcalloc(n + 1, 1);
	r.cluster = img->cluster_size ? xmalloc(img->cluster_size) : NULL;
	r.meter = progress_start("nodeimage", total, progress ? 2 : -1);
	struct pipeline *pipe = pipeline_start(route, &r);
	if (!pipe) {
		snprintf(err, errlen, "cannot start the writer thread");
		rc = IMAGE_EXIT_WRITE;
	}
	for (size_t i = 0; i < n && rc == IMAGE_OK;) {
		size_t j = run_end(e, n, i, &len);
		r.first = i;
		r.run_start = e[i]->host;
		r.stage_len = 0;
		int s = fetch_stream(f, e[i]->host, len, pipeline_push, pipe, err, errlen);
		if (pipeline_drain(pipe) < 0)
			s = -2; /* the writer failed on the last bytes */
		rc = s == -2 ? r.status : s < 0 ? IMAGE_EXIT_DOWNLOAD : IMAGE_OK;
		r.base += len;
		st->fetch_bytes += len;
		st->ranges++;
		i = j;
	}
	if (pipe)
		pipeline_stop(pipe);
	progress_end(r.meter);
	free(r.stage);
	free(r.cluster);
	free(r.done);
	free(e);
	return rc;
}
