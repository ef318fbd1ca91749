/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nodeopts — the C3 tools' shared node-selection options (one popt table)
 * and their resolution into targets and fanout nodes. See nodeopts.h.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bytebuf.h"
#include "fsutil.h"
#include "gateway.h"
#include "jsonl.h"
#include "log.h"
#include "nodefold.h"
#include "nodegroups.h"
#include "nodeopts.h"
#include "nodereport.h"
#include "nodeset.h"
#include "xalloc.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif

void nodeopts_init(struct nodeopts *no)
{
	memset(no, 0, sizeof *no);
	no->fanout = 64;
	no->connect_timeout = -1;
}

static void free_words(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void nodeopts_free(struct nodeopts *no)
{
	free(no->file);
	free_words(no->w, no->nw);
	free_words(no->x, no->nx);
	free_words(no->g, no->ng);
	free_words(no->slurm, no->nslurm);
	free(no->groups_file);
	if (no->nodegroups)
		nodegroups_free(no->nodegroups);
	free(no->nodegroups);
	free_words(no->defs, no->ndefs);
	free(no->xlist);
	free(no->user);
	free(no->identity);
	free(no->host_keys);
	free(no->failed);
	memset(no, 0, sizeof *no);
}

struct poptOption *nodeopts_popt(struct nodeopts *no, const char *const *omit)
{
	const struct poptOption opts[] = {
		{"file", 'f', POPT_ARG_STRING, NULL, NODEOPT_FILE, "alternate c3.conf (also C3_CONF)", "FILE"},
		{"config", 0, POPT_ARG_STRING | POPT_ARGFLAG_DOC_HIDDEN, NULL, NODEOPT_FILE, "same as -f", "FILE"},
		{NULL, 'w', POPT_ARG_STRING, NULL, NODEOPT_W, "explicit host list, @group too (bypasses c3.conf)",
		 "NODES"},
		{NULL, 'x', POPT_ARG_STRING, NULL, NODEOPT_X, "exclude these hosts (user@host: as that user only)",
		 "NODES"},
		{NULL, 'g', POPT_ARG_STRING, NULL, NODEOPT_GENDERS,
		 "the nodes with this genders attribute (also with -w; CT_GENDERS or /etc/genders)", "ATTR[=VAL]"},
		{"groups-file", 0, POPT_ARG_STRING, NULL, NODEOPT_GROUPS_FILE,
		 "node groups for @group (default CT_GROUPS or /etc/clustertools/groups)", "FILE"},
		{"all", 0, POPT_ARG_NONE, &no->all, 0, "every cluster of c3.conf", NULL},
		{"head", 0, POPT_ARG_NONE, &no->head, 0, "the head nodes only", NULL},
		{"fanout", 'F', POPT_ARG_STRING, NULL, NODEOPT_FANOUT, "at most N sessions at once (default 64)", "N"},
		{"connect-timeout", 't', POPT_ARG_STRING, NULL, NODEOPT_CONNECT_TIMEOUT,
		 "connect timeout in seconds (default 10)", "S"},
		{"timeout", 'u', POPT_ARG_STRING, NULL, NODEOPT_TIMEOUT, "command timeout in seconds (killed after)",
		 "S"},
		{"user", 'l', POPT_ARG_STRING, NULL, NODEOPT_USER, "login user (also C3_USER)", "USER"},
		{"identity", 'i', POPT_ARG_STRING, NULL, NODEOPT_IDENTITY, "private key file", "FILE"},
		{"host-keys", 0, POPT_ARG_STRING, NULL, NODEOPT_HOST_KEYS, "host key policy (default strict)",
		 "strict|accept-new|off"},
		{"json", 0, POPT_ARG_NONE, &no->json, 0, "one JSON object per node per line", NULL},
		{"max-status", 'S', POPT_ARG_NONE, &no->max_status, 0,
		 "exit with the largest remote status (255: unreachable)", NULL},
		{"dry-run", 'n', POPT_ARG_NONE, &no->dry_run, 0, "print the nodes and the work, connect to nothing",
		 NULL},
		{"list", 0, POPT_ARG_NONE, &no->list, 0, "print the selected nodes and exit", NULL},
		{"fold", 0, POPT_ARG_NONE, NULL, NODEOPT_FOLD, "--list on one line, folded (node[01-08,10])", NULL},
		{"count", 0, POPT_ARG_NONE, NULL, NODEOPT_COUNT, "print the number of selected nodes and exit", NULL},
		{"groups", 0, POPT_ARG_NONE, NULL, NODEOPT_GROUPS, "list the node groups and their sources and exit",
		 NULL},
		{"failed", 0, POPT_ARG_STRING, NULL, NODEOPT_FAILED,
		 "write the nodes that failed or exited non-zero to FILE (rerun: -w ^FILE)", "FILE"},
		{"ssh-option", 'o', POPT_ARG_STRING, NULL, NODEOPT_SSH_OPTION,
		 "ssh_config option, as ssh -o (beats the config files; repeatable)", "KEYWORD=VALUE"},
		{"jump", 'J', POPT_ARG_STRING, NULL, NODEOPT_JUMP, "reach the nodes through these jump hosts (ProxyJump)",
		 "[USER@]HOST[:PORT][,...]"},
		{"job", 'j', POPT_ARG_STRING, NULL, NODEOPT_JOB, "the nodes of these Slurm jobs (@sj:JOBID, also with -w)",
		 "JOBID[,...]"},
		{"partition", 'P', POPT_ARG_STRING, NULL, NODEOPT_PARTITION,
		 "the nodes of these Slurm partitions (@sp:PART, also with -w)", "PART[,...]"},
	};
	_Static_assert(sizeof opts / sizeof opts[0] < sizeof no->table / sizeof no->table[0], "nodeopts table");
	size_t n = 0;
	for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++) {
		int skip = 0;
		for (const char *const *o = omit; o && *o && !skip; o++)
			skip = opts[i].longName && !strcmp(opts[i].longName, *o);
		if (!skip)
			no->table[n++] = opts[i];
	}
	memset(&no->table[n], 0, sizeof no->table[n]);
	return no->table;
}

