/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fanout — the event loop: up to N non-blocking SSH connections at once in
 * one poll(), per-node connect and task deadlines, Ctrl-C status/abort, and
 * the ready-made "run one command" task. See fanout.h.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "fanout.h"
#include "log.h"
#include "nodefold.h"
#include "xalloc.h"

#define ABORT_GRACE 3.0 /* seconds a task may still talk after abort() */
/*
 * Seconds a round of steps may spend moving data for peers that keep up.
 * Long runs on one node beat many short ones where the head and the nodes
 * share the CPUs (loopback: a 32-node push took 6.3 s instead of 7.1 s with
 * steps of 8 writes); on a network the socket says EAGAIN long before.
 */
#define ROUND_SLICE 0.2

static volatile sig_atomic_t sigint_count, sigterm_seen;
static int stopped_by;
static double round_end;            /* this round's slice ends (now_monotonic) */
static sig_atomic_t round_sigints;  /* sigint_count when the round began */

static void on_sigint(int sig)
{
	(void)sig;
	sigint_count++;
}

static void on_sigterm(int sig)
{
	(void)sig;
	sigterm_seen = 1;
}

int fanout_stop_signal(void) { return stopped_by; }

int fanout_should_yield(void)
{
	return sigterm_seen || sigint_count != round_sigints || now_monotonic() > round_end;
}

struct loop {
	struct fanout_node *nodes;
	size_t n, next;
	size_t *active;       /* indexes of nodes connecting or running */
	size_t nactive;
	char *aborting;       /* per node: abort() was called */
	char *more;           /* per node: step() returned FANOUT_STEP_MORE */
	const struct fanout_opts *o;
	const struct fanout_task *task;
	double connect_timeout;
};

static void finish(struct loop *l, size_t slot, enum fanout_state st)
{
	struct fanout_node *nd = &l->nodes[l->active[slot]];
	nd->state = st;
	nd->seconds += now_monotonic() - nd->t_start;
	if (st == FANOUT_TIMEDOUT)
		ssh_conn_cut(nd->conn); /* a silent peer must not stall the task's cleanup */
	if (st == FANOUT_FAILED && !nd->error)
		nd->error = xstrdup(nd->conn && *ssh_error(nd->conn) ? ssh_error(nd->conn) : "failed");
	if (l->task->done)
		l->task->done(nd, l->task->ctx);
	if (l->task->cleanup)
		l->task->cleanup(nd, l->task->ctx);
	ssh_conn_free(nd->conn);
	nd->conn = NULL;
	l->active[slot] = l->active[--l->nactive];
}

static void set_error(struct fanout_node *nd, const char *msg)
{
	free(nd->error);
	nd->error = xstrdup(msg);
}

/* Drive one node as far as it goes. Returns 1 if it finished (slot reused). */
static int advance(struct loop *l, size_t slot)
{
	struct fanout_node *nd = &l->nodes[l->active[slot]];
	if (nd->state == FANOUT_CONNECTING) {
		int rc = ssh_connect(nd->conn);
		if (rc == SSH_AGAIN)
			return 0;
		if (rc == SSH_ERR) {
			set_error(nd, ssh_error(nd->conn));
			finish(l, slot, FANOUT_FAILED);
			return 1;
		}
		nd->state = FANOUT_RUNNING;
		nd->t_deadline = l->o->timeout > 0 ? now_monotonic() + l->o->timeout : 0;
	}
	int rc = l->task->step(nd, nd->conn, l->task->ctx);
	l->more[nd->index] = rc == FANOUT_STEP_MORE;
	if (rc == FANOUT_STEP_AGAIN || rc == FANOUT_STEP_MORE)
		return 0;
	if (l->aborting[nd->index])
		finish(l, slot, nd->error && !strcmp(nd->error, "interrupted") ? FANOUT_FAILED : FANOUT_TIMEDOUT);
	else
		finish(l, slot, rc == FANOUT_STEP_DONE ? FANOUT_OK : FANOUT_FAILED);
	return 1;
}

