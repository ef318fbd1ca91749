/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cpush — scatter files and directories to many nodes over SFTP.
 *
 *   cpush [OPTIONS] [MACHINE-DEFINITIONS...] SOURCE... [TARGET]
 *
 * Recipe: parse options, build the transfer plan from the sources (plan.c),
 * resolve the nodes (nodeopts), play the plan on every node through fanout
 * (send.c), report per node, exit 0 (all fine), 1 (usage or local error) or
 * 2 (some node failed).
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "fsutil.h"
#include "jsonl.h"
#include "log.h"
#include "nodefold.h"
#include "nodeopts.h"
#include "chain.h"
#include "plan.h"
#include "send.h"
#include "xalloc.h"

#define CHUNK_MAX_KIB 16384 /* --chunk: 16 MiB per write at most */

struct opts {
	int recursive, blind, delete, verbose, quiet;
	char *list;
	char **excludes;
	size_t nexcludes;
	int chunk_kib;
	enum cpchain_mode mode; /* --chain, --direct, or the rule */
	int chains;             /* --chains K */
	char *relay_net;        /* --relay-net CIDR */
};

/* ARG: the nodes' stats, in the order of the nodes */
static void node_done(struct fanout_node *n, const struct cpsend_stats *st, void *arg)
{
	struct cpsend_stats *stats = arg;
	stats[n->index] = *st;
	if (n->state == FANOUT_OK) /* failures: nodeopts_report, grouped */
		verbose("%s: %lu sent, %lu unchanged, %lu deleted, %llu bytes", n->name, st->sent,
			st->skipped, st->deleted, (unsigned long long)st->bytes);
}

static void print_json(const struct fanout_node *nodes, const struct cpsend_stats *stats, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct cpsend_stats *st = &stats[i];
		json_t *o = nodeopts_json_node(&nodes[i]);
		json_object_set_new(o, "sent", json_integer((json_int_t)st->sent));
		json_object_set_new(o, "unchanged", json_integer((json_int_t)st->skipped));
		json_object_set_new(o, "deleted", json_integer((json_int_t)st->deleted));
		json_object_set_new(o, "errors", json_integer((json_int_t)st->errors));
		json_object_set_new(o, "bytes", json_integer((json_int_t)st->bytes));
		jsonl_emit(stdout, o);
	}
}

/* SOURCE... [TARGET] and --list lines into PLAN. Dies on a bad source. */
static void build_plan(struct cpplan *plan, const struct opts *o, char **paths, size_t npaths)
{
	char err[4096];
	char *cwd = getcwd(NULL, 0);
	if (!cwd)
		die_errno(1, "getcwd");
	if (o->list) {
		size_t len;
		char *text = fs_read_file(o->list, 16 << 20, &len);
		if (!text)
			die_errno(1, "%s", o->list);
		struct cpplan_pairs pairs;
		if (cpplan_parse_list(text, len, o->list, &pairs, err, sizeof err) < 0)
			die(1, "%s", err);
		free(text);
		for (size_t i = 0; i < pairs.n; i++) {
			char *dst = cpplan_target(pairs.p[i].src, pairs.p[i].dst, 0, cwd);
			if (cpplan_add(plan, pairs.p[i].src, dst, o->recursive, err, sizeof err) < 0)
				die(1, "%s:%d: %s", o->list, pairs.p[i].line, err);
			free(dst);
		}
		cpplan_pairs_free(&pairs);
	}
	const char *target = npaths >= 2 ? paths[npaths - 1] : NULL;
	size_t nsrc = npaths >= 2 ? npaths - 1 : npaths;
	for (size_t i = 0; i < nsrc; i++) {
		char *dst = cpplan_target(paths[i], target, nsrc > 1, cwd);
		if (cpplan_add(plan, paths[i], dst, o->recursive, err, sizeof err) < 0)
			die(1, "%s", err);
		free(dst);
	}
	free(cwd);
	cpplan_finish(plan);
}

static const char *entry_type(const struct cpplan_entry *e)
{
	return e->type == CPPLAN_LINK ? "symlink" : e->type == CPPLAN_DIR ? "dir" : "file";
}

/* -n --json: one object per node, with the copies it would get. */
static void dry_run_json(const struct nodeopts *no, const struct cpplan *plan, const struct c3_selection *sel)
{
	for (size_t i = 0; i < sel->n; i++) {
		json_t *o = nodeopts_json_target(no, &sel->t[i]), *a = json_array();
		for (size_t k = 0; k < plan->n; k++) {
			const struct cpplan_entry *e = &plan->e[k];
			json_t *c = json_object();
			jsonl_set_str(c, "source", e->src);
			jsonl_set_str(c, "target", e->dst);
			jsonl_set_str(c, "type", entry_type(e));
			if (e->type == CPPLAN_LINK)
				jsonl_set_str(c, "link", e->link);
			json_array_append_new(a, c);
		}
		json_object_set_new(o, "copies", a);
		jsonl_emit(stdout, o);
	}
}