/* The current option's value, owned by the caller. */
static char *value(struct cli *c)
{
	char *v = (char *)cli_value(c);
	if (!v)
		cli_usage_error(c, "%s: needs a value", cli_option_name(c));
	return v;
}

static void set_string(char **dst, struct cli *c)
{
	free(*dst);
	*dst = value(c);
	if (!**dst)
		cli_usage_error(c, "%s '': empty value", cli_option_name(c));
}

static void add_word(char ***v, size_t *n, char *w)
{
	*v = xgrowarray(*v, *n, sizeof **v);
	(*v)[(*n)++] = w;
}

static void set_host_keys(struct nodeopts *no, struct cli *c)
{
	set_string(&no->host_keys, c);
	int p = ssh_hostkey_policy_parse(no->host_keys);
	if (p < 0)
		cli_usage_error(c, "%s %s: not one of strict, accept-new or off", cli_option_name(c),
				no->host_keys);
	no->policy = p;
}

static void add_def(struct nodeopts *no, struct cli *c)
{
	char *def = value(c), err[512];
	if (c3_check_machine_def(def, err, sizeof err) < 0) {
		free(def);
		cli_usage_error(c, "%s", err);
	}
	add_word(&no->defs, &no->ndefs, def);
}

/* -o TEXT / -J HOPS: one ssh_config line, checked and handed to lib/ssh. */
static void add_ssh_option(struct cli *c, int jump)
{
	char *v = value(c), err[512];
	char *line = jump ? xasprintf("ProxyJump %s", v) : xstrdup(v);
	const char *bad = strchr(v, '\n') ? "one option per -o" : NULL;
	if (jump && !bad && (!*v || strstr(v, ",,") || *v == ',' || v[strlen(v) - 1] == ','))
		bad = "empty jump host";
	if (!bad && ssh_config_options(line, err, sizeof err) < 0)
		bad = strstr(err, ": ") ? strstr(err, ": ") + 2 : err;
	free(line);
	if (bad) {
		char *msg = xasprintf("%s %s: %s", cli_option_name(c), v, bad);
		free(v);
		cli_usage_error(c, "%s", msg);
	}
	free(v);
}

/* -j / -P: kept as "-j VALUE", every item of VALUE non-empty. */
static void add_slurm(struct nodeopts *no, struct cli *c, int val)
{
	char *v = value(c);
	size_t n = strlen(v);
	if (!n || v[0] == ',' || v[n - 1] == ',' || strstr(v, ",,")) {
		char *msg = xasprintf("%s '%s': an empty %s", cli_option_name(c), v,
				      val == NODEOPT_JOB ? "job id" : "partition name");
		free(v);
		cli_usage_error(c, "%s", msg);
	}
	add_word(&no->slurm, &no->nslurm, xasprintf("%s %s", val == NODEOPT_JOB ? "-j" : "-P", v));
	free(v);
}