/* Is there a node left to start? Those an earlier run finished (not FANOUT_PENDING) are passed over. */
static int more_to_start(struct loop *l)
{
	while (l->next < l->n && l->nodes[l->next].state != FANOUT_PENDING)
		l->next++;
	return l->next < l->n;
}

static void start_node(struct loop *l)
{
	struct fanout_node *nd = &l->nodes[l->next];
	nd->index = l->next++;
	nd->exit_status = -1;
	nd->state = FANOUT_CONNECTING;
	nd->conn = ssh_conn_new(nd->name, &nd->ssh);
	nd->t_start = now_monotonic();
	int ct = ssh_conn_connect_timeout(nd->conn);
	nd->t_deadline = nd->t_start + (ct > 0 && !nd->ssh.connect_timeout ? ct : l->connect_timeout);
	l->active[l->nactive++] = nd->index;
	advance(l, l->nactive - 1);
}

static void abort_node(struct loop *l, size_t slot, const char *why)
{
	struct fanout_node *nd = &l->nodes[l->active[slot]];
	set_error(nd, why);
	if (nd->state == FANOUT_CONNECTING || !l->task->abort) {
		finish(l, slot, !strcmp(why, "interrupted") ? FANOUT_FAILED : FANOUT_TIMEDOUT);
		return;
	}
	l->aborting[nd->index] = 1;
	nd->t_deadline = now_monotonic() + ABORT_GRACE;
	l->task->abort(nd, nd->conn, l->task->ctx);
	advance(l, slot);
}

/* An aborted node did not end within the grace: dropped, and its report says so. */
static void grace_over(struct loop *l, size_t slot)
{
	struct fanout_node *nd = &l->nodes[l->active[slot]];
	int interrupted = nd->error && !strcmp(nd->error, "interrupted");
	char *msg = xasprintf("%s; no answer within %g s of the abort: connection dropped",
			      nd->error ? nd->error : "aborted", ABORT_GRACE);
	set_error(nd, msg);
	free(msg);
	finish(l, slot, interrupted ? FANOUT_FAILED : FANOUT_TIMEDOUT);
}

/* Deadlines: connect timeout, command timeout, end of the abort grace. */
static void check_deadlines(struct loop *l, double now)
{
	for (size_t s = 0; s < l->nactive;) {
		struct fanout_node *nd = &l->nodes[l->active[s]];
		if (!nd->t_deadline || now < nd->t_deadline) {
			s++;
			continue;
		}
		size_t before = l->nactive;
		if (l->aborting[nd->index])
			grace_over(l, s);
		else if (nd->state == FANOUT_CONNECTING) {
			char msg[128];
			snprintf(msg, sizeof msg, "connect timed out after %g s", nd->t_deadline - nd->t_start);
			set_error(nd, msg);
			finish(l, s, FANOUT_TIMEDOUT);
		} else {
			char msg[128];
			snprintf(msg, sizeof msg, "timed out after %g s: command killed", l->o->timeout);
			abort_node(l, s, msg);
		}
		if (l->nactive == before)
			s++;
	}
}

static void print_running(struct loop *l)
{
	char **names = xcalloc(l->nactive + 1, sizeof *names);
	for (size_t s = 0; s < l->nactive; s++)
		names[s] = (char *)l->nodes[l->active[s]].name;
	char *folded = nodeset_fold(names, l->nactive);
	size_t waiting = 0;
	for (size_t i = l->next; i < l->n; i++)
		waiting += l->nodes[i].state == FANOUT_PENDING;
	warnmsg("%zu node%s still running: %s; %zu not started (Ctrl-C again within 1 s to abort)",
		l->nactive, l->nactive == 1 ? "" : "s", folded, waiting);
	free(folded);
	free(names);
}

