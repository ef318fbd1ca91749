#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exclude.h"
#include "fsutil.h"
#include "log.h"

static const char *const builtin[] = { "/proc/*", "/sys/*", "/dev/*", "/run/*", "/tmp/*" };

void imgs_excl_init(struct imgs_excl *ex)
{
	memset(ex, 0, sizeof *ex);
	for (size_t i = 0; i < sizeof builtin / sizeof builtin[0]; i++)
		imgs_excl_add(ex, builtin[i]);
	ex->nbuiltin = ex->n;
}

void imgs_excl_free(struct imgs_excl *ex)
{
	for (size_t i = 0; i < ex->n; i++)
		free(ex->pats[i]);
	free(ex->pats);
	memset(ex, 0, sizeof *ex);
}

int imgs_excl_add(struct imgs_excl *ex, const char *pat)
{
	while (*pat == ' ' || *pat == '\t')
		pat++;
	size_t len = strlen(pat);
	while (len > 0 && (pat[len - 1] == ' ' || pat[len - 1] == '\t' || pat[len - 1] == '\r' ||
			   pat[len - 1] == '\n'))
		len--;
	if (len == 0 || pat[0] == '#')
		return 0;
	while (len > 1 && pat[0] == '/' && pat[1] == '/') {
		pat++;
		len--;
	}
	if (len == 1 && pat[0] == '/')
		return 0; /* the root itself is never excluded */
	if (len + (pat[0] != '/') > IMGS_EXCL_PAT_MAX)
		return -1;
	char *p = pat[0] == '/' ? xstrndup(pat, len) : xasprintf("/%.*s", (int)len, pat);
	for (size_t i = 0; i < ex->n; i++) {
		if (strcmp(ex->pats[i], p) == 0) {
			free(p);
			return 0;
		}
	}
	if (ex->n == ex->cap) {
		ex->cap = ex->cap ? ex->cap * 2 : 16;
		ex->pats = xreallocarray(ex->pats, ex->cap, sizeof *ex->pats);
	}
	ex->pats[ex->n++] = p;
	return 1;
}

long imgs_excl_parse(struct imgs_excl *ex, const char *text, size_t len, const char *name, char *err,
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
		int rc = imgs_excl_add(ex, line);
		free(line);
		if (rc < 0) {
			snprintf(err, errlen, "%s:%u: pattern longer than %d bytes", name, lineno, IMGS_EXCL_PAT_MAX);
			return -1;
		}
		added += rc;
		p += n + (nl ? 1 : 0);
	}
	return added;
}

int imgs_excl_load(struct imgs_excl *ex, const char *path, char *err, size_t errlen)
{
	size_t len;
	char *text = fs_read_file(path, 16 << 20, &len);
	if (!text) {
		int e = errno;
		snprintf(err, errlen, "%s: %s", path, strerror(e));
		errno = e;
		return -1;
	}
	long rc = imgs_excl_parse(ex, text, len, path, err, errlen);
	free(text);
	if (rc < 0)
		errno = EINVAL;
	return rc < 0 ? -1 : 0;
}

int imgs_excl_match(const struct imgs_excl *ex, const char *relpath, int is_dir)
{
	size_t rl = strlen(relpath);
	char stackbuf[512];
	char *abs = rl + 2 <= sizeof stackbuf ? stackbuf : xmalloc(rl + 2);
	abs[0] = '/';
	memcpy(abs + 1, relpath, rl + 1);
	int hit = 0;
	for (size_t i = 0; i < ex->n && !hit; i++) {
		const char *pat = ex->pats[i];
		size_t pl = strlen(pat);
		if (pl > 1 && pat[pl - 1] == '/') {
			if (!is_dir)
				continue;
			char *dp = xstrndup(pat, pl - 1);
			hit = fnmatch(dp, abs, FNM_PATHNAME) == 0;
			free(dp);
		} else {
			hit = fnmatch(pat, abs, FNM_PATHNAME) == 0;
		}
	}
	if (abs != stackbuf)
		free(abs);
	return hit;
}
