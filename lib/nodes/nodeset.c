/* SPDX-License-Identifier: BSD-3-Clause */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytebuf.h"
#include "fsutil.h"
#include "log.h"
#include "nodeset.h"
#include "xalloc.h"

/* ---- ordered set with a hash index ---- */

void nodeset_init(struct nodeset *ns) { memset(ns, 0, sizeof *ns); }

void nodeset_free(struct nodeset *ns)
{
	for (size_t i = 0; i < ns->n; i++)
		free(ns->names[i]);
	free(ns->names);
	free(ns->hash);
	memset(ns, 0, sizeof *ns);
}

static size_t hash_str(const char *s)
{
	size_t h = 1469598103934665603ull;
	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ull;
	return h;
}

/* Slot for NAME: the one holding it, or the empty one where it would go. */
static size_t *slot_for(const struct nodeset *ns, const char *name)
{
	size_t mask = ns->hash_cap - 1;
	for (size_t i = hash_str(name) & mask;; i = (i + 1) & mask) {
		size_t v = ns->hash[i];
		if (v == 0 || strcmp(ns->names[v - 1], name) == 0)
			return &ns->hash[i];
	}
}

static void rehash(struct nodeset *ns, size_t cap)
{
	free(ns->hash);
	ns->hash_cap = cap;
	ns->hash = xcalloc(cap, sizeof *ns->hash);
	for (size_t i = 0; i < ns->n; i++)
		*slot_for(ns, ns->names[i]) = i + 1;
}

int nodeset_contains(const struct nodeset *ns, const char *name)
{
	return ns->hash_cap && *slot_for(ns, name) != 0;
}

long nodeset_index(const struct nodeset *ns, const char *name)
{
	return ns->hash_cap ? (long)*slot_for(ns, name) - 1 : -1;
}

int nodeset_add(struct nodeset *ns, const char *name)
{
	if ((ns->n + 1) * 2 > ns->hash_cap)
		rehash(ns, ns->hash_cap ? ns->hash_cap * 2 : 64);
	size_t *slot = slot_for(ns, name);
	if (*slot)
		return 0;
	if (ns->n == ns->cap) {
		ns->cap = ns->cap ? ns->cap * 2 : 16;
		ns->names = xreallocarray(ns->names, ns->cap, sizeof *ns->names);
	}
	ns->names[ns->n++] = xstrdup(name);
	*slot = ns->n;
	return 1;
}

void nodeset_difference(struct nodeset *a, const struct nodeset *b)
{
	size_t j = 0;
	for (size_t i = 0; i < a->n; i++) {
		if (nodeset_contains(b, a->names[i]))
			free(a->names[i]);
		else
			a->names[j++] = a->names[i];
	}
	a->n = j;
	if (a->hash_cap)
		rehash(a, a->hash_cap);
}

void nodeset_union(struct nodeset *a, const struct nodeset *b)
{
	for (size_t i = 0; i < b->n; i++)
		nodeset_add(a, b->names[i]);
}

/* ---- expansion ---- */

struct range {
	unsigned long lo, hi, step;
	int pad;
};

struct group { /* one "[...]" */
	struct range *r;
	size_t n;
};

static int parse_number(const char **p, unsigned long *v, int *digits)
{
	const char *s = *p;
	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	char *end;
	*v = strtoul(s, &end, 10);
	if (errno || end - s > 9)
		return -1;
	*digits = (int)(end - s);
	*p = end;
	return 0;
}

/* Parse the inside of "[...]" from *P (just after '['), leaving *P after ']'. */
static int parse_group(const char **p, struct group *g, char *err, size_t errlen, const char *expr)
{
	const char *s = *p;
	for (;;) {
		struct range r = {.step = 1};
		int d1, d2;
		const char *lo_text = s;
		if (parse_number(&s, &r.lo, &d1) < 0) {
			if (*s == '\0')
				snprintf(err, errlen, "missing ']' in '%s'", expr);
			else
				snprintf(err, errlen, "bad number in range at '%.40s' in '%s'", s, expr);
			return -1;
		}
		r.hi = r.lo;
		r.pad = (d1 > 1 && lo_text[0] == '0') ? d1 : 0;
		if (*s == '-') {
			s++;
			if (parse_number(&s, &r.hi, &d2) < 0) {
				if (*s == '\0')
					snprintf(err, errlen, "missing ']' in '%s'", expr);
				else
					snprintf(err, errlen, "bad range end at '%.40s' in '%s'", s, expr);
				return -1;
			}
			if (r.hi < r.lo) {
				snprintf(err, errlen, "descending range %lu-%lu in '%s'", r.lo, r.hi, expr);
				return -1;
			}
			if (*s == '/') {
				s++;
				int d3;
				if (parse_number(&s, &r.step, &d3) < 0 || r.step == 0) {
					snprintf(err, errlen, "bad step at '%.40s' in '%s'", s, expr);
					return -1;
				}
			}
		}
		g->r = xgrowarray(g->r, g->n, sizeof *g->r);
		g->r[g->n++] = r;
		if (*s == ',') {
			s++;
			continue;
		}
		if (*s == ']') {
			*p = s + 1;
			return 0;
		}
		if (*s)
			snprintf(err, errlen, "unexpected '%c' in range in '%s'", *s, expr);
		else
			snprintf(err, errlen, "missing ']' in '%s'", expr);
		return -1;
	}
}

static size_t group_count(const struct group *g)
{
	size_t n = 0;
	for (size_t i = 0; i < g->n; i++)
		n += (g->r[i].hi - g->r[i].lo) / g->r[i].step + 1;
	return n;
}

static int valid_name_char(char c)
{
	return isalnum((unsigned char)c) || c == '-' || c == '_' || c == '.' || c == '@' || c == ':';
}

