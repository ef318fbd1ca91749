/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * template — parse mkchroot templates (see template.h). The file format is
 * lib/inifile's; this module gives the keys their meaning and checks them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inifile.h"
#include "log.h"
#include "kcmdline.h"
#include "template.h"
#include "xalloc.h"

#define MKC_INCLUDE_MAX 8

static const char *const backend_names[] = {
	[MKC_BACKEND_NONE] = "none",
	[MKC_BACKEND_DEBOOTSTRAP] = "debootstrap",
	[MKC_BACKEND_DNF] = "dnf",
	[MKC_BACKEND_ZYPPER] = "zypper",
	[MKC_BACKEND_GOLDEN] = "golden",
	[MKC_BACKEND_ARCHIVE] = "archive",
};

const char *mkc_backend_name(enum mkc_backend b)
{
	return backend_names[b];
}

enum mkc_backend mkc_backend_parse(const char *s)
{
	for (size_t i = 1; i < sizeof backend_names / sizeof *backend_names; i++)
		if (strcmp(s, backend_names[i]) == 0)
			return (enum mkc_backend)i;
	return MKC_BACKEND_NONE;
}

void mkc_strv_add(struct mkc_strv *v, const char *s)
{
	v->v = xgrowarray(v->v, v->n + 1, sizeof *v->v);
	v->v[v->n++] = xstrdup(s);
	v->v[v->n] = NULL;
}

void mkc_strv_add_words(struct mkc_strv *v, const char *s)
{
	const char *sep = ", \t";
	while (*s) {
		size_t skip = strspn(s, sep);
		s += skip;
		size_t n = strcspn(s, sep);
		if (n == 0)
			break;
		char *w = xstrndup(s, n);
		mkc_strv_add(v, w);
		free(w);
		s += n;
	}
}

void mkc_strv_free(struct mkc_strv *v)
{
	for (size_t i = 0; i < v->n; i++)
		free(v->v[i]);
	free(v->v);
	v->v = NULL;
	v->n = 0;
}

void mkc_template_free(struct mkc_template *t)
{
	free(t->description);
	free(t->release);
	free(t->arch);
	free(t->script);
	free(t->source);
	free(t->cmdline);
	mkc_strv_free(&t->mirrors);
	mkc_strv_free(&t->components);
	mkc_strv_free(&t->packages);
	mkc_strv_free(&t->excludes);
	mkc_strv_free(&t->post);
	memset(t, 0, sizeof *t);
}

int mkc_text_lines(const char *text, size_t len)
{
	int n = 0;
	for (size_t i = 0; i < len; i++)
		if (text[i] == '\n')
			n++;
	if (len > 0 && text[len - 1] != '\n')
		n++;
	return n;
}

/* A value handed to a tool as one argv word must not look like an option. */
static int word_ok(const char *s)
{
	return *s != '\0' && *s != '-';
}

static int words_ok(const char *s)
{
	struct mkc_strv v = { 0 };
	mkc_strv_add_words(&v, s);
	int ok = 1;
	for (size_t i = 0; i < v.n; i++)
		if (!word_ok(v.v[i]))
			ok = 0;
	mkc_strv_free(&v);
	return ok;
}

static void set_scalar(char **slot, const char *value)
{
	free(*slot);
	*slot = xstrdup(value);
}

