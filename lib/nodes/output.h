/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * output — how per-node results reach the user: one writer interface, one
 * writer per format behind it, so every tool gets every format.
 *
 *   OUT_C3      C3 blocks: "************************* NAME *************************"
 *               per cluster, "--------- NODE---------" per node, then its
 *               stdout; nodes printed in node order as soon as all nodes
 *               before them are done. Remote stderr goes to local stderr,
 *               each line prefixed "NODE: ".
 *   OUT_PIPE    lines as they arrive, "NODE: line" ("CLUSTER NODE: line" for
 *               C3 selections); stderr lines to stderr the same way.
 *   OUT_GATHER  at the end, nodes with identical stdout, status and error
 *               folded under one node list (dshbak -c).
 *   OUT_JSON    one JSON object per node per line, in node order: node,
 *               cluster, exit, signal, error, stdout, stderr, seconds.
 *
 * The writer buffers what it must; out_chunk() feeds output as it arrives,
 * out_done() closes a node, out_finish() flushes everything.
 */
#ifndef CT_OUTPUT_H
#define CT_OUTPUT_H

#include <stddef.h>
#include <stdio.h>

enum out_format { OUT_C3 = 0, OUT_PIPE, OUT_GATHER, OUT_JSON };

struct out_node {
	const char *name;
	const char *cluster;   /* NULL with -w */
};

/* How a node ended. */
struct out_status {
	int exit;              /* remote exit status, -1 if none */
	const char *signal;    /* remote signal name or NULL */
	const char *error;     /* local error (connect, timeout ...) or NULL */
	double seconds;
};

struct out_writer;

/*
 * A writer for NODES (copied; index i is node i) printing results to OUT and
 * diagnostics/remote stderr to ERR.
 */
struct out_writer *out_new(enum out_format fmt, const struct out_node *nodes, size_t n, FILE *out,
			   FILE *err);
/* Add a node after the others (results forwarded by an indirect cluster's gateway). Its index. */
size_t out_add_node(struct out_writer *w, const struct out_node *node);
/* Node I is a placeholder (a gateway) that prints nothing itself. */
void out_hide(struct out_writer *w, size_t i);
/* Output of node I: stream 0 stdout, 1 stderr. */
void out_chunk(struct out_writer *w, size_t i, int stream, const char *buf, size_t len);
/* Node I finished. */
void out_done(struct out_writer *w, size_t i, const struct out_status *st);
/* Print whatever is still buffered (nodes never done are shown as not run). */
void out_finish(struct out_writer *w);
void out_free(struct out_writer *w);

/* "c3", "pipe", "gather", "json" -> format, -1 if unknown. */
int out_format_parse(const char *s);

#endif
