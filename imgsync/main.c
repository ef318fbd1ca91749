/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * imgsync — make a node filesystem identical to a golden image, sending
 * only the differences, to one destination or to many nodes at once.
 *
 *   imgsync [OPTIONS] SOURCE DEST            local or HOST:PATH, at most one remote
 *   imgsync [OPTIONS] -w NODES|--cluster DEF SOURCE [DEST]   one image to many nodes
 *   imgsync --server --receiver|--sender PATH        the peer, on stdin/stdout
 *
 * Exit: 0 success, 1 usage or local error, 2 one or more targets failed.
 */
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "c3conf.h"
#include "cli.h"
#include "clock.h"
#include "fanout.h"
#include "jsonl.h"
#include "log.h"
#include "meter.h"
#include "nodeopts.h"
#include "progress.h"
#include "receiver.h"
#include "safety.h"
#include "sender.h"
#include "ssh.h"
#include "sshx.h"
#include "target.h"
#include "xalloc.h"

#define DEFAULT_EXCLUDE SYSCONFDIR "/imgsync/exclude"

struct args {
	char *config, *rsh, *remote;
	char **excludes, **exclude_from;
	int checksum, dry_run, itemize, no_delete, no_compress, force, quiet, verbose;
	long max_delete;        /* --max-delete N, -1: no limit */
	int server, receiver, sender;
};

static void args_free(struct args *a)
{
	free(a->config);
	free(a->rsh);
	free(a->remote);
	for (char **p = a->excludes; p && *p; p++)
		free(*p);
	free(a->excludes);
	for (char **p = a->exclude_from; p && *p; p++)
		free(*p);
	free(a->exclude_from);
}

/* Default exclude file, --config or IMGSYNC_CONF, --exclude-from, --exclude. */
static void load_excludes(const struct args *c, struct exclude *ex)
{
	char err[600];
	const char *conf = c->config ? c->config : getenv("IMGSYNC_CONF");
	if (conf && *conf) {
		if (exclude_load(ex, conf, err, sizeof err) < 0)
			die(1, "%s", err);
	} else if (exclude_load(ex, DEFAULT_EXCLUDE, err, sizeof err) < 0 && errno != ENOENT) {
		die(1, "%s", err);
	}
	for (char **f = c->exclude_from; f && *f; f++)
		if (exclude_load(ex, *f, err, sizeof err) < 0)
			die(1, "%s", err);
	for (char **p = c->excludes; p && *p; p++)
		if (exclude_add(ex, *p) < 0)
			die(1, "--exclude: pattern longer than %d bytes", EXCLUDE_PAT_MAX);
}

/* ssh options for a single HOST given as [user@]host. */
static void single_ssh(struct imgs_target *t, const struct nodeopts *no)
{
	char *at = strchr(t->host, '@');
	if (at) {
		char *host = xstrdup(at + 1);
		*at = '\0';
		t->ssh.user = xstrdup(t->host);
		free(t->host);
		t->host = host;
	} else if (no->user || getenv("C3_USER")) {
		t->ssh.user = xstrdup(no->user ? no->user : getenv("C3_USER"));
	}
	t->ssh.identity = no->identity;
	t->ssh.use_ssh_config = 1;
	t->ssh.hostkeys = no->policy;
	t->ssh.hostkeys_set = no->host_keys != NULL;
	if (no->connect_timeout > 0)
		t->ssh.connect_timeout = (int)(no->connect_timeout + 0.999);
}

