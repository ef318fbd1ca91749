#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"
#include "fanout.h"
#include "log.h"
#include "sshx.h"

/*
 * lib/ssh keeps process-wide caches (ssh config, keys, known_hosts) that it
 * fills while connecting; each thread connects under this lock, one
 * non-blocking step at a time, and runs its own session freely afterwards.
 */
static pthread_mutex_t connect_mu = PTHREAD_MUTEX_INITIALIZER;

struct sshx {
	struct ssh_conn *c;
	struct ssh_exec *e;
	char *errline;      /* partial remote stderr line */
	size_t errlen;
	double stall;       /* seconds without progress before giving up; 0: never */
};

static volatile sig_atomic_t stop_signal;

static void on_stop(int sig)
{
	if (stop_signal) { /* a second one: no more waiting */
		signal(sig, SIG_DFL);
		raise(sig);
	}
	stop_signal = sig;
}

void imgs_sshx_stop_on_signals(void)
{
	struct sigaction sa = {.sa_handler = on_stop}; /* no SA_RESTART: poll() returns */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

/*
 * SIGINT/SIGTERM came, or no progress since SINCE for longer than the stall
 * timeout: cut the connection and fail (EINTR, ETIMEDOUT).
 */
static int must_stop(struct sshx *s, double since)
{
	if (stop_signal)
		errno = EINTR;
	else if (s->stall > 0 && now_monotonic() - since >= s->stall)
		errno = ETIMEDOUT;
	else
		return 0;
	ssh_conn_cut(s->c);
	return 1;
}

static void wait_ready(struct ssh_conn *c, int ms)
{
	short ev = ssh_poll_events(c);
	struct pollfd p = { ssh_fd(c), ev ? ev : POLLIN, 0 };
	poll(&p, 1, ms);
}

/* Pass remote stderr on, a line at a time, prefixed with the node name. */
static void drain_stderr(struct imgs_xport *x)
{
	struct sshx *s = x->ctx;
	char buf[4096];
	for (;;) {
		ssize_t n = ssh_exec_read(s->e, 1, buf, sizeof buf);
		if (n <= 0)
			return;
		s->errline = xrealloc(s->errline, s->errlen + (size_t)n + 1);
		memcpy(s->errline + s->errlen, buf, (size_t)n);
		s->errlen += (size_t)n;
		char *nl;
		while ((nl = memchr(s->errline, '\n', s->errlen)) != NULL) {
			node_warn(x->name, "%.*s", (int)(nl - s->errline), s->errline); /* erases a progress line */
			s->errlen -= (size_t)(nl + 1 - s->errline);
			memmove(s->errline, nl + 1, s->errlen);
		}
	}
}

static ssize_t ssh_read_hook(struct imgs_xport *x, void *buf, size_t n)
{
	struct sshx *s = x->ctx;
	double since = now_monotonic();
	for (;;) {
		drain_stderr(x);
		ssize_t r = ssh_exec_read(s->e, 0, buf, n);
		if (r >= 0)
			return r;
		if (r == SSH_ERR) {
			errno = EIO;
			return -1;
		}
		if (must_stop(s, since))
			return -1;
		if (ssh_exec_readable(s->e, 0) || ssh_exec_readable(s->e, 1))
			continue; /* the reads took data or EOF off the socket: poll() would not see it */
		wait_ready(s->c, 1000);
	}
}

static int ssh_write_hook(struct imgs_xport *x, const void *buf, size_t n)
{
	struct sshx *s = x->ctx;
	const char *p = buf;
	double since = now_monotonic();
	while (n > 0) {
		ssize_t w = ssh_exec_write(s->e, p, n);
		if (w == SSH_ERR) {
			errno = EIO;
			return -1;
		}
		if (w > 0) {
			p += w;
			n -= (size_t)w;
			since = now_monotonic();
			continue;
		}
		if (ssh_exec_eof(s->e)) {
			errno = EPIPE; /* the remote side is gone */
			return -1;
		}
		if (must_stop(s, since))
			return -1;
		drain_stderr(x);
		wait_ready(s->c, 1000);
	}
	return 0;
}

static int ssh_close_hook(struct imgs_xport *x)
{
	struct sshx *s = x->ctx;
	int status = -1;
	char *sig = NULL;
	if (s->e) {
		double end = now_monotonic() + 30;
		while (ssh_exec_send_eof(s->e) == SSH_AGAIN && now_monotonic() < end)
			wait_ready(s->c, 200);
		/* the exit status follows the remote stdout's end */
		char buf[4096];
		ssize_t n;
		while ((n = ssh_exec_read(s->e, 0, buf, sizeof buf)) != 0 && n != SSH_ERR && now_monotonic() < end) {
			drain_stderr(x);
			if (n == SSH_AGAIN)
				wait_ready(s->c, 200);
		}
		int rc;
		while ((rc = ssh_exec_wait(s->e, &status, &sig)) == SSH_AGAIN && now_monotonic() < end) {
			drain_stderr(x);
			wait_ready(s->c, 200);
		}
		if (rc != SSH_OK)
			status = -1;
		drain_stderr(x);
		ssh_exec_free(s->e);
	}
	ssh_conn_free(s->c);
	free(s->errline);
	free(s);
	x->ctx = NULL;
	int ws;
	if (sig)
		ws = SIGKILL; /* a W-status saying "killed by a signal" */
	else if (status < 0)
		ws = 255 << 8;
	else
		ws = (status & 0xff) << 8;
	free(sig);
	return ws;
}

int imgs_xport_ssh(struct imgs_xport *x, const char *name, const struct ssh_opts *opts, double stall,
		   const char *command, char *err, size_t errlen)
{
	struct sshx *s = xcalloc(1, sizeof *s);
	s->stall = stall;
	pthread_mutex_lock(&connect_mu);
	s->c = ssh_conn_new(name, opts);
	pthread_mutex_unlock(&connect_mu);
	int ct = ssh_conn_connect_timeout(s->c);
	double deadline = now_monotonic() + (ct > 0 ? ct : 10);
	int rc;
	for (;;) {
		pthread_mutex_lock(&connect_mu);
		rc = ssh_connect(s->c);
		pthread_mutex_unlock(&connect_mu);
		if (rc != SSH_AGAIN)
			break;
		if (now_monotonic() > deadline) {
			snprintf(err, errlen, "connect timed out after %d s", ct > 0 ? ct : 10);
			goto fail;
		}
		wait_ready(s->c, 200);
	}
	if (rc != SSH_OK) {
		snprintf(err, errlen, "%s", ssh_error(s->c));
		goto fail;
	}
	s->e = ssh_exec_new(s->c, command);
	double since = now_monotonic();
	while ((rc = ssh_exec_start(s->e)) == SSH_AGAIN) {
		if (must_stop(s, since)) { /* a node frozen before its server starts: -u and signals still apply */
			snprintf(err, errlen, "starting the server: %s", strerror(errno));
			goto fail;
		}
		wait_ready(s->c, 1000);
	}
	if (rc != SSH_OK) {
		snprintf(err, errlen, "%s", ssh_error(s->c));
		goto fail;
	}
	imgs_xport_init_fds(x, name, -1, -1);
	x->ctx = s;
	x->read = ssh_read_hook;
	x->write = ssh_write_hook;
	x->close = ssh_close_hook;
	return 0;
fail:
	if (s->e)
		ssh_exec_free(s->e);
	ssh_conn_free(s->c);
	free(s);
	return -1;
}
