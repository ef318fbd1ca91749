/* SPDX-License-Identifier: BSD-3-Clause */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "choice.h"
#include "fsutil.h"
#include "log.h"
#include "modpath.h"
#include "xalloc.h"

#define MODPATH_MAX_DEPTH 8
#define MODPATH_MAX_RC (256u << 10)

void envsw_avail_add(struct envsw_avail *a, const char *name)
{
	if (!envsw_name_is_valid(name) || strcmp(name, ENVSW_NONE) == 0)
		return;
	if (a->n == a->cap) {
		a->cap = a->cap ? a->cap * 2 : 64;
		a->names = xreallocarray(a->names, a->cap, sizeof *a->names);
	}
	a->names[a->n++] = xstrdup(name);
	a->sorted = 0;
}

static int cmp_str(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

/* Sort and drop duplicates, once after additions. */
static void avail_sort(struct envsw_avail *a)
{
	if (a->sorted)
		return;
	if (a->n) /* names is NULL when empty: qsort must not see it */
		qsort(a->names, a->n, sizeof *a->names, cmp_str);
	size_t j = 0;
	for (size_t i = 0; i < a->n; i++) {
		if (j > 0 && strcmp(a->names[j - 1], a->names[i]) == 0)
			free(a->names[i]);
		else
			a->names[j++] = a->names[i];
	}
	a->n = j;
	a->sorted = 1;
}

int envsw_avail_has(struct envsw_avail *a, const char *name)
{
	avail_sort(a);
	return a->n && bsearch(&name, a->names, a->n, sizeof *a->names, cmp_str) != NULL;
}

const char **envsw_avail_under(struct envsw_avail *a, const char *prefix, size_t *n)
{
	avail_sort(a);
	size_t plen = strlen(prefix);
	const char **v = xcalloc(a->n + 1, sizeof *v);
	*n = 0;
	for (size_t i = 0; i < a->n; i++)
		if (strncmp(a->names[i], prefix, plen) == 0 && a->names[i][plen] == '/')
			v[(*n)++] = a->names[i] + plen + 1;
	return v;
}

const char **envsw_avail_dirs(struct envsw_avail *a, size_t *n)
{
	avail_sort(a);
	const char **v = xcalloc(a->n + 1, sizeof *v);
	*n = 0;
	for (size_t i = 0; i < a->n; i++) {
		const char *name = a->names[i];
		if (strchr(name, '/'))
			continue;
		size_t len = strlen(name);
		/* sorted: NAME/... follows NAME, after names like NAME-x that sort between */
		for (size_t j = i + 1; j < a->n && strncmp(a->names[j], name, len) == 0; j++) {
			if (a->names[j][len] == '/') {
				v[(*n)++] = name;
				break;
			}
		}
	}
	return v;
}

void envsw_avail_free(struct envsw_avail *a)
{
	for (size_t i = 0; i < a->n; i++)
		free(a->names[i]);
	free(a->names);
	memset(a, 0, sizeof *a);
}

/* DIR/NAME, or NAME when DIR is "". Caller frees. */
static char *join_rel(const char *dir, const char *name)
{
	return dir[0] ? xasprintf("%s/%s", dir, name) : xstrdup(name);
}

/* A name from a modulerc: "/x" is relative to DIR. */
static char *rc_name(const char *dir, const char *name)
{
	return name[0] == '/' ? join_rel(dir, name + 1) : xstrdup(name);
}

/* module-version MOD SYM: the symbol names a sibling of MOD. */
static void add_symbol(struct envsw_avail *a, const char *dir, const char *mod, const char *sym)
{
	if (strcmp(sym, "default") == 0 || strchr(sym, '/'))
		return;
	char *full = rc_name(dir, mod);
	char *slash = strrchr(full, '/');
	if (slash) {
		*slash = '\0';
		char *name = xasprintf("%s/%s", full, sym);
		envsw_avail_add(a, name);
		free(name);
	}
	free(full);
}

/* Split a Tcl line into at most MAX words, dropping {} and "" around words. */
static size_t tcl_words(char *line, char **w, size_t max)
{
	size_t n = 0;
	char *p = line;
	while (n < max) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0' || *p == '#' || *p == ';')
			break;
		char close = *p == '{' ? '}' : *p == '"' ? '"' : '\0';
		if (close)
			p++;
		w[n++] = p;
		while (*p && (close ? *p != close : (*p != ' ' && *p != '\t' && *p != ';')))
			p++;
		if (*p == '\0')
			break;
		*p++ = '\0';
	}
	return n;
}

/* Quoted Lua string arguments after "FUNC(", at most MAX. */
static size_t lua_args(char *p, char **w, size_t max)
{
	size_t n = 0;
	while (n < max && *p && *p != ')') {
		if (*p == '"' || *p == '\'') {
			char q = *p++;
			w[n++] = p;
			while (*p && *p != q)
				p++;
			if (*p == '\0')
				break;
			*p++ = '\0';
		} else {
			p++;
		}
	}
	return n;
}

