/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * target — one destination (or, when pulling, one source) of a run: how to
 * reach its imgsync peer (a forked local server, or a remote
 * "imgsync --server" started through ssh or --rsh), and the run against it.
 * Pushing to many nodes runs one target per thread over one shared image.
 */
#ifndef IMGSYNC_TARGET_H
#define IMGSYNC_TARGET_H

#include "excl.h"
#include "ssh.h"
#include "receiver.h"
#include "sender.h"

struct imgs_opts {
	uint32_t flags;
	uint64_t max_delete;          /* --max-delete N, with IMGS_F_MAX_DELETE in flags */
	const struct exclude *ex;   /* all go to the peer (it has the built-ins already) */
	char **rsh;                   /* argv prefix to reach a host (NULL: lib/ssh) */
	const char *remote_imgsync;   /* the program to run on the host */
	int fanout;
	double stall_timeout;         /* -u: a node without progress this long fails; 0: wait */
	int no_compress;              /* --no-compress: DATA to and from hosts goes as it is */
	struct imgs_meter *meter;     /* progress line on a terminal, or NULL */
};

struct imgs_target {
	char *name;       /* node name or the destination as given */
	char *host;       /* NULL: local */
	char *path;
	struct ssh_opts ssh;  /* how lib/ssh reaches host (strings borrowed) */
	struct imgs_report rep;
	int failed;
};

/* Split "HOST:PATH" (a ':' before any '/'), else a local path. */
void imgs_target_parse(struct imgs_target *t, const char *arg);
void imgs_target_free(struct imgs_target *t);

/* Push IM to T. 0, or -1 (t->rep.error says why). */
int imgs_push(struct imgs_image *im, struct imgs_target *t, const struct imgs_opts *o);
/* Push IM to every target, at most o->fanout at once. Number of failed targets. */
size_t imgs_push_all(struct imgs_image *im, struct imgs_target *t, size_t n, const struct imgs_opts *o);
/* Pull T (remote source) into the local DEST. 0 or -1. */
int imgs_pull(struct imgs_target *t, const char *dest, const struct imgs_opts *o);

#endif
