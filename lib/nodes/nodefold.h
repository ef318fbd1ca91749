/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nodefold — names back into a host list, the same text as ClusterShell's
 * "nodeset -f": "node[01-05,07],login1". The inverse of nodeset_expand
 * (nodeset.h); how it folds is told in nodefold.c.
 */
#ifndef CT_NODEFOLD_H
#define CT_NODEFOLD_H

#include <stddef.h>

/* Fold NAMES into a host list such as "node[01-05,07],login1". Caller frees. */
char *nodeset_fold(char *const *names, size_t n);

#endif
