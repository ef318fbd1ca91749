/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sshconn — what every part of lib/ssh does to a connection's shared state
 * (ssh_internal.h): fail it with a message, read libssh2's last error, and
 * the lock over the process-wide caches. Here, not in ssh.c, so that the
 * host key check, the channels and SFTP need nothing of ssh.c.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>

#include "ssh_internal.h"

pthread_mutex_t ssh_cache_lock = PTHREAD_MUTEX_INITIALIZER;

int ssh_rc(int rc)
{
	if (rc == LIBSSH2_ERROR_EAGAIN)
		return SSH_AGAIN;
	return rc < 0 ? SSH_ERR : SSH_OK;
}

const char *ssh_last_error(struct ssh_conn *c)
{
	char *msg = NULL;
	if (!c->sess)
		return "no session";
	libssh2_session_last_error(c->sess, &msg, NULL, 0);
	return msg && *msg ? msg : "unknown libssh2 error";
}

int ssh_fail(struct ssh_conn *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->err, sizeof c->err, fmt, ap);
	va_end(ap);
	c->st = ST_FAILED;
	return SSH_ERR;
}
