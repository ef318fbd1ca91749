/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "plan.h"
#include "xalloc.h"

/* Is MODULE (or a version of it) in the colon-separated LOADED list? */
static int is_loaded(const char *loaded, const char *module)
{
	size_t m = strlen(module);
	for (const char *p = loaded; p && *p;) {
		const char *e = strchr(p, ':');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		if (n >= m && strncmp(p, module, m) == 0 && (n == m || p[m] == '/'))
			return 1;
		p += n + (e ? 1 : 0);
	}
	return 0;
}

/* The module the record "TAG=MODULE ..." holds for TAG. Caller frees; NULL if none. */
static char *record_lookup(const char *record, const char *tag)
{
	size_t t = strlen(tag);
	for (const char *p = record; p && *p;) {
		while (*p == ' ')
			p++;
		size_t n = strcspn(p, " ");
		if (n > t + 1 && strncmp(p, tag, t) == 0 && p[t] == '=')
			return xstrndup(p + t + 1, n - t - 1);
		p += n;
	}
	return NULL;
}

static void push(char ***v, size_t *n, const char *s)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp((*v)[i], s) == 0)
			return;
	*v = xgrowarray(*v, *n, sizeof **v);
	(*v)[(*n)++] = xstrdup(s);
}

static int wanted_tag(const struct envsw_want *want, size_t n, const char *tag, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (strlen(want[i].tag) == len && strncmp(want[i].tag, tag, len) == 0)
			return 1;
	return 0;
}

/* Loaded modules "TAG/..." other than WANT (NULL: all of them) go. */
static void unload_same_tag(struct envsw_plan *p, const char *loaded, const char *tag, const char *want)
{
	size_t t = strlen(tag);
	for (const char *s = loaded; s && *s;) {
		const char *e = strchr(s, ':');
		size_t n = e ? (size_t)(e - s) : strlen(s);
		if (n > t + 1 && strncmp(s, tag, t) == 0 && s[t] == '/') {
			char *m = xstrndup(s, n);
			if (!want || !is_loaded(m, want))
				push(&p->unload, &p->n_unload, m);
			free(m);
		}
		s += n + (e ? 1 : 0);
	}
}

static void record_append(char **rec, const char *tag, const char *module)
{
	char *r = xasprintf("%s%s%s=%s", *rec, **rec ? " " : "", tag, module);
	free(*rec);
	*rec = r;
}

void envsw_plan_make(struct envsw_plan *p, const struct envsw_want *want, size_t n, const char *old_record,
		     const char *loaded)
{
	memset(p, 0, sizeof *p);
	p->record = xstrdup("");
	for (size_t i = 0; i < n; i++) {
		const struct envsw_want *w = &want[i];
		char *old = record_lookup(old_record, w->tag);
		if (old && (!w->module || strcmp(old, w->module) != 0) && is_loaded(loaded, old))
			push(&p->unload, &p->n_unload, old);
		free(old);
		unload_same_tag(p, loaded, w->tag, w->module);
		if (!w->module)
			continue;
		if (!is_loaded(loaded, w->module))
			push(&p->load, &p->n_load, w->module);
		record_append(&p->record, w->tag, w->module);
	}
	/* tags that are no longer chosen at all */
	for (const char *s = old_record; s && *s;) {
		while (*s == ' ')
			s++;
		size_t len = strcspn(s, " ");
		const char *eq = memchr(s, '=', len);
		if (eq && eq > s && !wanted_tag(want, n, s, (size_t)(eq - s))) {
			char *m = xstrndup(eq + 1, len - (size_t)(eq + 1 - s));
			if (*m && is_loaded(loaded, m))
				push(&p->unload, &p->n_unload, m);
			free(m);
		}
		s += len;
	}
}

void envsw_plan_free(struct envsw_plan *p)
{
	for (size_t i = 0; i < p->n_unload; i++)
		free(p->unload[i]);
	for (size_t i = 0; i < p->n_load; i++)
		free(p->load[i]);
	free(p->unload);
	free(p->load);
	free(p->record);
	memset(p, 0, sizeof *p);
}