static void add_alias(struct envsw_avail *a, const char *dir, const char *alias)
{
	char *name = rc_name(dir, alias);
	envsw_avail_add(a, name);
	free(name);
}

static void rc_line(struct envsw_avail *a, const char *dir, char *line)
{
	char *w[8];
	char *lua;
	size_t n;
	if ((lua = strstr(line, "module_alias(")) != NULL) {
		if (lua_args(lua + strlen("module_alias("), w, 2) == 2)
			add_alias(a, dir, w[0]);
	} else if ((lua = strstr(line, "module_version(")) != NULL) {
		n = lua_args(lua + strlen("module_version("), w, 8);
		for (size_t i = 1; i < n; i++)
			add_symbol(a, dir, w[0], w[i]);
	} else if ((n = tcl_words(line, w, 8)) == 3 && strcmp(w[0], "module-alias") == 0) {
		add_alias(a, dir, w[1]);
	} else if (n >= 3 && strcmp(w[0], "module-version") == 0) {
		for (size_t i = 2; i < n; i++)
			add_symbol(a, dir, w[1], w[i]);
	}
}

void envsw_modulerc_parse(struct envsw_avail *a, const char *dir, const char *text, size_t len)
{
	const char *p = text, *end = text + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char *line = xstrndup(p, n);
		rc_line(a, dir, line);
		free(line);
		p += n + 1;
	}
}

static int is_tcl_modulefile(const char *path)
{
	char buf[8];
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return 0;
	ssize_t n = read(fd, buf, sizeof buf);
	close(fd);
	return n == (ssize_t)sizeof buf && memcmp(buf, "#%Module", sizeof buf) == 0;
}

static void read_rc(struct envsw_avail *a, const char *rel, const char *path)
{
	size_t len;
	char *text = fs_read_file(path, MODPATH_MAX_RC, &len);
	if (text)
		envsw_modulerc_parse(a, rel, text, len);
	free(text);
}

static int has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n > m && strcmp(s + n - m, suffix) == 0;
}

/* Scan ROOT/REL; returns how many modules were found below. */
static size_t scan_dir(struct envsw_avail *a, const char *root, const char *rel, int depth)
{
	char *path = join_rel(root, rel);
	DIR *d = opendir(path);
	size_t found = 0;
	if (!d) {
		free(path);
		return 0;
	}
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		const char *name = de->d_name;
		char *full = xasprintf("%s/%s", path, name);
		if (name[0] == '.') {
			if (strcmp(name, ".modulerc") == 0 || strcmp(name, ".version") == 0 ||
			    strcmp(name, ".modulerc.lua") == 0)
				read_rc(a, rel, full);
			free(full);
			continue;
		}
		struct stat st;
		char *relname = join_rel(rel, name);
		if (has_suffix(name, "~") || stat(full, &st) < 0) {
			/* backup files and dangling links are no modules */
		} else if (S_ISDIR(st.st_mode)) {
			if (depth < MODPATH_MAX_DEPTH && scan_dir(a, root, relname, depth + 1) > 0) {
				envsw_avail_add(a, relname);
				found++;
			}
		} else if (S_ISREG(st.st_mode) && has_suffix(name, ".lua")) {
			relname[strlen(relname) - 4] = '\0';
			envsw_avail_add(a, relname);
			found++;
		} else if (S_ISREG(st.st_mode) && is_tcl_modulefile(full)) {
			envsw_avail_add(a, relname);
			found++;
		}
		free(relname);
		free(full);
	}
	closedir(d);
	free(path);
	return found;
}

void envsw_avail_scan(struct envsw_avail *a, const char *modulepath)
{
	char *copy = xstrdup(modulepath ? modulepath : "");
	char *save = NULL;
	for (char *dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save))
		scan_dir(a, dir, "", 0);
	free(copy);
}

int envsw_module_exists(const char *modulepath, const char *module)
{
	if (!modulepath || !envsw_name_is_valid(module))
		return 0;
	char *copy = xstrdup(modulepath);
	char *save = NULL;
	int found = 0;
	struct stat st;
	for (char *dir = strtok_r(copy, ":", &save); dir && !found; dir = strtok_r(NULL, ":", &save)) {
		char *p = xasprintf("%s/%s", dir, module);
		char *lua = xasprintf("%s.lua", p);
		found = stat(p, &st) == 0 || stat(lua, &st) == 0;
		free(lua);
		free(p);
	}
	free(copy);
	return found;
}

char *envsw_resolve(const char *tag, const char *name, int (*exists)(const char *module, void *arg), void *arg)
{
	char *tagged = xasprintf("%s/%s", tag, name);
	if (exists(tagged, arg))
		return tagged;
	if (exists(name, arg) || strchr(name, '/')) {
		free(tagged);
		return xstrdup(name);
	}
	return tagged;
}
