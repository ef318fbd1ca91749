/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nodeset_fold — names back into a host list, giving the same text as
 * ClusterShell's "nodeset -f" (1.9) on the same set:
 *
 *  - every run of digits in a name is an index ("rack1n07" is the pattern
 *    "rack%sn%s" with indexes 1 and 07); patterns are printed sorted by
 *    their text, names without digits stand for themselves;
 *  - indexes are digit strings: "7" and "07" are different nodes; they sort
 *    by length, then text, and fold into ranges ("01-03,7-9") the way
 *    ClusterShell's RangeSet does (no "/step" output);
 *  - a pattern with several indexes is folded into vectors of ranges
 *    ("rack[1-2]n[01-04]") by ClusterShell's multivariate merge, ported
 *    step for step so that ties break the same way.
 *
 * Digit runs longer than 9 digits are no index for nodeset_expand: such a name is
 * kept as a name without indexes.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytebuf.h"
#include "nodefold.h"
#include "xalloc.h"

#define MAX_DIGITS 9 /* the longest index nodeset_expand reads back */

struct item {                  /* one name split into pattern and indexes */
	char *key;             /* the name with "%s" for each index */
	char **idx;            /* the indexes as written */
	size_t nidx;
};

struct rset {                  /* a set of indexes, sorted, unique */
	char **e;              /* borrowed from the items */
	size_t n;
};

struct vec {                   /* one index set per dimension */
	struct rset *r;
	size_t ndim;           /* the same for every vector of a pattern */
	size_t seq;            /* position before a sort: the sort is stable */
};

/* ---- splitting names ---- */

static int is_digit(char c) { return c >= '0' && c <= '9'; }

static void item_split(struct item *it, const char *name)
{
	struct bytebuf key = {0};
	memset(it, 0, sizeof *it);
	bytebuf_add(&key, "", 0);
	for (const char *s = name; *s;) {
		size_t d = 0;
		while (is_digit(s[d]))
			d++;
		if (d == 0) {
			bytebuf_add(&key, s, 1);
			s++;
			continue;
		}
		if (d > MAX_DIGITS)
			goto literal;
		it->idx = xgrowarray(it->idx, it->nidx, sizeof *it->idx);
		it->idx[it->nidx++] = xstrndup(s, d);
		bytebuf_add(&key, "%s", 2);
		s += d;
	}
	it->key = key.p;
	return;
literal:
	for (size_t i = 0; i < it->nidx; i++)
		free(it->idx[i]);
	free(it->idx);
	it->idx = NULL;
	it->nidx = 0;
	free(key.p);
	it->key = xstrdup(name);
}

static void item_free(struct item *it)
{
	for (size_t i = 0; i < it->nidx; i++)
		free(it->idx[i]);
	free(it->idx);
	free(it->key);
}

/* ClusterShell's order of indexes: shorter first, then by text. */
static int cmp_index(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la != lb)
		return la < lb ? -1 : 1;
	return strcmp(a, b);
}

/* Items by pattern, then indexes, so that equal names end up side by side. */
static int cmp_item(const void *pa, const void *pb)
{
	const struct item *a = pa, *b = pb;
	int c = strcmp(a->key, b->key);
	for (size_t i = 0; c == 0 && i < a->nidx; i++)
		c = cmp_index(a->idx[i], b->idx[i]);
	return c;
}

/* ---- one dimension: RangeSet._slices_padding without autostep ---- */

static int padded(const char *s) { return s[0] == '0' && s[1] != '\0'; }

/* Append "lo-hi" (or "lo"), after a comma unless it is the first (*MORE). */
static void put_range(struct bytebuf *b, int *more, unsigned long long lo, unsigned long long hi,
		      int pad)
{
	char tmp[64];
	int n = lo == hi ? snprintf(tmp, sizeof tmp, "%0*llu", pad, lo)
			 : snprintf(tmp, sizeof tmp, "%0*llu-%0*llu", pad, lo, pad, hi);
	if ((*more)++)
		bytebuf_add(b, ",", 1);
	bytebuf_add(b, tmp, (size_t)n);
}

static void put_singles(struct bytebuf *b, int *more, unsigned long long lo,
			unsigned long long stop, unsigned long long step, int pad)
{
	for (unsigned long long j = lo; j < stop; j += step)
		put_range(b, more, j, j, pad);
}