int nodeopts_option(struct nodeopts *no, struct cli *c, int val)
{
	switch (val) {
	case NODEOPT_FILE:
		set_string(&no->file, c);
		break;
	case NODEOPT_W:
		add_word(&no->w, &no->nw, value(c));
		break;
	case NODEOPT_X:
		add_word(&no->x, &no->nx, value(c));
		break;
	case NODEOPT_FANOUT:
		no->fanout = (int)cli_long(c, 1, NODEOPTS_FANOUT_MAX);
		break;
	case NODEOPT_CONNECT_TIMEOUT:
		no->connect_timeout = cli_seconds(c, 0.001, NODEOPTS_SECONDS_MAX);
		break;
	case NODEOPT_TIMEOUT:
		no->timeout = cli_seconds(c, 0.001, NODEOPTS_SECONDS_MAX);
		break;
	case NODEOPT_USER:
		set_string(&no->user, c);
		break;
	case NODEOPT_IDENTITY:
		set_string(&no->identity, c);
		break;
	case NODEOPT_HOST_KEYS:
		set_host_keys(no, c);
		break;
	case NODEOPT_FAILED:
		set_string(&no->failed, c);
		break;
	case NODEOPT_CLUSTER:
		add_def(no, c);
		break;
	case NODEOPT_GENDERS:
		add_word(&no->g, &no->ng, value(c));
		break;
	case NODEOPT_GROUPS_FILE:
		set_string(&no->groups_file, c);
		break;
	case NODEOPT_FOLD:
		no->fold = no->list = 1;
		break;
	case NODEOPT_COUNT:
		no->count = no->list = 1;
		break;
	case NODEOPT_GROUPS:
		no->groups = no->list = 1;
		break;
	case NODEOPT_SSH_OPTION:
	case NODEOPT_JUMP:
		add_ssh_option(c, val == NODEOPT_JUMP);
		break;
	case NODEOPT_JOB:
	case NODEOPT_PARTITION:
		add_slurm(no, c, val);
		break;
	default:
		return 0;
	}
	return 1;
}

int nodeopts_take_defs(struct nodeopts *no, char *const *args, size_t nargs, size_t *first, char *err,
		       size_t errlen)
{
	size_t i = 0;
	for (; i < nargs && c3_looks_like_machine_def(args[i]); i++) {
		if (c3_check_machine_def(args[i], err, errlen) < 0)
			return -1;
		add_word(&no->defs, &no->ndefs, xstrdup(args[i]));
	}
	*first = i;
	return 0;
}

static void add_target(struct c3_selection *sel, const char *cluster, const char *host, const char *user,
		       int position, const char *fwd)
{
	sel->t = xgrowarray(sel->t, sel->n, sizeof *sel->t);
	struct c3_target *t = &sel->t[sel->n++];
	t->cluster = cluster ? xstrdup(cluster) : NULL;
	t->host = xstrdup(host);
	t->user = user ? xstrdup(user) : NULL;
	t->position = position;
	t->forward_def = fwd ? xstrdup(fwd) : NULL;
	t->via = NULL;
}

/* A host list name: "host" or "user@host", both parts non-empty. */
static int check_name(const char *arg, const char *name, char *err, size_t errlen)
{
	const char *at = strchr(name, '@');
	const char *why = at == name ? "empty user" : at && !at[1] ? "empty host name" : at &&
		strchr(at + 1, '@') ? "more than one '@'" : NULL;
	if (!why)
		return 0;
	snprintf(err, errlen, "bad host list '%s': %s in '%s'", arg, why, name);
	return -1;
}

static int expand_args(struct nodeopts *no, const char *opt, char **v, size_t n, struct nodeset *ns,
		       char *err, size_t errlen)
{
	char e[400];
	for (size_t i = 0; i < n; i++) {
		size_t before = ns->n;
		if (groups_expand_arg(no->nodegroups->g, ns, v[i], e, sizeof e) < 0) {
			snprintf(err, errlen, "%s: bad host list '%s': %s", opt, v[i], e);
			return -1;
		}
		for (size_t k = before; k < ns->n; k++)
			if (check_name(v[i], ns->names[k], e, sizeof e) < 0) {
				snprintf(err, errlen, "%s: %s", opt, e);
				return -1;
			}
	}
	return 0;
}

