/* SPDX-License-Identifier: BSD-3-Clause */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "c3conf.h"
#include "fsutil.h"
#include "log.h"
#include "nodeset.h"
#include "xalloc.h"

/* ---- parsing c3.conf ---- */

struct parser {
	const char *fname;
	int lineno;
	struct c3_conf *conf;
	struct c3_cluster *cur; /* open cluster block, or NULL */
	int have_head;
	/* the last range line, for "exclude": its first node index and its numbers */
	size_t range_first;
	struct nodeset range_numbers;
	int range_open;
	char *err;
	size_t errlen;
};

static int perr(struct parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int perr(struct parser *p, const char *fmt, ...)
{
	char msg[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	snprintf(p->err, p->errlen, "%s:%d: %s", p->fname, p->lineno, msg);
	return -1;
}

static int valid_word(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("-_.", *s))
			return 0;
	return 1;
}

static struct c3_node *add_node(struct c3_cluster *c, const char *name)
{
	c->nodes = xgrowarray(c->nodes, c->n, sizeof *c->nodes);
	struct c3_node *nd = &c->nodes[c->n];
	memset(nd, 0, sizeof *nd);
	nd->name = xstrdup(name);
	nd->position = (int)c->n++;
	return nd;
}

static void close_range(struct parser *p)
{
	nodeset_free(&p->range_numbers);
	p->range_open = 0;
}

static int open_cluster(struct parser *p, char *rest)
{
	char *name = strtok(rest, " \t");
	char *brace = strtok(NULL, " \t");
	char *extra = strtok(NULL, " \t");
	if (!name)
		return perr(p, "expected 'cluster NAME {'");
	size_t nl = strlen(name);
	if (!brace && nl > 1 && name[nl - 1] == '{') {
		name[nl - 1] = '\0';
		brace = "{";
	}
	if (!brace || strcmp(brace, "{") != 0 || extra)
		return perr(p, "expected 'cluster %s {'", name);
	if (!valid_word(name))
		return perr(p, "bad cluster name '%s'", name);
	if (c3conf_find(p->conf, name))
		return perr(p, "cluster '%s' is defined twice", name);
	struct c3_conf *conf = p->conf;
	conf->clusters = xgrowarray(conf->clusters, conf->n, sizeof *conf->clusters);
	p->cur = &conf->clusters[conf->n++];
	memset(p->cur, 0, sizeof *p->cur);
	p->cur->name = xstrdup(name);
	p->cur->line = p->lineno;
	p->have_head = 0;
	return 0;
}

static int head_line(struct parser *p, const char *s)
{
	struct c3_cluster *c = p->cur;
	const char *colon = strchr(s, ':');
	p->have_head = 1;
	if (!colon) {
		if (!valid_word(s))
			return perr(p, "bad head node name '%s'", s);
		c->head_ext = xstrdup(s);
		c->head_int = xstrdup(s);
		return 0;
	}
	char *ext = xstrndup(s, (size_t)(colon - s));
	const char *in = colon + 1;
	int rc = 0;
	if (!valid_word(in) || (*ext && !valid_word(ext)))
		rc = perr(p, "bad head line '%s' (want 'external:internal', 'name' or ':gateway')", s);
	else if (*ext == '\0')
		c->gateway = xstrdup(in);
	else {
		c->head_ext = xstrdup(ext);
		c->head_int = xstrdup(in);
	}
	free(ext);
	return rc;
}

/* "node[1-64]" or "node5": add the nodes, remember the range for "exclude". */
static int node_line(struct parser *p, const char *s)
{
	if (p->cur->gateway)
		return perr(p, "indirect cluster '%s' takes no node lines", p->cur->name);
	if (strchr(s, ','))
		return perr(p, "one range or name per line, got '%s'", s);
	struct nodeset ns;
	char msg[300];
	nodeset_init(&ns);
	if (nodeset_expand(&ns, s, msg, sizeof msg) < 0) {
		nodeset_free(&ns);
		return perr(p, "%s", msg);
	}
	close_range(p);
	p->range_first = p->cur->n;
	for (size_t i = 0; i < ns.n; i++)
		add_node(p->cur, ns.names[i]);
	nodeset_free(&ns);

	const char *lb = strchr(s, '[');
	if (lb && strchr(lb + 1, '[') == NULL) {
		/* numbers of the one bracket group, unpadded, in the same order as the names */
		char *group = xstrndup(lb, (size_t)(strchr(lb, ']') - lb + 1));
		struct nodeset padded;
		nodeset_init(&padded);
		nodeset_expand(&padded, group, msg, sizeof msg);
		nodeset_init(&p->range_numbers);
		for (size_t i = 0; i < padded.n; i++) {
			char num[24];
			snprintf(num, sizeof num, "%ld", strtol(padded.names[i], NULL, 10));
			nodeset_add(&p->range_numbers, num);
		}
		nodeset_free(&padded);
		free(group);
		p->range_open = 1;
	}
	return 0;
}

static int exclude_line(struct parser *p, char *arg)
{
	if (!p->range_open)
		return perr(p, "'exclude' must follow a range line such as 'node[1-64]'");
	if (*arg == '\0')
		return perr(p, "'exclude' needs a node number or [range]");
	struct nodeset nums;
	char msg[300];
	nodeset_init(&nums);
	const char *expr = arg;
	char *bracketed = NULL;
	if (*arg != '[')
		expr = bracketed = xasprintf("[%s]", arg);
	int rc = 0;
	if (nodeset_expand(&nums, expr, msg, sizeof msg) < 0)
		rc = perr(p, "bad exclude '%s'", arg);
	for (size_t i = 0; rc == 0 && i < nums.n; i++) {
		char num[24];
		long want = strtol(nums.names[i], NULL, 10);
		snprintf(num, sizeof num, "%ld", want);
		long k = nodeset_index(&p->range_numbers, num);
		if (k < 0)
			rc = perr(p, "exclude %ld: no such node number in the range above", want);
		else
			p->cur->nodes[p->range_first + k].excluded = 1;
	}
	free(bracketed);
	nodeset_free(&nums);
	return rc;
}

static int dead_line(struct parser *p, const char *arg)
{
	if (p->cur->gateway)
		return perr(p, "indirect cluster '%s' takes no node lines", p->cur->name);
	if (!valid_word(arg))
		return perr(p, "'dead' needs one node name, got '%s'", arg);
	close_range(p);
	add_node(p->cur, arg)->dead = 1;
	return 0;
}

static char *strip(char *s)
{
	char *hash = strchr(s, '#');
	if (hash)
		*hash = '\0';
	while (isspace((unsigned char)*s))
		s++;
	char *e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

static int parse_line(struct parser *p, char *s)
{
	if (*s == '\0')
		return 0;
	if (!p->cur) {
		if (strncmp(s, "cluster", 7) == 0 && isspace((unsigned char)s[7]))
			return open_cluster(p, s + 8);
		return perr(p, "expected 'cluster NAME {', got '%.60s'", s);
	}
	if (strcmp(s, "}") == 0) {
		if (!p->have_head)
			return perr(p, "cluster '%s' has no head node line", p->cur->name);
		close_range(p);
		p->cur = NULL;
		return 0;
	}
	if (!p->have_head)
		return head_line(p, s);
	if (strncmp(s, "exclude", 7) == 0 && (s[7] == '\0' || isspace((unsigned char)s[7])))
		return exclude_line(p, strip(s + 7));
	if (strncmp(s, "dead", 4) == 0 && (s[4] == '\0' || isspace((unsigned char)s[4])))
		return dead_line(p, strip(s + 4));
	if (strpbrk(s, " \t"))
		return perr(p, "unexpected '%.60s' (one range or name per line)", s);
	return node_line(p, s);
}

int c3conf_parse(const char *text, size_t len, const char *fname, struct c3_conf *conf, char *err,
		 size_t errlen)
{
	struct parser p = {.fname = fname, .conf = conf, .err = err, .errlen = errlen};
	memset(conf, 0, sizeof *conf);
	nodeset_init(&p.range_numbers);
	const char *s = text, *end = text + len;
	int rc = 0;
	while (rc == 0 && s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t n = nl ? (size_t)(nl - s) : (size_t)(end - s);
		p.lineno++;
		if (memchr(s, '\0', n)) {
			rc = perr(&p, "NUL byte in line");
			break;
		}
		char *line = xstrndup(s, n);
		rc = parse_line(&p, strip(line));
		free(line);
		s += n + 1;
	}
	if (rc == 0 && p.cur) {
		p.lineno = p.cur->line;
		rc = perr(&p, "cluster '%s' is not closed with '}'", p.cur->name);
	}
	if (rc == 0 && conf->n == 0) {
		snprintf(err, errlen, "%s: no cluster defined", fname);
		rc = -1;
	}
	close_range(&p);
	if (rc < 0)
		c3conf_free(conf);
	return rc;
}

int c3conf_load(const char *path, struct c3_conf *conf, char *err, size_t errlen)
{
	size_t len;
	char *text = fs_read_file(path, 64u << 20, &len);
	if (!text) {
		memset(conf, 0, sizeof *conf);
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	int rc = c3conf_parse(text, len, path, conf, err, errlen);
	free(text);
	return rc;
}

void c3conf_free(struct c3_conf *conf)
{
	for (size_t i = 0; i < conf->n; i++) {
		struct c3_cluster *c = &conf->clusters[i];
		for (size_t k = 0; k < c->n; k++)
			free(c->nodes[k].name);
		free(c->nodes);
		free(c->name);
		free(c->head_ext);
		free(c->head_int);
		free(c->gateway);
	}
	free(conf->clusters);
	memset(conf, 0, sizeof *conf);
}

const struct c3_cluster *c3conf_find(const struct c3_conf *conf, const char *name)
{
	for (size_t i = 0; i < conf->n; i++)
		if (strcmp(conf->clusters[i].name, name) == 0)
			return &conf->clusters[i];
	return NULL;
}

/* ---- machine definitions ---- */

static int def_name_char(char c)
{
	return isalnum((unsigned char)c) || strchr("-_.", c);
}

int c3_looks_like_machine_def(const char *arg)
{
	const char *colon = strchr(arg, ':');
	if (!colon)
		return 0;
	for (const char *s = arg; s < colon; s++)
		if (!def_name_char(*s) && *s != '@')
			return 0;
	for (const char *s = colon + 1; *s; s++)
		if (*s == '/' || *s == '=' || isspace((unsigned char)*s))
			return 0;
	return 1;
}

/* One item of a position list: "N" or "N-M" with N <= M. */
static int check_position(const char *tok, size_t len)
{
	size_t i = 0, j;
	while (i < len && isdigit((unsigned char)tok[i]))
		i++;
	if (i == 0 || i > 9)
		return -1;
	if (i == len)
		return 0;
	if (tok[i] != '-')
		return -1;
	for (j = i + 1; j < len && isdigit((unsigned char)tok[j]); j++)
		;
	if (j == i + 1 || j != len || j - i - 1 > 9)
		return -1;
	return atol(tok) <= atol(tok + i + 1) ? 0 : -1;
}

int c3_check_machine_def(const char *arg, char *err, size_t errlen)
{
	const char *colon = strchr(arg, ':');
	const char *at = memchr(arg, '@', colon ? (size_t)(colon - arg) : 0);
	if (!c3_looks_like_machine_def(arg) || (at && memchr(at + 1, '@', (size_t)(colon - at - 1)))) {
		snprintf(err, errlen, "bad machine definition '%s'", arg);
		return -1;
	}
	if (at == arg) {
		snprintf(err, errlen, "empty user in machine definition '%s'", arg);
		return -1;
	}
	const char *s = colon + 1;
	while (*s) {
		size_t len = strcspn(s, ",");
		if (check_position(s, len) < 0) {
			snprintf(err, errlen, "bad %s '%.*s' in machine definition '%s'",
				 memchr(s, '-', len) ? "range" : "position", (int)len, s, arg);
			return -1;
		}
		s += len;
		if (*s == ',' && *++s == '\0') {
			snprintf(err, errlen, "bad position '' in machine definition '%s'", arg);
			return -1;
		}
	}
	return 0;
}

int c3_is_machine_def(const char *arg)
{
	char err[8];
	return c3_check_machine_def(arg, err, sizeof err) == 0;
}

struct select_ctx {
	struct c3_selection *sel;
	struct nodeset seen; /* "cluster host" pairs already selected */
};

static void add_target(struct select_ctx *ctx, const struct c3_cluster *c, const char *host, const char *user,
		       int position, const char *forward)
{
	struct c3_selection *sel = ctx->sel;
	char *key = xasprintf("%s %s %s", c->name, host, forward ? forward : "");
	int fresh = nodeset_add(&ctx->seen, key);
	free(key);
	if (!fresh)
		return;
	sel->t = xgrowarray(sel->t, sel->n, sizeof *sel->t);
	struct c3_target *t = &sel->t[sel->n++];
	t->cluster = xstrdup(c->name);
	t->host = xstrdup(host);
	t->user = user ? xstrdup(user) : NULL;
	t->position = position;
	t->forward_def = forward ? xstrdup(forward) : NULL;
	t->via = NULL;
}

static void add_live(struct select_ctx *sel, const struct c3_cluster *c, const struct c3_node *nd,
		     const char *user)
{
	if (!nd->excluded && !nd->dead)
		add_target(sel, c, nd->name, user, nd->position, NULL);
}

/* Add the nodes at positions RANGES ("1-4,6"; "" = all) of cluster C. */
static int select_ranges(struct select_ctx *sel, const struct c3_cluster *c, const char *ranges,
			 const char *user, int head, const char *def, char *err, size_t errlen)
{
	if (c->gateway && !head) {
		char *fwd = xasprintf(":%s", ranges);
		add_target(sel, c, c->gateway, user, -1, fwd);
		free(fwd);
		return 0;
	}
	if (head && c->gateway) {
		add_target(sel, c, c->gateway, user, -1, NULL);
		return 0;
	}
	if (head) {
		add_target(sel, c, c->head_ext, user, -1, NULL);
		return 0;
	}
	if (*ranges == '\0') {
		for (size_t k = 0; k < c->n; k++)
			add_live(sel, c, &c->nodes[k], user);
		return 0;
	}
	char *copy = xstrdup(ranges), *save = NULL;
	int rc = 0;
	for (char *tok = strtok_r(copy, ",", &save); tok && rc == 0; tok = strtok_r(NULL, ",", &save)) {
		char *dash = strchr(tok, '-');
		char *end;
		long lo = strtol(tok, &end, 10), hi = lo;
		if (end == tok || (dash && end != dash) || (!dash && *end)) {
			snprintf(err, errlen, "bad position '%s' in machine definition '%s'", tok, def);
			rc = -1;
			break;
		}
		if (dash) {
			hi = strtol(dash + 1, &end, 10);
			if (end == dash + 1 || *end || hi < lo) {
				snprintf(err, errlen, "bad range '%s' in machine definition '%s'", tok, def);
				rc = -1;
				break;
			}
		}
		if (hi >= (long)c->n) {
			snprintf(err, errlen, "position %ld is past the end of cluster '%s' (positions 0-%zu) in '%s'",
				 hi, c->name, c->n ? c->n - 1 : 0, def);
			rc = -1;
			break;
		}
		for (long i = lo; i <= hi; i++)
			add_live(sel, c, &c->nodes[i], user);
	}
	free(copy);
	return rc;
}

static int select_def(const struct c3_conf *conf, const char *def, int head, struct select_ctx *sel, char *err,
		      size_t errlen)
{
	if (c3_check_machine_def(def, err, errlen) < 0)
		return -1;
	const char *at = strchr(def, '@'), *colon = strchr(def, ':');
	const char *name = at ? at + 1 : def;
	char *user = at ? xstrndup(def, (size_t)(at - def)) : NULL;
	char *cname = xstrndup(name, (size_t)(colon - name));
	const struct c3_cluster *c = *cname ? c3conf_find(conf, cname) : &conf->clusters[0];
	int rc;
	if (!c) {
		snprintf(err, errlen, "unknown cluster '%s' in machine definition '%s'", cname, def);
		rc = -1;
	} else {
		rc = select_ranges(sel, c, colon + 1, user, head, def, err, errlen);
	}
	free(user);
	free(cname);
	return rc;
}

int c3conf_select(const struct c3_conf *conf, char *const *defs, size_t ndefs, int all, int head,
		  struct c3_selection *sel, char *err, size_t errlen)
{
	struct select_ctx ctx = {.sel = sel};
	memset(sel, 0, sizeof *sel);
	nodeset_init(&ctx.seen);
	int rc = 0;
	if (all) {
		for (size_t i = 0; i < conf->n && rc == 0; i++)
			rc = select_ranges(&ctx, &conf->clusters[i], "", NULL, head, "--all", err, errlen);
	} else if (ndefs == 0) {
		rc = select_ranges(&ctx, &conf->clusters[0], "", NULL, head, "default cluster", err, errlen);
	}
	for (size_t i = 0; i < ndefs && rc == 0 && !all; i++)
		rc = select_def(conf, defs[i], head, &ctx, err, errlen);
	nodeset_free(&ctx.seen);
	if (rc < 0)
		c3_selection_free(sel);
	return rc;
}

void c3_selection_free(struct c3_selection *sel)
{
	for (size_t i = 0; i < sel->n; i++) {
		free(sel->t[i].cluster);
		free(sel->t[i].host);
		free(sel->t[i].user);
		free(sel->t[i].forward_def);
		free(sel->t[i].via);
	}
	free(sel->t);
	memset(sel, 0, sizeof *sel);
}
