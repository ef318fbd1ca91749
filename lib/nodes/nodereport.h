/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nodereport — how a node tool's run ended, on stderr: the nodes that did not
 * succeed, grouped by what happened and folded as clush does, one line per
 * outcome (groups in the order of their first node), then a count:
 *
 *   cexec: node[03,07]: exited with exit code 3
 *   cexec: node05: killed by signal 9 (KILL)
 *   cexec: node[02-04]: timed out after 5 s: command killed
 *   cexec: 8 nodes: 2 ok, 6 failed
 *
 * The failure lines are always printed (-q drops summaries, never errors);
 * the count line when a node failed, or on a terminal with
 * NODEREPORT_TTY_COUNT, and never at log verbosity LOG_QUIET (-q).
 */
#ifndef CT_NODEREPORT_H
#define CT_NODEREPORT_H

#include <stddef.h>

#include "fanout.h"

enum {
	NODEREPORT_EXITS = 1,     /* a non-zero remote exit or a signal is a failure (cexec) */
	NODEREPORT_TTY_COUNT = 2, /* the count line also when all went well, if stderr is a terminal */
};

/* How ND ended, as a report line says it; NULL if it went well. Caller frees. */
char *nodereport_outcome(const struct fanout_node *nd, int flags);
/* The failure lines and the count line for NODES. Returns the number of nodes that failed. */
size_t nodereport_print(const struct fanout_node *nodes, size_t n, int flags);

#endif
