/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * clushyaml — the YAML group files of ClusterShell's autodir
 * (/etc/clustershell/groups.d, its .yaml files), read with libyaml:
 *
 *   source:                      # one mapping per group source
 *       group: 'node[1-4]'       # a node set (may use @group, @other:group)
 *       other:                   # or a list of node sets, joined with ','
 *           - 'node5'
 *           - 'node[6-7]'
 *
 * Anything else (a top level that is not a mapping, a source that is not a
 * mapping of groups, a value that is not text or a list of text) is an error
 * naming FILE:LINE. Parsing takes bytes and does no I/O.
 */
#ifndef CT_CLUSHYAML_H
#define CT_CLUSHYAML_H

#include <stddef.h>

/* Called for each group in file order; LINE is where its value starts. */
typedef void (*clushyaml_fn)(void *arg, const char *source, const char *group, const char *nodes, int line);

/* 0, or -1 with ERR "FILE:LINE: ...". */
int clushyaml_parse(const char *text, size_t len, const char *file, clushyaml_fn fn, void *arg, char *err,
		    size_t errlen);

#endif
