/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sshproxy — the transport of a connection whose ssh_config sets ProxyJump
 * or ProxyCommand, for ssh.c: a socket whose other end reaches the node's
 * host and port, polled like a TCP socket. See sshproxy.c for how.
 */
#ifndef CT_SSHPROXY_H
#define CT_SSHPROXY_H

#include "ssh_internal.h"

struct sshproxy;

/* The transport of C (C->proxy_jump or C->proxy_command set): SSH_OK with C->fd set, or C failed. */
int sshproxy_open(struct ssh_conn *c);
/* Why P's transport broke, "" if it did not. */
const char *sshproxy_error(struct sshproxy *p);
/* At ssh_conn_free. */
void sshproxy_close(struct sshproxy *p);
/* Stop the jump threads (at exit, before libssh2_exit). */
void sshproxy_shutdown(void);

#endif
