/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * template — what a node root is built from: /etc/mkchroot.d/NAME.conf.
 * A template is a flat inifile: scalar keys (description, backend, release,
 * arch, script, source, cmdline) where the last one wins, list keys (mirror, packages,
 * excludes, post, components) where every line adds, and include = NAME that
 * pulls another template in at that point. Parsing takes bytes and does no
 * I/O: includes are resolved by a callback the caller gives.
 */
#ifndef MKCHROOT_TEMPLATE_H
#define MKCHROOT_TEMPLATE_H

#include <stddef.h>

enum mkc_backend {
	MKC_BACKEND_NONE = 0,
	MKC_BACKEND_DEBOOTSTRAP,
	MKC_BACKEND_DNF,
	MKC_BACKEND_ZYPPER,
	MKC_BACKEND_GOLDEN,
	MKC_BACKEND_ARCHIVE,
};

struct mkc_strv {
	char **v;
	size_t n;
};

struct mkc_template {
	char *description;
	enum mkc_backend backend;
	char *release;     /* suite (debootstrap) or releasever (dnf, zypper) */
	char *arch;
	char *script;      /* debootstrap script name, when the suite has none */
	char *source;      /* golden: PATH or [USER@]HOST[:PATH]; archive: FILE */
	char *cmdline;     /* kernel options of the root's images: its etc/kernel/cmdline */
	struct mkc_strv mirrors;
	struct mkc_strv components;
	struct mkc_strv packages;
	struct mkc_strv excludes;
	struct mkc_strv post;
	int depth;         /* include nesting while parsing */
};

/*
 * Load the template NAME into T (the callback reads the file and calls
 * mkc_template_parse on it). 0, or -1 with a message in ERR.
 */
typedef int (*mkc_include_fn)(void *arg, const char *name, struct mkc_template *t, char *err, size_t errlen);

/*
 * Apply the template text TEXT (named FILE in messages) on top of T. Unknown
 * keys, sections, bad values and include loops are errors "FILE:LINE: ...".
 * INCLUDE may be NULL (then include is an error). 0 or -1.
 */
int mkc_template_parse(struct mkc_template *t, const char *text, size_t len, const char *file,
		       mkc_include_fn include, void *arg, char *err, size_t errlen);

/* After the whole template is in: a backend must be set. 0, or -1 with "FILE:LINE: ..." in ERR. */
int mkc_template_check(const struct mkc_template *t, const char *file, int lastline, char *err, size_t errlen);

void mkc_template_free(struct mkc_template *t);

const char *mkc_backend_name(enum mkc_backend b);
enum mkc_backend mkc_backend_parse(const char *s);

/* Append S split at commas and white space to V (empty words skipped). */
void mkc_strv_add_words(struct mkc_strv *v, const char *s);
void mkc_strv_add(struct mkc_strv *v, const char *s);
void mkc_strv_free(struct mkc_strv *v);

/* Number of lines in TEXT (a last line without newline counts). */
int mkc_text_lines(const char *text, size_t len);

#endif
