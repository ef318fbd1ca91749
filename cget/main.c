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
#include <popt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "name.h"
#include "nodeopts.h"
#include "recv.h"

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
		json_t *o = json_pack("{s:s, s:s?, s:s, s:s?, s:s?, s:I, s:I, s:I, s:I, s:I, s:I, s:f}", "node",
				      nodes[i].name, "cluster", nodes[i].cluster, "status",
				      nodeopts_state_name(nodes[i].state), "error", nodes[i].error, "path", local, "files",
				      (json_int_t)st->files, "dirs", (json_int_t)st->dirs, "links",
				      (json_int_t)st->links, "skipped", (json_int_t)st->skipped, "errors",
				      (json_int_t)st->errors, "bytes", (json_int_t)st->bytes, "seconds",
				      nodes[i].seconds);
		nodeopts_json_line(o);
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

int main(int argc, char **argv)
{
	log_init(argv[0]);
	struct nodeopts no;
	nodeopts_init(&no);
	int recursive = 0, verbose_flag = 0, quiet = 0, buf_kib = 0;
	char *layout = NULL;
	struct poptOption table[] = {
		{ "recursive", 'r', POPT_ARG_NONE, &recursive, 0, "gather directories and their contents", NULL },
		{ "layout", 0, POPT_ARG_STRING, &layout, 0,
		  "flat: TARGET-DIR/BASENAME_[CLUSTER_]NODE (default); dir: TARGET-DIR/NODE/BASENAME", "flat|dir" },
		{ "chunk", 0, POPT_ARG_INT, &buf_kib, 0, "KiB per pipelined SFTP read (default 256)", "KIB" },
		{ "verbose", 'v', POPT_ARG_NONE, &verbose_flag, 0, "report every node", NULL },
		{ "quiet", 'q', POPT_ARG_NONE, &quiet, 0, "only errors", NULL },
		{ NULL, 0, POPT_ARG_INCLUDE_TABLE, nodeopts_popt(&no), 0, "Node selection:", NULL },
		{ "version", 0, POPT_ARG_NONE, NULL, 'V', "print the version", NULL },
		POPT_AUTOHELP POPT_TABLEEND
	};
	poptContext pc = poptGetContext("cget", argc, (const char **)argv, table, 0);
	poptSetOtherOptionHelp(pc, "[OPTIONS] [MACHINE-DEFINITIONS...] SOURCE [TARGET-DIR]");
	while (nodeopts_next_opt(pc, "cget") > 0)
		;
	log_set_verbosity(quiet ? LOG_QUIET : verbose_flag ? LOG_VERBOSE : LOG_NORMAL);
	int layout_dir = 0;
	if (layout && strcmp(layout, "dir") == 0)
		layout_dir = 1;
	else if (layout && strcmp(layout, "flat") != 0)
		die(1, "--layout: expected flat or dir, not \"%s\"", layout);

	size_t nrest;
	char **args = nodeopts_args(pc, &nrest);
	char **defs = NULL;
	size_t ndefs = 0;
	size_t first = nodeopts_split_defs(args, nrest, &defs, &ndefs);
	if ((first >= nrest && !no.list) || nrest - first > 2) {
		poptPrintUsage(pc, stderr, 0);
		die(1, first >= nrest ? "no SOURCE given" : "too many arguments");
	}
	const char *source = first < nrest ? args[first] : "";
	const char *targetdir = nrest - first == 2 ? args[first + 1] : ".";

	char err[4096];
	struct c3_selection sel = { 0 };
	if (nodeopts_resolve(&no, defs, ndefs, &sel, err, sizeof err) < 0)
		die(1, "%s", err);
	char *base = cgname_base(source);
	int status = 0;
	if (no.list) {
		nodeopts_print_list(&sel);
	} else if (no.dry_run) {
		for (size_t i = 0; i < sel.n; i++) {
			char *local = cgname_local(base, no.from_c3 ? sel.t[i].cluster : NULL, sel.t[i].host, layout_dir);
			char *path = cgname_join(targetdir, local ? local : "(unusable name)");
			printf("%s:%s -> %s\n", sel.t[i].host, source, path);
			free(path);
			free(local);
		}
	} else {
		make_dirs(targetdir);
		int tfd = open(targetdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (tfd < 0)
			die_errno(1, "%s", targetdir);
		struct fanout_node *nodes = nodeopts_fanout_nodes(&no, &sel);
		results = xcalloc(sel.n + 1, sizeof *results);
		struct cgrecv_opts ro = { .source = source, .recursive = recursive, .layout_dir = layout_dir,
					  .use_cluster = no.from_c3, .targetfd = tfd,
					  .bufsize = buf_kib > 0 ? (size_t)buf_kib << 10 : 0, .done = node_done };
		struct cgrecv *r = cgrecv_new(&ro, sel.n);
		struct fanout_task task;
		cgrecv_task(r, &task);
		struct fanout_opts fo = nodeopts_fanout_opts(&no, 0);
		int fr = fanout_run(nodes, sel.n, &fo, &task);
		if (no.json)
			print_json(nodes, sel.n, base, no.from_c3, layout_dir);
		status = nodeopts_report(&no, nodes, sel.n, fr);
		cgrecv_free(r);
		fanout_nodes_release(nodes, sel.n);
		nodeopts_fanout_free(nodes, sel.n);
		free(results);
		close(tfd);
	}
	free(base);
	c3_selection_free(&sel);
	nodeopts_args_free(args, nrest);
	free(layout);
	nodeopts_free(&no);
	poptFreeContext(pc);
	return status;
}
