/* SPDX-License-Identifier: BSD-3-Clause */
#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/pidfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bytebuf.h"
#include "cli.h"
#include "clock.h"
#include "fsutil.h"
#include "shquote.h"
#include "spawn.h"
#include "upcall.h"
#include "xalloc.h"

#define UPCALL_OUTPUT_MAX (16u << 20)

enum quoting { Q_NONE, Q_SINGLE, Q_DOUBLE };

static void add_quoted(struct bytebuf *b, const char *v, enum quoting q)
{
	if (q == Q_NONE) {
		sh_quote_add(b, v, SH_ALWAYS);
		return;
	}
	for (; *v; v++) {
		if (q == Q_SINGLE && *v == '\'')
			bytebuf_add(b, "'\\''", 4);
		else if (q == Q_DOUBLE && strchr("\\\"$`", *v))
			bytebuf_add(b, "\\", 1);
		if (q != Q_SINGLE || *v != '\'')
			bytebuf_add(b, v, 1);
	}
}

/* The variable named at S ("NAME" or "{NAME}"): its entry and *LEN, the text it takes. */
static const struct upcall_var *find_var(const char *s, const struct upcall_var *vars, size_t n, size_t *len)
{
	int brace = *s == '{';
	const char *id = s + brace;
	size_t k = 0;
	if (!(isalpha((unsigned char)id[0]) || id[0] == '_'))
		return NULL;
	while (isalnum((unsigned char)id[k]) || id[k] == '_')
		k++;
	if (brace && id[k] != '}')
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (vars[i].value && strlen(vars[i].name) == k && strncmp(vars[i].name, id, k) == 0) {
			*len = k + 2 * brace;
			return &vars[i];
		}
	return NULL;
}

char *upcall_command(const char *tmpl, const struct upcall_var *vars, size_t n)
{
	struct bytebuf b = {0};
	enum quoting q = Q_NONE;
	for (const char *s = tmpl; *s; s++) {
		size_t len;
		const struct upcall_var *v;
		if (*s == '$' && s[1] == '$') {
			bytebuf_add(&b, "$", 1);
			s++;
		} else if (*s == '$' && (v = find_var(s + 1, vars, n, &len)) != NULL) {
			add_quoted(&b, v->value, q);
			s += len;
		} else {
			if (*s == '\\' && q != Q_SINGLE && s[1]) {
				bytebuf_add(&b, s++, 1);
			} else if (*s == '\'' && q != Q_DOUBLE) {
				q = q == Q_SINGLE ? Q_NONE : Q_SINGLE;
			} else if (*s == '"' && q != Q_SINGLE) {
				q = q == Q_DOUBLE ? Q_NONE : Q_DOUBLE;
			}
			bytebuf_add(&b, s, 1);
		}
	}
	bytebuf_add(&b, "", 1);
	return b.p;
}

double upcall_timeout(void)
{
	const char *e = getenv("CT_UPCALL_TIMEOUT");
	double t;
	char why[128];
	if (e && *e && cli_parse_seconds(e, 0.001, 86400, &t, why, sizeof why) == 0)
		return t;
	return 30;
}

/* Wait for PID until TIMEOUT: its wait status, or -1 when it timed out (then killed with its group). */
static int wait_deadline(pid_t pid, double timeout)
{
	int pfd = pidfd_open(pid, 0);
	double deadline = now_monotonic() + timeout;
	while (pfd >= 0) {
		double left = deadline - now_monotonic();
		if (left <= 0) {
			kill(-pid, SIGKILL);
			spawn_wait(pid);
			close(pfd);
			return -1;
		}
		struct pollfd p = {.fd = pfd, .events = POLLIN};
		if (poll(&p, 1, (int)(left * 1000) + 1) > 0)
			break;
	}
	if (pfd >= 0)
		close(pfd);
	return spawn_wait(pid);
}

/* The first line of what FD holds, in ERR after PREFIX. */
static void first_line(int fd, const char *prefix, char *err, size_t errlen)
{
	lseek(fd, 0, SEEK_SET);
	char *text = fs_read_fd(fd, 4096, NULL);
	const char *t = text ? text : "";
	size_t n = strcspn(t, "\n");
	snprintf(err, errlen, "%s%s%.*s", prefix, n ? ": " : "", (int)(n > 300 ? 300 : n), t);
	free(text);
}

static int report(int status, int efd, double timeout, char *err, size_t errlen)
{
	char prefix[64];
	if (status < 0) {
		snprintf(prefix, sizeof prefix, "timed out after %g s", timeout);
		first_line(efd, prefix, err, errlen);
	} else if (WIFSIGNALED(status)) {
		snprintf(err, errlen, "killed by signal %d", WTERMSIG(status));
	} else if (WEXITSTATUS(status) != 0) {
		snprintf(prefix, sizeof prefix, "exited %d", WEXITSTATUS(status));
		first_line(efd, prefix, err, errlen);
	} else {
		return 0;
	}
	return -1;
}

int upcall_run(const char *cmd, const char *dir, double timeout, char **out, char *err, size_t errlen)
{
	int ofd = memfd_create("upcall-out", MFD_CLOEXEC), efd = memfd_create("upcall-err", MFD_CLOEXEC);
	int rc = -1;
	*out = NULL;
	if (ofd < 0 || efd < 0) {
		snprintf(err, errlen, "memfd_create: %s", strerror(errno));
		goto done;
	}
	char *qdir = dir ? sh_quote(dir) : NULL;
	char *text = dir ? xasprintf("cd -- %s || exit 126\n%s", qdir, cmd) : xstrdup(cmd);
	char *argv[] = {"sh", "-c", text, NULL};
	struct spawn_opts o = {.path = "/bin/sh", .in = SPAWN_NULL, .out = SPAWN_FD, .err = SPAWN_FD,
			       .fd = ofd, .err_fd = efd, .new_pgrp = 1};
	struct spawn s;
	if (spawn_start(&s, argv, &o) < 0)
		snprintf(err, errlen, "/bin/sh: %s", strerror(errno));
	else if (report(wait_deadline(s.pid, timeout), efd, timeout, err, errlen) == 0)
		rc = 0;
	free(text);
	free(qdir);
	if (rc == 0) {
		lseek(ofd, 0, SEEK_SET);
		*out = fs_read_fd(ofd, UPCALL_OUTPUT_MAX, NULL);
		if (!*out) {
			snprintf(err, errlen, "its output: %s", strerror(errno));
			rc = -1;
		}
	}
done:
	if (ofd >= 0)
		close(ofd);
	if (efd >= 0)
		close(efd);
	return rc;
}
