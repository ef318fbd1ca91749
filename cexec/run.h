/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * run — one cexec run: the fanout exec task wired to an output writer, with
 * gateways of indirect clusters expanded into the nodes they report. Keeps
 * every node's ending (direct and forwarded) for the exit status, --failed
 * and the closing summary.
 */
#ifndef CEXEC_RUN_H
#define CEXEC_RUN_H

#include <stddef.h>

#include "fanout.h"
#include "output.h"

struct cexec_run_opts {
	enum out_format format;
	const char *command;          /* the command line for direct nodes */
	const char *stdin_buf;        /* --stdin bytes or NULL */
	size_t stdin_len;
	struct fanout_opts fanout;
};

struct cexec_results {
	struct fanout_node *all;      /* direct nodes then forwarded ones (shallow, see names) */
	size_t n;
	char **names;                 /* names owned by the results (forwarded nodes) */
	size_t nnames;
	int interrupted;
};

/*
 * Run on NODES (fanout nodes; a node with ->command set is a gateway whose
 * stdout is the JSON of a remote cexec). Fills RES.
 */
void cexec_run(struct fanout_node *nodes, size_t n, const struct cexec_run_opts *o,
	       struct cexec_results *res);
void cexec_results_free(struct cexec_results *res);

#endif