static void put_rset(struct bytebuf *b, const struct rset *r)
{
	unsigned long long start = 0, last = 0, step = 0;
	int cur_padded = 0, has_step = 0, more = 0;
	size_t cur_pad = 0;

	if (r->n > 1)
		bytebuf_add(b, "[", 1);
	for (size_t i = 0; i < r->n; i++) {
		unsigned long long idx = strtoull(r->e[i], NULL, 10);
		size_t len = strlen(r->e[i]);
		int pad = padded(r->e[i]);
		if (i == 0) {
			start = last = idx;
			cur_padded = pad, cur_pad = len, has_step = 0;
			continue;
		}
		int pad_mismatch = cur_padded ? len != cur_pad : pad;
		int step_mismatch = !pad_mismatch && has_step && step != idx - last;
		if (pad_mismatch || step_mismatch) {
			int width = cur_padded ? (int)cur_pad : 0;
			if (!has_step || step == 1) {
				put_range(b, &more, start, last, width);
				start = idx, cur_padded = pad, cur_pad = len;
			} else if (pad_mismatch) {
				put_singles(b, &more, start, last + 1, step, width);
				start = idx, cur_padded = pad, cur_pad = len;
			} else {
				put_singles(b, &more, start, last - step + 1, step, width);
				start = last;
			}
			has_step = step_mismatch;
			step = idx - last;
			last = idx;
			continue;
		}
		has_step = 1;
		step = idx - last;
		last = idx;
	}
	if (r->n > 0) {
		int width = cur_padded ? (int)cur_pad : 0;
		if (!has_step || step == 1)
			put_range(b, &more, start, last, width);
		else
			put_singles(b, &more, start, last + 1, step, width);
	}
	if (r->n > 1)
		bytebuf_add(b, "]", 1);
}

/* ---- index sets ---- */

static int rset_equal(const struct rset *a, const struct rset *b)
{
	if (a->n != b->n)
		return 0;
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->e[i], b->e[i]) != 0)
			return 0;
	return 1;
}