/* Nodes named by -w, -g, -j or -P (not c3.conf). */
static int has_list(const struct nodeopts *no) { return no->nw || no->ng || no->nslurm; }

static int check_values(struct nodeopts *no, char *err, size_t errlen)
{
	const char *opt = no->nw ? "-w" : no->ng ? "-g" : no->nslurm ? no->slurm[0] : "";
	if (has_list(no) && (no->all || no->head)) {
		snprintf(err, errlen, "%s cannot be combined with --all or --head", opt);
		return -1;
	}
	if (has_list(no) && no->ndefs) {
		snprintf(err, errlen, "%s cannot be combined with machine definitions ('%s')", opt, no->defs[0]);
		return -1;
	}
	if (no->failed && cli_check_output_file("--failed", no->failed, err, errlen) < 0)
		return -1;
	return 0;
}

/* The c3.conf in force; *EXPLICIT when named by -f or C3_CONF. */
static const char *c3_path(const struct nodeopts *no, int *explicit)
{
	return cli_config_path(no->file, "C3_CONF", SYSCONFDIR "/c3.conf", explicit);
}

static int resolve_c3(struct nodeopts *no, struct c3_selection *sel, char *err, size_t errlen)
{
	int explicit;
	const char *path = c3_path(no, &explicit);
	struct c3_conf conf;
	if (c3conf_load(path, &conf, err, errlen) < 0)
		return -1;
	int rc = c3conf_select(&conf, no->defs, no->ndefs, no->all, no->head, sel, err, errlen);
	c3conf_free(&conf);
	no->from_c3 = 1;
	if (rc == 0 && no->gateway_nodes) {
		struct ssh_opts o = {.user = no->user, .identity = no->identity, .hostkeys = no->policy,
				     .hostkeys_set = no->host_keys != NULL, .use_ssh_config = 1};
		if (no->connect_timeout > 0)
			o.connect_timeout = (int)ceil(no->connect_timeout);
		rc = gateway_expand(sel, &o, err, errlen);
	}
	return rc;
}

/* -g: the genders nodes of each query. */
static int expand_genders(struct nodeopts *no, struct nodeset *ns, char *err, size_t errlen)
{
	if (no->ng && !no->nodegroups->have_genders) {
		snprintf(err, errlen, "-g %s: no genders file (%s)", no->g[0], no->nodegroups->genders_path);
		return -1;
	}
	for (size_t i = 0; i < no->ng; i++)
		if (groups_genders(no->nodegroups->g, ns, no->g[i], err, errlen) < 0)
			return -1;
	return 0;
}

/* -j 12,13: "@sj:12,@sj:13" (-P: "@sp:"), expanded as -w is. */
static int expand_slurm(struct nodeopts *no, struct nodeset *ns, char *err, size_t errlen)
{
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < no->nslurm; i++) {
		const char *opt = no->slurm[i], *src = opt[1] == 'j' ? "@sj:" : "@sp:";
		struct bytebuf b = {0};
		char *items = xstrdup(opt + 3);
		for (char *it = strtok(items, ","); it; it = strtok(NULL, ",")) {
			if (b.len)
				bytebuf_add(&b, ",", 1);
			bytebuf_add(&b, src, 4);
			bytebuf_add(&b, it, strlen(it));
		}
		bytebuf_add(&b, "", 1);
		char *arg = b.p;
		char optname[3] = {opt[0], opt[1], '\0'};
		rc = expand_args(no, optname, &arg, 1, ns, err, errlen);
		free(arg);
		free(items);
	}
	return rc;
}

static int resolve_w(struct nodeopts *no, struct c3_selection *sel, char *err, size_t errlen)
{
	struct nodeset ws;
	nodeset_init(&ws);
	int rc = expand_args(no, "-w", no->w, no->nw, &ws, err, errlen);
	if (rc == 0)
		rc = expand_slurm(no, &ws, err, errlen);
	if (rc == 0)
		rc = expand_genders(no, &ws, err, errlen);
	for (size_t i = 0; rc == 0 && i < ws.n; i++) {
		const char *name = ws.names[i], *at = strchr(name, '@');
		char *user = at ? xstrndup(name, (size_t)(at - name)) : NULL;
		add_target(sel, NULL, at ? at + 1 : name, user, -1, NULL);
		free(user);
	}
	nodeset_free(&ws);
	return rc;
}

