/* SPDX-License-Identifier: BSD-3-Clause */
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
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "hostfile.h"
#include "indirect.h"
#include "jsonl.h"
#include "knownhosts.h"
#include "log.h"
#include "nodeopts.h"
#include "nodereport.h"
#include "nodeset.h"
#include "run.h"
#include "xalloc.h"

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

static void print_dry_run(const struct nodeopts *no, const struct c3_selection *sel,
			  const struct fanout_node *nodes, const char *command)
{
	for (size_t i = 0; i < sel->n; i++) {
		const char *cmd = nodes[i].command ? nodes[i].command : command;
		if (no->json) {
			json_t *o = nodeopts_json_target(no, &sel->t[i]);
			jsonl_set_str(o, "command", cmd);
			jsonl_emit(stdout, o);
			continue;
		}
		if (nodes[i].cluster)
			printf("%s ", nodes[i].cluster);
		printf("%s%s%s: %s\n", nodes[i].ssh.user ? nodes[i].ssh.user : "", nodes[i].ssh.user ? "@" : "",
		       nodes[i].name, cmd);
	}
}

enum { OPT_HOSTFILE = 1, OPT_SLOTS, OPT_HOSTFILE_FORMAT };

struct args {
	int pipe, gather, send_stdin;
	struct hostfile_opts hf;  /* --hostfile: hf.path set */
	int hf_extra;             /* --slots or --hostfile-format given */
	char *known_hosts;        /* --known-hosts FILE */
	char **cmdv; /* the command words */
	size_t cmdc;
};

static void hostfile_option(struct cli *c, struct args *a, int val)
{
	static const char *const formats[] = {"openmpi", "mpich", NULL};
	switch (val) {
	case OPT_HOSTFILE:
		free((char *)a->hf.path);
		a->hf.path = cli_value(c);
		if (!a->hf.path || !*a->hf.path)
			cli_usage_error(c, "--hostfile: needs a file name");
		break;
	case OPT_SLOTS:
		a->hf.slots = cli_long(c, 1, HOSTFILE_SLOTS_MAX);
		a->hf_extra = 1;
		break;
	case OPT_HOSTFILE_FORMAT:
		a->hf.format = (enum hostfile_format)cli_choice(c, formats);
		a->hf_extra = 1;
		break;
	}
}

/* --hostfile or --known-hosts: ask the nodes, write the file, report as a run does. The exit status. */
static int run_writer(const struct nodeopts *no, const struct c3_selection *sel, const struct args *a,
			int serial)
{
	if (!sel->n)
		warnmsg("no node selected (excluded or dead?)");
	struct fanout_node *nodes = nodeopts_fanout_nodes(no, sel);
	struct fanout_opts fo = nodeopts_fanout_opts(no, serial);
	long lines;
	int rc = a->hf.path ? hostfile_run(nodes, sel->n, &a->hf, &fo, &lines)
			    : knownhosts_run(nodes, sel->n, a->known_hosts, &fo, &lines);
	nodereport_print(nodes, sel->n, NODEREPORT_EXITS | NODEREPORT_TTY_COUNT);
	int status = nodeopts_exit_status(no, nodes, sel->n, 1);
	if (nodeopts_write_failed(no, nodes, sel->n, 1) < 0 && !status)
		status = 1;
	if (rc == FANOUT_INTERRUPTED)
		status = 128 + (fanout_stop_signal() ? fanout_stop_signal() : SIGINT);
	else if (lines < 0 && !status)
		status = 1;
	nodeopts_fanout_free(nodes, sel->n);
	return status;
}

/* Options and arguments into NO and A, then the selected nodes into SEL. */
static void parse_args(struct cli *c, struct nodeopts *no, struct args *a, struct c3_selection *sel)
{
	int val;
	while ((val = cli_next(c)) > 0)
		if (!nodeopts_option(no, c, val))
			hostfile_option(c, a, val);
	if (a->pipe + a->gather + no->json > 1)
		cli_usage_error(c, "--pipe, --gather and --json exclude each other");
	if (a->hf_extra && !a->hf.path)
		cli_usage_error(c, "--slots and --hostfile-format go with --hostfile");
	if (a->hf.path && a->known_hosts)
		cli_usage_error(c, "--hostfile and --known-hosts exclude each other");
	if (a->hf.path && (a->pipe || a->gather || no->json || a->send_stdin))
		cli_usage_error(c, "--hostfile excludes --pipe, --gather, --json and --stdin");
	if (a->known_hosts && (a->pipe || a->gather || no->json || a->send_stdin))
		cli_usage_error(c, "--known-hosts excludes --pipe, --gather, --json and --stdin");
	size_t nargs, first;
	char **args = cli_args(c, &nargs), err[1024];
	if (nodeopts_take_defs(no, args, nargs, &first, err, sizeof err) < 0)
		cli_usage_error(c, "%s", err);
	if (first == nargs && !no->list && !a->hf.path && !a->known_hosts)
		cli_usage_error(c, "no command given");
	if (first < nargs && a->hf.path)
		cli_usage_error(c, "--hostfile takes no command (it runs nproc): '%s'", args[first]);
	if (first < nargs && a->known_hosts)
		cli_usage_error(c, "--known-hosts takes no command (it runs hostname): '%s'", args[first]);
	if (a->known_hosts && no->policy == SSH_HOSTKEY_OFF)
		cli_usage_error(c, "--known-hosts with --host-keys off: the keys would be unchecked");
	if (a->hf.path && cli_check_output_file("--hostfile", a->hf.path, err, sizeof err) < 0)
		die(1, "%s", err);
	if (a->known_hosts && cli_check_output_file("--known-hosts", a->known_hosts, err, sizeof err) < 0)
		die(1, "%s", err);
	if (nodeopts_resolve(no, sel, err, sizeof err) < 0)
		die(1, "%s", err);
	const char *own = a->hf.path ? "--hostfile" : a->known_hosts ? "--known-hosts" : NULL;
	for (size_t i = 0; own && i < sel->n; i++)
		if (sel->t[i].forward_def)
			die(1, "%s: %s is the gateway of an indirect cluster: name its nodes", own, sel->t[i].host);
	a->cmdc = nargs - first;
	a->cmdv = xcalloc(a->cmdc + 1, sizeof *a->cmdv);
	for (size_t i = first; i < nargs; i++)
		a->cmdv[i - first] = xstrdup(args[i]);
	cli_args_free(args, nargs);
}

