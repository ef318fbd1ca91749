/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * spawn — the one way tools start another program: fork and exec with the
 * child's stdin, stdout and stderr each inherited, a pipe, or /dev/null, and
 * wait for it. No shell is involved; argv goes to exec as it is.
 *
 * Signal policy, the same for every child:
 * - the child starts with every signal at its default disposition and an
 *   empty signal mask, whatever the tool ignores or blocks (imgsync ignores
 *   SIGPIPE; spawn_run ignores SIGINT and SIGQUIT while it waits);
 * - the parent retries waitpid, read and write when a signal interrupts
 *   them (EINTR), so a handler that only sets a flag never loses a child's
 *   status or output;
 * - a program that cannot be started: the child says "TOOL: PROG: reason"
 *   on its stderr and exits 127, as a shell does.
 */
#ifndef CT_SPAWN_H
#define CT_SPAWN_H

#include <stddef.h>
#include <sys/types.h>

enum spawn_io {
	SPAWN_INHERIT = 0, /* the tool's own descriptor */
	SPAWN_PIPE,        /* a pipe to the tool: spawn.in (stdin) or spawn.out (stdout) */
	SPAWN_NULL,        /* /dev/null */
	SPAWN_STDERR,      /* the tool's stderr (for the child's stdout) */
	SPAWN_FD,          /* spawn_opts.fd (stdin and stdout: e.g. one end of a socket pair), err_fd (stderr) */
};

struct spawn_opts {
	const char *path;               /* the program; NULL: argv[0] looked up in PATH */
	enum spawn_io in, out, err;     /* the child's 0, 1 and 2 (SPAWN_PIPE: 0 and 1 only) */
	int fd;                         /* for SPAWN_FD (stays open in the parent) */
	int err_fd;                     /* for err = SPAWN_FD when not 0 (else fd; stays open in the parent) */
	int new_pgrp;                   /* the child leads a process group of its own (kill(-pid, ...)) */
};

struct spawn {
	pid_t pid;
	int in;   /* write end of the child's stdin pipe (close it to send EOF), or -1 */
	int out;  /* read end of the child's stdout pipe, or -1 */
};

/*
 * Start ARGV as O says (NULL: all inherited), after flushing stdio. 0, or -1
 * with errno (nothing left open).
 */
int spawn_start(struct spawn *s, char *const argv[], const struct spawn_opts *o);
/* Wait for PID: its wait status, or -1 with errno. */
int spawn_wait(pid_t pid);
/* Close what S still has open and wait for the child: its wait status, or -1. */
int spawn_finish(struct spawn *s);
/* A wait status as a shell reports it: the exit status, or 128 + the signal. */
int spawn_exit_code(int wstatus);

/*
 * Run ARGV (looked up in PATH) and wait for it, like system(3): the tool
 * ignores SIGINT and SIGQUIT meanwhile, so Ctrl-C stops the child and the
 * tool lives on to clean up. The exit code as spawn_exit_code, or 127.
 */
int spawn_run(char *const argv[]);

#endif
