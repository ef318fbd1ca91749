/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ssh_internal — what the parts of lib/ssh share, for them alone (callers
 * use ssh.h): the connection's state, its error setter and the lock over the
 * process-wide caches (sshconn.c). ssh.c connects and authenticates,
 * sshhostkey.c checks host keys against known_hosts (sshhostkey.h),
 * sshproxy.c gives the transport through a jump host or a command
 * (sshproxy.h), sshchan.c drives exec channels, sshsftp.c starts SFTP.
 * Each of them needs only this header and sshconn.c, not ssh.c; sshproxy.c
 * also opens its jump hosts' connections through ssh.h, as any caller does.
 */
#ifndef CT_SSH_INTERNAL_H
#define CT_SSH_INTERNAL_H

#include <netdb.h>
#include <pthread.h>

#include "ssh.h"

enum conn_state { ST_INIT, ST_TCP, ST_HANDSHAKE, ST_AUTH, ST_READY, ST_FAILED };

struct ssh_conn {
	char *node, *host, *user, *identity, *known_hosts, *global_known_hosts;
	char *proxy_jump, *proxy_command;  /* NULL: direct TCP */
	struct sshproxy *proxy;            /* the transport when one of them is set */
	struct ssh_opts base;              /* for the jump hosts: identity, policy, timeout (strings not owned) */
	int port, connect_timeout;
	enum ssh_hostkey_policy policy;
	enum conn_state st;
	int fd;
	struct addrinfo *ai, *ai_next;
	LIBSSH2_SESSION *sess;
	LIBSSH2_AGENT *agent;
	struct libssh2_agent_publickey *agent_id;
	int auth_step;       /* index into the key list being tried */
	int agent_done;
	char err[512];
};

/* Guards the caches of ssh.c (config, keys) and sshhostkey.c (known_hosts). */
extern pthread_mutex_t ssh_cache_lock;

/* Set C's error from FMT and fail it: SSH_ERR. */
int ssh_fail(struct ssh_conn *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
