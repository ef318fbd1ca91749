/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * recv — cget's fanout task: fetch SOURCE (a file, or with -r a directory
 * tree) from every node over SFTP into TARGET-DIR under the node's own name
 * (name.h). Every remote name is checked before use and every local file is
 * created relative to TARGET-DIR's descriptor with openat2
 * RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS (fsutil), written to a temporary name
 * and renamed into place, so nothing a node sends can land outside
 * TARGET-DIR or appear half-written. Remote symlinks are recreated as
 * symlinks (never followed) when their text stays inside the node's tree;
 * absolute or escaping ones are skipped with a warning.
 */
#ifndef CGET_RECV_H
#define CGET_RECV_H

#include <stddef.h>
#include <stdint.h>

#include "fanout.h"

struct cgrecv_stats {
	unsigned long files, dirs, links, skipped, errors;
	uint64_t bytes;
};

struct cgrecv_opts {
	const char *source;  /* remote path */
	int recursive;       /* -r */
	int layout_dir;      /* --layout dir */
	int use_cluster;     /* names carry the C3 cluster */
	int targetfd;        /* TARGET-DIR, open O_DIRECTORY */
	size_t bufsize;      /* bytes asked of one libssh2_sftp_read (pipelined) */
	void (*done)(struct fanout_node *n, const struct cgrecv_stats *st, void *arg);
	void *arg;
};

struct cgrecv;

/* A task for NNODES nodes; on a terminal it draws a progress line (lib/progress) unless -q. */
struct cgrecv *cgrecv_new(const struct cgrecv_opts *opts, size_t nnodes);
void cgrecv_task(struct cgrecv *r, struct fanout_task *task);
void cgrecv_free(struct cgrecv *r);

#endif
