/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nodeset — pdsh/ClusterShell host lists: expand "rack[1-2]n[01-04],login1"
 * into names and treat them as ordered sets (first-seen order, no
 * duplicates). Folding names back into a list is nodefold.h's.
 *
 * Syntax: comma-separated items; each item is a name with any number of
 * bracket groups "[a-b,c,d-e/step]". A number with a leading zero sets the
 * padding ("[01-10]" gives 01..10). "^FILE" reads one host list per line
 * ('#' comments); "-" reads standard input. Names may carry "user@".
 */
#ifndef CT_NODESET_H
#define CT_NODESET_H

#include <stddef.h>

#define NODESET_MAX 1000000 /* refuse expansions larger than this */

struct nodeset {
	char **names;
	size_t n, cap;
	size_t *hash;      /* open addressing over indexes+1; 0 = empty */
	size_t hash_cap;
};

void nodeset_init(struct nodeset *ns);
void nodeset_free(struct nodeset *ns);
/* Add NAME unless present. Returns 1 if added, 0 if it was there. */
int nodeset_add(struct nodeset *ns, const char *name);
int nodeset_contains(const struct nodeset *ns, const char *name);
/* Index of NAME in insertion order, or -1. */
long nodeset_index(const struct nodeset *ns, const char *name);
/* Remove every name of B from A, keeping A's order. */
void nodeset_difference(struct nodeset *a, const struct nodeset *b);
void nodeset_union(struct nodeset *a, const struct nodeset *b);

/* Expand EXPR (pure: no files, no stdin) and add its names. 0, or -1 with ERR naming the text. */
int nodeset_expand(struct nodeset *ns, const char *expr, char *err, size_t errlen);
/* Like nodeset_expand, but "^FILE" and "-" read hosts from a file or stdin. */
int nodeset_expand_arg(struct nodeset *ns, const char *arg, char *err, size_t errlen);

#endif
