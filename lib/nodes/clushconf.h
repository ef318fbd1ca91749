/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * clushconf — ClusterShell's configuration files as Python's ConfigParser
 * reads them: "[section]" lines, "key: value" or "key = value" (keys folded
 * to lower case, the value kept as written: '#' inside it is text), indented
 * lines continuing the value before them, whole-line comments starting with
 * '#' or ';'. A later key replaces an earlier one of its section; a section
 * named twice is one section.
 */
#ifndef CT_CLUSHCONF_H
#define CT_CLUSHCONF_H

#include <stddef.h>

struct clushconf_key {
	char *key, *value;
};

struct clushconf_section {
	char *name;
	int line;
	struct clushconf_key *k;
	size_t n;
};

struct clushconf {
	char *file;
	struct clushconf_section *sec;
	size_t n;
};

/* Parse TEXT named FILE. NULL with ERR "FILE:LINE: ...". */
struct clushconf *clushconf_parse(const char *text, const char *file, char *err, size_t errlen);
/* Read and parse PATH: NULL with ERR ("PATH: reason", errno kept) or a parse error (errno 0). */
struct clushconf *clushconf_load(const char *path, char *err, size_t errlen);
void clushconf_free(struct clushconf *c);

const struct clushconf_section *clushconf_section(const struct clushconf *c, const char *name);
const char *clushconf_get(const struct clushconf_section *s, const char *key);

/*
 * A directory list as Python's shlex.split reads it (blanks separate words,
 * '...' and "..." group), "$CFGDIR" or "${CFGDIR}" in each replaced by
 * CFGDIR. 0 with *V (N words, caller frees each and V), or -1 with ERR.
 */
int clushconf_split(const char *list, const char *cfgdir, char ***v, size_t *n, char *err, size_t errlen);

#endif
