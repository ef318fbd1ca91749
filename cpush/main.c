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
#include <popt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fsutil.h"
#include "log.h"
#include "nodeopts.h"
#include "nodeset.h"
#include "plan.h"
#include "send.h"

struct opts {
	int recursive, blind, delete, verbose, quiet;
	char *list;
	char **excludes;
	size_t nexcludes;
	int chunk_kib;
};

struct result {
	struct cpsend_stats st;
	int seen;
};

static struct result *results;

static void node_done(struct fanout_node *n, const struct cpsend_stats *st, void *arg)
{
	(void)arg;
	results[n->index].st = *st;
	results[n->index].seen = 1;
	if (n->state == FANOUT_OK) /* failures: nodeopts_report, grouped */
		verbose("%s: %lu sent, %lu unchanged, %lu deleted, %llu bytes", n->name, st->sent,
			st->skipped, st->deleted, (unsigned long long)st->bytes);
}

static void print_json(const struct fanout_node *nodes, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct cpsend_stats *st = &results[i].st;
		json_t *o = json_pack("{s:s, s:s?, s:s, s:s?, s:I, s:I, s:I, s:I, s:I, s:f}", "node", nodes[i].name,
				      "cluster", nodes[i].cluster, "status", nodeopts_state_name(nodes[i].state), "error",
				      nodes[i].error, "sent", (json_int_t)st->sent, "unchanged",
				      (json_int_t)st->skipped, "deleted", (json_int_t)st->deleted, "errors",
				      (json_int_t)st->errors, "bytes", (json_int_t)st->bytes, "seconds",
				      nodes[i].seconds);
		nodeopts_json_line(o);
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

/* --exclude-nodes: remove the hosts of LIST from SEL. Dies on a bad host list. */
static void drop_nodes(struct c3_selection *sel, const char *list)
{
	struct nodeset drop;
	char err[512];
	nodeset_init(&drop);
	if (nodeset_expand_arg(&drop, list, err, sizeof err) < 0)
		die(1, "--exclude-nodes: %s", err);
	size_t k = 0;
	for (size_t i = 0; i < sel->n; i++) {
		if (nodeset_contains(&drop, sel->t[i].host)) {
			free(sel->t[i].cluster);
			free(sel->t[i].host);
			free(sel->t[i].user);
			free(sel->t[i].forward_def);
		} else {
			sel->t[k++] = sel->t[i];
		}
	}
	sel->n = k;
	nodeset_free(&drop);
}

static void dry_run(const struct cpplan *plan, const struct c3_selection *sel)
{
	char **names = xcalloc(sel->n + 1, sizeof *names);
	for (size_t i = 0; i < sel->n; i++)
		names[i] = sel->t[i].host;
	char *folded = nodeset_fold(names, sel->n);
	printf("nodes: %s\n", folded);
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

/*
 * cpush follows C3 and the design: -x is --exclude PATTERN and -l is --list
 * FILE. Take those letters away from the shared node options (their -x has no
 * long name: --exclude-nodes replaces it; -l stays as --user).
 */
static struct poptOption *node_table(struct nodeopts *no)
{
	struct poptOption *t = nodeopts_popt(no);
	for (struct poptOption *o = t; o->longName || o->shortName || o->argInfo; o++) {
		if (o->shortName == 'x')
			o->argInfo |= POPT_ARGFLAG_DOC_HIDDEN;
		if (o->shortName == 'x' || o->shortName == 'l')
			o->shortName = '\0';
		if (o->longName && strcmp(o->longName, "list") == 0)
			o->longName = "list-nodes"; /* --list is the file list here */
	}
	return t;
}

int main(int argc, char **argv)
{
	log_init(argv[0]);
	struct opts o = { 0 };
	struct nodeopts no;
	nodeopts_init(&no);
	char *exclude = NULL, *xnodes = NULL;
	struct poptOption table[] = {
		{ "recursive", 'r', POPT_ARG_NONE, &o.recursive, 0, "send directories and their contents", NULL },
		{ "list", 'l', POPT_ARG_STRING, &o.list, 0, "read \"source [target]\" lines from FILE", "FILE" },
		{ "exclude", 'x', POPT_ARG_STRING, &exclude, 'x', "skip names matching PATTERN (repeatable)",
		  "PATTERN" },
		{ "delete", 'd', POPT_ARG_NONE, &o.delete, 0, "remove extraneous files in target directories",
		  NULL },
		{ "blind", 'b', POPT_ARG_NONE, &o.blind, 0, "send every file, even unchanged ones", NULL },
		{ "exclude-nodes", 0, POPT_ARG_STRING, &xnodes, 0,
		  "leave out these hosts (-x of the other tools: here -x is --exclude)", "NODES" },
		{ "chunk", 0, POPT_ARG_INT, &o.chunk_kib, 0, "KiB per pipelined SFTP write (default 256)", "KIB" },
		{ "verbose", 'v', POPT_ARG_NONE, NULL, 'v', "report every node (twice: debug)", NULL },
		{ "quiet", 'q', POPT_ARG_NONE, &o.quiet, 0, "only errors", NULL },
		{ NULL, 0, POPT_ARG_INCLUDE_TABLE, node_table(&no), 0, "Node selection:", NULL },
		{ "version", 0, POPT_ARG_NONE, NULL, 'V', "print the version", NULL },
		POPT_AUTOHELP POPT_TABLEEND
	};
	poptContext pc = poptGetContext("cpush", argc, (const char **)argv, table, 0);
	poptSetOtherOptionHelp(pc, "[OPTIONS] [MACHINE-DEFINITIONS...] SOURCE... [TARGET]");
	int rc;
	while ((rc = nodeopts_next_opt(pc, "cpush")) > 0) {
		if (rc == 'x') {
			o.excludes = xreallocarray(o.excludes, o.nexcludes + 1, sizeof *o.excludes);
			o.excludes[o.nexcludes++] = exclude;
			exclude = NULL;
		} else if (rc == 'v') {
			o.verbose++;
		}
	}
	log_set_verbosity(o.quiet ? LOG_QUIET : o.verbose > 1 ? LOG_DEBUG : o.verbose ? LOG_VERBOSE : LOG_NORMAL);

	size_t nrest;
	char **args = nodeopts_args(pc, &nrest);
	char **defs = NULL;
	size_t ndefs = 0;
	size_t first = nodeopts_split_defs(args, nrest, &defs, &ndefs);
	if (first >= nrest && !o.list && !no.list) {
		poptPrintUsage(pc, stderr, 0);
		die(1, "no SOURCE given");
	}

	struct cpplan plan;
	cpplan_init(&plan, o.excludes, o.nexcludes);
	if (!no.list)
		build_plan(&plan, &o, args + first, nrest - first);

	char err[4096];
	struct c3_selection sel = { 0 };
	if (nodeopts_resolve(&no, defs, ndefs, &sel, err, sizeof err) < 0)
		die(1, "%s", err);
	if (xnodes)
		drop_nodes(&sel, xnodes);
	int status = 0;
	if (no.list) {
		nodeopts_print_list(&sel);
	} else if (no.dry_run) {
		dry_run(&plan, &sel);
	} else {
		struct fanout_node *nodes = nodeopts_fanout_nodes(&no, &sel);
		results = xcalloc(sel.n + 1, sizeof *results);
		struct cpsend_opts so = { .blind = o.blind, .delete = o.delete,
					  .chunk = o.chunk_kib > 0 ? (size_t)o.chunk_kib << 10 : 0,
					  .done = node_done };
		struct cpsend *s = cpsend_new(&plan, sel.n, &so);
		struct fanout_task task;
		cpsend_task(s, &task);
		struct fanout_opts fo = nodeopts_fanout_opts(&no, 0);
		int fr = fanout_run(nodes, sel.n, &fo, &task);
		if (no.json)
			print_json(nodes, sel.n);
		status = nodeopts_report(&no, nodes, sel.n, fr);
		cpsend_free(s);
		fanout_nodes_release(nodes, sel.n);
		nodeopts_fanout_free(nodes, sel.n);
		free(results);
	}
	c3_selection_free(&sel);
	cpplan_free(&plan);
	for (size_t i = 0; i < o.nexcludes; i++)
		free(o.excludes[i]);
	free(o.excludes);
	nodeopts_args_free(args, nrest);
	free(o.list);
	free(xnodes);
	nodeopts_free(&no);
	poptFreeContext(pc);
	return status;
}