/* The -x rule (nodeopts.h): "host" matches any user, "user@host" only that login user. */
static int excluded(const struct nodeset *xs, const char *host, const char *user)
{
	if (!xs->n)
		return 0;
	if (nodeset_contains(xs, host))
		return 1;
	if (!user)
		return 0;
	char *key = xasprintf("%s@%s", user, host);
	int hit = nodeset_contains(xs, key);
	free(key);
	return hit;
}

/*
 * No -w, -g or machine definition, and no c3.conf applies (none named, the
 * default absent): pdsh's WCOLL file, if set, is the host list.
 */
static void use_wcoll(struct nodeopts *no)
{
	int explicit;
	const char *wcoll = getenv("WCOLL"), *path = c3_path(no, &explicit);
	if (has_list(no) || no->ndefs || no->all || no->head || !wcoll || !*wcoll || explicit ||
	    access(path, F_OK) == 0)
		return;
	add_word(&no->w, &no->nw, xasprintf("^%s", wcoll));
}

/* The groups files, then --groups needs nothing more. 1 when done, 0 to go on, -1 with ERR. */
static int load_groups(struct nodeopts *no, char *err, size_t errlen)
{
	int explicit;
	if (no->nodegroups)
		nodegroups_free(no->nodegroups);
	else
		no->nodegroups = xcalloc(1, sizeof *no->nodegroups);
	if (nodegroups_load(no->nodegroups, no->groups_file, c3_path(no, &explicit), err, errlen) < 0)
		return -1;
	if (!no->groups)
		return 0;
	return nodegroups_read_all(no->nodegroups, err, errlen) < 0 ? -1 : 1;
}

int nodeopts_resolve(struct nodeopts *no, struct c3_selection *sel, char *err, size_t errlen)
{
	memset(sel, 0, sizeof *sel);
	if (check_values(no, err, errlen) < 0)
		return -1;
	int rc = load_groups(no, err, errlen);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	const char *u = getenv("C3_USER");
	if (!no->user && u && *u)
		no->user = xstrdup(u);
	struct nodeset xs;
	nodeset_init(&xs);
	rc = expand_args(no, "-x", no->x, no->nx, &xs, err, errlen);
	free(no->xlist); /* what a gateway excludes: the names, its groups are not ours */
	no->xlist = no->nx && rc == 0 ? nodeset_fold(xs.names, xs.n) : NULL;
	use_wcoll(no);
	struct c3_selection all = {0};
	if (rc == 0)
		rc = has_list(no) ? resolve_w(no, &all, err, errlen) : resolve_c3(no, &all, err, errlen);
	for (size_t i = 0; rc == 0 && i < all.n; i++) {
		struct c3_target *t = &all.t[i];
		const char *user = t->user ? t->user : no->user;
		if (!excluded(&xs, t->host, user)) {
			add_target(sel, t->cluster, t->host, user, t->position, t->forward_def);
			sel->t[sel->n - 1].via = t->via ? xstrdup(t->via) : NULL;
		}
	}
	c3_selection_free(&all);
	nodeset_free(&xs);
	if (rc < 0)
		c3_selection_free(sel);
	return rc;
}

struct fanout_node *nodeopts_fanout_nodes(const struct nodeopts *no, const struct c3_selection *sel)
{
	struct fanout_node *nodes = xcalloc(sel->n ? sel->n : 1, sizeof *nodes);
	for (size_t i = 0; i < sel->n; i++) {
		struct fanout_node *nd = &nodes[i];
		nd->name = sel->t[i].host;
		nd->cluster = no->from_c3 ? sel->t[i].cluster : NULL;
		nd->index = i;
		nd->exit_status = -1;
		nd->ssh.user = sel->t[i].user;
		nd->ssh.identity = no->identity;
		nd->ssh.hostkeys = no->policy;
		nd->ssh.hostkeys_set = no->host_keys != NULL;
		nd->ssh.use_ssh_config = 1;
		nd->ssh.proxy_jump = sel->t[i].via;
		if (no->connect_timeout > 0)
			nd->ssh.connect_timeout = (int)ceil(no->connect_timeout);
	}
	return nodes;
}

void nodeopts_fanout_free(struct fanout_node *nodes, size_t n)
{
	fanout_nodes_release(nodes, n);
	free(nodes);
}

struct fanout_opts nodeopts_fanout_opts(const struct nodeopts *no, int serial)
{
	struct fanout_opts o = {0};
	o.fanout = serial ? 1 : no->fanout;
	o.connect_timeout = no->connect_timeout > 0 ? no->connect_timeout : 10;
	o.timeout = no->timeout;
	return o;
}

