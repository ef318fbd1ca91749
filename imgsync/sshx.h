/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sshx — an imgsync transport over lib/ssh: connect (with the connect
 * timeout, known_hosts policy, agent or key authentication, ~/.ssh/config),
 * run "imgsync --server ..." on an exec channel, and present its stdin and
 * stdout as the xport byte stream. Each transport is driven by the one
 * thread that owns it, waiting in poll() whenever libssh2 would block; the
 * remote stderr is passed on with the node's name.
 */
#ifndef IMGSYNC_SSHX_H
#define IMGSYNC_SSHX_H

#include "ssh.h"
#include "xport.h"

/*
 * Connect to NAME with OPTS and start COMMAND. 0, or -1 with ERR. With STALL
 * > 0, a read or write that makes no progress for STALL seconds fails with
 * ETIMEDOUT and cuts the connection (a frozen node cannot hold the run).
 */
int imgs_xport_ssh(struct imgs_xport *x, const char *name, const struct ssh_opts *opts, double stall,
		   const char *command, char *err, size_t errlen);
/*
 * From now on SIGINT or SIGTERM makes every ssh transport fail at its next
 * wait (EINTR), so each node is reported and the run ends; a second one
 * kills the process.
 */
void imgs_sshx_stop_on_signals(void);

#endif