/* The command on the selected nodes (or -n: what would run): the exit status. */
static int run_nodes(const struct nodeopts *no, const struct c3_selection *sel, const struct args *a, int serial)
{
	if (!sel->n)
		warnmsg("no node selected (excluded or dead?)");
	char *command = xjoin(a->cmdv, a->cmdc, " "); /* as ssh joins them */
	struct fanout_node *nodes = nodeopts_fanout_nodes(no, sel);
	struct cexec_fwd_opts fwd = {no->fanout, no->connect_timeout, no->timeout, no->host_keys, no->xlist,
				     a->send_stdin};
	char **gwcmd = xcalloc(sel->n + 1, sizeof *gwcmd);
	for (size_t i = 0; i < sel->n; i++)
		if (sel->t[i].forward_def)
			nodes[i].command = gwcmd[i] =
				cexec_indirect_command(sel->t[i].forward_def, &fwd, a->cmdv, a->cmdc);

	int status = 0;
	if (no->dry_run) {
		print_dry_run(no, sel, nodes, command);
	} else {
		size_t stdin_len = 0;
		char *stdin_buf = a->send_stdin ? read_stdin(&stdin_len) : NULL;
		struct cexec_run_opts ro = {
			.format = no->json ? OUT_JSON : a->gather ? OUT_GATHER : a->pipe ? OUT_PIPE : OUT_C3,
			.command = command,
			.stdin_buf = stdin_buf,
			.stdin_len = stdin_len,
			.fanout = nodeopts_fanout_opts(no, serial),
		};
		struct cexec_results res;
		cexec_run(nodes, sel->n, &ro, &res);
		nodereport_print(res.all, res.n, NODEREPORT_EXITS);
		if (nodeopts_write_failed(no, res.all, res.n, 1) < 0)
			status = 1;
		int st = nodeopts_exit_status(no, res.all, res.n, 0);
		if (st > status)
			status = st;
		if (res.interrupted)
			status = 128 + (fanout_stop_signal() ? fanout_stop_signal() : SIGINT);
		cexec_results_free(&res);
		free(stdin_buf);
	}
	for (size_t i = 0; i < sel->n; i++)
		free(gwcmd[i]);
	free(gwcmd);
	nodeopts_fanout_free(nodes, sel->n);
	free(command);
	return status;
}

int main(int argc, char **argv)
{
	log_init(argv[0]);
	char *prog = xstrdup(argv[0]);
	int serial = !strcmp(basename(prog), "cexecs");
	free(prog);
	struct nodeopts no;
	nodeopts_init(&no);
	struct args a = {0};
	struct poptOption opts[] = {
		{"pipe", 'p', POPT_ARG_NONE, &a.pipe, 0, "stream lines as they arrive, prefixed NODE: ", NULL},
		{"gather", 'b', POPT_ARG_NONE, &a.gather, 0, "fold identical output under one node list", NULL},
		{"stdin", 0, POPT_ARG_NONE, &a.send_stdin, 0, "send standard input to every node", NULL},
		{"hostfile", 0, POPT_ARG_STRING, NULL, OPT_HOSTFILE,
		 "write an MPI hostfile of the nodes that answer (their nproc), no command", "FILE"},
		{"slots", 0, POPT_ARG_STRING, NULL, OPT_SLOTS, "--hostfile: N slots per node instead of nproc", "N"},
		{"hostfile-format", 0, POPT_ARG_STRING, NULL, OPT_HOSTFILE_FORMAT,
		 "--hostfile lines: NAME slots=N (openmpi, default) or NAME:N (mpich)", "openmpi|mpich"},
		{"known-hosts", 0, POPT_ARG_STRING, &a.known_hosts, 0,
		 "write the nodes' checked host keys to FILE, named by all their names, no command", "FILE"},
		{NULL, 0, POPT_ARG_INCLUDE_TABLE, nodeopts_popt(&no, NULL), 0, "Nodes and sessions:", NULL},
		CLI_VERSION_OPTION,
		POPT_AUTOHELP POPT_TABLEEND,
	};
	struct cli c;
	cli_begin(&c, serial ? "cexecs" : "cexec", argc, argv, opts,
		  "[OPTIONS] [MACHINE-DEFINITIONS...] COMMAND [ARGS...]", 0);
	struct c3_selection sel;
	parse_args(&c, &no, &a, &sel);
	int status = 0;
	if (no.list)
		nodeopts_print_list(&no, &sel);
	else if (a.hf.path || a.known_hosts)
		status = run_writer(&no, &sel, &a, serial);
	else
		status = run_nodes(&no, &sel, &a, serial);
	cli_args_free(a.cmdv, a.cmdc);
	free((char *)a.hf.path);
	free(a.known_hosts);
	c3_selection_free(&sel);
	cli_end(&c);
	nodeopts_free(&no);
	return status;
}
