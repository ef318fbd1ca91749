/* SPDX-License-Identifier: BSD-3-Clause */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytebuf.h"
#include "fsutil.h"
#include "groups.h"
#include "xalloc.h"

#define GROUPS_NEST_MAX 64 /* groups inside groups: deeper is an error, not a stack overflow */

struct group {
	char *name;
	char *source;          /* "FILE" or "genders FILE" */
	char *where;           /* "FILE:LINE" of its first line, for errors */
	char *defn;            /* flat: the node set, its lines joined by ',' */
	int genders;           /* an attribute: the nodes having it */
	int state;             /* 0 not resolved, 1 resolving, 2 resolved */
	struct nodeset nodes;
};

struct gattr {                 /* one "node attr[=val]" of genders */
	char *node, *attr, *val;
};

struct groups {
	struct group *g;
	size_t n;
	struct gattr *ga;
	size_t nga;
	groups_lookup_fn lookup;
	void *lookup_arg;
	groups_source_fn source_fn;
	void *source_arg;
	const char *cur_source; /* evaluating a group of this source: its "@name" are its own */
	size_t sdepth;          /* source groups being evaluated */
	const char **stack;    /* the groups being resolved, for cycles */
	size_t depth;
	int placed;            /* the error names its FILE:LINE already */
};

struct groups *groups_new(void) { return xcalloc(1, sizeof(struct groups)); }

void groups_free(struct groups *g)
{
	if (!g)
		return;
	for (size_t i = 0; i < g->n; i++) {
		free(g->g[i].name);
		free(g->g[i].source);
		free(g->g[i].where);
		free(g->g[i].defn);
		nodeset_free(&g->g[i].nodes);
	}
	for (size_t i = 0; i < g->nga; i++) {
		free(g->ga[i].node);
		free(g->ga[i].attr);
		free(g->ga[i].val);
	}
	free(g->g);
	free(g->ga);
	free(g->stack);
	free(g);
}

void groups_set_lookup(struct groups *g, groups_lookup_fn fn, void *arg)
{
	g->lookup = fn;
	g->lookup_arg = arg;
}

void groups_set_sources(struct groups *g, groups_source_fn fn, void *arg)
{
	g->source_fn = fn;
	g->source_arg = arg;
}

size_t groups_count(const struct groups *g) { return g->n; }
const char *groups_name(const struct groups *g, size_t i) { return g->g[i].name; }
const char *groups_source(const struct groups *g, size_t i) { return g->g[i].source; }

static struct group *find(struct groups *g, const char *name, int genders)
{
	for (size_t i = 0; i < g->n; i++)
		if (g->g[i].genders == genders && strcmp(g->g[i].name, name) == 0)
			return &g->g[i];
	return NULL;
}

static struct group *add_group(struct groups *g, const char *name, int genders,
			       const char *source, const char *src, int lineno)
{
	struct group *gr = find(g, name, genders);
	if (gr)
		return gr;
	g->g = xgrowarray(g->g, g->n, sizeof *g->g);
	gr = &g->g[g->n++];
	memset(gr, 0, sizeof *gr);
	gr->name = xstrdup(name);
	gr->genders = genders;
	gr->source = xstrdup(source);
	gr->where = xasprintf("%s:%d", src, lineno);
	nodeset_init(&gr->nodes);
	return gr;
}

/* ---- parsing ---- */

static int name_char(int c) { return isalnum(c) || c == '_' || c == '-' || c == '.'; }

/* Next line of *TEXT, without comment and surrounding blanks, in a copy. NULL at the end. */
static char *next_line(const char **text, int *lineno)
{
	if (**text == '\0')
		return NULL;
	const char *end = strchr(*text, '\n');
	size_t len = end ? (size_t)(end - *text) : strlen(*text);
	char *line = xstrndup(*text, len);
	*text += len + (end != NULL);
	(*lineno)++;
	char *hash = strchr(line, '#');
	if (hash)
		*hash = '\0';
	size_t n = strlen(line);
	while (n > 0 && isspace((unsigned char)line[n - 1]))
		line[--n] = '\0';
	size_t lead = strspn(line, " \t\r\f\v");
	memmove(line, line + lead, n - lead + 1);
	return line;
}

