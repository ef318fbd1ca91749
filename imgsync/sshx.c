/* SPDX-License-Identifier: BSD-3-Clause */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include "log.h"
#include "sshexec.h"
#include "sshx.h"
#include "xalloc.h"

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

static ssize_t ssh_read_hook(struct imgs_xport *x, void *buf, size_t n)
{
	return sshexec_read(x->ctx, buf, n);
}

static int ssh_write_hook(struct imgs_xport *x, const void *buf, size_t n)
{
	return sshexec_write(x->ctx, buf, n);
}

/* The remote server's end as a wait status (xport's close hook). */
static int ssh_close_hook(struct imgs_xport *x)
{
	struct sshexec *s = x->ctx;
	int status;
	char *sig;
	if (sshexec_finish(s, 30, &status, &sig) < 0)
		status = -1;
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
	struct sshexec *s = xcalloc(1, sizeof *s);
	s->idle = stall;
	s->stop = &stop_signal;
	if (sshexec_start(s, name, opts, command) < 0) {
		snprintf(err, errlen, "%s", s->err);
		free(s);
		return -1;
	}
	imgs_xport_init_fds(x, name, -1, -1);
	x->ctx = s;
	x->read = ssh_read_hook;
	x->write = ssh_write_hook;
	x->close = ssh_close_hook;
	return 0;
}
