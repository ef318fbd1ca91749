/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sshexec — one command on one node over lib/ssh, driven blocking from the
 * calling thread: connect within the connect timeout, start the command,
 * read its stdout and write its stdin, waiting in poll() whenever libssh2
 * would block, and pass its stderr on line by line as "TOOL: NODE: line"
 * (log.h's node_warn). For tools that give each node a thread or run just
 * one (imgsync's transport, mkchroot's golden copy); fanout.h drives many
 * nodes from one poll loop instead.
 *
 * A wait fails when the command makes no progress for IDLE seconds
 * (ETIMEDOUT) or when *STOP turns nonzero (EINTR, for a signal handler);
 * the connection is then cut, so that closing it cannot block.
 * Connection steps are serialised across threads (lib/ssh fills its
 * process-wide caches while connecting); sessions then run freely.
 */
#ifndef CT_SSHEXEC_H
#define CT_SSHEXEC_H

#include <signal.h>
#include <stddef.h>
#include <sys/types.h>

#include "bytebuf.h"
#include "ssh.h"

struct sshexec {
	/* set by the caller before sshexec_start (zero: no limit) */
	double idle;                        /* seconds without progress before a wait fails */
	const volatile sig_atomic_t *stop;  /* nonzero: every wait fails */
	/* state */
	char *node;
	struct ssh_conn *c;
	struct ssh_exec *e;
	struct bytebuf errline;  /* the remote stderr's unfinished line */
	char err[512];           /* why the last call failed */
};

/*
 * Connect to NODE with O (connect timeout: ~/.ssh/config's ConnectTimeout,
 * else o->connect_timeout, else 10 s) and start COMMAND. 0, or -1 with
 * x->err and errno (X is then finished: nothing to free).
 */
int sshexec_start(struct sshexec *x, const char *node, const struct ssh_opts *o, const char *command);
/* Read the command's stdout: bytes (>0), 0 at its end, -1 with errno and x->err. */
ssize_t sshexec_read(struct sshexec *x, void *buf, size_t n);
/* Write all N bytes to its stdin: 0, or -1 with errno (EPIPE: the command is gone) and x->err. */
int sshexec_write(struct sshexec *x, const void *buf, size_t n);
/*
 * Close its stdin, read what is left of its stdout, wait for its exit, at
 * most GRACE seconds in all, and free X's state. 0 with *STATUS (the exit
 * status, -1 when killed) and *SIG (the signal name without "SIG",
 * malloced, or NULL); -1 with x->err when the exit was not learnt.
 */
int sshexec_finish(struct sshexec *x, double grace, int *status, char **sig);

#endif
