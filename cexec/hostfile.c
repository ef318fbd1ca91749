/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytebuf.h"
#include "fsutil.h"
#include "hostfile.h"
#include "log.h"
#include "xalloc.h"

#define ANSWER_MAX 64 /* nproc says a number: more is not an answer */

static void on_output(struct fanout_node *nd, int stream, const char *buf, size_t len, void *ctx)
{
	struct bytebuf *out = ctx;
	if (stream == 0 && out[nd->index].len + len <= ANSWER_MAX)
		bytebuf_add(&out[nd->index], buf, len);
}

/* The node's slot count: 0 when it did not answer, -1 when its answer is not a count. */
static long slots_of(const struct fanout_node *nd, const struct bytebuf *out, long fixed)
{
	if (nd->state != FANOUT_OK || nd->exit_status != 0 || nd->exit_signal)
		return 0;
	if (fixed)
		return fixed;
	char *text = xstrndup(out->p ? out->p : "", out->len), *end;
	errno = 0;
	long v = strtol(text, &end, 10);
	int bad = errno || end == text || v < 1 || v > HOSTFILE_SLOTS_MAX || end[strspn(end, " \t\r\n")] != '\0';
	free(text);
	return bad ? -1 : v;
}

/* The file's text; a node with a bad answer becomes a failed node. */
static char *hostfile_text(struct fanout_node *nodes, size_t n, const struct bytebuf *out,
			   const struct hostfile_opts *o, long *lines)
{
	struct bytebuf b = {0};
	*lines = 0;
	for (size_t i = 0; i < n; i++) {
		long s = slots_of(&nodes[i], &out[i], o->slots);
		if (s < 0) {
			const char *a = out[i].p ? out[i].p : "";
			nodes[i].state = FANOUT_FAILED;
			nodes[i].error = xasprintf("nproc answered '%.*s', not a slot count", (int)strcspn(a, "\n"), a);
		}
		if (s <= 0)
			continue;
		char *line = o->format == HOSTFILE_MPICH ? xasprintf("%s:%ld\n", nodes[i].name, s)
							 : xasprintf("%s slots=%ld\n", nodes[i].name, s);
		bytebuf_add(&b, line, strlen(line));
		free(line);
		(*lines)++;
	}
	return b.p;
}

int hostfile_run(struct fanout_node *nodes, size_t n, const struct hostfile_opts *o,
		 const struct fanout_opts *fo, long *written)
{
	struct bytebuf *out = xcalloc(n ? n : 1, sizeof *out);
	struct fanout_exec_cb cb = {on_output, NULL, out};
	struct fanout_task task;
	fanout_exec_task(&task, o->slots ? "true" : "nproc", NULL, 0, &cb);
	int rc = fanout_run(nodes, n, fo, &task);
	fanout_exec_task_free(&task);
	*written = -1;
	if (rc == FANOUT_COMPLETE) {
		long lines;
		char *text = hostfile_text(nodes, n, out, o, &lines);
		if (!lines)
			warnmsg("--hostfile %s: no node answered: left as it was", o->path);
		else if (fs_atomic_write(o->path, text ? text : "", text ? strlen(text) : 0, 0644) < 0)
			warnmsg_errno("--hostfile %s", o->path);
		else
			*written = lines;
		free(text);
	}
	for (size_t i = 0; i < n; i++)
		free(out[i].p);
	free(out);
	return rc;
}