/* Kill what runs (the loop goes on until they are done or the grace ends), start nothing more. */
static void abort_all(struct loop *l)
{
	for (size_t s = l->nactive; s-- > 0;)
		if (!l->aborting[l->active[s]])
			abort_node(l, s, "interrupted");
	for (; more_to_start(l); l->next++) {
		struct fanout_node *nd = &l->nodes[l->next];
		nd->index = l->next;
		nd->state = FANOUT_FAILED;
		nd->exit_status = -1;
		set_error(nd, "not run (interrupted)");
		if (l->task->done)
			l->task->done(nd, l->task->ctx);
	}
}

/* Returns 1 when the run must stop. */
static int handle_sigint(struct loop *l, sig_atomic_t *seen, double *last)
{
	if (sigint_count == *seen)
		return 0;
	*seen = sigint_count;
	double now = now_monotonic();
	if (*last > 0 && now - *last <= 1.0) {
		abort_all(l);
		stopped_by = SIGINT;
		return 1;
	}
	*last = now;
	print_running(l);
	return 0;
}

/* SIGTERM: stop at once, like a second Ctrl-C. Returns 1 when it came. */
static int handle_sigterm(struct loop *l)
{
	if (!sigterm_seen || stopped_by == SIGTERM)
		return 0;
	abort_all(l);
	stopped_by = SIGTERM;
	return 1;
}

static int poll_timeout_ms(struct loop *l, double now)
{
	double t = 1.0;
	for (size_t s = 0; s < l->nactive; s++) {
		if (l->more[l->active[s]])
			return 0;
		double d = l->nodes[l->active[s]].t_deadline;
		if (d && d - now < t)
			t = d - now;
	}
	return t <= 0 ? 0 : (int)(t * 1000) + 1;
}

int fanout_run(struct fanout_node *nodes, size_t n, const struct fanout_opts *o,
	       const struct fanout_task *task)
{
	ssh_global_init();
	size_t f = o->fanout > 0 ? (size_t)o->fanout : 64;
	struct loop l = {.nodes = nodes, .n = n, .o = o, .task = task};
	l.connect_timeout = o->connect_timeout > 0 ? o->connect_timeout : 10;
	l.active = xcalloc(f, sizeof *l.active);
	l.aborting = xcalloc(n ? n : 1, 1);
	l.more = xcalloc(n ? n : 1, 1);
	struct pollfd *pfd = xcalloc(f, sizeof *pfd);
	size_t *slot_of = xcalloc(f, sizeof *slot_of);
	struct sigaction sa = {.sa_handler = on_sigint}, old;
	struct sigaction sa_term = {.sa_handler = on_sigterm}, old_term;
	if (!o->quiet_interrupt)
		sigaction(SIGINT, &sa, &old); /* no SA_RESTART: poll() returns EINTR */
	sigaction(SIGTERM, &sa_term, &old_term);
	sigterm_seen = 0;
	stopped_by = 0;
	sig_atomic_t seen = sigint_count;
	double last_int = 0;
	size_t round = 0;
	int result = FANOUT_COMPLETE;

	while (more_to_start(&l) || l.nactive) {
		while (l.nactive < f && more_to_start(&l))
			start_node(&l);
		if (!l.nactive)
			continue;
		size_t np = 0;
		for (size_t s = 0; s < l.nactive; s++) {
			struct fanout_node *nd = &nodes[l.active[s]];
			pfd[np] = (struct pollfd){ssh_fd(nd->conn), ssh_poll_events(nd->conn), 0};
			slot_of[np++] = l.active[s];
		}
		int pr = poll(pfd, np, poll_timeout_ms(&l, now_monotonic()));
		if (pr < 0 && errno != EINTR)
			die_errno(1, "poll");
		if (!o->quiet_interrupt && handle_sigint(&l, &seen, &last_int))
			result = FANOUT_INTERRUPTED;
		if (handle_sigterm(&l))
			result = FANOUT_INTERRUPTED;
		/* each round starts with the next node, so a long step takes turns */
		round_end = now_monotonic() + ROUND_SLICE;
		round_sigints = sigint_count;
		round++;
		for (size_t k = 0; k < np; k++) {
			size_t i = (k + round) % np;
			if (!(pr > 0 && pfd[i].revents) && !l.more[slot_of[i]])
				continue;
			/* the slot of a node moves when another finishes: look it up */
			for (size_t s = 0; s < l.nactive; s++)
				if (l.active[s] == slot_of[i]) {
					advance(&l, s);
					break;
				}
		}
		check_deadlines(&l, now_monotonic());
	}
	if (!o->quiet_interrupt)
		sigaction(SIGINT, &old, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	free(pfd);
	free(slot_of);
	free(l.active);
	free(l.aborting);
	free(l.more);
	return result;
}

void fanout_nodes_release(struct fanout_node *nodes, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(nodes[i].error);
		free(nodes[i].exit_signal);
		ssh_conn_free(nodes[i].conn);
		nodes[i].error = nodes[i].exit_signal = NULL;
		nodes[i].conn = NULL;
	}
}

