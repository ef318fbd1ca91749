/*
 * nodeopts — the C3 tools' shared node-selection options (one popt table)
 * and their resolution into targets and fanout nodes. See nodeopts.h.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsutil.h"
#include "log.h"
#include "nodeopts.h"
#include "nodereport.h"
#include "nodeset.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif

static char **wargs, **xargs_; /* popt POPT_ARG_ARGV storage, per process */

void nodeopts_init(struct nodeopts *no)
{
	memset(no, 0, sizeof *no);
	no->fanout = 64;
	no->connect_timeout = -1;
}

static void free_argv(char ***v)
{
	if (!*v)
		return;
	for (char **p = *v; *p; p++)
		free(*p);
	free(*v);
	*v = NULL;
}

void nodeopts_free(struct nodeopts *no)
{
	free(no->file);
	free(no->wlist);
	free(no->xlist);
	free(no->user);
	free(no->identity);
	free(no->host_keys);
	free(no->failed);
	free_argv(&wargs);
	free_argv(&xargs_);
	memset(no, 0, sizeof *no);
}

struct poptOption *nodeopts_popt(struct nodeopts *no)
{
	static struct poptOption t[22];
	struct poptOption opts[] = {
		{"file", 'f', POPT_ARG_STRING, &no->file, 0, "alternate c3.conf (also C3_CONF)", "FILE"},
		{"config", 0, POPT_ARG_STRING | POPT_ARGFLAG_DOC_HIDDEN, &no->file, 0, "same as -f", "FILE"},
		{NULL, 'w', POPT_ARG_ARGV, &wargs, 0, "explicit host list (bypasses c3.conf)", "NODES"},
		{NULL, 'x', POPT_ARG_ARGV, &xargs_, 0, "exclude these hosts", "NODES"},
		{"all", 0, POPT_ARG_NONE, &no->all, 0, "every cluster of c3.conf", NULL},
		{"head", 0, POPT_ARG_NONE, &no->head, 0, "the head nodes only", NULL},
		{"fanout", 'F', POPT_ARG_INT, &no->fanout, 0, "at most N sessions at once (default 64)", "N"},
		{"connect-timeout", 't', POPT_ARG_DOUBLE, &no->connect_timeout, 0,
		 "connect timeout in seconds (default 10)", "S"},
		{"timeout", 'u', POPT_ARG_DOUBLE, &no->timeout, 0, "command timeout in seconds (killed after)", "S"},
		{"user", 'l', POPT_ARG_STRING, &no->user, 0, "login user (also C3_USER)", "USER"},
		{"identity", 'i', POPT_ARG_STRING, &no->identity, 0, "private key file", "FILE"},
		{"host-keys", 0, POPT_ARG_STRING, &no->host_keys, 0, "host key policy (default strict)",
		 "strict|accept-new|off"},
		{"json", 0, POPT_ARG_NONE, &no->json, 0, "one JSON object per node per line", NULL},
		{"max-status", 'S', POPT_ARG_NONE, &no->max_status, 0,
		 "exit with the largest remote status (255: unreachable)", NULL},
		{"dry-run", 'n', POPT_ARG_NONE, &no->dry_run, 0, "print the nodes and the work, connect to nothing",
		 NULL},
		{"list", 0, POPT_ARG_NONE, &no->list, 0, "print the selected nodes and exit", NULL},
		{"failed", 0, POPT_ARG_STRING, &no->failed, 0, "write the failed nodes to FILE (rerun: -w ^FILE)",
		 "FILE"},
		POPT_TABLEEND,
	};
	memcpy(t, opts, sizeof opts);
	return t;
}

size_t nodeopts_split_defs(char **args, size_t nargs, char ***defs, size_t *ndefs)
{
	size_t i = 0;
	while (i < nargs && c3_is_machine_def(args[i]))
		i++;
	*defs = args;
	*ndefs = i;
	return i;
}

static char *join_argv(char **v)
{
	if (!v)
		return NULL;
	size_t len = 1;
	for (char **p = v; *p; p++)
		len += strlen(*p) + 1;
	char *s = xcalloc(1, len);
	for (char **p = v; *p; p++) {
		if (p != v)
			strcat(s, ",");
		strcat(s, *p);
	}
	return s;
}

static void add_target(struct c3_selection *sel, const char *cluster, const char *name, const char *user,
		       int position, const char *fwd)
{
	sel->t = xreallocarray(sel->t, sel->n + 1, sizeof *sel->t);
	struct c3_target *t = &sel->t[sel->n++];
	const char *at = strchr(name, '@');
	t->cluster = cluster ? xstrdup(cluster) : NULL;
	t->host = xstrdup(at ? at + 1 : name);
	t->user = at ? xstrndup(name, (size_t)(at - name)) : user ? xstrdup(user) : NULL;
	t->position = position;
	t->forward_def = fwd ? xstrdup(fwd) : NULL;
}

static int expand_args(char **v, struct nodeset *ns, char *err, size_t errlen)
{
	char e[400];
	for (char **p = v; p && *p; p++)
		if (nodeset_expand_arg(ns, *p, e, sizeof e) < 0) {
			snprintf(err, errlen, "bad host list '%s': %s", *p, e);
			return -1;
		}
	return 0;
}

