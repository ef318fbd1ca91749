/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sshconfigload — read ssh_config files and follow their Include lines
 * (the parser, sshconfig.c, does no I/O). See sshconfig_load in sshconfig.h.
 */
#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fsutil.h"
#include "sshconfig.h"
#include "sshconfigload.h"
#include "xalloc.h"

#define INCLUDE_DEPTH 16 /* as ssh */

struct loader {
	struct sshconfig *out;
	const char *incdir;
	const char *home;
	char *open[INCLUDE_DEPTH + 1];  /* real paths of the files being read, outermost first */
	int depth;
	char *err;
	size_t errlen;
};

static int load_file(struct loader *L, const char *path, int guard, const char *from, int line);

/* The files one Include word names: sorted glob matches, relative to the top file's directory. */
static int include_word(struct loader *L, const struct sshconfig_entry *e, int guard)
{
	char *pat = e->value[0] == '~' && e->value[1] == '/' ? xasprintf("%s%s", L->home, e->value + 1)
		  : e->value[0] == '/' ? xstrdup(e->value)
				       : xasprintf("%s/%s", L->incdir, e->value);
	glob_t g;
	int rc = glob(pat, 0, NULL, &g);
	free(pat);
	if (rc == GLOB_NOMATCH)
		return 0; /* as ssh: nothing to include */
	if (rc != 0) {
		snprintf(L->err, L->errlen, "%s:%d: Include %s: cannot read", e->file, e->line, e->value);
		return -1;
	}
	rc = 0;
	for (size_t i = 0; rc == 0 && i < g.gl_pathc; i++)
		rc = load_file(L, g.gl_pathv[i], guard, e->file, e->line);
	globfree(&g);
	return rc;
}

/* Copy the parsed file F into the output, reading its Includes where they stand. */
static int splice(struct loader *L, const struct sshconfig *f, int guard)
{
	for (size_t i = 0; i < f->n; i++) {
		const struct sshconfig_block *b = &f->b[i];
		int idx = sshconfig_add_block(L->out, b->patterns ? b : NULL, guard);
		for (size_t j = 0; j < b->n; j++) {
			const struct sshconfig_entry *e = &b->e[j];
			if (strcasecmp(e->key, "include")) {
				sshconfig_add_entry(L->out, idx, e);
				continue;
			}
			if (include_word(L, e, idx) < 0)
				return -1;
			/* the rest of the block comes after what was included */
			idx = sshconfig_add_block(L->out, b->patterns ? b : NULL, guard);
		}
	}
	return 0;
}

static int check_cycle(struct loader *L, const char *real, const char *from, int line)
{
	if (L->depth >= INCLUDE_DEPTH) {
		snprintf(L->err, L->errlen, "%s:%d: Include nested more than %d deep", from, line, INCLUDE_DEPTH);
		return -1;
	}
	for (int i = 0; i < L->depth; i++)
		if (!strcmp(L->open[i], real)) {
			snprintf(L->err, L->errlen, "%s:%d: Include cycle: %s is already being read", from, line,
				 real);
			return -1;
		}
	return 0;
}

/* FROM:LINE is the Include that names PATH (NULL for a top file). */
static int load_file(struct loader *L, const char *path, int guard, const char *from, int line)
{
	size_t len;
	char *text = fs_read_file(path, 1 << 20, &len);
	if (!text) {
		if (errno == ENOENT && !from)
			return 0;
		if (from)
			snprintf(L->err, L->errlen, "%s:%d: Include %s: %s", from, line, path, strerror(errno));
		else
			snprintf(L->err, L->errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	char real[PATH_MAX];
	if (!realpath(path, real))
		snprintf(real, sizeof real, "%s", path);
	struct sshconfig f;
	int rc = check_cycle(L, real, from, line);
	if (rc == 0)
		rc = sshconfig_parse(text, len, path, &f, L->err, L->errlen);
	free(text);
	if (rc < 0)
		return -1;
	L->open[L->depth++] = xstrdup(real);
	rc = splice(L, &f, guard);
	free(L->open[--L->depth]);
	sshconfig_free(&f);
	return rc;
}

int sshconfig_load(struct sshconfig *cfg, const char *const *files, const char *const *incdirs,
		   const char *home, char *err, size_t errlen)
{
	struct loader L = {.out = cfg, .home = home, .err = err, .errlen = errlen};
	for (size_t i = 0; files[i]; i++) {
		L.incdir = incdirs[i];
		if (load_file(&L, files[i], -1, NULL, 0) < 0)
			return -1;
	}
	return 0;
}
