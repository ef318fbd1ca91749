/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sshexec — a blocking ssh command with its stderr relayed (see sshexec.h).
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "log.h"
#include "sshexec.h"
#include "xalloc.h"

static pthread_mutex_t connect_mu = PTHREAD_MUTEX_INITIALIZER;

/* Fail X's current step: errno E, x->err "WHAT: reason", the connection cut. -1. */
static int fail(struct sshexec *x, int e, const char *what)
{
	snprintf(x->err, sizeof x->err, "%s: %s", what, e == ETIMEDOUT ? "timed out" : strerror(e));
	ssh_conn_cut(x->c);
	errno = e;
	return -1;
}

/*
 * Wait (a second at most) for the socket, unless the stop flag is up or
 * nothing moved since SINCE for longer than the idle timeout. 0, or -1.
 */
static int wait_socket(struct sshexec *x, double since, double idle, const char *what)
{
	if (x->stop && *x->stop)
		return fail(x, EINTR, what);
	if (idle > 0 && now_monotonic() - since >= idle)
		return fail(x, ETIMEDOUT, what);
	short ev = ssh_poll_events(x->c);
	struct pollfd p = { ssh_fd(x->c), ev ? ev : POLLIN, 0 };
	poll(&p, 1, 1000);
	return 0;
}

/* Pass the remote stderr on, a line at a time, prefixed with the node name. */
static void relay_stderr(struct sshexec *x)
{
	char buf[4096];
	ssize_t n;
	while ((n = ssh_exec_read(x->e, 1, buf, sizeof buf)) > 0) {
		bytebuf_add(&x->errline, buf, (size_t)n);
		char *nl;
		while ((nl = memchr(x->errline.p, '\n', x->errline.len)) != NULL) {
			node_warn(x->node, "%.*s", (int)(nl - x->errline.p), x->errline.p);
			x->errline.len -= (size_t)(nl + 1 - x->errline.p);
			memmove(x->errline.p, nl + 1, x->errline.len + 1);
		}
	}
}

static void release(struct sshexec *x)
{
	if (x->errline.len) /* a last line without its newline */
		node_warn(x->node, "%s", x->errline.p);
	ssh_exec_free(x->e);
	ssh_conn_free(x->c);
	bytebuf_free(&x->errline);
	free(x->node);
	x->e = NULL;
	x->c = NULL;
	x->node = NULL;
}

static int connect_node(struct sshexec *x)
{
	int ct = ssh_conn_connect_timeout(x->c);
	double start = now_monotonic();
	int rc;
	if (ct <= 0)
		ct = 10;
	for (;;) {
		pthread_mutex_lock(&connect_mu);
		rc = ssh_connect(x->c);
		pthread_mutex_unlock(&connect_mu);
		if (rc != SSH_AGAIN)
			break;
		if (wait_socket(x, start, ct, "connect") < 0) {
			if (errno == ETIMEDOUT) /* worded as the fan-out tools say it */
				snprintf(x->err, sizeof x->err, "connect timed out after %d s", ct);
			return -1;
		}
	}
	if (rc != SSH_OK) {
		snprintf(x->err, sizeof x->err, "%s", ssh_error(x->c));
		errno = EIO;
		return -1;
	}
	return 0;
}

int sshexec_start(struct sshexec *x, const char *node, const struct ssh_opts *o, const char *command)
{
	x->node = xstrdup(node);
	x->err[0] = '\0';
	pthread_mutex_lock(&connect_mu);
	x->c = ssh_conn_new(node, o);
	pthread_mutex_unlock(&connect_mu);
	int rc = connect_node(x);
	if (rc == 0) {
		x->e = ssh_exec_new(x->c, command);
		double since = now_monotonic();
		while ((rc = ssh_exec_start(x->e)) == SSH_AGAIN)
			if (wait_socket(x, since, x->idle, "exec") < 0)
				break;
		if (rc == SSH_ERR) {
			snprintf(x->err, sizeof x->err, "%s", ssh_error(x->c));
			errno = EIO;
		}
	}
	if (rc != 0) {
		int e = errno;
		release(x);
		errno = e;
		return -1;
	}
	return 0;
}

ssize_t sshexec_read(struct sshexec *x, void *buf, size_t n)
{
	double since = now_monotonic();
	for (;;) {
		relay_stderr(x);
		ssize_t r = ssh_exec_read(x->e, 0, buf, n);
		if (r >= 0)
			return r;
		if (r == SSH_ERR) {
			snprintf(x->err, sizeof x->err, "read: %s", ssh_error(x->c));
			errno = EIO;
			return -1;
		}
		if (ssh_exec_readable(x->e, 0) || ssh_exec_readable(x->e, 1))
			continue; /* the reads took data or EOF off the socket: poll() would not see it */
		if (wait_socket(x, since, x->idle, "read") < 0)
			return -1;
	}
}

int sshexec_write(struct sshexec *x, const void *buf, size_t n)
{
	const char *p = buf;
	double since = now_monotonic();
	while (n > 0) {
		ssize_t w = ssh_exec_write(x->e, p, n);
		if (w == SSH_ERR) {
			snprintf(x->err, sizeof x->err, "write: %s", ssh_error(x->c));
			errno = EIO;
			return -1;
		}
		if (w > 0) {
			p += w;
			n -= (size_t)w;
			since = now_monotonic();
			continue;
		}
		if (ssh_exec_eof(x->e)) {
			snprintf(x->err, sizeof x->err, "write: %s", strerror(EPIPE));
			errno = EPIPE; /* the remote side is gone */
			return -1;
		}
		relay_stderr(x);
		if (wait_socket(x, since, x->idle, "write") < 0)
			return -1;
	}
	return 0;
}

int sshexec_finish(struct sshexec *x, double grace, int *status, char **sig)
{
	double start = now_monotonic();
	int rc;
	*status = -1;
	*sig = NULL;
	while ((rc = ssh_exec_send_eof(x->e)) == SSH_AGAIN)
		if (wait_socket(x, start, grace, "close") < 0)
			goto out;
	/* the exit status follows the end of the remote stdout */
	char buf[4096];
	ssize_t n;
	while ((n = ssh_exec_read(x->e, 0, buf, sizeof buf)) != 0 && n != SSH_ERR) {
		relay_stderr(x);
		if (n == SSH_AGAIN && !ssh_exec_readable(x->e, 0) && wait_socket(x, start, grace, "close") < 0)
			goto out;
	}
	while ((rc = ssh_exec_wait(x->e, status, sig)) == SSH_AGAIN) {
		relay_stderr(x);
		if (wait_socket(x, start, grace, "exit status") < 0)
			goto out;
	}
	relay_stderr(x);
	if (rc != SSH_OK)
		snprintf(x->err, sizeof x->err, "exit status: %s", ssh_error(x->c));
out:
	release(x);
	return rc == SSH_OK ? 0 : -1;
}
