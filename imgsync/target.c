/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "log.h"
#include "meter.h"
#include "shquote.h"
#include "sshx.h"
#include "target.h"
#include "xalloc.h"

void imgs_target_parse(struct imgs_target *t, const char *arg)
{
	memset(t, 0, sizeof *t);
	t->name = xstrdup(arg);
	const char *colon = strchr(arg, ':');
	const char *slash = strchr(arg, '/');
	if (colon && colon != arg && (!slash || colon < slash)) {
		t->host = xstrndup(arg, (size_t)(colon - arg));
		t->path = xstrdup(colon[1] ? colon + 1 : ".");
	} else {
		t->path = xstrdup(arg);
	}
}

void imgs_target_free(struct imgs_target *t)
{
	free(t->name);
	free(t->host);
	free(t->path);
	imgs_report_free(&t->rep);
	memset(t, 0, sizeof *t);
}

/* Start the peer: a local "imgsync --server ROLE PATH", or the same through rsh. */
static int connect_peer(struct imgs_xport *x, struct imgs_target *t, const char *role,
			const struct imgs_opts *o)
{
	if (!t->host) {
		char *argv[] = { "imgsync", "--server", (char *)role, t->path, NULL };
		return imgs_xport_spawn(x, t->name, "/proc/self/exe", argv);
	}
	char *prog = sh_quote(o->remote_imgsync), *path = sh_quote(t->path);
	char *cmd = xasprintf("%s --server %s %s", prog, role, path);
	free(prog);
	free(path);
	int rc;
	if (!o->rsh) {
		char err[512];
		rc = imgs_xport_ssh(x, t->host, &t->ssh, o->stall_timeout, cmd, err, sizeof err);
		if (rc < 0)
			t->rep.error = xstrdup(err);
		free(cmd);
		return rc;
	}
	size_t n = 0;
	while (o->rsh[n])
		n++;
	char **argv = xcalloc(n + 3, sizeof *argv);
	memcpy(argv, o->rsh, n * sizeof *argv);
	argv[n] = t->host;
	argv[n + 1] = cmd;
	rc = imgs_xport_spawn(x, t->name, NULL, argv);
	free(cmd);
	free(argv);
	return rc;
}

static int send_hello(struct imgs_xport *x, const struct imgs_opts *o)
{
	struct imgs_wbuf b = { 0 };
	uint32_t flags = o->flags | (x->zdata ? IMGS_F_COMPRESS : 0);
	imgs_enc_hello(&b, flags, o->max_delete, o->ex->pats, o->ex->n);
	int rc = imgs_xport_queue(x, &b);
	imgs_wbuf_free(&b);
	return rc;
}

/* Close X; a peer that exited badly fails the target unless it already failed. */
static int finish(struct imgs_xport *x, struct imgs_target *t, int rc)
{
	int status = imgs_xport_close(x);
	if (rc == 0 && status != 0) {
		if (WIFEXITED(status) && WEXITSTATUS(status) == 2 && t->rep.sum.errors) {
			t->failed = 1; /* per-path errors, already counted: exit 2 */
			return 0;
		}
		t->rep.error = WIFSIGNALED(status) ? xasprintf("server killed by signal %d", WTERMSIG(status))
						   : xasprintf("server exited with status %d", WEXITSTATUS(status));
		rc = -1;
	}
	if (rc < 0 && !t->rep.error)
		t->rep.error = xstrdup("failed");
	t->failed = rc < 0 || t->rep.sum.errors > 0;
	return rc;
}

/*
 * Start the server in ROLE on T and greet it. -2: no server (T failed, X is
 * not open); -1: the hello failed (T's error set, X still to finish()); 0: ready.
 */
static int start_session(struct imgs_xport *x, struct imgs_target *t, const char *role,
			 const struct imgs_opts *o)
{
	if (connect_peer(x, t, role, o) < 0) {
		if (!t->rep.error)
			t->rep.error = xasprintf("cannot start the server: %s", strerror(errno));
		t->failed = 1;
		return -2;
	}
	x->meter = o->meter;
	/* over a network, compressing once beats encrypting and sending more bytes to every node */
	x->zdata = t->host && !o->no_compress;
	int rc = send_hello(x, o);
	if (rc != 0)
		t->rep.error = xasprintf("%s", x->err);
	return rc;
}

int imgs_push(struct imgs_image *im, struct imgs_target *t, const struct imgs_opts *o)
{
	struct imgs_xport x;
	int rc = start_session(&x, t, "--receiver", o);
	if (rc == -2)
		return -1;
	if (rc == 0)
		rc = imgs_send(im, &x, &t->rep);
	return finish(&x, t, rc);
}

int imgs_pull(struct imgs_target *t, const char *dest, const struct imgs_opts *o)
{
	struct imgs_xport x;
	int rc = start_session(&x, t, "--sender", o);
	if (rc == -2)
		return -1;
	if (rc == 0)
		rc = imgs_receive(&x, dest, o->flags, o->max_delete, o->ex, &t->rep);
	return finish(&x, t, rc);
}

struct pool {
	pthread_mutex_t mu;
	size_t next, n, failed;
	struct imgs_target *t;
	struct imgs_image *im;
	const struct imgs_opts *o;
};

static void *worker(void *arg)
{
	struct pool *p = arg;
	for (;;) {
		pthread_mutex_lock(&p->mu);
		size_t i = p->next++;
		pthread_mutex_unlock(&p->mu);
		if (i >= p->n)
			return NULL;
		imgs_push(p->im, &p->t[i], p->o);
		imgs_meter_node_done(p->o->meter);
		if (p->t[i].failed) {
			pthread_mutex_lock(&p->mu);
			p->failed++;
			pthread_mutex_unlock(&p->mu);
		}
	}
}

size_t imgs_push_all(struct imgs_image *im, struct imgs_target *t, size_t n, const struct imgs_opts *o)
{
	struct pool p = { .n = n, .t = t, .im = im, .o = o };
	pthread_mutex_init(&p.mu, NULL);
	size_t nthreads = o->fanout > 0 && (size_t)o->fanout < n ? (size_t)o->fanout : n;
	pthread_t *th = xcalloc(nthreads ? nthreads : 1, sizeof *th);
	size_t started = 0;
	for (size_t i = 0; i < nthreads; i++)
		if (pthread_create(&th[i], NULL, worker, &p) == 0)
			started++;
	if (started == 0)
		worker(&p);
	for (size_t i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	free(th);
	pthread_mutex_destroy(&p.mu);
	return p.failed;
}