static int check_values(struct nodeopts *no, char *err, size_t errlen)
{
	if (no->fanout < 1) {
		snprintf(err, errlen, "--fanout must be at least 1");
		return -1;
	}
	if (no->timeout < 0 || isnan(no->timeout) || (no->connect_timeout != -1 && !(no->connect_timeout > 0))) {
		snprintf(err, errlen, "timeouts must be positive numbers of seconds");
		return -1;
	}
	no->policy = SSH_HOSTKEY_STRICT;
	if (no->host_keys) {
		int p = ssh_hostkey_policy_parse(no->host_keys);
		if (p < 0) {
			snprintf(err, errlen, "bad --host-keys '%s' (strict, accept-new or off)", no->host_keys);
			return -1;
		}
		no->policy = p;
	}
	if (no->wlist && (no->all || no->head)) {
		snprintf(err, errlen, "-w cannot be combined with --all or --head");
		return -1;
	}
	return 0;
}

static int resolve_c3(struct nodeopts *no, char **defs, size_t ndefs, struct c3_selection *sel, char *err,
		      size_t errlen)
{
	const char *path = no->file ? no->file : getenv("C3_CONF");
	if (!path || !*path)
		path = SYSCONFDIR "/c3.conf";
	struct c3_conf conf;
	if (c3conf_load(path, &conf, err, errlen) < 0)
		return -1;
	int rc = c3conf_select(&conf, defs, ndefs, no->all, no->head, sel, err, errlen);
	c3conf_free(&conf);
	no->from_c3 = 1;
	return rc;
}

int nodeopts_resolve(struct nodeopts *no, char **defs, size_t ndefs, struct c3_selection *sel, char *err,
		     size_t errlen)
{
	memset(sel, 0, sizeof *sel);
	free(no->wlist);
	free(no->xlist);
	no->wlist = join_argv(wargs);
	no->xlist = join_argv(xargs_);
	if (check_values(no, err, errlen) < 0)
		return -1;
	const char *u = getenv("C3_USER");
	if (!no->user && u && *u)
		no->user = xstrdup(u);
	struct nodeset xs;
	nodeset_init(&xs);
	int rc = expand_args(xargs_, &xs, err, errlen);
	struct c3_selection all = {0};
	if (rc == 0 && wargs) {
		if (ndefs) {
			snprintf(err, errlen, "-w cannot be combined with machine definitions ('%s')", defs[0]);
			rc = -1;
		} else {
			struct nodeset ws;
			nodeset_init(&ws);
			rc = expand_args(wargs, &ws, err, errlen);
			for (size_t i = 0; rc == 0 && i < ws.n; i++)
				add_target(&all, NULL, ws.names[i], no->user, -1, NULL);
			nodeset_free(&ws);
		}
	} else if (rc == 0) {
		rc = resolve_c3(no, defs, ndefs, &all, err, errlen);
	}
	for (size_t i = 0; rc == 0 && i < all.n; i++) {
		struct c3_target *t = &all.t[i];
		if (nodeset_contains(&xs, t->host))
			continue;
		add_target(sel, t->cluster, t->host, t->user ? t->user : no->user, t->position, t->forward_def);
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
			  int nonzero_fails)
{
	if (!no->failed)
		return 0;
	size_t len = 0;
	for (size_t i = 0; i < n; i++)
		len += strlen(nodes[i].name) + 1;
	char *buf = xmalloc(len + 1), *p = buf;
	for (size_t i = 0; i < n; i++)
		if (node_failed(&nodes[i], nonzero_fails))
			p += sprintf(p, "%s\n", nodes[i].name);
	int rc = fs_atomic_write(no->failed, buf, (size_t)(p - buf), 0644);
	if (rc < 0)
		warnmsg_errno("%s", no->failed);
	free(buf);
	return rc;
}

void nodeopts_print_list(const struct c3_selection *sel)
{
	for (size_t i = 0; i < sel->n; i++)
		printf("%s%s%s\n", sel->t[i].user ? sel->t[i].user : "", sel->t[i].user ? "@" : "", sel->t[i].host);
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

void nodeopts_json_line(json_t *o)
{
	char *s = json_dumps(o, JSON_COMPACT);
	puts(s);
	free(s);
	json_decref(o);
}

int nodeopts_next_opt(poptContext pc, const char *tool)
{
	int rc = poptGetNextOpt(pc);
	if (rc == 'V') {
		printf("%s %s\n", tool, CT_VERSION);
		exit(0);
	}
	if (rc < -1)
		die(1, "%s: %s", poptBadOption(pc, POPT_BADOPTION_NOALIAS), poptStrerror(rc));
	return rc;
}

char **nodeopts_args(poptContext pc, size_t *n)
{
	const char **rest = poptGetArgs(pc);
	size_t k = 0;
	while (rest && rest[k])
		k++;
	char **args = xcalloc(k + 1, sizeof *args);
	for (size_t i = 0; i < k; i++)
		args[i] = xstrdup(rest[i]);
	*n = k;
	return args;
}

void nodeopts_args_free(char **args, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(args[i]);
	free(args);
}