/* The first position at or after FROM in R whose index is not below S. */
static size_t lower_bound(const struct rset *r, size_t from, const char *s)
{
	size_t lo = from, hi = r->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (cmp_index(r->e[mid], s) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Number of indexes A and B have in common (the smaller looked up in the larger). */
static size_t rset_common(const struct rset *a, const struct rset *b)
{
	if (a->n > b->n) {
		const struct rset *t = a;
		a = b, b = t;
	}
	size_t n = 0;
	for (size_t i = 0, j = 0; i < a->n && j < b->n; i++) {
		j = lower_bound(b, j, a->e[i]);
		n += j < b->n && strcmp(b->e[j], a->e[i]) == 0;
	}
	return n;
}

/* A and B merged: runs of the larger copied whole between the indexes of the smaller. */
static struct rset rset_union(const struct rset *a, const struct rset *b)
{
	if (a->n < b->n) {
		const struct rset *t = a;
		a = b, b = t;
	}
	struct rset u = {xcalloc(a->n + b->n, sizeof *u.e), 0};
	size_t j = 0;
	for (size_t i = 0; i < b->n; i++) {
		size_t k = lower_bound(a, j, b->e[i]);
		memcpy(u.e + u.n, a->e + j, (k - j) * sizeof *u.e);
		u.n += k - j;
		j = k;
		if (j < a->n && strcmp(a->e[j], b->e[i]) == 0)
			j++;
		u.e[u.n++] = b->e[i];
	}
	memcpy(u.e + u.n, a->e + j, (a->n - j) * sizeof *u.e);
	u.n += a->n - j;
	return u;
}

static struct rset rset_copy(const struct rset *a)
{
	struct rset c = {xcalloc(a->n ? a->n : 1, sizeof *c.e), a->n};
	memcpy(c.e, a->e, a->n * sizeof *c.e);
	return c;
}

/* ---- several dimensions: RangeSetND._fold_multivariate_merge ---- */

static void vec_free(struct vec *v)
{
	for (size_t d = 0; d < v->ndim; d++)
		free(v->r[d].e);
	free(v->r);
}

static size_t vec_count(const struct vec *v)
{
	size_t n = 1;
	for (size_t d = 0; d < v->ndim; d++)
		n *= v->r[d].n;
	return n;
}

/* Larger vectors first, then per dimension: larger, lower first, lower last. */
static int cmp_vec(const void *pa, const void *pb)
{
	const struct vec *a = pa, *b = pb;
	size_t ca = vec_count(a), cb = vec_count(b);
	if (ca != cb)
		return ca > cb ? -1 : 1;
	for (size_t d = 0; d < a->ndim; d++) {
		const struct rset *x = &a->r[d], *y = &b->r[d];
		int c;
		if (x->n != y->n)
			return x->n > y->n ? -1 : 1;
		if ((c = strcmp(x->e[0], y->e[0])) != 0 ||
		    (c = strcmp(x->e[x->n - 1], y->e[y->n - 1])) != 0)
			return c;
	}
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* Merge A and B into OUT if they differ in at most one dimension. */
static int vec_merge(const struct vec *a, const struct vec *b, struct vec *out)
{
	size_t ndim = a->ndim, diff = ndim;
	for (size_t d = 0; d < ndim; d++) {
		if (rset_equal(&a->r[d], &b->r[d]))
			continue;
		if (diff != ndim)
			return 0;
		diff = d;
	}
	if (diff != ndim) {
		const struct rset *x = &a->r[diff], *y = &b->r[diff];
		size_t common = rset_common(x, y);
		if (common != 0 && common != x->n && common != y->n)
			return 0; /* overlapping, neither holds the other */
	}
	out->ndim = ndim;
	out->r = xcalloc(ndim, sizeof *out->r);
	for (size_t d = 0; d < ndim; d++)
		out->r[d] = d == diff ? rset_union(&a->r[d], &b->r[d]) : rset_copy(&a->r[d]);
	return 1;
}

static void sort_vecs(struct vec *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		v[i].seq = i;
	qsort(v, n, sizeof *v, cmp_vec);
}

/* Drop the vectors merged away (r == NULL). */
static size_t compact(struct vec *v, size_t n)
{
	size_t m = 0;
	for (size_t i = 0; i < n; i++)
		if (v[i].r)
			v[m++] = v[i];
	return m;
}

static size_t merge_vecs(struct vec *v, size_t n)
{
	int full = 0, changed = 1;
	while (changed) {
		changed = 0;
		n = compact(v, n);
		sort_vecs(v, n);
		for (size_t i1 = 0; i1 + 1 < n; i1++) {
			if (!v[i1].r)
				continue;
			for (size_t i2 = i1 + 1; i2 < n; i2++) {
				struct vec m;
				if (!v[i2].r)
					continue;
				if (!vec_merge(&v[i1], &v[i2], &m)) {
					if (!full)
						break;
					continue;
				}
				changed = 1;
				vec_free(&v[i1]);
				vec_free(&v[i2]);
				v[i1] = m;
				v[i2].r = NULL;
			}
		}
		if (!changed && !full)
			changed = full = 1;
	}
	return compact(v, n);
}

/* ---- printing ---- */

/* KEY with its "%s" replaced by the index sets R. */
static void put_pattern(struct bytebuf *b, const char *key, const struct rset *r)
{
	if (b->len)
		bytebuf_add(b, ",", 1);
	for (const char *s = key; *s;) {
		const char *p = strstr(s, "%s");
		if (!p || !r) {
			bytebuf_add(b, s, strlen(s));
			return;
		}
		bytebuf_add(b, s, (size_t)(p - s));
		put_rset(b, r++);
		s = p + 2;
	}
}

/* Items IT[0..N) share one pattern of one index. */
static void fold_1d(struct bytebuf *b, struct item *it, size_t n)
{
	struct rset r = {xcalloc(n, sizeof *r.e), 0};
	for (size_t i = 0; i < n; i++)
		r.e[r.n++] = it[i].idx[0];
	put_pattern(b, it[0].key, &r);
	free(r.e);
}

/* The one dimension in which the items differ, -1 if none, -2 if several. */
static long varying_dim(struct item *it, size_t n)
{
	long vary = -1;
	for (size_t d = 0; d < it[0].nidx; d++)
		for (size_t i = 1; i < n; i++)
			if (strcmp(it[i].idx[d], it[0].idx[d]) != 0) {
				if (vary >= 0)
					return -2;
				vary = (long)d;
				break;
			}
	return vary;
}

static void fold_nd(struct bytebuf *b, struct item *it, size_t n)
{
	struct vec *v = xcalloc(n, sizeof *v);
	long vary = varying_dim(it, n);
	size_t ndim = it[0].nidx;
	for (size_t i = 0; i < n; i++) {
		v[i].ndim = ndim;
		v[i].r = xcalloc(ndim, sizeof *v[i].r);
		for (size_t d = 0; d < ndim; d++)
			v[i].r[d] = (struct rset){xmalloc(sizeof(char *)), 1};
		for (size_t d = 0; d < ndim; d++)
			v[i].r[d].e[0] = it[i].idx[d];
	}
	if (vary >= 0) {
		/* what the merge would give, without its quadratic cost */
		struct rset *r = &v[0].r[vary];
		r->e = xreallocarray(r->e, n, sizeof *r->e);
		for (size_t i = 1; i < n; i++) {
			r->e[r->n++] = it[i].idx[vary];
			vec_free(&v[i]);
		}
		n = 1;
	} else {
		n = merge_vecs(v, n);
	}
	for (size_t i = 0; i < n; i++) {
		put_pattern(b, it[0].key, v[i].r);
		vec_free(&v[i]);
	}
	free(v);
}

char *nodeset_fold(char *const *names, size_t n)
{
	struct item *it = xcalloc(n ? n : 1, sizeof *it);
	for (size_t i = 0; i < n; i++)
		item_split(&it[i], names[i]);
	qsort(it, n, sizeof *it, cmp_item);
	size_t m = 0; /* drop repeated names */
	for (size_t i = 0; i < n; i++) {
		if (m > 0 && cmp_item(&it[m - 1], &it[i]) == 0) {
			item_free(&it[i]);
			continue;
		}
		it[m++] = it[i];
	}
	struct bytebuf b = {0};
	bytebuf_add(&b, "", 0);
	for (size_t i = 0, j; i < m; i = j) {
		for (j = i + 1; j < m && strcmp(it[i].key, it[j].key) == 0;)
			j++;
		if (it[i].nidx == 0)
			put_pattern(&b, it[i].key, NULL);
		else if (it[i].nidx == 1)
			fold_1d(&b, &it[i], j - i);
		else
			fold_nd(&b, &it[i], j - i);
	}
	for (size_t i = 0; i < m; i++)
		item_free(&it[i]);
	free(it);
	return b.p;
}
