/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nodereport — failing nodes grouped by outcome and folded, then a count.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "nodefold.h"
#include "nodereport.h"
#include "xalloc.h"

struct group {
	char *outcome;
	char **names;
	size_t n;
};

/* The local number of an SSH signal name ("KILL"), 0 if unknown. */
static int signal_number(const char *name)
{
	static const struct {
		const char *name;
		int num;
	} sigs[] = {
		{ "ABRT", SIGABRT }, { "ALRM", SIGALRM }, { "FPE", SIGFPE },   { "HUP", SIGHUP },
		{ "ILL", SIGILL },   { "INT", SIGINT },   { "KILL", SIGKILL }, { "PIPE", SIGPIPE },
		{ "QUIT", SIGQUIT }, { "SEGV", SIGSEGV }, { "TERM", SIGTERM }, { "USR1", SIGUSR1 },
		{ "USR2", SIGUSR2 },
	};
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		if (!strcmp(name, sigs[i].name))
			return sigs[i].num;
	return 0;
}

char *nodereport_outcome(const struct fanout_node *nd, int flags)
{
	if (nd->state != FANOUT_OK)
		return xstrdup(nd->error ? nd->error : nd->state == FANOUT_PENDING ? "not run" : "failed");
	if (!(flags & NODEREPORT_EXITS))
		return NULL;
	if (nd->exit_signal) {
		int num = signal_number(nd->exit_signal);
		if (num)
			return xasprintf("killed by signal %d (%s)", num, nd->exit_signal);
		return xasprintf("killed by signal %s", nd->exit_signal);
	}
	if (nd->exit_status > 0)
		return xasprintf("exited with exit code %d", nd->exit_status);
	return NULL;
}

/* Put node NAME under OUTCOME (taken) in GROUPS (*NG of them). */
static struct group *add_to_group(struct group *groups, size_t *ng, char *outcome, const char *name)
{
	struct group *g = NULL;
	for (size_t i = 0; i < *ng && !g; i++)
		if (!strcmp(groups[i].outcome, outcome))
			g = &groups[i];
	if (g) {
		free(outcome);
	} else {
		groups = xgrowarray(groups, *ng, sizeof *groups);
		g = &groups[(*ng)++];
		*g = (struct group){ outcome, NULL, 0 };
	}
	g->names = xgrowarray(g->names, g->n, sizeof *g->names);
	g->names[g->n++] = (char *)name;
	return groups;
}

size_t nodereport_print(const struct fanout_node *nodes, size_t n, int flags)
{
	struct group *groups = NULL;
	size_t ng = 0, failed = 0;
	for (size_t i = 0; i < n; i++) {
		char *outcome = nodereport_outcome(&nodes[i], flags);
		if (outcome) {
			groups = add_to_group(groups, &ng, outcome, nodes[i].name);
			failed++;
		}
	}
	for (size_t i = 0; i < ng; i++) {
		char *folded = nodeset_fold(groups[i].names, groups[i].n);
		node_warn(folded, "%s", groups[i].outcome);
		free(folded);
		free(groups[i].names);
		free(groups[i].outcome);
	}
	free(groups);
	int counted = failed || ((flags & NODEREPORT_TTY_COUNT) && isatty(STDERR_FILENO));
	if (counted && n && log_verbosity() > LOG_QUIET)
		warnmsg("%zu node%s: %zu ok, %zu failed", n, n == 1 ? "" : "s", n - failed, failed);
	return failed;
}
