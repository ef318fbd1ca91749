/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * diskrun — a tool run for mkchroot --disk, with its progress line (see diskrun.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "diskrun.h"
#include "log.h"
#include "progress.h"
#include "spawn.h"

uint64_t mkc_disk_file_used(const char *file)
{
	struct stat sb;
	return stat(file, &sb) == 0 ? (uint64_t)sb.st_blocks * 512 : 0;
}

static void say_running(char *const argv[])
{
	char line[1024] = "";
	for (size_t i = 0; argv[i]; i++)
		snprintf(line + strlen(line), sizeof line - strlen(line), "%s%s", i ? " " : "", argv[i]);
	verbose("running %s", line);
}

/* Wait for PID, redrawing the step's line five times a second: its wait status, or -1. */
static int wait_drawing(pid_t pid, const struct mkc_disk_step *step)
{
	struct progress *line = progress_start(step->label, step->total, STDERR_FILENO);
	progress_hook_log(line);
	int st = -1;
	for (;;) {
		progress_update(line, mkc_disk_file_used(step->watch)); /* drawn at once, then five times a second */
		pid_t r = waitpid(pid, &st, WNOHANG);
		if (r == pid)
			break;
		if (r < 0 && errno != EINTR) {
			st = -1;
			break;
		}
		poll(NULL, 0, 200); /* a redraw's pace, not a wait for an event: waitpid above is that */
	}
	progress_end(line);
	return st;
}

int mkc_disk_run(char *const argv[], const char *in, const struct mkc_disk_step *step)
{
	struct spawn_opts so = { .in = SPAWN_NULL, .out = SPAWN_NULL, .err = SPAWN_INHERIT, .fd = -1 };
	if (in) {
		so.fd = open(in, O_RDONLY | O_CLOEXEC);
		if (so.fd < 0) {
			warnmsg_errno("%s", in);
			return 1;
		}
		so.in = SPAWN_FD;
	}
	if (log_verbosity() >= LOG_VERBOSE)
		say_running(argv);
	struct spawn s;
	int st = spawn_start(&s, argv, &so);
	if (so.fd >= 0)
		close(so.fd);
	if (st < 0) {
		warnmsg_errno("%s", argv[0]);
		return 127;
	}
	int draw = step && step->watch && progress_wanted(log_verbosity() <= LOG_QUIET);
	st = draw ? wait_drawing(s.pid, step) : spawn_wait(s.pid);
	int code = st < 0 ? 1 : spawn_exit_code(st);
	if (code)
		warnmsg("%s failed (exit status %d)", argv[0], code);
	return code;
}