/* ---- the exec task ------------------------------------------------------ */

struct exec_ctx {
	char *command;
	const char *stdin_buf;
	size_t stdin_len;
	struct fanout_exec_cb cb;
};

struct exec_node {
	struct ssh_exec *e;
	struct ssh_exec *killer;  /* second channel that kills the command on timeout */
	size_t stdin_off;
	int started, eof[2], signalled;
};

static int exec_io(struct fanout_node *n, struct exec_node *x, struct exec_ctx *ctx)
{
	static char buf[65536];
	int progress = 1;
	while (progress) {
		progress = 0;
		if (ctx->stdin_buf && x->stdin_off < ctx->stdin_len) {
			ssize_t w = ssh_exec_write(x->e, ctx->stdin_buf + x->stdin_off,
						   ctx->stdin_len - x->stdin_off);
			if (w == SSH_ERR)
				x->stdin_off = ctx->stdin_len; /* the remote closed its stdin */
			else if (w > 0)
				x->stdin_off += (size_t)w, progress = 1;
		}
		if ((!ctx->stdin_buf || x->stdin_off == ctx->stdin_len) && ssh_exec_send_eof(x->e) == SSH_AGAIN)
			progress = 0;
		for (int s = 0; s < 2; s++) {
			while (!x->eof[s]) {
				ssize_t r = ssh_exec_read(x->e, s, buf, sizeof buf);
				if (r == SSH_AGAIN)
					break;
				if (r == SSH_ERR) {
					n->error = xstrdup(ssh_error(n->conn));
					return FANOUT_STEP_FAIL;
				}
				if (r == 0) {
					x->eof[s] = 1;
					break;
				}
				progress = 1;
				if (ctx->cb.output)
					ctx->cb.output(n, s, buf, (size_t)r, ctx->cb.ctx);
			}
		}
		/* a read of one stream may have taken the other's data or EOF off the socket, which poll() cannot see */
		for (int s = 0; s < 2; s++)
			if (!x->eof[s] && ssh_exec_readable(x->e, s))
				progress = 1;
	}
	return x->eof[0] && x->eof[1] ? FANOUT_STEP_DONE : FANOUT_STEP_AGAIN;
}

