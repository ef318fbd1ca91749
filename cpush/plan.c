/* SPDX-License-Identifier: BSD-3-Clause */
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "plan.h"
#include "xalloc.h"

void cpplan_init(struct cpplan *plan, char **excludes, size_t nexcludes)
{
	memset(plan, 0, sizeof *plan);
	plan->excludes = excludes;
	plan->nexcludes = nexcludes;
}

void cpplan_free(struct cpplan *plan)
{
	for (size_t i = 0; i < plan->n; i++) {
		free(plan->e[i].src);
		free(plan->e[i].dst);
		free(plan->e[i].rel);
		free(plan->e[i].link);
	}
	free(plan->e);
	free(plan->sorted);
	memset(plan, 0, sizeof *plan);
}

void cpplan_pairs_free(struct cpplan_pairs *pairs)
{
	for (size_t i = 0; i < pairs->n; i++) {
		free(pairs->p[i].src);
		free(pairs->p[i].dst);
	}
	free(pairs->p);
	pairs->p = NULL;
	pairs->n = 0;
}

/* Next whitespace-separated word of [*p, end), or NULL. */
static char *next_word(const char **p, const char *end)
{
	while (*p < end && (**p == ' ' || **p == '\t' || **p == '\r'))
		(*p)++;
	const char *s = *p;
	while (*p < end && **p != ' ' && **p != '\t' && **p != '\r')
		(*p)++;
	return *p > s ? xstrndup(s, (size_t)(*p - s)) : NULL;
}

int cpplan_parse_list(const char *text, size_t len, const char *fname, struct cpplan_pairs *out,
		      char *err, size_t errlen)
{
	const char *p = text, *end = text + len;
	int line = 0;
	memset(out, 0, sizeof *out);
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *lend = eol ? eol : end;
		line++;
		const char *hash = memchr(p, '#', (size_t)(lend - p));
		const char *cend = hash ? hash : lend;
		if (memchr(p, '\0', (size_t)(cend - p))) {
			snprintf(err, errlen, "%s:%d: NUL byte in line", fname, line);
			cpplan_pairs_free(out);
			return -1;
		}
		char *src = next_word(&p, cend);
		char *dst = src ? next_word(&p, cend) : NULL;
		char *extra = dst ? next_word(&p, cend) : NULL;
		if (extra) {
			snprintf(err, errlen, "%s:%d: expected \"source [target]\", found a third word \"%s\"",
				 fname, line, extra);
			free(src);
			free(dst);
			free(extra);
			cpplan_pairs_free(out);
			return -1;
		}
		if (src) {
			out->p = xgrowarray(out->p, out->n, sizeof *out->p);
			out->p[out->n++] = (struct cpplan_pair){ src, dst, line };
		}
		p = eol ? eol + 1 : end;
	}
	return 0;
}

static const char *base_of(const char *path)
{
	size_t n = strlen(path);
	while (n > 1 && path[n - 1] == '/')
		n--;
	const char *s = path + n;
	while (s > path && s[-1] != '/')
		s--;
	return s;
}

/* PATH without trailing slashes (but "/" stays "/"). */
static char *strip_slashes(const char *path)
{
	size_t n = strlen(path);
	while (n > 1 && path[n - 1] == '/')
		n--;
	return xstrndup(path, n);
}

char *cpplan_target(const char *src, const char *target, int into_dir, const char *cwd)
{
	if (!target) {
		char *s = strip_slashes(src);
		if (s[0] == '/')
			return s;
		char *abs = xasprintf("%s%s%s", cwd, cwd[strlen(cwd) - 1] == '/' ? "" : "/",
				      s[0] == '.' && s[1] == '/' ? s + 2 : s);
		free(s);
		return abs;
	}
	size_t tl = strlen(target);
	if (into_dir || (tl > 0 && target[tl - 1] == '/')) {
		char *t = strip_slashes(target);
		char *base = strip_slashes(base_of(src));
		char *d = xasprintf("%s%s%s", t, strcmp(t, "/") == 0 ? "" : "/", base);
		free(t);
		free(base);
		return d;
	}
	return xstrdup(target);
}

int cpplan_excluded(char *const *pats, size_t npats, const char *rel)
{
	const char *base = strrchr(rel, '/') ? strrchr(rel, '/') + 1 : rel;
	for (size_t i = 0; i < npats; i++) {
		const char *pat = pats[i];
		if (strchr(pat, '/')) {
			while (*pat == '/')
				pat++;
			if (fnmatch(pat, rel, FNM_PATHNAME | FNM_PERIOD) == 0)
				return 1;
		} else if (*base && fnmatch(pat, base, FNM_PERIOD) == 0) {
			return 1;
		}
	}
	return 0;
}

static struct cpplan_entry *push(struct cpplan *plan)
{
	if (plan->n == plan->cap) {
		plan->cap = plan->cap ? plan->cap * 2 : 16;
		plan->e = xreallocarray(plan->e, plan->cap, sizeof *plan->e);
	}
	struct cpplan_entry *e = &plan->e[plan->n++];
	memset(e, 0, sizeof *e);
	return e;
}