static int node_failed(const struct fanout_node *nd, int nonzero)
{
	return nd->state != FANOUT_OK || (nonzero && (nd->exit_status != 0 || nd->exit_signal));
}

int nodeopts_exit_status(const struct nodeopts *no, const struct fanout_node *nodes, size_t n,
			 int nonzero_fails)
{
	int st = 0;
	for (size_t i = 0; i < n; i++) {
		const struct fanout_node *nd = &nodes[i];
		if (no->max_status) {
			int s = nd->state != FANOUT_OK || nd->exit_signal ? 255 : nd->exit_status;
			if (s > st)
				st = s;
		} else if (node_failed(nd, nonzero_fails)) {
			st = 2;
		}
	}
	return st;
}

int nodeopts_write_failed(const struct nodeopts *no, const struct fanout_node *nodes, size_t n,
			  int nonzero)
{
	if (!no->failed)
		return 0;
	size_t len = 0;
	for (size_t i = 0; i < n; i++)
		len += strlen(nodes[i].name) + 1;
	char *buf = xmalloc(len + 1), *p = buf;
	for (size_t i = 0; i < n; i++)
		if (node_failed(&nodes[i], nonzero))
			p += sprintf(p, "%s\n", nodes[i].name);
	int rc = fs_atomic_write(no->failed, buf, (size_t)(p - buf), 0644);
	if (rc < 0)
		warnmsg_errno("%s", no->failed);
	free(buf);
	return rc;
}

json_t *nodeopts_json_target(const struct nodeopts *no, const struct c3_target *t)
{
	json_t *o = json_object();
	jsonl_set_str(o, "node", t->host);
	jsonl_set_str(o, "cluster", no->from_c3 ? t->cluster : NULL);
	jsonl_set_str(o, "user", t->user);
	return o;
}

/* --fold: the selected nodes ("user@host" where a user is set) folded on one line. */
static void print_folded(const struct c3_selection *sel)
{
	char **names = xcalloc(sel->n ? sel->n : 1, sizeof *names);
	for (size_t i = 0; i < sel->n; i++) {
		const struct c3_target *t = &sel->t[i];
		names[i] = t->user ? xasprintf("%s@%s", t->user, t->host) : xstrdup(t->host);
	}
	char *folded = nodeset_fold(names, sel->n);
	printf("%s\n", folded);
	free(folded);
	free_words(names, sel->n);
}

void nodeopts_print_list(const struct nodeopts *no, const struct c3_selection *sel)
{
	char err[512];
	if (no->groups) {
		if (nodegroups_print(no->nodegroups, err, sizeof err) < 0)
			warnmsg("%s", err);
		return;
	}
	if (no->count) {
		printf("%zu\n", sel->n);
		return;
	}
	if (no->fold) {
		print_folded(sel);
		return;
	}
	for (size_t i = 0; i < sel->n; i++) {
		const struct c3_target *t = &sel->t[i];
		if (no->json)
			jsonl_emit(stdout, nodeopts_json_target(no, t));
		else
			printf("%s%s%s\n", t->user ? t->user : "", t->user ? "@" : "", t->host);
	}
}

void nodeopts_summary(const struct fanout_node *nodes, size_t n)
{
	nodereport_print(nodes, n, NODEREPORT_TTY_COUNT);
}

int nodeopts_report(const struct nodeopts *no, const struct fanout_node *nodes, size_t n,
		    int fanout_result)
{
	nodeopts_summary(nodes, n);
	nodeopts_write_failed(no, nodes, n, 0);
	int status = nodeopts_exit_status(no, nodes, n, 0);
	if (fanout_result == FANOUT_INTERRUPTED && status == 0)
		status = 2;
	return status;
}

const char *nodeopts_state_name(enum fanout_state s)
{
	return s == FANOUT_OK ? "ok" : s == FANOUT_TIMEDOUT ? "timeout" : s == FANOUT_PENDING ? "not run" : "failed";
}

json_t *nodeopts_json_node(const struct fanout_node *nd)
{
	const char *error = nd->error;
	if (!error && nd->state != FANOUT_OK)
		error = nodeopts_state_name(nd->state);
	return jsonl_node(nd->name, nd->cluster, nd->state == FANOUT_OK && !error, nd->exit_status,
			  nd->exit_signal, error, nd->seconds);
}
