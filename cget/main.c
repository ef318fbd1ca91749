/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cget — gather a file or directory from many nodes over SFTP.
 *
 *   cget [OPTIONS] [MACHINE-DEFINITIONS...] SOURCE [TARGET-DIR]
 *
 * Recipe: parse options, resolve the nodes (nodeopts), open TARGET-DIR
 * (created if missing), fetch SOURCE from every node through fanout
 * (recv.c) into BASENAME_CLUSTER_NODE / BASENAME_NODE / NODE/BASENAME
 * (name.c), report per node, exit 0, 1 (usage or local error) or 2 (some
 * node failed).
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "jsonl.h"
#include "log.h"
#include "name.h"
#include "nodeopts.h"
#include "recv.h"
#include "xalloc.h"

#define CHUNK_MAX_KIB 16384 /* --chunk: 16 MiB per read at most */

struct result {
	struct cgrecv_stats st;
};

static struct result *results;

static void node_done(struct fanout_node *n, const struct cgrecv_stats *st, void *arg)
{
	(void)arg;
	results[n->index].st = *st;
	if (n->state == FANOUT_OK) /* failures: nodeopts_report, grouped */
		verbose("%s: %lu files, %lu dirs, %lu links, %llu bytes", n->name, st->files, st->dirs, st->links,
			(unsigned long long)st->bytes);
}

static void print_json(const struct fanout_node *nodes, size_t n, const char *base, int use_cluster,
		       int layout_dir)
{
	for (size_t i = 0; i < n; i++) {
		const struct cgrecv_stats *st = &results[i].st;
		char *local = cgname_local(base, use_cluster ? nodes[i].cluster : NULL, nodes[i].name, layout_dir);
		json_t *o = nodeopts_json_node(&nodes[i]);
		jsonl_set_str(o, "path", local);
		json_object_set_new(o, "files", json_integer((json_int_t)st->files));
		json_object_set_new(o, "dirs", json_integer((json_int_t)st->dirs));
		json_object_set_new(o, "links", json_integer((json_int_t)st->links));
		json_object_set_new(o, "skipped", json_integer((json_int_t)st->skipped));
		json_object_set_new(o, "errors", json_integer((json_int_t)st->errors));
		json_object_set_new(o, "bytes", json_integer((json_int_t)st->bytes));
		jsonl_emit(stdout, o);
		free(local);
	}
}

/* -n: where each node's SOURCE would go. */
static void dry_run(const struct nodeopts *no, const struct c3_selection *sel, const char *source,
		    const char *base, const char *targetdir, int layout_dir)
{
	for (size_t i = 0; i < sel->n; i++) {
		const struct c3_target *t = &sel->t[i];
		char *local = cgname_local(base, no->from_c3 ? t->cluster : NULL, t->host, layout_dir);
		char *path = local ? cgname_join(targetdir, local) : NULL;
		if (no->json) {
			json_t *o = nodeopts_json_target(no, t);
			jsonl_set_str(o, "source", source);
			jsonl_set_str(o, "path", path);
			jsonl_emit(stdout, o);
		} else {
			printf("%s:%s -> %s\n", t->host, source, path ? path : "(unusable name)");
		}
		free(path);
		free(local);
	}
}

/* mkdir -p for the user's own TARGET-DIR (a local, trusted path). */
static void make_dirs(const char *path)
{
	char *p = xstrdup(path);
	for (char *s = p + 1;; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		char saved = *s;
		*s = '\0';
		if (mkdir(p, 0755) < 0 && errno != EEXIST)
			die_errno(1, "%s", p);
		*s = saved;
		if (saved == '\0')
			break;
	}
	free(p);
}

struct args {
	int recursive, verbose, quiet, layout_dir;
	size_t chunk;           /* --chunk, bytes (0: default) */
	char *source, *targetdir;
};