static char **split_words(const char *s)
{
	char **v = NULL;
	size_t n = 0;
	char *copy = xstrdup(s), *save = NULL;
	for (char *w = strtok_r(copy, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
		v = xreallocarray(v, n + 2, sizeof *v);
		v[n++] = xstrdup(w);
	}
	free(copy);
	if (!v)
		die(1, "--rsh: empty command");
	v[n] = NULL;
	return v;
}

static void print_json(const struct imgs_target *t, const char *cluster, int dry, double seconds)
{
	const struct imgs_summary *s = &t->rep.sum;
	const char *error = t->rep.error ? t->rep.error : t->failed ? "some paths could not be synced" : NULL;
	json_t *o = jsonl_node(t->name, cluster, !t->failed, -1, NULL, error, seconds);
	json_object_set_new(o, "dry_run", json_boolean(dry));
	const struct { const char *key; unsigned long long v; } f[] = {
		{"files", s->files}, {"created", s->created}, {"updated", s->updated},
		{"deleted", s->deleted}, {"linked", s->linked}, {"errors", s->errors},
		{"bytes_sent", s->wire_bytes}, {"file_bytes", s->file_bytes}, {"image_bytes", s->image_bytes},
	};
	for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
		json_object_set_new(o, f[i].key, json_integer((json_int_t)f[i].v));
	if (t->rep.nitems) {
		json_t *a = json_array();
		for (size_t i = 0; i < t->rep.nitems; i++) {
			json_t *item = json_object(); /* UTF-8 safe text (bad bytes: U+FFFD) */
			jsonl_set_str(item, "change", t->rep.items[i]);
			json_array_append(a, json_object_get(item, "change"));
			json_decref(item);
		}
		json_object_set_new(o, "changes", a);
	}
	jsonl_emit(stdout, o);
}

static void print_target(const struct args *c, int json, const struct imgs_target *t, const char *cluster,
			 int prefix, double seconds)
{
	if (!prefix && t->rep.error) /* with -w, report_nodes groups the failures */
		node_warn(t->name, "%s", t->rep.error);
	else if (!prefix && t->rep.sum.errors)
		node_warn(t->name, "%llu paths could not be synced", (unsigned long long)t->rep.sum.errors);
	if (json) {
		print_json(t, cluster, c->dry_run, seconds);
		return;
	}
	for (size_t i = 0; i < t->rep.nitems; i++)
		printf("%s%s%s\n", prefix ? t->name : "", prefix ? ": " : "", t->rep.items[i]);
	if (c->quiet || t->rep.error)
		return;
	const struct imgs_summary *s = &t->rep.sum;
	printf("%s: %screated %llu, updated %llu, deleted %llu, linked %llu; sent %llu bytes for %llu bytes "
	       "of changed files (image: %llu files, %llu bytes)\n",
	       t->name, c->dry_run ? "(dry run) " : "", (unsigned long long)s->created,
	       (unsigned long long)s->updated, (unsigned long long)s->deleted, (unsigned long long)s->linked,
	       (unsigned long long)s->wire_bytes, (unsigned long long)s->file_bytes,
	       (unsigned long long)s->files, (unsigned long long)s->image_bytes);
}

static int run_server(const struct args *c, const char *path)
{
	if (c->receiver == c->sender || !path)
		die(1, "--server needs --receiver or --sender and one path");
	return c->receiver ? imgs_serve_receiver(path) : imgs_serve_sender(path);
}

/* Targets NODE:DEST for -w/--cluster/--all/--head, with each node's ssh options. */
static struct imgs_target *node_targets(struct nodeopts *no, const char *dest, struct fanout_node **nodesp,
					struct c3_selection *sel)
{
	char err[512];
	no->gateway_nodes = 1; /* the nodes behind a C3 gateway, through its sshd */
	if (nodeopts_resolve(no, sel, err, sizeof err) < 0)
		die(1, "%s", err);
	if (sel->n == 0 && !no->list)
		die(1, "no nodes selected");
	*nodesp = nodeopts_fanout_nodes(no, sel);
	struct imgs_target *t = xcalloc(sel->n ? sel->n : 1, sizeof *t);
	for (size_t i = 0; i < sel->n; i++) {
		t[i].name = xstrdup(sel->t[i].host);
		t[i].host = xstrdup(sel->t[i].host);
		t[i].path = xstrdup(dest);
		t[i].ssh = (*nodesp)[i].ssh;
	}
	return t;
}

/* --failed FILE and the closing "N of M nodes failed" line, via nodeopts. */
static void report_nodes(const struct nodeopts *no, struct fanout_node *nodes, const struct imgs_target *t,
			 size_t n)
{
	for (size_t i = 0; i < n; i++) {
		nodes[i].state = t[i].failed ? FANOUT_FAILED : FANOUT_OK;
		if (t[i].failed)
			nodes[i].error = xstrdup(t[i].rep.error ? t[i].rep.error : "some paths could not be synced");
	}
	nodeopts_summary(nodes, n);
	nodeopts_write_failed(no, nodes, n, 0);
}

/*
 * imgsync's own -n (a dry run that still compares with the nodes), -c (its
 * exclude file) and -u (a stall timeout) replace the shared ones; it has no
 * -S. --cluster DEF takes machine definitions.
 */
static const char *const node_omit[] = { "config", "dry-run", "max-status", "timeout", NULL };

enum { OPT_MAX_DELETE = 1 };

/* One run: what the command line asked for, and what the sync made of it. */
struct run {
	struct args a;
	struct nodeopts no;
	char **args;            /* SOURCE [DEST], or the --server PATH */
	size_t nargs;
	int many;               /* -w/--cluster/--all/--head/-g: one image to many nodes */
	struct exclude ex;
	struct imgs_opts o;
	struct imgs_target src; /* SOURCE */
	struct imgs_target *t;  /* the destinations: DEST, or each node's */
	size_t nt;
	struct fanout_node *nodes; /* with many: the nodes, for the report */
	struct c3_selection sel;
};

static void parse_args(struct cli *c, struct nodeopts *no, struct args *a)
{
	int val;
	while ((val = cli_next(c)) > 0)
		if (!nodeopts_option(no, c, val) && val == OPT_MAX_DELETE)
			a->max_delete = cli_long(c, 0, LONG_MAX);
}

/* The options into R->a and R->no, the arguments into R->args; a usage error exits 1. */
static void read_command_line(struct run *r, int argc, char **argv)
{
	struct args *a = &r->a;
	struct nodeopts *no = &r->no;
	struct poptOption opts[] = {
		{ "cluster", 0, POPT_ARG_STRING, NULL, NODEOPT_CLUSTER,
		  "push to the nodes of a C3 machine definition (repeatable)", "DEF" },
		{ "checksum", 0, POPT_ARG_NONE, &a->checksum, 0, "compare contents, not size and mtime", NULL },
		{ "dry-run", 'n', POPT_ARG_NONE, &a->dry_run, 0, "change nothing, report what would change", NULL },
		{ "itemize", 0, POPT_ARG_NONE, &a->itemize, 0, "list every change (rsync-style)", NULL },
		{ "no-delete", 0, POPT_ARG_NONE, &a->no_delete, 0, "keep files the image does not have", NULL },
		{ "max-delete", 0, POPT_ARG_STRING, NULL, OPT_MAX_DELETE,
		  "change nothing on a destination where more than N paths would be deleted", "N" },
		{ "force", 0, POPT_ARG_NONE, &a->force, 0,
		  "sync an image that is empty or has neither etc/ nor usr/ (not a root filesystem)", NULL },
		{ "no-compress", 0, POPT_ARG_NONE, &a->no_compress, 0,
		  "send file data to and from hosts uncompressed (default: zstd)", NULL },
		{ "exclude", 0, POPT_ARG_ARGV, &a->excludes, 0, "leave paths matching PATTERN alone", "PATTERN" },
		{ "exclude-from", 0, POPT_ARG_ARGV, &a->exclude_from, 0, "read exclude patterns from FILE", "FILE" },
		{ "config", 'c', POPT_ARG_STRING, &a->config, 0,
		  "exclude file instead of " DEFAULT_EXCLUDE " (also IMGSYNC_CONF)", "FILE" },
		{ "rsh", 'e', POPT_ARG_STRING, &a->rsh, 0,
		  "reach hosts with this command instead of the built-in ssh (also IMGSYNC_RSH)", "CMD" },
		{ "remote-imgsync", 0, POPT_ARG_STRING, &a->remote, 0,
		  "imgsync on the remote side (default imgsync, also IMGSYNC_REMOTE)", "PATH" },
		{ "quiet", 'q', POPT_ARG_NONE, &a->quiet, 0, "no progress, no summary lines", NULL },
		{ "verbose", 'v', POPT_ARG_NONE, &a->verbose, 0, "more diagnostics", NULL },
		{ "server", 0, POPT_ARG_NONE | POPT_ARGFLAG_DOC_HIDDEN, &a->server, 0, "run as the peer", NULL },
		{ "receiver", 0, POPT_ARG_NONE | POPT_ARGFLAG_DOC_HIDDEN, &a->receiver, 0, NULL, NULL },
		{ "sender", 0, POPT_ARG_NONE | POPT_ARGFLAG_DOC_HIDDEN, &a->sender, 0, NULL, NULL },
		CLI_VERSION_OPTION,
		{ NULL, 0, POPT_ARG_INCLUDE_TABLE, nodeopts_popt(no, node_omit), 0, "Nodes and sessions:", NULL },
		{ "timeout", 'u', POPT_ARG_STRING, NULL, NODEOPT_TIMEOUT,
		  "fail a node that sends and takes nothing for S seconds (default: wait)", "S" },
		POPT_AUTOHELP POPT_TABLEEND
	};
	struct cli cl;
	cli_begin(&cl, "imgsync", argc, argv, opts, "[OPTIONS] SOURCE DEST | -w NODES|--cluster DEF SOURCE [DEST]",
		  0);
	parse_args(&cl, no, a);
	log_set_verbosity(a->verbose ? LOG_VERBOSE : a->quiet ? LOG_QUIET : LOG_NORMAL);
	r->args = cli_args(&cl, &r->nargs);
	r->many = no->nw || no->ng || no->ndefs || no->all || no->head || no->groups;
	size_t n = r->nargs;
	if (!a->server && !(r->many && no->list) && (n < 1 || n > 2 || (!r->many && n != 2)))
		cli_usage_error(&cl, r->many ? "give SOURCE [DEST]" : "give SOURCE and DEST");
	cli_end(&cl);
}

/* Excludes, the flags of the sync, how to reach the peers. */
static void set_sync_options(struct run *r)
{
	const struct args *a = &r->a;
	imgs_excl_init(&r->ex);
	load_excludes(a, &r->ex);
	const char *rsh = a->rsh ? a->rsh : getenv("IMGSYNC_RSH");
	const char *remote = a->remote ? a->remote : getenv("IMGSYNC_REMOTE");
	r->o = (struct imgs_opts){
		.flags = (a->checksum ? IMGS_F_CHECKSUM : 0) | (a->dry_run ? IMGS_F_DRY_RUN : 0) |
			 (a->no_delete ? IMGS_F_NO_DELETE : 0) | (a->itemize ? IMGS_F_ITEMIZE : 0) |
			 (a->force ? IMGS_F_FORCE : 0) | (a->max_delete >= 0 ? IMGS_F_MAX_DELETE : 0),
		.max_delete = a->max_delete >= 0 ? (uint64_t)a->max_delete : 0,
		.ex = &r->ex,
		.rsh = rsh && *rsh ? split_words(rsh) : NULL,
		.remote_imgsync = remote && *remote ? remote : "imgsync",
		.fanout = r->no.fanout,
		.stall_timeout = r->no.timeout,
		.no_compress = a->no_compress,
	};
}

/* SOURCE, and DEST or every selected node's DEST; at most one side remote. */
static void set_endpoints(struct run *r)
{
	imgs_target_parse(&r->src, r->args[0]);
	if (r->many) {
		if (r->src.host)
			die(1, "with -w/--cluster the image must be local");
		return;
	}
	r->t = xcalloc(1, sizeof *r->t);
	r->nt = 1;
	imgs_target_parse(r->t, r->args[1]);
	if (r->src.host && r->t->host)
		die(1, "only one of SOURCE and DEST may be remote");
	if (r->src.host)
		single_ssh(&r->src, &r->no);
	if (r->t->host)
		single_ssh(r->t, &r->no);
}

/* The remote SOURCE sends, we receive into the local DEST: 1 if it failed. */
static int pull(struct run *r)
{
	char *dest = xstrdup(r->t->path);
	imgs_target_free(r->t);
	*r->t = r->src;
	memset(&r->src, 0, sizeof r->src);
	if (!r->o.rsh)
		imgs_sshx_stop_on_signals();
	int failed = imgs_pull(r->t, dest, &r->o) < 0 || r->t->failed;
	imgs_meter_end(r->o.meter);
	free(dest);
	return failed;
}

/* The local image to every destination: the number that failed, or -1 if the image would not load. */
static long push(struct run *r)
{
	struct imgs_image im;
	char err[512];
	if (imgs_image_load(&im, r->src.path, &r->ex, r->o.flags, err, sizeof err) < 0 ||
	    (!r->a.force && imgs_image_check(&im.list, r->src.path, err, sizeof err) < 0)) {
		imgs_meter_end(r->o.meter);
		warnmsg("%s", err);
		imgs_image_free(&im);
		return -1;
	}
	if (!r->o.rsh && (r->many || r->t->host))
		imgs_sshx_stop_on_signals();
	size_t failed = imgs_push_all(&im, r->t, r->nt, &r->o);
	imgs_meter_end(r->o.meter);
	verbose("deltas computed %llu, shared %llu", (unsigned long long)im.deltas_computed,
		(unsigned long long)im.deltas_shared);
	imgs_image_free(&im);
	return (long)failed;
}

/* Each destination's result; with many, --failed and the closing line. */
static void report(struct run *r, double seconds)
{
	for (size_t i = 0; i < r->nt; i++)
		print_target(&r->a, r->no.json, &r->t[i], r->many ? r->nodes[i].cluster : NULL, r->many, seconds);
	if (r->many)
		report_nodes(&r->no, r->nodes, r->t, r->nt);
}

/* The image to its destinations: 0, 1 for a local error, 2 if a destination failed. */
static int sync_image(struct run *r)
{
	set_sync_options(r);
	if (r->many) {
		r->t = node_targets(&r->no, r->nargs == 2 ? r->args[1] : "/", &r->nodes, &r->sel);
		r->nt = r->sel.n;
		if (r->no.list) {
			nodeopts_print_list(&r->no, &r->sel);
			return 0;
		}
	}
	set_endpoints(r);
	if (!r->o.rsh && (r->many || r->src.host || r->t->host))
		ssh_global_init();
	double start = now_monotonic();
	if (progress_wanted(r->a.quiet || r->no.json))
		r->o.meter = imgs_meter_new(r->many ? r->nt : 0, STDERR_FILENO);
	long failed = r->src.host ? pull(r) : push(r);
	if (failed < 0)
		return 1;
	report(r, now_monotonic() - start);
	return failed ? 2 : 0;
}

static void run_free(struct run *r)
{
	for (size_t i = 0; i < r->nt; i++) {
		if (!r->many)
			free((char *)r->t[i].ssh.user);
		imgs_target_free(&r->t[i]);
	}
	free(r->t);
	free((char *)r->src.ssh.user);
	imgs_target_free(&r->src);
	if (r->nodes)
		nodeopts_fanout_free(r->nodes, r->sel.n);
	c3_selection_free(&r->sel);
	for (char **w = r->o.rsh; w && *w; w++)
		free(*w);
	free(r->o.rsh);
	exclude_free(&r->ex);
	cli_args_free(r->args, r->nargs);
	nodeopts_free(&r->no);
	args_free(&r->a);
}

int main(int argc, char **argv)
{
	struct run r = { .a.max_delete = -1 };
	log_init(argv[0]);
	signal(SIGPIPE, SIG_IGN);
	nodeopts_init(&r.no);
	read_command_line(&r, argc, argv);
	int status = r.a.server ? run_server(&r.a, r.nargs == 1 ? r.args[0] : NULL) : sync_image(&r);
	run_free(&r);
	return status;
}
