/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * exclude — rsync's exclude patterns (see exclude.h). The matcher is
 * rsync's and git's wildmatch reduced to this dialect: a failed '*' tells
 * the callers above it whether any later start could still match, which
 * keeps "a*a*a*...b" patterns from taking exponential time.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exclude.h"
#include "fsutil.h"
#include "xalloc.h"

struct exclude_rule {
	char *glob;     /* without the anchoring '/' and the trailing '/' */
	int anchored;   /* matched against the whole path */
	int dir_only;
	int last;       /* matched against the last component */
};

enum { WM_MATCH, WM_NOMATCH, WM_ABORT_ALL, WM_ABORT_TO_STARSTAR };

/* Is C in the class at *PP (just past the '[')? *PP is left on its ']'. -1: no ']'. */
static int class_match(const char **pp, unsigned char c)
{
	const char *p = *pp;
	int negate = *p == '!' || *p == '^';
	int hit = 0;
	if (negate)
		p++;
	for (const char *first = p; *p && (p == first || *p != ']'); p++) {
		unsigned char lo = (unsigned char)*p, hi;
		if (lo == '\\' && p[1])
			lo = (unsigned char)*++p;
		hi = lo;
		if (p[1] == '-' && p[2] && p[2] != ']') {
			p += 2;
			hi = (unsigned char)(*p == '\\' && p[1] ? *++p : *p);
		}
		if (lo <= c && c <= hi)
			hit = 1;
	}
	if (*p != ']')
		return -1;
	*pp = p;
	return hit != negate;
}

/* Match pattern P against text T, stars after the first tried in turn. */
static int wild(const char *p, const char *t)
{
	for (; *p; p++, t++) {
		if (*p == '*') {
			int cross = p[1] == '*';
			while (*p == '*')
				p++;
			if (!*p)
				return cross || !strchr(t, '/') ? WM_MATCH : WM_ABORT_TO_STARSTAR;
			for (;; t++) {
				int r = wild(p, t);
				if (r != WM_NOMATCH && (!cross || r != WM_ABORT_TO_STARSTAR))
					return r;
				if (!*t)
					return WM_ABORT_ALL;
				if (*t == '/' && !cross)
					return WM_ABORT_TO_STARSTAR;
			}
		}
		if (!*t)
			return WM_ABORT_ALL;
		int r;
		switch (*p) {
		case '?':
			if (*t == '/')
				return WM_NOMATCH;
			break;
		case '[':
			p++;
			r = class_match(&p, (unsigned char)*t);
			if (r < 0)
				return WM_ABORT_ALL; /* no ']': the pattern never matches */
			if (!r || *t == '/')
				return WM_NOMATCH;
			break;
		case '\\':
			if (p[1])
				p++;
			/* fall through */
		default:
			if (*p != *t)
				return WM_NOMATCH;
		}
	}
	return *t ? WM_NOMATCH : WM_MATCH;
}

static int rule_match(const struct exclude_rule *r, const char *rel, int is_dir)
{
	if (r->dir_only && !is_dir)
		return 0;
	if (r->anchored)
		return wild(r->glob, rel) == WM_MATCH;
	if (r->last) {
		const char *slash = strrchr(rel, '/');
		return wild(r->glob, slash ? slash + 1 : rel) == WM_MATCH;
	}
	for (const char *s = rel;; s++) {
		if (wild(r->glob, s) == WM_MATCH)
			return 1;
		if ((s = strchr(s, '/')) == NULL)
			return 0;
	}
}

static void rule_init(struct exclude_rule *r, const char *pat)
{
	size_t len = strlen(pat);
	r->anchored = pat[0] == '/';
	r->dir_only = pat[len - 1] == '/';
	while (len > 1 && pat[len - 1] == '/')
		len--;
	r->glob = xstrndup(pat + r->anchored, len - r->anchored);
	r->last = !strchr(r->glob, '/') && !strstr(r->glob, "**");
}

int exclude_add(struct exclude *ex, const char *pat)
{
	while (*pat == ' ' || *pat == '\t')
		pat++;
	size_t len = strlen(pat);
	while (len > 0 && strchr(" \t\r\n", pat[len - 1]))
		len--;
	if (len == 0 || pat[0] == '#')
		return 0;
	while (len > 1 && pat[0] == '/' && pat[1] == '/') {
		pat++;
		len--;
	}
	if (len == 1 && pat[0] == '/')
		return 0; /* the root itself is never excluded */
	if (len > EXCLUDE_PAT_MAX)
		return -1;
	for (size_t i = 0; i < ex->n; i++)
		if (strlen(ex->pats[i]) == len && memcmp(ex->pats[i], pat, len) == 0)
			return 0;
	ex->pats = xgrowarray(ex->pats, ex->n, sizeof *ex->pats);
	ex->rules = xgrowarray(ex->rules, ex->n, sizeof *ex->rules);
	ex->pats[ex->n] = xstrndup(pat, len);
	rule_init(&ex->rules[ex->n], ex->pats[ex->n]);
	ex->n++;
	return 1;
}

long exclude_parse(struct exclude *ex, const char *text, size_t len, const char *name, char *err,
		   size_t errlen)
{
	long added = 0;
	const char *p = text, *end = text + len;
	for (unsigned lineno = 1; p < end; lineno++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (memchr(p, '\0', n) != NULL) {
			snprintf(err, errlen, "%s:%u: NUL byte in pattern", name, lineno);
			return -1;
		}
		char *line = xstrndup(p, n);
		int rc = exclude_add(ex, line);
		free(line);
		if (rc < 0) {
			snprintf(err, errlen, "%s:%u: pattern longer than %d bytes", name, lineno, EXCLUDE_PAT_MAX);
			return -1;
		}
		added += rc;
		p += n + (nl ? 1 : 0);
	}
	return added;
}

int exclude_load(struct exclude *ex, const char *path, char *err, size_t errlen)
{
	size_t len;
	char *text = fs_read_file(path, 16 << 20, &len);
	if (!text) {
		int e = errno;
		snprintf(err, errlen, "%s: %s", path, strerror(e));
		errno = e;
		return -1;
	}
	long rc = exclude_parse(ex, text, len, path, err, errlen);
	free(text);
	if (rc < 0)
		errno = EINVAL;
	return rc < 0 ? -1 : 0;
}

int exclude_match(const struct exclude *ex, const char *rel, int is_dir)
{
	for (size_t i = 0; i < ex->n; i++)
		if (rule_match(&ex->rules[i], rel, is_dir))
			return 1;
	return 0;
}

int exclude_match_path(const struct exclude *ex, const char *rel, int is_dir)
{
	if (ex->n == 0)
		return 0;
	char *dir = xstrdup(rel);
	int hit = 0;
	for (char *s = dir; !hit && (s = strchr(s, '/')) != NULL; *s++ = '/') {
		*s = '\0';
		hit = exclude_match(ex, dir, 1);
	}
	hit = hit || exclude_match(ex, rel, is_dir);
	free(dir);
	return hit;
}

void exclude_free(struct exclude *ex)
{
	for (size_t i = 0; i < ex->n; i++) {
		free(ex->pats[i]);
		free(ex->rules[i].glob);
	}
	free(ex->pats);
	free(ex->rules);
	memset(ex, 0, sizeof *ex);
}