static void parse_args(struct cli *c, struct nodeopts *no, struct args *a, struct c3_selection *sel)
{
	static const char *const layouts[] = {"flat", "dir", NULL};
	int val;
	while ((val = cli_next(c)) > 0) {
		if (nodeopts_option(no, c, val))
			continue;
		if (val == 'L')
			a->layout_dir = cli_choice(c, layouts);
		else if (val == 'k')
			a->chunk = (size_t)cli_long(c, 1, CHUNK_MAX_KIB) << 10;
	}
	log_set_verbosity(a->quiet ? LOG_QUIET : a->verbose ? LOG_VERBOSE : LOG_NORMAL);
	size_t nargs, first;
	char **args = cli_args(c, &nargs), err[4096];
	if (nodeopts_take_defs(no, args, nargs, &first, err, sizeof err) < 0)
		cli_usage_error(c, "%s", err);
	if (first >= nargs && !no->list)
		cli_usage_error(c, "no SOURCE given");
	if (nargs - first > 2)
		cli_usage_error(c, "too many arguments");
	a->source = xstrdup(first < nargs ? args[first] : "");
	a->targetdir = xstrdup(nargs - first == 2 ? args[first + 1] : ".");
	cli_args_free(args, nargs);
	no->gateway_nodes = 1; /* the nodes behind a C3 gateway, through its sshd */
	if (nodeopts_resolve(no, sel, err, sizeof err) < 0)
		die(1, "%s", err);
}

static int gather(const struct nodeopts *no, const struct c3_selection *sel, const struct args *a,
		  const char *base)
{
	make_dirs(a->targetdir);
	int tfd = open(a->targetdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (tfd < 0)
		die_errno(1, "%s", a->targetdir);
	struct fanout_node *nodes = nodeopts_fanout_nodes(no, sel);
	results = xcalloc(sel->n + 1, sizeof *results);
	struct cgrecv_opts ro = { .source = a->source, .recursive = a->recursive, .layout_dir = a->layout_dir,
				  .use_cluster = no->from_c3, .targetfd = tfd, .bufsize = a->chunk,
				  .done = node_done };
	struct cgrecv *r = cgrecv_new(&ro, sel->n);
	struct fanout_task task;
	cgrecv_task(r, &task);
	struct fanout_opts fo = nodeopts_fanout_opts(no, 0);
	int fr = fanout_run(nodes, sel->n, &fo, &task);
	if (no->json)
		print_json(nodes, sel->n, base, no->from_c3, a->layout_dir);
	int status = nodeopts_report(no, nodes, sel->n, fr);
	cgrecv_free(r);
	nodeopts_fanout_free(nodes, sel->n);
	free(results);
	close(tfd);
	return status;
}

int main(int argc, char **argv)
{
	log_init(argv[0]);
	struct nodeopts no;
	nodeopts_init(&no);
	struct args a = { 0 };
	struct poptOption table[] = {
		{ "recursive", 'r', POPT_ARG_NONE, &a.recursive, 0, "gather directories and their contents", NULL },
		{ "layout", 0, POPT_ARG_STRING, NULL, 'L',
		  "flat: TARGET-DIR/BASENAME_[CLUSTER_]NODE (default); dir: TARGET-DIR/NODE/BASENAME", "flat|dir" },
		{ "chunk", 0, POPT_ARG_STRING, NULL, 'k', "KiB per pipelined SFTP read (default 256)", "KIB" },
		{ "verbose", 'v', POPT_ARG_NONE, &a.verbose, 0, "report every node", NULL },
		{ "quiet", 'q', POPT_ARG_NONE, &a.quiet, 0, "only errors", NULL },
		{ NULL, 0, POPT_ARG_INCLUDE_TABLE, nodeopts_popt(&no, NULL), 0, "Node selection:", NULL },
		CLI_VERSION_OPTION,
		POPT_AUTOHELP POPT_TABLEEND
	};
	struct cli c;
	cli_begin(&c, "cget", argc, argv, table, "[OPTIONS] [MACHINE-DEFINITIONS...] SOURCE [TARGET-DIR]", 0);
	struct c3_selection sel;
	parse_args(&c, &no, &a, &sel);
	char *base = cgname_base(a.source);
	int status = 0;
	if (no.list)
		nodeopts_print_list(&no, &sel);
	else if (no.dry_run)
		dry_run(&no, &sel, a.source, base, a.targetdir, a.layout_dir);
	else
		status = gather(&no, &sel, &a, base);
	free(base);
	free(a.source);
	free(a.targetdir);
	c3_selection_free(&sel);
	cli_end(&c);
	nodeopts_free(&no);
	return status;
}
