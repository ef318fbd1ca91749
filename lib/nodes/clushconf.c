/* SPDX-License-Identifier: BSD-3-Clause */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytebuf.h"
#include "clushconf.h"
#include "fsutil.h"
#include "xalloc.h"

void clushconf_free(struct clushconf *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++) {
		for (size_t k = 0; k < c->sec[i].n; k++) {
			free(c->sec[i].k[k].key);
			free(c->sec[i].k[k].value);
		}
		free(c->sec[i].k);
		free(c->sec[i].name);
	}
	free(c->sec);
	free(c->file);
	free(c);
}

const struct clushconf_section *clushconf_section(const struct clushconf *c, const char *name)
{
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->sec[i].name, name) == 0)
			return &c->sec[i];
	return NULL;
}

const char *clushconf_get(const struct clushconf_section *s, const char *key)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->k[i].key, key) == 0)
			return s->k[i].value;
	return NULL;
}

static struct clushconf_section *open_section(struct clushconf *c, const char *name, int line)
{
	struct clushconf_section *s = (struct clushconf_section *)clushconf_section(c, name);
	if (s)
		return s;
	c->sec = xgrowarray(c->sec, c->n, sizeof *c->sec);
	s = &c->sec[c->n++];
	memset(s, 0, sizeof *s);
	s->name = xstrdup(name);
	s->line = line;
	return s;
}

/* KEY = VALUE in S: the value of the key, replaced or added. */
static char **set_key(struct clushconf_section *s, char *key, const char *value)
{
	for (char *p = key; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->k[i].key, key) == 0) {
			free(s->k[i].value);
			s->k[i].value = xstrdup(value);
			return &s->k[i].value;
		}
	s->k = xgrowarray(s->k, s->n, sizeof *s->k);
	s->k[s->n] = (struct clushconf_key){xstrdup(key), xstrdup(value)};
	return &s->k[s->n++].value;
}

static void trim_end(char *s)
{
	size_t n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
}

/* One line (no newline, right-trimmed) into C; *LAST is the value a continuation extends. */
static int parse_line(struct clushconf *c, struct clushconf_section **cur, char ***last, char *line, int lineno,
		      char *err, size_t errlen)
{
	const char *t = line + strspn(line, " \t");
	if (*t == '#' || *t == ';' || *t == '\0') {
		if (*t == '\0')
			*last = NULL; /* a blank line ends a value (empty_lines_in_values aside) */
		return 0;
	}
	if (t != line && *last) {
		char *v = xasprintf("%s\n%s", **last, t);
		free(**last);
		**last = v;
		return 0;
	}
	if (*line == '[') {
		char *end = strchr(line, ']');
		if (!end || end == line + 1) {
			snprintf(err, errlen, "%s:%d: bad section header '%.60s'", c->file, lineno, line);
			return -1;
		}
		*end = '\0';
		*cur = open_section(c, line + 1, lineno);
		*last = NULL;
		return 0;
	}
	size_t k = strcspn(line, ":=");
	if (!*cur || !line[k] || k == 0) {
		snprintf(err, errlen, "%s:%d: %s '%.60s'", c->file, lineno,
			 *cur ? "expected 'key: value'" : "a line before any [section]", line);
		return -1;
	}
	char *value = line + k + 1;
	line[k] = '\0';
	trim_end(line);
	*last = set_key(*cur, line, value + strspn(value, " \t"));
	return 0;
}

struct clushconf *clushconf_parse(const char *text, const char *file, char *err, size_t errlen)
{
	struct clushconf *c = xcalloc(1, sizeof *c);
	struct clushconf_section *cur = NULL;
	char **last = NULL;
	c->file = xstrdup(file);
	for (int lineno = 1; *text; lineno++) {
		size_t len = strcspn(text, "\n");
		char *line = xstrndup(text, len);
		text += len + (text[len] == '\n');
		trim_end(line);
		int rc = parse_line(c, &cur, &last, line, lineno, err, errlen);
		free(line);
		if (rc < 0) {
			clushconf_free(c);
			errno = 0;
			return NULL;
		}
	}
	return c;
}

struct clushconf *clushconf_load(const char *path, char *err, size_t errlen)
{
	char *text = fs_read_file(path, 16u << 20, NULL);
	if (!text) {
		int e = errno;
		snprintf(err, errlen, "%s: %s", path, strerror(e));
		errno = e;
		return NULL;
	}
	struct clushconf *c = clushconf_parse(text, path, err, errlen);
	free(text);
	return c;
}

/* Append WORD with $CFGDIR replaced. */
static void add_word(struct bytebuf *w, const char *cfgdir, char ***v, size_t *n)
{
	bytebuf_add(w, "", 1);
	struct bytebuf out = {0};
	for (const char *p = w->p; *p;) {
		if (strncmp(p, "$CFGDIR", 7) == 0 || strncmp(p, "${CFGDIR}", 9) == 0) {
			bytebuf_add(&out, cfgdir, strlen(cfgdir));
			p += p[1] == '{' ? 9 : 7;
		} else {
			bytebuf_add(&out, p++, 1);
		}
	}
	bytebuf_add(&out, "", 1);
	*v = xgrowarray(*v, *n, sizeof **v);
	(*v)[(*n)++] = out.p;
	free(w->p);
	memset(w, 0, sizeof *w);
}

int clushconf_split(const char *list, const char *cfgdir, char ***v, size_t *n, char *err, size_t errlen)
{
	struct bytebuf w = {0};
	int inword = 0;
	char q = 0;
	*v = NULL;
	*n = 0;
	for (const char *p = list; *p; p++) {
		if (q && *p == q)
			q = 0;
		else if (!q && (*p == '\'' || *p == '"'))
			q = *p, inword = 1;
		else if (!q && isspace((unsigned char)*p)) {
			if (inword)
				add_word(&w, cfgdir, v, n);
			inword = 0;
		} else {
			bytebuf_add(&w, p, 1);
			inword = 1;
		}
	}
	if (q) {
		free(w.p);
		for (size_t i = 0; i < *n; i++)
			free((*v)[i]);
		free(*v);
		*v = NULL;
		*n = 0;
		snprintf(err, errlen, "unclosed quote in '%s'", list);
		return -1;
	}
	if (inword)
		add_word(&w, cfgdir, v, n);
	free(w.p);
	return 0;
}