static void dry_run(const struct nodeopts *no, const struct cpplan *plan, const struct c3_selection *sel,
		    const struct opts *o)
{
	int chain;
	const char *why = cpchain_explain(o->mode, plan, sel->n, &chain);
	if (no->json) {
		dry_run_json(no, plan, sel);
		return;
	}
	char **names = xcalloc(sel->n + 1, sizeof *names);
	for (size_t i = 0; i < sel->n; i++)
		names[i] = sel->t[i].host;
	char *folded = nodeset_fold(names, sel->n);
	printf("nodes: %s\n", folded);
	printf("mode: %s\n", why);
	free(folded);
	free(names);
	for (size_t i = 0; i < plan->n; i++) {
		const struct cpplan_entry *e = &plan->e[i];
		if (e->type == CPPLAN_LINK)
			printf("%s -> %s (symlink to %s)\n", e->src, e->dst, e->link);
		else
			printf("%s -> %s%s\n", e->src, e->dst, e->type == CPPLAN_DIR ? "/" : "");
	}
}

struct args {
	struct opts o;
	char **paths; /* SOURCE... [TARGET] */
	size_t npaths;
};

static void parse_args(struct cli *c, struct nodeopts *no, struct args *a, struct c3_selection *sel)
{
	struct opts *o = &a->o;
	int val;
	while ((val = cli_next(c)) > 0) {
		if (nodeopts_option(no, c, val))
			continue;
		if (val == 'e') {
			o->excludes = xgrowarray(o->excludes, o->nexcludes, sizeof *o->excludes);
			o->excludes[o->nexcludes++] = (char *)cli_value(c);
		} else if (val == 'k') {
			o->chunk_kib = (int)cli_long(c, 1, CHUNK_MAX_KIB);
		} else if (val == 'v') {
			o->verbose++;
		} else if (val == 'C' || val == 'D') {
			o->mode = val == 'C' ? CPCHAIN_CHAIN : CPCHAIN_DIRECT;
		} else if (val == 'K') {
			o->chains = (int)cli_long(c, 1, 64);
		}
	}
	log_set_verbosity(o->quiet ? LOG_QUIET : o->verbose > 1 ? LOG_DEBUG : o->verbose ? LOG_VERBOSE : LOG_NORMAL);
	size_t nargs, first;
	char **args = cli_args(c, &nargs), err[4096];
	if (nodeopts_take_defs(no, args, nargs, &first, err, sizeof err) < 0)
		cli_usage_error(c, "%s", err);
	if (first >= nargs && !o->list && !no->list)
		cli_usage_error(c, "no SOURCE given");
	a->npaths = nargs - first;
	a->paths = xcalloc(a->npaths + 1, sizeof *a->paths);
	for (size_t i = 0; i < a->npaths; i++)
		a->paths[i] = xstrdup(args[first + i]);
	cli_args_free(args, nargs);
	no->gateway_nodes = 1; /* the nodes behind a C3 gateway, through its sshd */
	if (nodeopts_resolve(no, sel, err, sizeof err) < 0)
		die(1, "%s", err);
}

static int push(const struct nodeopts *no, struct cpplan *plan, const struct c3_selection *sel,
		const struct opts *o)
{
	struct fanout_node *nodes = nodeopts_fanout_nodes(no, sel);
	struct cpsend_stats *stats = xcalloc(sel->n + 1, sizeof *stats);
	int chain;
	const char *why = cpchain_explain(o->mode, plan, sel->n, &chain);
	if (o->mode == CPCHAIN_CHAIN && !chain)
		die(1, "--chain: %s", why);
	verbose("mode: %s", why);
	struct fanout_opts fo = nodeopts_fanout_opts(no, 0);
	int fr = FANOUT_COMPLETE;
	unsigned long *chain_sent = xcalloc(sel->n + 1, sizeof *chain_sent);
	uint64_t *chain_bytes = xcalloc(sel->n + 1, sizeof *chain_bytes);
	if (chain) {
		struct cpchain_opts co = { .blind = o->blind, .delete = o->delete, .chains = o->chains,
					   .relay_net = o->relay_net, .quiet = o->quiet,
					   .sent = chain_sent, .bytes = chain_bytes };
		fr = cpchain_run(plan, nodes, sel->n, &fo, &co);
	}
	/* after the chain: symlinks, --delete, directory modes and times; the files are unchanged */
	struct cpsend_opts so = { .blind = o->blind && !chain, .delete = o->delete,
				  .chunk = o->chunk_kib > 0 ? (size_t)o->chunk_kib << 10 : 0,
				  .done = node_done, .arg = stats };
	struct cpsend *s = cpsend_new(plan, sel->n, &so);
	struct fanout_task task;
	cpsend_task(s, &task);
	if (fr == FANOUT_COMPLETE) /* the nodes the chain left FANOUT_PENDING */
		fr = fanout_run(nodes, sel->n, &fo, &task);
	for (size_t i = 0; i < sel->n; i++) { /* the direct pass found the chain's files unchanged */
		struct cpsend_stats *st = &stats[i];
		st->skipped -= chain_sent[i] < st->skipped ? chain_sent[i] : st->skipped;
		st->sent += chain_sent[i];
		st->bytes += chain_bytes[i];
	}
	free(chain_sent);
	free(chain_bytes);
	if (no->json)
		print_json(nodes, stats, sel->n);
	int status = nodeopts_report(no, nodes, sel->n, fr);
	cpsend_free(s);
	nodeopts_fanout_free(nodes, sel->n);
	free(stats);
	return status;
}