struct pattern {
	char **texts; /* n_groups + 1 literal pieces */
	struct group *groups;
	size_t ngroups;
};

static void pattern_free(struct pattern *pt)
{
	for (size_t i = 0; i <= pt->ngroups; i++)
		free(pt->texts ? pt->texts[i] : NULL);
	for (size_t i = 0; i < pt->ngroups; i++)
		free(pt->groups[i].r);
	free(pt->texts);
	free(pt->groups);
}

static int parse_item(const char *item, const char *expr, struct pattern *pt, char *err, size_t errlen)
{
	memset(pt, 0, sizeof *pt);
	pt->texts = xcalloc(1, sizeof *pt->texts);
	const char *s = item, *lit = item;
	for (;;) {
		if (*s == '[' || *s == '\0') {
			size_t i = pt->ngroups;
			pt->texts[i] = xstrndup(lit, (size_t)(s - lit));
			if (*s == '\0')
				return 0;
			s++;
			pt->groups = xgrowarray(pt->groups, i, sizeof *pt->groups);
			memset(&pt->groups[i], 0, sizeof pt->groups[i]);
			pt->ngroups++;
			pt->texts = xgrowarray(pt->texts, pt->ngroups, sizeof *pt->texts);
			pt->texts[pt->ngroups] = NULL;
			if (parse_group(&s, &pt->groups[i], err, errlen, expr) < 0)
				return -1;
			lit = s;
		} else if (*s == ']') {
			snprintf(err, errlen, "unexpected ']' in '%s'", expr);
			return -1;
		} else if (!valid_name_char(*s)) {
			snprintf(err, errlen, "invalid character '%c' in host list '%s'", *s, expr);
			return -1;
		} else {
			s++;
		}
	}
}

static void expand_rec(struct nodeset *ns, const struct pattern *pt, size_t gi, char *buf, size_t len)
{
	size_t tl = strlen(pt->texts[gi]);
	memcpy(buf + len, pt->texts[gi], tl);
	len += tl;
	if (gi == pt->ngroups) {
		buf[len] = '\0';
		nodeset_add(ns, buf);
		return;
	}
	const struct group *g = &pt->groups[gi];
	for (size_t i = 0; i < g->n; i++)
		for (unsigned long v = g->r[i].lo; v <= g->r[i].hi; v += g->r[i].step) {
			int n = sprintf(buf + len, "%0*lu", g->r[i].pad, v);
			expand_rec(ns, pt, gi + 1, buf, len + (size_t)n);
			if (g->r[i].hi - v < g->r[i].step)
				break;
		}
}

static int expand_item(struct nodeset *ns, const char *item, const char *expr, char *err, size_t errlen)
{
	struct pattern pt;
	if (*item == '\0') {
		snprintf(err, errlen, "empty host name in '%s'", expr);
		return -1;
	}
	int rc = parse_item(item, expr, &pt, err, errlen);
	if (rc == 0) {
		size_t total = 1;
		for (size_t i = 0; i < pt.ngroups && total <= NODESET_MAX; i++)
			total *= group_count(&pt.groups[i]);
		if (total > NODESET_MAX || ns->n + total > NODESET_MAX) {
			snprintf(err, errlen, "host list '%s' expands to more than %d names", expr, NODESET_MAX);
			rc = -1;
		} else {
			char *buf = xmalloc(strlen(item) + pt.ngroups * 12 + 1);
			expand_rec(ns, &pt, 0, buf, 0);
			free(buf);
		}
	}
	pattern_free(&pt);
	return rc;
}

int nodeset_expand(struct nodeset *ns, const char *expr, char *err, size_t errlen)
{
	const char *s = expr;
	int depth = 0;
	const char *start = s;
	for (;; s++) {
		if (*s == '[')
			depth++;
		else if (*s == ']')
			depth--;
		if ((*s == ',' && depth == 0) || *s == '\0') {
			char *item = xstrndup(start, (size_t)(s - start));
			int rc = expand_item(ns, item, expr, err, errlen);
			free(item);
			if (rc < 0)
				return -1;
			if (*s == '\0')
				return 0;
			start = s + 1;
		}
	}
}

static int expand_lines(struct nodeset *ns, char *text, const char *src, char *err, size_t errlen)
{
	int lineno = 0;
	for (char *line = text, *next; line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		char *hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		char *s = line;
		while (isspace((unsigned char)*s))
			s++;
		char *e = s + strlen(s);
		while (e > s && isspace((unsigned char)e[-1]))
			*--e = '\0';
		if (*s == '\0')
			continue;
		char msg[512];
		if (nodeset_expand(ns, s, msg, sizeof msg) < 0) {
			snprintf(err, errlen, "%s:%d: %s", src, lineno, msg);
			return -1;
		}
	}
	return 0;
}

static char *read_stream(FILE *f)
{
	size_t cap = 4096, len = 0;
	char *buf = xmalloc(cap);
	size_t n;
	while ((n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
		len += n;
		if (len + 1 == cap)
			buf = xrealloc(buf, cap *= 2);
	}
	buf[len] = '\0';
	return buf;
}

int nodeset_expand_arg(struct nodeset *ns, const char *arg, char *err, size_t errlen)
{
	char *text;
	const char *src;
	if (strcmp(arg, "-") == 0) {
		text = read_stream(stdin);
		src = "<stdin>";
	} else if (arg[0] == '^') {
		src = arg + 1;
		text = fs_read_file(src, 64u << 20, NULL);
		if (!text) {
			snprintf(err, errlen, "%s: %s", src, strerror(errno));
			return -1;
		}
	} else {
		return nodeset_expand(ns, arg, err, errlen);
	}
	int rc = expand_lines(ns, text, src, err, errlen);
	free(text);
	return rc;
}