/* One "key = value" line. 0, or -1 with ERR. */
static int apply_key(struct mkc_template *t, const struct ini_entry *e, const char *file,
		     mkc_include_fn include, void *arg, char *err, size_t errlen)
{
	const char *k = e->key, *v = e->value;
	if (strcmp(k, "description") == 0) {
		set_scalar(&t->description, v);
	} else if (strcmp(k, "backend") == 0) {
		enum mkc_backend b = mkc_backend_parse(v);
		if (b == MKC_BACKEND_NONE) {
			snprintf(err, errlen, "%s:%d: unknown backend '%s' (debootstrap, dnf, zypper, golden or archive)",
				 file, e->line, v);
			return -1;
		}
		t->backend = b;
	} else if (strcmp(k, "suite") == 0 || strcmp(k, "release") == 0 || strcmp(k, "arch") == 0 ||
		   strcmp(k, "script") == 0) {
		if (!word_ok(v) || strpbrk(v, " \t")) {
			snprintf(err, errlen, "%s:%d: bad %s '%s'", file, e->line, k, v);
			return -1;
		}
		set_scalar(k[0] == 'a' ? &t->arch : k[0] == 's' && k[1] == 'c' ? &t->script : &t->release, v);
	} else if (strcmp(k, "source") == 0) {
		set_scalar(&t->source, v);
	} else if (strcmp(k, "cmdline") == 0) {
		char why[128];
		if (mkc_kcmdline_check(v, why, sizeof why) < 0) {
			snprintf(err, errlen, "%s:%d: cmdline: %s", file, e->line, why);
			return -1;
		}
		set_scalar(&t->cmdline, v);
	} else if (strcmp(k, "mirror") == 0 || strcmp(k, "packages") == 0 || strcmp(k, "excludes") == 0 ||
		   strcmp(k, "components") == 0) {
		if (!words_ok(v)) {
			snprintf(err, errlen, "%s:%d: %s: a word may not start with '-'", file, e->line, k);
			return -1;
		}
		struct mkc_strv *dst = k[0] == 'm' ? &t->mirrors : k[0] == 'p' ? &t->packages
				     : k[0] == 'e' ? &t->excludes : &t->components;
		mkc_strv_add_words(dst, v);
	} else if (strcmp(k, "post") == 0) {
		if (*v)
			mkc_strv_add(&t->post, v);
	} else if (strcmp(k, "include") == 0) {
		if (!include) {
			snprintf(err, errlen, "%s:%d: include is not allowed here", file, e->line);
			return -1;
		}
		if (t->depth >= MKC_INCLUDE_MAX) {
			snprintf(err, errlen, "%s:%d: include '%s': nested too deep (a loop?)", file, e->line, v);
			return -1;
		}
		t->depth++;
		char sub[512];
		int rc = include(arg, v, t, sub, sizeof sub);
		t->depth--;
		if (rc < 0) {
			snprintf(err, errlen, "%s:%d: include '%s': %s", file, e->line, v, sub);
			return -1;
		}
	} else {
		snprintf(err, errlen, "%s:%d: unknown key '%s'", file, e->line, k);
		return -1;
	}
	return 0;
}

int mkc_template_parse(struct mkc_template *t, const char *text, size_t len, const char *file,
		       mkc_include_fn include, void *arg, char *err, size_t errlen)
{
	struct ini *ini = ini_parse(text, len, file, err, errlen);
	if (!ini)
		return -1;
	int rc = 0;
	struct ini_entry e;
	for (size_t i = 0; rc == 0 && i < ini_section_count(ini); i++) {
		const char *s = ini_section_at(ini, i);
		if (s[0] != '\0') {
			snprintf(err, errlen, "%s:%d: templates have no [sections]", file, ini_section_line(ini, s));
			rc = -1;
		}
	}
	for (size_t i = 0; rc == 0 && ini_entry_at(ini, i, &e); i++) {
		if (e.section[0] != '\0') {
			snprintf(err, errlen, "%s:%d: templates have no [sections]", file, e.line);
			rc = -1;
		} else {
			rc = apply_key(t, &e, file, include, arg, err, errlen);
		}
	}
	ini_free(ini);
	return rc;
}

int mkc_template_check(const struct mkc_template *t, const char *file, int lastline, char *err, size_t errlen)
{
	if (t->backend == MKC_BACKEND_NONE) {
		snprintf(err, errlen, "%s:%d: no backend (set backend = debootstrap, dnf, zypper, golden or archive)",
			 file, lastline > 0 ? lastline : 1);
		return -1;
	}
	if ((t->backend == MKC_BACKEND_DEBOOTSTRAP || t->backend == MKC_BACKEND_DNF ||
	     t->backend == MKC_BACKEND_ZYPPER) && !t->release) {
		snprintf(err, errlen, "%s:%d: backend %s needs a release (suite)", file, lastline > 0 ? lastline : 1,
			 mkc_backend_name(t->backend));
		return -1;
	}
	return 0;
}
