/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * send — cpush's fanout task: play one plan (plan.h) against every node over
 * SFTP. Each source file is mapped once and every node's SFTP write pipeline
 * reads from that one mapping, so a file is read from disk once however many
 * nodes receive it. A file is written to ".cpush.NAME.PID.tmp" beside its
 * target, given its mode and mtime, then renamed into place (the old target
 * is removed first when the server's rename refuses to replace it), so a cut
 * transfer never leaves a partial file at the target path. Per-path failures
 * are reported as "cpush: NODE: PATH: message" and the node counts as failed.
 */
#ifndef CPUSH_SEND_H
#define CPUSH_SEND_H

#include <stddef.h>
#include <stdint.h>

#include "fanout.h"
#include "plan.h"

struct cpsend_stats {
	unsigned long sent, skipped, deleted, errors;
	uint64_t bytes;
};

struct cpsend_opts {
	int blind;       /* -b: send even unchanged files */
	int delete;      /* -d: remove extraneous names in recursed directories */
	size_t chunk;    /* bytes handed to one libssh2_sftp_write (pipelined) */
	/* called when a node finishes (after fanout's own bookkeeping) */
	void (*done)(struct fanout_node *n, const struct cpsend_stats *st, void *arg);
	void *arg;
};

struct cpsend;

/*
 * A task sending PLAN (finished) to NNODES nodes. On a terminal it draws a
 * progress line (lib/progress: bytes and files of the plan times the nodes,
 * an unchanged file counting as done) unless -q.
 */
struct cpsend *cpsend_new(struct cpplan *plan, size_t nnodes, const struct cpsend_opts *opts);
void cpsend_task(struct cpsend *s, struct fanout_task *task);
void cpsend_free(struct cpsend *s);

#endif