static int fill(struct cpplan *plan, const char *src, const char *dst, const char *rel, size_t top,
		const struct stat *st, char *err, size_t errlen)
{
	struct cpplan_entry *e = push(plan);
	e->src = xstrdup(src);
	e->dst = xstrdup(dst);
	e->rel = xstrdup(rel);
	e->mode = st->st_mode & 07777;
	e->mtime = (int64_t)st->st_mtime;
	e->top = top;
	if (S_ISDIR(st->st_mode)) {
		e->type = CPPLAN_DIR;
	} else if (S_ISLNK(st->st_mode)) {
		char buf[4096];
		ssize_t n = readlink(src, buf, sizeof buf - 1);
		if (n < 0) {
			snprintf(err, errlen, "%s: %s", src, strerror(errno));
			return -1;
		}
		buf[n] = '\0';
		e->type = CPPLAN_LINK;
		e->link = xstrdup(buf);
	} else {
		e->type = CPPLAN_FILE;
		e->size = (uint64_t)st->st_size;
	}
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Add the contents of directory entry index DIR, depth first, sorted by name. */
static int add_tree(struct cpplan *plan, size_t dir, char *err, size_t errlen)
{
	DIR *d = opendir(plan->e[dir].src);
	if (!d) {
		snprintf(err, errlen, "%s: %s", plan->e[dir].src, strerror(errno));
		return -1;
	}
	plan->e[dir].recursed = 1;
	char **names = NULL;
	size_t n = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		names = xgrowarray(names, n, sizeof *names);
		names[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (n > 1)
		qsort(names, n, sizeof *names, cmp_str);
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		if (rc < 0)
			goto next;
		const struct cpplan_entry *p = &plan->e[dir];
		char *rel = *p->rel ? xasprintf("%s/%s", p->rel, names[i]) : xstrdup(names[i]);
		if (cpplan_excluded(plan->excludes, plan->nexcludes, rel)) {
			free(rel);
			goto next;
		}
		char *src = xasprintf("%s/%s", p->src, names[i]);
		char *dst = xasprintf("%s%s%s", p->dst, strcmp(p->dst, "/") == 0 ? "" : "/", names[i]);
		size_t top = p->top;
		struct stat st;
		if (lstat(src, &st) < 0) {
			snprintf(err, errlen, "%s: %s", src, strerror(errno));
			rc = -1;
		} else if (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode) || S_ISLNK(st.st_mode)) {
			size_t idx = plan->n;
			rc = fill(plan, src, dst, rel, top, &st, err, errlen);
			if (rc == 0 && S_ISDIR(st.st_mode))
				rc = add_tree(plan, idx, err, errlen);
		} else {
			warnmsg("%s: not a regular file, directory or symlink; skipped", src);
		}
		free(src);
		free(dst);
		free(rel);
	next:
		free(names[i]);
	}
	free(names);
	return rc;
}

int cpplan_add(struct cpplan *plan, const char *src, const char *dst, int recursive, char *err,
	       size_t errlen)
{
	struct stat st;
	if (stat(src, &st) < 0) {
		snprintf(err, errlen, "%s: %s", src, strerror(errno));
		return -1;
	}
	if (S_ISDIR(st.st_mode) && !recursive) {
		snprintf(err, errlen, "%s: is a directory (use -r)", src);
		return -1;
	}
	if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file or directory", src);
		return -1;
	}
	if (!S_ISDIR(st.st_mode) && cpplan_excluded(plan->excludes, plan->nexcludes, base_of(src)))
		return 0;
	size_t idx = plan->n;
	if (fill(plan, src, dst, "", idx, &st, err, errlen) < 0)
		return -1;
	if (S_ISDIR(st.st_mode))
		return add_tree(plan, idx, err, errlen);
	return 0;
}

void cpplan_finish(struct cpplan *plan)
{
	free(plan->sorted);
	plan->sorted = xcalloc(plan->n + 1, sizeof *plan->sorted);
	for (size_t i = 0; i < plan->n; i++)
		plan->sorted[i] = plan->e[i].dst;
	qsort(plan->sorted, plan->n, sizeof *plan->sorted, cmp_str);
}

int cpplan_has_dst(const struct cpplan *plan, const char *dst)
{
	if (!plan->sorted)
		return 0;
	return bsearch(&dst, plan->sorted, plan->n, sizeof *plan->sorted, cmp_str) != NULL;
}

int cpplan_unchanged(const struct cpplan_entry *e, const struct cpplan_remote *r, int blind)
{
	if (blind || !r->exists || r->type != e->type)
		return 0;
	switch (e->type) {
	case CPPLAN_FILE:
		return r->size == e->size && r->mtime == e->mtime && r->mode == e->mode;
	case CPPLAN_LINK:
		return 0; /* the caller compares the link text */
	case CPPLAN_DIR:
		return 1;
	}
	return 0;
}

int cpplan_extraneous(const struct cpplan *plan, const struct cpplan_entry *dir, const char *name)
{
	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0 || !dir->recursed)
		return 0;
	char *rel = *dir->rel ? xasprintf("%s/%s", dir->rel, name) : xstrdup(name);
	char *dst = xasprintf("%s%s%s", dir->dst, strcmp(dir->dst, "/") == 0 ? "" : "/", name);
	int extra = !cpplan_has_dst(plan, dst) && !cpplan_excluded(plan->excludes, plan->nexcludes, rel);
	free(rel);
	free(dst);
	return extra;
}