/* Timeout: signal the command's process group, or kill it from a second channel. */
static int exec_kill(struct exec_node *x, struct ssh_conn *c)
{
	static char buf[4096];
	if (!x->killer) {
		int rc = ssh_exec_signal(x->e, "KILL");
		if (rc == SSH_AGAIN)
			return FANOUT_STEP_AGAIN;
		if (rc == SSH_OK) {
			x->signalled = 2;
			return FANOUT_STEP_DONE;
		}
		x->killer = ssh_exec_new(c, SSH_KILL_SIBLINGS);
	}
	int rc = ssh_exec_start(x->killer);
	if (rc == SSH_AGAIN)
		return FANOUT_STEP_AGAIN;
	while (rc == SSH_OK) {
		ssize_t r0 = ssh_exec_read(x->killer, 0, buf, sizeof buf);
		ssize_t r1 = ssh_exec_read(x->killer, 1, buf, sizeof buf);
		/* the command's own channel may still deliver data: drain it too */
		while (ssh_exec_read(x->e, 0, buf, sizeof buf) > 0 || ssh_exec_read(x->e, 1, buf, sizeof buf) > 0)
			;
		if (r0 == SSH_ERR || r1 == SSH_ERR || (r0 == 0 && r1 == 0))
			break;
		/* one stream's read may have taken the other's data or EOF off the socket */
		int buffered = (r0 == SSH_AGAIN && ssh_exec_readable(x->killer, 0)) ||
			       (r1 == SSH_AGAIN && ssh_exec_readable(x->killer, 1));
		if ((r0 == SSH_AGAIN || r1 == SSH_AGAIN) && !buffered)
			return FANOUT_STEP_AGAIN;
	}
	x->signalled = 2;
	return FANOUT_STEP_DONE;
}

static int exec_step(struct fanout_node *n, struct ssh_conn *c, void *vctx)
{
	struct exec_ctx *ctx = vctx;
	struct exec_node *x = n->udata;
	if (!x) {
		x = n->udata = xcalloc(1, sizeof *x);
		x->e = ssh_exec_new(c, n->command ? n->command : ctx->command);
	}
	if (x->signalled == 1)
		return exec_kill(x, c);
	if (x->signalled)
		return FANOUT_STEP_DONE;
	if (!x->started) {
		int rc = ssh_exec_start(x->e);
		if (rc == SSH_AGAIN)
			return FANOUT_STEP_AGAIN;
		if (rc == SSH_ERR) {
			n->error = xstrdup(ssh_error(c));
			return FANOUT_STEP_FAIL;
		}
		x->started = 1;
	}
	if (!(x->eof[0] && x->eof[1])) {
		int rc = exec_io(n, x, ctx);
		if (rc != FANOUT_STEP_DONE)
			return rc;
	}
	char *sig = NULL;
	int rc = ssh_exec_wait(x->e, &n->exit_status, &sig);
	if (rc == SSH_AGAIN)
		return FANOUT_STEP_AGAIN;
	n->exit_signal = sig;
	return FANOUT_STEP_DONE;
}

static void exec_abort(struct fanout_node *n, struct ssh_conn *c, void *vctx)
{
	(void)c;
	(void)vctx;
	struct exec_node *x = n->udata;
	if (x && x->started)
		x->signalled = 1;
	else if (x)
		x->signalled = 2;
}

static void exec_done(struct fanout_node *n, void *vctx)
{
	struct exec_ctx *ctx = vctx;
	if (ctx->cb.done)
		ctx->cb.done(n, ctx->cb.ctx);
}

static void exec_cleanup(struct fanout_node *n, void *vctx)
{
	(void)vctx;
	struct exec_node *x = n->udata;
	if (!x)
		return;
	ssh_exec_free(x->killer);
	ssh_exec_free(x->e);
	free(x);
	n->udata = NULL;
}

void fanout_exec_task(struct fanout_task *task, const char *command, const char *stdin_buf,
		      size_t stdin_len, const struct fanout_exec_cb *cb)
{
	struct exec_ctx *ctx = xcalloc(1, sizeof *ctx);
	ctx->command = xstrdup(command);
	ctx->stdin_buf = stdin_buf;
	ctx->stdin_len = stdin_len;
	if (cb)
		ctx->cb = *cb;
	memset(task, 0, sizeof *task);
	task->step = exec_step;
	task->abort = exec_abort;
	task->done = exec_done;
	task->cleanup = exec_cleanup;
	task->ctx = ctx;
}

void fanout_exec_task_free(struct fanout_task *task)
{
	struct exec_ctx *ctx = task->ctx;
	if (!ctx)
		return;
	free(ctx->command);
	free(ctx);
	task->ctx = NULL;
}
