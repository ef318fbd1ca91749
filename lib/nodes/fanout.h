/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fanout — one process, one poll() loop, up to N SSH sessions at once.
 *
 * The caller gives a list of nodes and a task (struct fanout_task): fanout
 * connects to each node (ssh.h, with the connect timeout), then calls the
 * task's step() whenever that node's socket is ready until it says DONE or
 * FAIL, or the command timeout expires (then abort() is called once so the
 * task can kill the remote work, and the node is marked timed out). done()
 * is called once per node, in completion order, whatever happened.
 *
 * The first SIGINT prints the nodes still running on stderr; a second one
 * within a second aborts every running node and fanout_run returns
 * FANOUT_INTERRUPTED. SIGTERM aborts at once the same way. An aborted node
 * that does not end within 3 s is dropped, its error ending in "no answer
 * within 3 s of the abort: connection dropped" (its remote work may run on).
 *
 * fanout_exec_task() is the ready-made task for "run COMMAND, send STDIN,
 * stream stdout/stderr to a callback, get exit status and signal" (cexec);
 * cpush/cget/imgsync write their own step() on ssh_exec / SFTP.
 */
#ifndef CT_FANOUT_H
#define CT_FANOUT_H

#include <stddef.h>

#include "ssh.h"

enum fanout_state {
	FANOUT_PENDING = 0,  /* not started */
	FANOUT_CONNECTING,
	FANOUT_RUNNING,
	FANOUT_OK,           /* task finished (remote status may still be non-zero) */
	FANOUT_FAILED,       /* connect/auth/host key/task failure: see error */
	FANOUT_TIMEDOUT,     /* connect timeout or command timeout */
};

/*
 * Return values of fanout_task.step. MORE: the step stopped early to let the
 * other nodes run (libssh2 may hold data already read from the socket, so
 * waiting on the socket could stall): call it again after the next poll
 * whatever the socket says.
 */
enum { FANOUT_STEP_AGAIN = 0, FANOUT_STEP_DONE = 1, FANOUT_STEP_FAIL = -1, FANOUT_STEP_MORE = 2 };

struct fanout_node {
	/* filled by the caller */
	const char *name;      /* node name as shown to the user */
	const char *cluster;   /* C3 cluster name or NULL */
	struct ssh_opts ssh;   /* host, port, user, identity, host key policy ... */
	const char *command;   /* exec task: this node's command instead of the task's (or NULL) */
	void *udata;           /* the task's per-node state */
	/* filled by fanout */
	enum fanout_state state;
	char *error;           /* malloced message (no node prefix) or NULL */
	double seconds;        /* wall time from connect start to done, summed over runs */
	int exit_status;       /* set by the task: remote status, -1 if none */
	char *exit_signal;     /* set by the task: signal name (malloced) or NULL */
	size_t index;          /* position in the caller's array */
	/* private to fanout */
	struct ssh_conn *conn;
	double t_start, t_deadline;
};

struct fanout_task {
	/*
	 * Drive the work on a connected session. Called first right after
	 * authentication, then whenever the socket is ready. Returns
	 * FANOUT_STEP_AGAIN (wait for ssh_poll_events), _MORE (call again soon),
	 * _DONE or _FAIL (set n->error with xasprintf).
	 */
	int (*step)(struct fanout_node *n, struct ssh_conn *c, void *ctx);
	/*
	 * Command timeout or second Ctrl-C: stop the remote work (may be NULL).
	 * step() is then still called for up to a second so the task can finish
	 * talking (e.g. get the reply to a signal request).
	 */
	void (*abort)(struct fanout_node *n, struct ssh_conn *c, void *ctx);
	/* The node is finished, whatever the state (may be NULL). */
	void (*done)(struct fanout_node *n, void *ctx);
	/* Free per-node task state (called after done; may be NULL). */
	void (*cleanup)(struct fanout_node *n, void *ctx);
	void *ctx;
};

struct fanout_opts {
	int fanout;            /* sessions at once; <= 0: 64. 1 = serial (cexecs) */
	double connect_timeout; /* seconds, per node, TCP to authenticated; <= 0: 10 */
	double timeout;        /* seconds, per node, for the task after connecting; <= 0: none */
	int quiet_interrupt;   /* do not handle SIGINT */
};

enum { FANOUT_COMPLETE = 0, FANOUT_INTERRUPTED = 1 };

/*
 * Run TASK on the NODES still FANOUT_PENDING (all of a new array); a node an
 * earlier run finished keeps its state, so a second pass over the same array
 * (cpush's direct pass after its chain) takes the ones left. Returns
 * FANOUT_COMPLETE or FANOUT_INTERRUPTED.
 */
int fanout_run(struct fanout_node *nodes, size_t n, const struct fanout_opts *opts,
	       const struct fanout_task *task);
/*
 * For a step that moves data while its peer keeps up (the socket never says
 * EAGAIN): true when it should return FANOUT_STEP_MORE now, because this
 * round's time slice is used up or a signal came. The nodes take turns at
 * being first in a round.
 */
int fanout_should_yield(void);
/* The signal that stopped the last interrupted run: SIGINT (a second Ctrl-C) or SIGTERM; 0 if none. */
int fanout_stop_signal(void);
/* Free what fanout put in the nodes (error, exit_signal, connections). */
void fanout_nodes_release(struct fanout_node *nodes, size_t n);

/* --- ready-made task: run one command ------------------------------------ */
struct fanout_exec_cb {
	/* A chunk of output: stream 0 stdout, 1 stderr. */
	void (*output)(struct fanout_node *n, int stream, const char *buf, size_t len, void *ctx);
	/* The node is finished (exit_status/exit_signal/error set). May be NULL. */
	void (*done)(struct fanout_node *n, void *ctx);
	void *ctx;
};

/*
 * The task that runs COMMAND on every node, sends STDIN_BUF (len bytes,
 * NULL: nothing, remote stdin closed at once) and reports output through CB.
 * exit_status/exit_signal of each node are set. On timeout the remote process
 * group gets SIGKILL. Fill *task; free with fanout_exec_task_free.
 */
void fanout_exec_task(struct fanout_task *task, const char *command, const char *stdin_buf,
		      size_t stdin_len, const struct fanout_exec_cb *cb);
void fanout_exec_task_free(struct fanout_task *task);

#endif
