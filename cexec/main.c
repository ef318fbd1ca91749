/*
 * cexec — run a command on many nodes in parallel over SSH, C3 style.
 * cexecs (a link to cexec) runs the nodes one after the other.
 *
 *   cexec [OPTIONS] [MACHINE-DEFINITIONS...] COMMAND [ARGS...]
 *
 * Recipe: options -> node selection (c3.conf or -w) -> fanout nodes (gateways
 * of indirect clusters get a remote cexec) -> run with an output writer ->
 * exit status. Exit: 0 success; 1 usage or local error; 2 a node failed
 * (unreachable, refused, timed out); with -S the largest remote status, 255
 * if a node failed; 130 after a double Ctrl-C, 143 after SIGTERM.
 */
#include <errno.h>
#include <libgen.h>
#include <popt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "indirect.h"
#include "log.h"
#include "nodeopts.h"
#include "nodereport.h"
#include "nodeset.h"
#include "run.h"

#define STDIN_MAX ((size_t)1 << 30)

static char *read_stdin(size_t *len)
{
	size_t cap = 65536, n = 0;
	char *buf = xmalloc(cap);
	for (;;) {
		if (n == cap) {
			if (cap >= STDIN_MAX)
				die(1, "--stdin: more than %zu bytes", STDIN_MAX);
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
		ssize_t r = read(0, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			die_errno(1, "--stdin: read");
		if (r == 0)
			break;
		n += (size_t)r;
	}
	*len = n;
	return buf;
}

/* The remote command line: the arguments joined by spaces, as ssh does. */
static char *join_command(char *const *argv, size_t argc)
{
	size_t len = 1;
	for (size_t i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	char *s = xcalloc(1, len);
	for (size_t i = 0; i < argc; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, argv[i]);
	}
	return s;
}

static void print_dry_run(const struct fanout_node *nodes, size_t n, const char *command)
{
	for (size_t i = 0; i < n; i++) {
		if (nodes[i].cluster)
			printf("%s ", nodes[i].cluster);
		printf("%s%s%s: %s\n", nodes[i].ssh.user ? nodes[i].ssh.user : "", nodes[i].ssh.user ? "@" : "",
		       nodes[i].name, nodes[i].command ? nodes[i].command : command);
	}
}

static void usage_error(poptContext pc, const char *msg)
{
	warnmsg("%s", msg);
	poptPrintUsage(pc, stderr, 0);
	poptFreeContext(pc);
	exit(1);
}

int main(int argc, char **argv)
{
	log_init(argv[0]);
	char *prog = xstrdup(argv[0]);
	int serial = !strcmp(basename(prog), "cexecs");
	free(prog);
	struct nodeopts no;
	nodeopts_init(&no);
	int pipe_mode = 0, gather = 0, send_stdin = 0, version = 0;
	struct poptOption opts[] = {
		{"pipe", 'p', POPT_ARG_NONE, &pipe_mode, 0, "stream lines as they arrive, prefixed NODE: ", NULL},
		{"gather", 'b', POPT_ARG_NONE, &gather, 0, "fold identical output under one node list", NULL},
		{"stdin", 0, POPT_ARG_NONE, &send_stdin, 0, "send standard input to every node", NULL},
		{NULL, 0, POPT_ARG_INCLUDE_TABLE, nodeopts_popt(&no), 0, "Nodes and sessions:", NULL},
		{"version", 'V', POPT_ARG_NONE, &version, 0, "print the version", NULL},
		POPT_AUTOHELP POPT_TABLEEND,
	};
	poptContext pc = poptGetContext(serial ? "cexecs" : "cexec", argc, (const char **)argv, opts,
					POPT_CONTEXT_POSIXMEHARDER);
	poptSetOtherOptionHelp(pc, "[OPTIONS] [MACHINE-DEFINITIONS...] COMMAND [ARGS...]");
	int r = poptGetNextOpt(pc);
	if (r < -1) {
		char *m = xasprintf("%s: %s", poptBadOption(pc, POPT_BADOPTION_NOALIAS), poptStrerror(r));
		usage_error(pc, m);
	}
	if (version) {
		printf("%s %s\n", serial ? "cexecs" : "cexec", CT_VERSION);
		poptFreeContext(pc);
		nodeopts_free(&no);
		return 0;
	}
	if (pipe_mode + gather + no.json > 1)
		usage_error(pc, "--pipe, --gather and --json exclude each other");

	/* arguments: machine definitions, then the command */
	const char **rest = poptGetArgs(pc);
	size_t nrest = 0;
	while (rest && rest[nrest])
		nrest++;
	char **defs;
	size_t ndefs;
	size_t first = nodeopts_split_defs((char **)rest, nrest, &defs, &ndefs);
	char **cmdv = (char **)rest + first;
	size_t cmdc = nrest - first;
	if (!cmdc && !no.list)
		usage_error(pc, "no command given");

	char err[1024];
	struct c3_selection sel;
	if (nodeopts_resolve(&no, defs, ndefs, &sel, err, sizeof err) < 0) {
		warnmsg("%s", err);
		poptFreeContext(pc);
		nodeopts_free(&no);
		return 1;
	}
	if (no.list) {
		nodeopts_print_list(&sel);
		c3_selection_free(&sel);
		poptFreeContext(pc);
		nodeopts_free(&no);
		return 0;
	}

	if (!sel.n)
		warnmsg("no node selected (excluded or dead?)");
	char *command = join_command(cmdv, cmdc);
	struct fanout_node *nodes = nodeopts_fanout_nodes(&no, &sel);
	struct cexec_fwd_opts fwd = {no.fanout, no.connect_timeout, no.timeout, no.host_keys, no.xlist,
				     send_stdin};
	char **gwcmd = xcalloc(sel.n + 1, sizeof *gwcmd);
	for (size_t i = 0; i < sel.n; i++)
		if (sel.t[i].forward_def)
			nodes[i].command = gwcmd[i] = cexec_indirect_command(sel.t[i].forward_def, &fwd, cmdv, cmdc);

	int status = 0;
	if (no.dry_run) {
		print_dry_run(nodes, sel.n, command);
	} else {
		size_t stdin_len = 0;
		char *stdin_buf = send_stdin ? read_stdin(&stdin_len) : NULL;
		struct cexec_run_opts ro = {
			.format = no.json ? OUT_JSON : gather ? OUT_GATHER : pipe_mode ? OUT_PIPE : OUT_C3,
			.command = command,
			.stdin_buf = stdin_buf,
			.stdin_len = stdin_len,
			.fanout = nodeopts_fanout_opts(&no, serial),
		};
		struct cexec_results res;
		cexec_run(nodes, sel.n, &ro, &res);
		nodereport_print(res.all, res.n, NODEREPORT_EXITS);
		if (nodeopts_write_failed(&no, res.all, res.n, 0) < 0)
			status = 1;
		int st = nodeopts_exit_status(&no, res.all, res.n, 0);
		if (st > status)
			status = st;
		if (res.interrupted)
			status = 128 + (fanout_stop_signal() ? fanout_stop_signal() : SIGINT);
		cexec_results_free(&res);
		free(stdin_buf);
	}
	for (size_t i = 0; i < sel.n; i++)
		free(gwcmd[i]);
	free(gwcmd);
	nodeopts_fanout_free(nodes, sel.n);
	free(command);
	c3_selection_free(&sel);
	poptFreeContext(pc);
	nodeopts_free(&no);
	return status;
}