/*
 * cpush keeps C3's -l FILE (the file list, --file-list), so its login user
 * is --user only; its file pattern is --exclude (long only). The old
 * spellings --exclude-nodes and --list-nodes stay, hidden.
 */
int main(int argc, char **argv)
{
	log_init(argv[0]);
	struct nodeopts no;
	nodeopts_init(&no);
	struct args a = { 0 };
	struct opts *o = &a.o;
	static const char *const omit[] = { "user", NULL };
	struct poptOption table[] = {
		{ "recursive", 'r', POPT_ARG_NONE, &o->recursive, 0, "send directories and their contents", NULL },
		{ "file-list", 'l', POPT_ARG_STRING, &o->list, 0, "read \"source [target]\" lines from FILE", "FILE" },
		{ "exclude", 0, POPT_ARG_STRING, NULL, 'e', "skip names matching PATTERN (repeatable)", "PATTERN" },
		{ "delete", 'd', POPT_ARG_NONE, &o->delete, 0, "remove extraneous files in target directories",
		  NULL },
		{ "blind", 'b', POPT_ARG_NONE, &o->blind, 0, "send every file, even unchanged ones", NULL },
		{ "chunk", 0, POPT_ARG_STRING, NULL, 'k', "KiB per pipelined SFTP write (default 256)", "KIB" },
		{ "chain", 0, POPT_ARG_NONE, NULL, 'C',
		  "send each byte out of the head once, node to node (default: 4+ nodes and 8+ MiB)", NULL },
		{ "direct", 0, POPT_ARG_NONE, NULL, 'D', "send to every node from the head over SFTP", NULL },
		{ "chains", 0, POPT_ARG_STRING, NULL, 'K', "parallel chains with --chain (default 1)", "K" },
		{ "relay-net", 0, POPT_ARG_STRING, &o->relay_net, 0,
		  "chain links use each node's address in CIDR (default: the address cpush reached)", "CIDR" },
		{ "verbose", 'v', POPT_ARG_NONE, NULL, 'v', "report every node (twice: debug)", NULL },
		{ "quiet", 'q', POPT_ARG_NONE, &o->quiet, 0, "only errors", NULL },
		{ NULL, 0, POPT_ARG_INCLUDE_TABLE, nodeopts_popt(&no, omit), 0, "Node selection:", NULL },
		{ "user", 0, POPT_ARG_STRING, NULL, NODEOPT_USER, "login user (also C3_USER)", "USER" },
		{ "exclude-nodes", 0, POPT_ARG_STRING | POPT_ARGFLAG_DOC_HIDDEN, NULL, NODEOPT_X, "same as -x",
		  "NODES" },
		{ "list-nodes", 0, POPT_ARG_NONE | POPT_ARGFLAG_DOC_HIDDEN, &no.list, 0, "same as --list", NULL },
		CLI_VERSION_OPTION,
		POPT_AUTOHELP POPT_TABLEEND
	};
	struct cli c;
	cli_begin(&c, "cpush", argc, argv, table, "[OPTIONS] [MACHINE-DEFINITIONS...] SOURCE... [TARGET]", 0);
	struct c3_selection sel;
	parse_args(&c, &no, &a, &sel);

	struct cpplan plan;
	cpplan_init(&plan, o->excludes, o->nexcludes);
	if (!no.list)
		build_plan(&plan, o, a.paths, a.npaths);
	int status = 0;
	if (no.list)
		nodeopts_print_list(&no, &sel);
	else if (no.dry_run)
		dry_run(&no, &plan, &sel, o);
	else
		status = push(&no, &plan, &sel, o);
	c3_selection_free(&sel);
	cpplan_free(&plan);
	for (size_t i = 0; i < o->nexcludes; i++)
		free(o->excludes[i]);
	free(o->excludes);
	cli_args_free(a.paths, a.npaths);
	free(o->list);
	free(o->relay_net);
	cli_end(&c);
	nodeopts_free(&no);
	return status;
}