int groups_parse_flat(struct groups *g, const char *text, const char *src, char *err, size_t errlen)
{
	int lineno = 0;
	for (char *line; (line = next_line(&text, &lineno)) != NULL; free(line)) {
		if (*line == '\0')
			continue;
		size_t n = 0;
		while (name_char((unsigned char)line[n]))
			n++;
		if (n == 0 || line[n] != ':') {
			snprintf(err, errlen, "%s:%d: expected 'name: nodes', got '%.60s'", src, lineno, line);
			free(line);
			return -1;
		}
		line[n] = '\0';
		struct group *gr = add_group(g, line, 0, src, src, lineno);
		/* ClusterShell splits the nodes at blanks and joins them with ',' */
		struct bytebuf b = {0};
		bytebuf_add(&b, gr->defn ? gr->defn : "", gr->defn ? strlen(gr->defn) : 0);
		for (char *tok = strtok(line + n + 1, " \t\r\f\v"); tok; tok = strtok(NULL, " \t\r\f\v")) {
			if (b.len)
				bytebuf_add(&b, ",", 1);
			bytebuf_add(&b, tok, strlen(tok));
		}
		free(gr->defn);
		gr->defn = b.p;
	}
	return 0;
}

static int add_attrs(struct groups *g, const struct nodeset *nodes, char *attrs, const char *src,
		     int lineno, char *err, size_t errlen)
{
	char *source = xasprintf("genders %s", src);
	int rc = 0;
	for (char *a = attrs, *next; a && *a && rc == 0; a = next) {
		next = strchr(a, ',');
		if (next)
			*next++ = '\0';
		char *val = strchr(a, '=');
		if (val)
			*val++ = '\0';
		size_t n = strspn(a, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-.:");
		if (n == 0 || a[n] != '\0') {
			snprintf(err, errlen, "%s:%d: bad attribute '%.40s'", src, lineno, a);
			rc = -1;
			break;
		}
		if (g->nga + nodes->n > NODESET_MAX) {
			snprintf(err, errlen, "%s:%d: more than %d node attributes", src, lineno, NODESET_MAX);
			rc = -1;
			break;
		}
		add_group(g, a, 1, source, src, lineno);
		for (size_t i = 0; i < nodes->n; i++) {
			g->ga = xgrowarray(g->ga, g->nga, sizeof *g->ga);
			g->ga[g->nga++] = (struct gattr){xstrdup(nodes->names[i]), xstrdup(a),
							 val ? xstrdup(val) : NULL};
		}
	}
	free(source);
	return rc;
}

int groups_parse_genders(struct groups *g, const char *text, const char *src, char *err,
			 size_t errlen)
{
	int lineno = 0, rc = 0;
	for (char *line; rc == 0 && (line = next_line(&text, &lineno)) != NULL; free(line)) {
		if (*line == '\0')
			continue;
		char *attrs = line + strcspn(line, " \t");
		if (*attrs) {
			*attrs++ = '\0';
			attrs += strspn(attrs, " \t");
			if (attrs[strcspn(attrs, " \t")] != '\0') {
				snprintf(err, errlen, "%s:%d: expected 'nodes attr[=val],...'", src, lineno);
				rc = -1;
				continue;
			}
		}
		struct nodeset nodes;
		char msg[256];
		nodeset_init(&nodes);
		if (nodeset_expand(&nodes, line, msg, sizeof msg) < 0) {
			snprintf(err, errlen, "%s:%d: %s", src, lineno, msg);
			rc = -1;
		} else {
			rc = add_attrs(g, &nodes, attrs, src, lineno, err, errlen);
		}
		nodeset_free(&nodes);
	}
	return rc;
}

/* ---- set operations ---- */

static void intersect(struct nodeset *a, const struct nodeset *b)
{
	struct nodeset out;
	nodeset_init(&out);
	for (size_t i = 0; i < a->n; i++)
		if (nodeset_contains(b, a->names[i]))
			nodeset_add(&out, a->names[i]);
	nodeset_free(a);
	*a = out;
}

static void symmetric_difference(struct nodeset *a, const struct nodeset *b)
{
	struct nodeset only_b;
	nodeset_init(&only_b);
	for (size_t i = 0; i < b->n; i++)
		if (!nodeset_contains(a, b->names[i]))
			nodeset_add(&only_b, b->names[i]);
	nodeset_difference(a, b);
	nodeset_union(a, &only_b);
	nodeset_free(&only_b);
}

static void apply(struct nodeset *a, char op, const struct nodeset *b)
{
	switch (op) {
	case '!':
		nodeset_difference(a, b);
		break;
	case '&':
		intersect(a, b);
		break;
	case '^':
		symmetric_difference(a, b);
		break;
	default:
		nodeset_union(a, b);
	}
}

/* ---- resolution ---- */

static int eval(struct groups *g, struct nodeset *ns, const char *expr, char *err, size_t errlen);

static int cycle_error(struct groups *g, const struct group *gr, char *err, size_t errlen)
{
	const char *name = gr->name;
	struct bytebuf b = {0};
	size_t from = 0;
	while (strcmp(g->stack[from], name) != 0)
		from++;
	for (size_t i = from; i < g->depth; i++) {
		bytebuf_add(&b, "@", 1);
		bytebuf_add(&b, g->stack[i], strlen(g->stack[i]));
		bytebuf_add(&b, " -> ", 4);
	}
	snprintf(err, errlen, "%s: group cycle: %s@%s", gr->where, b.p, name);
	free(b.p);
	g->placed = 1;
	return -1;
}

static int resolve_flat(struct groups *g, struct group *gr, char *err, size_t errlen)
{
	if (gr->state == 1)
		return cycle_error(g, gr, err, errlen);
	if (gr->state == 2)
		return 0;
	if (g->depth >= GROUPS_NEST_MAX) {
		snprintf(err, errlen, "%s: group @%s: groups nested more than %d deep (from @%s)", gr->where,
			 gr->name, GROUPS_NEST_MAX, g->stack[0]);
		g->placed = 1;
		return -1;
	}
	gr->state = 1;
	g->stack = xgrowarray(g->stack, g->depth, sizeof *g->stack);
	g->stack[g->depth++] = gr->name;
	char msg[512];
	int rc = gr->defn && *gr->defn ? eval(g, &gr->nodes, gr->defn, msg, sizeof msg) : 0;
	g->depth--;
	if (rc < 0) {
		/* the innermost failing definition names its place */
		if (g->placed)
			snprintf(err, errlen, "%s", msg);
		else
			snprintf(err, errlen, "%s: group @%s: %s", gr->where, gr->name, msg);
		g->placed = 1;
		gr->state = 0;
		return -1;
	}
	gr->state = 2;
	return 0;
}

static void genders_nodes(const struct groups *g, struct nodeset *ns, const char *attr,
			  const char *val)
{
	for (size_t i = 0; i < g->nga; i++)
		if (strcmp(g->ga[i].attr, attr) == 0 &&
		    (!val || (g->ga[i].val && strcmp(g->ga[i].val, val) == 0)))
			nodeset_add(ns, g->ga[i].node);
}

/*
 * The nodes of GROUP (NULL: all) of SOURCE (NULL: the default one) into NS,
 * its text evaluated with its own "@name" in that source. 1, 0 when there is
 * no default source, -1 with ERR.
 */
static int source_group(struct groups *g, struct nodeset *ns, const char *source, const char *group, char *err,
			size_t errlen)
{
	char *text = NULL, msg[512];
	const char *resolved = NULL;
	if (!g->source_fn && !source)
		return 0;
	if (!g->source_fn) {
		snprintf(err, errlen, "@%s:%s: no group source '%s'", source, group ? group : "*", source);
		return -1;
	}
	int rc = g->source_fn(g->source_arg, source, group, &text, &resolved, err, errlen);
	if (rc <= 0) {
		g->placed = rc < 0;
		return rc;
	}
	if (g->sdepth >= GROUPS_NEST_MAX) {
		snprintf(err, errlen, "@%s:%s: groups nested more than %d deep", resolved, group ? group : "*",
			 GROUPS_NEST_MAX);
		g->placed = 1;
		free(text);
		return -1;
	}
	const char *saved = g->cur_source;
	struct nodeset tmp;
	nodeset_init(&tmp);
	g->cur_source = resolved;
	g->sdepth++;
	rc = *text ? eval(g, &tmp, text, msg, sizeof msg) : 0;
	g->sdepth--;
	g->cur_source = saved;
	if (rc < 0 && g->placed)
		snprintf(err, errlen, "%s", msg);
	else if (rc < 0)
		snprintf(err, errlen, "@%s:%s: %s", resolved, group ? group : "*", msg);
	g->placed |= rc < 0;
	if (rc == 0)
		nodeset_union(ns, &tmp);
	nodeset_free(&tmp);
	free(text);
	return rc < 0 ? -1 : 1;
}

/* Add the nodes of group NAME to NS. */
static int resolve(struct groups *g, struct nodeset *ns, const char *name, char *err, size_t errlen)
{
	struct group *gr = find(g, name, 0);
	if (gr) {
		if (resolve_flat(g, gr, err, errlen) < 0)
			return -1;
		nodeset_union(ns, &gr->nodes);
		return 0;
	}
	if (find(g, name, 1)) {
		genders_nodes(g, ns, name, NULL);
		return 0;
	}
	int rc = g->lookup ? g->lookup(g->lookup_arg, name, ns, err, errlen) : 0;
	if (rc == 0)
		rc = source_group(g, ns, NULL, name, err, errlen);
	if (rc == 0)
		snprintf(err, errlen, "@%s: unknown group", name);
	return rc > 0 ? 0 : -1;
}

/* "@source:group", "@source:*", "@*", or "@group" inside a group of a source. */
static int source_operand(struct groups *g, struct nodeset *ns, const char *body, char *err, size_t errlen)
{
	const char *colon = strchr(body, ':');
	char *source = colon ? xstrndup(body, (size_t)(colon - body)) : g->cur_source ? xstrdup(g->cur_source) : NULL;
	const char *names = colon ? colon + 1 : body;
	int rc = 0;
	struct nodeset ns_names;
	nodeset_init(&ns_names);
	if (source && !*source) {
		snprintf(err, errlen, "'@%s': empty group source", body);
		rc = -1;
	} else if (!*names) {
		snprintf(err, errlen, "'@%s': no group name", body);
		rc = -1;
	} else if (strcmp(names, "*") == 0) {
		rc = source_group(g, ns, source, NULL, err, errlen);
	} else {
		rc = nodeset_expand(&ns_names, names, err, errlen);
		for (size_t i = 0; rc >= 0 && i < ns_names.n; i++)
			rc = source_group(g, ns, source, ns_names.names[i], err, errlen);
	}
	if (rc == 0 && !source) {
		snprintf(err, errlen, "'@%s': no default group source", body);
		rc = -1;
	}
	nodeset_free(&ns_names);
	free(source);
	return rc < 0 ? -1 : 0;
}

/* "@name" or "@rack[1-4]": the nodes of each group named. */
static int group_operand(struct groups *g, struct nodeset *ns, const char *operand, char *err,
			 size_t errlen)
{
	struct nodeset names;
	if (operand[1] == '\0') {
		snprintf(err, errlen, "'@' without a group name");
		return -1;
	}
	if (strchr(operand, ':') || strcmp(operand, "@*") == 0 || g->cur_source)
		return source_operand(g, ns, operand + 1, err, errlen);
	nodeset_init(&names);
	int rc = nodeset_expand(&names, operand + 1, err, errlen);
	for (size_t i = 0; rc == 0 && i < names.n; i++)
		rc = resolve(g, ns, names.names[i], err, errlen);
	nodeset_free(&names);
	return rc;
}

static int is_op(char c) { return c == ',' || c == '!' || c == '&' || c == '^'; }

/* Left to right: operand (op operand)*, ops at bracket depth 0. */
static int eval(struct groups *g, struct nodeset *ns, const char *expr, char *err, size_t errlen)
{
	char op = ',';
	for (const char *s = expr;;) {
		const char *e = s;
		for (int depth = 0; *e && !(depth == 0 && is_op(*e)); e++)
			depth += (*e == '[') - (*e == ']');
		if (e == s) {
			if (op == ',' && (*e == ',' || *e == '\0'))
				snprintf(err, errlen, "empty host name in '%s'", expr);
			else if (op != ',')
				snprintf(err, errlen, "missing operand after '%c' in '%s'", op, expr);
			else
				snprintf(err, errlen, "missing operand before '%c' in '%s'", *e, expr);
			return -1;
		}
		if (e > s) {
			char *operand = xstrndup(s, (size_t)(e - s));
			struct nodeset tmp;
			nodeset_init(&tmp);
			int rc = operand[0] == '@' ? group_operand(g, &tmp, operand, err, errlen)
						   : nodeset_expand(&tmp, operand, err, errlen);
			if (rc == 0)
				apply(ns, op, &tmp);
			nodeset_free(&tmp);
			free(operand);
			if (rc < 0)
				return -1;
			if (ns->n > NODESET_MAX) {
				snprintf(err, errlen, "'%s' gives more than %d names", expr, NODESET_MAX);
				return -1;
			}
		}
		if (*e == '\0')
			return 0;
		op = *e;
		s = e + 1;
	}
}

int groups_expand(struct groups *g, struct nodeset *ns, const char *expr, char *err, size_t errlen)
{
	if (*expr == '\0') {
		snprintf(err, errlen, "empty host list");
		return -1;
	}
	g->placed = 0;
	return eval(g, ns, expr, err, errlen);
}

static int expand_text(struct groups *g, struct nodeset *ns, const char *text, const char *src,
		       char *err, size_t errlen)
{
	int lineno = 0, rc = 0;
	for (char *line; rc == 0 && (line = next_line(&text, &lineno)) != NULL; free(line)) {
		char msg[512];
		if (*line && (rc = groups_expand(g, ns, line, msg, sizeof msg)) < 0)
			snprintf(err, errlen, "%s:%d: %s", src, lineno, msg);
	}
	return rc;
}

int groups_expand_arg(struct groups *g, struct nodeset *ns, const char *arg, char *err,
		      size_t errlen)
{
	if (strcmp(arg, "-") != 0 && arg[0] != '^')
		return groups_expand(g, ns, arg, err, errlen);
	const char *src = arg[0] == '^' ? arg + 1 : "/dev/stdin";
	char *text = fs_read_file(src, 64u << 20, NULL);
	if (!text) {
		snprintf(err, errlen, "%s: %s", arg[0] == '^' ? src : "<stdin>", strerror(errno));
		return -1;
	}
	int rc = expand_text(g, ns, text, arg[0] == '^' ? src : "<stdin>", err, errlen);
	free(text);
	return rc;
}

int groups_genders(const struct groups *g, struct nodeset *ns, const char *query, char *err,
		   size_t errlen)
{
	char *q = xstrdup(query);
	int rc = 0;
	for (char *a = q, *next; a && rc == 0; a = next) {
		next = strchr(a, ',');
		if (next)
			*next++ = '\0';
		char *val = strchr(a, '=');
		if (val)
			*val++ = '\0';
		if (*a == '\0') {
			snprintf(err, errlen, "-g %s: empty attribute", query);
			rc = -1;
		} else {
			genders_nodes(g, ns, a, val);
		}
	}
	free(q);
	return rc;
}
