/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * groups — node groups, for "@name" anywhere in a host list and pdsh's
 * "-g ATTR[=VAL]". Sources, looked up in this order:
 *
 *  1. groups files in ClusterShell's flat format: "name: nodes" lines, '#'
 *     comments; NODES is a ClusterShell node set ("node[1-4] login1",
 *     "@compute!@gpu", operators ',' or space (union), '!' (difference),
 *     '&' (intersection), '^' (symmetric difference), left to right);
 *     a name defined twice gets both lines (as ClusterShell's sed does);
 *  2. genders ("NODES attr,attr=val,..." lines): "@attr" is the nodes
 *     having ATTR, whatever its value;
 *  3. the caller's lookup (C3 cluster names: "@cluster" is its live nodes);
 *  4. the default ClusterShell group source (groups_set_sources).
 *
 * "@source:group", "@source:*" and "@*" (the default source) name groups of
 * ClusterShell sources; inside such a group's text, "@group" is a group of
 * that same source, as in ClusterShell.
 *
 * Definitions may use other groups, 64 deep; a cycle, or a deeper chain, is
 * an error naming the group. Parsers take buffers and do no I/O;
 * groups_expand_arg() alone reads "^FILE" / "-".
 */
#ifndef CT_GROUPS_H
#define CT_GROUPS_H

#include <stddef.h>

#include "nodeset.h"

struct groups;

/* Adds the nodes of group NAME to NS: 1 if NAME is such a group, 0 if not, -1 with ERR. */
typedef int (*groups_lookup_fn)(void *arg, const char *name, struct nodeset *ns, char *err,
				size_t errlen);

/*
 * ClusterShell group sources (lib/clushgroups): the node set text of GROUP
 * (NULL: "*") of SOURCE (NULL: the default source), *RESOLVED naming the
 * source. 1 with *TEXT (freed by the caller), 0 if SOURCE is NULL and there is
 * no default source, -1 with ERR.
 */
typedef int (*groups_source_fn)(void *arg, const char *source, const char *group, char **text,
				const char **resolved, char *err, size_t errlen);

struct groups *groups_new(void);
void groups_free(struct groups *g);
void groups_set_lookup(struct groups *g, groups_lookup_fn fn, void *arg);
void groups_set_sources(struct groups *g, groups_source_fn fn, void *arg);

/* Add the groups of a flat file TEXT / genders TEXT named SRC. 0, or -1 with ERR "SRC:LINE: ...". */
int groups_parse_flat(struct groups *g, const char *text, const char *src, char *err, size_t errlen);
int groups_parse_genders(struct groups *g, const char *text, const char *src, char *err,
			 size_t errlen);

/* Add the nodes of EXPR (a node set with "@group" items and operators) to NS. 0, or -1 with ERR. */
int groups_expand(struct groups *g, struct nodeset *ns, const char *expr, char *err, size_t errlen);
/* As groups_expand, but "^FILE" and "-" read one node set per line ('#' comments). */
int groups_expand_arg(struct groups *g, struct nodeset *ns, const char *arg, char *err,
		      size_t errlen);
/* pdsh -g: QUERY is "attr[=val]" items separated by ','; adds the genders nodes matching any. */
int groups_genders(const struct groups *g, struct nodeset *ns, const char *query, char *err,
		   size_t errlen);

/* The groups known from files, in order of definition: name and source ("FILE" or "genders FILE"). */
size_t groups_count(const struct groups *g);
const char *groups_name(const struct groups *g, size_t i);
const char *groups_source(const struct groups *g, size_t i);

#endif
