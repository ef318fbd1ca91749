/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * spawn — fork and exec with pipes, one signal policy (see spawn.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "spawn.h"

static void close_pair(int p[2])
{
	if (p[0] >= 0)
		close(p[0]);
	if (p[1] >= 0)
		close(p[1]);
	p[0] = p[1] = -1;
}

/* In the child: make FD its descriptor TARGET, kept open across exec. */
static void child_fd(int fd, int target)
{
	if (fd == target)
		fcntl(fd, F_SETFD, 0);
	else if (fd >= 0)
		dup2(fd, target);
}

static void child_defaults(void)
{
	sigset_t none;
	sigemptyset(&none);
	for (int sig = 1; sig < NSIG; sig++)
		signal(sig, SIG_DFL); /* KILL, STOP and the ones in use by libc just fail */
	sigprocmask(SIG_SETMASK, &none, NULL);
}

/* In the child: "TOOL: PROG: reason" with write(2) alone (the parent may have threads), exit 127. */
static void child_exec_failed(const char *prog)
{
	const char *part[] = { log_progname(), ": ", prog, ": ", strerror(errno), "\n" };
	for (size_t i = 0; i < sizeof part / sizeof part[0]; i++)
		if (write(2, part[i], strlen(part[i])) < 0)
			break;
	_exit(127);
}

static int open_null(enum spawn_io a, enum spawn_io b, enum spawn_io c)
{
	if (a != SPAWN_NULL && b != SPAWN_NULL && c != SPAWN_NULL)
		return -1;
	return open("/dev/null", O_RDWR | O_CLOEXEC);
}

static int child_source(enum spawn_io io, int pipe_end, int null, int self, int fd)
{
	switch (io) {
	case SPAWN_FD:
		return fd;
	case SPAWN_PIPE:
		return pipe_end;
	case SPAWN_NULL:
		return null;
	case SPAWN_STDERR:
		return 2;
	default:
		return self;
	}
}

int spawn_start(struct spawn *s, char *const argv[], const struct spawn_opts *o)
{
	static const struct spawn_opts inherit = { 0 };
	if (!o)
		o = &inherit;
	int in[2] = { -1, -1 }, out[2] = { -1, -1 };
	s->pid = -1;
	s->in = s->out = -1;
	if ((o->in == SPAWN_PIPE && pipe2(in, O_CLOEXEC) < 0) ||
	    (o->out == SPAWN_PIPE && pipe2(out, O_CLOEXEC) < 0)) {
		int e = errno;
		close_pair(in);
		errno = e;
		return -1;
	}
	int null = open_null(o->in, o->out, o->err);
	fflush(NULL); /* what the tool wrote comes before what the child writes */
	pid_t pid = fork();
	if (pid == 0) {
		child_defaults();
		if (o->new_pgrp)
			setpgid(0, 0);
		child_fd(child_source(o->in, in[0], null, 0, o->fd), 0);
		child_fd(child_source(o->out, out[1], null, 1, o->fd), 1);
		child_fd(child_source(o->err, -1, null, 2, o->err_fd ? o->err_fd : o->fd), 2);
		if (o->path)
			execv(o->path, argv);
		else
			execvp(argv[0], argv);
		child_exec_failed(argv[0]);
	}
	int e = errno;
	if (null >= 0)
		close(null);
	if (pid < 0) {
		close_pair(in);
		close_pair(out);
		errno = e;
		return -1;
	}
	if (in[0] >= 0)
		close(in[0]);
	if (out[1] >= 0)
		close(out[1]);
	s->pid = pid;
	s->in = in[1];
	s->out = out[0];
	return 0;
}

int spawn_wait(pid_t pid)
{
	int status;
	pid_t r;
	while ((r = waitpid(pid, &status, 0)) < 0 && errno == EINTR)
		;
	return r < 0 ? -1 : status;
}

int spawn_finish(struct spawn *s)
{
	if (s->in >= 0)
		close(s->in);
	if (s->out >= 0)
		close(s->out);
	s->in = s->out = -1;
	int status = s->pid > 0 ? spawn_wait(s->pid) : -1;
	s->pid = -1;
	return status;
}

int spawn_exit_code(int wstatus)
{
	if (WIFEXITED(wstatus))
		return WEXITSTATUS(wstatus);
	return WIFSIGNALED(wstatus) ? 128 + WTERMSIG(wstatus) : 127;
}

int spawn_run(char *const argv[])
{
	struct sigaction ign = { .sa_handler = SIG_IGN }, old_int, old_quit;
	sigemptyset(&ign.sa_mask);
	sigaction(SIGINT, &ign, &old_int);
	sigaction(SIGQUIT, &ign, &old_quit);
	struct spawn s;
	int status = -1;
	if (spawn_start(&s, argv, NULL) < 0)
		warnmsg_errno("%s", argv[0]);
	else
		status = spawn_finish(&s);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGQUIT, &old_quit, NULL);
	return status < 0 ? 127 : spawn_exit_code(status);
}
