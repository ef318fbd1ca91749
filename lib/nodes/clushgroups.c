/* SPDX-License-Identifier: BSD-3-Clause */
#include <ctype.h>
#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bytebuf.h"
#include "cli.h"
#include "clushconf.h"
#include "clushgroups.h"
#include "clushyaml.h"
#include "fsutil.h"
#include "log.h"
#include "upcall.h"
#include "xalloc.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif

enum { UP_MAP, UP_ALL, UP_LIST, UP_REVERSE, UP_N };
static const char *const upcall_names[UP_N] = {"map", "all", "list", "reverse"};

struct cgroup {
	char *name, *nodes;
};

struct cached {                /* one upcall's result in this run */
	char *key;             /* "map GROUP", "all", "list" */
	char *text, *err;      /* its output, or why it failed */
};

struct csource {
	char *name;
	char *file;            /* where it is defined */
	char *dir;             /* upcalls run there; $CFGDIR */
	char *up[UP_N];        /* NULL: no such upcall */
	int yaml;
	struct cgroup *g;      /* YAML groups */
	size_t ng;
	struct cached *cache;
	size_t ncache;
};

struct clush {
	char *conf;
	char *def;             /* the default source's name */
	struct csource *s;
	size_t n;
	double timeout;
	char *yaml_file;       /* while loading one */
};

static struct csource *find_source(struct clush *c, const char *name)
{
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->s[i].name, name) == 0)
			return &c->s[i];
	return NULL;
}

static struct csource *add_source(struct clush *c, const char *name, const char *file, const char *dir)
{
	c->s = xgrowarray(c->s, c->n, sizeof *c->s);
	struct csource *s = &c->s[c->n++];
	memset(s, 0, sizeof *s);
	s->name = xstrdup(name);
	s->file = xstrdup(file);
	s->dir = xstrdup(dir);
	return s;
}

static void free_source(struct csource *s)
{
	free(s->name);
	free(s->file);
	free(s->dir);
	for (int i = 0; i < UP_N; i++)
		free(s->up[i]);
	for (size_t i = 0; i < s->ng; i++) {
		free(s->g[i].name);
		free(s->g[i].nodes);
	}
	for (size_t i = 0; i < s->ncache; i++) {
		free(s->cache[i].key);
		free(s->cache[i].text);
		free(s->cache[i].err);
	}
	free(s->g);
	free(s->cache);
}

void clush_free(struct clush *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++)
		free_source(&c->s[i]);
	free(c->s);
	free(c->conf);
	free(c->def);
	free(c);
}

/* ---- loading ---- */

/* The source sections of CONF: one source per name of "[a,b]". DIR: their directory. */
static int sources_from_conf(struct clush *c, const struct clushconf *conf, const char *dir, char *err,
			     size_t errlen)
{
	for (size_t i = 0; i < conf->n; i++) {
		const struct clushconf_section *sec = &conf->sec[i];
		if (strcmp(sec->name, "Main") == 0)
			continue;
		const char *map = clushconf_get(sec, "map");
		if (!map) {
			snprintf(err, errlen, "%s:%d: [%s]: no 'map' upcall", conf->file, sec->line, sec->name);
			return -1;
		}
		const char *ct = clushconf_get(sec, "cache_time");
		char *end = NULL;
		if (ct && (strtod(ct, &end), end == ct || *end)) {
			snprintf(err, errlen, "%s:%d: [%s]: cache_time %s: not a number", conf->file, sec->line,
				 sec->name, ct);
			return -1;
		}
		char *names = xstrdup(sec->name);
		for (char *nm = strtok(names, ","); nm; nm = strtok(NULL, ",")) {
			if (find_source(c, nm)) {
				snprintf(err, errlen, "%s:%d: group source '%s' defined twice (also in %s)", conf->file,
					 sec->line, nm, find_source(c, nm)->file);
				free(names);
				return -1;
			}
			struct csource *s = add_source(c, nm, conf->file, dir);
			for (int u = 0; u < UP_N; u++) {
				const char *v = clushconf_get(sec, upcall_names[u]);
				s->up[u] = v ? xstrdup(v) : NULL;
			}
		}
		free(names);
	}
	return 0;
}

static void yaml_group(void *arg, const char *source, const char *group, const char *nodes, int line)
{
	struct clush *c = arg;
	struct csource *s = find_source(c, source);
	(void)line;
	if (!s) {
		s = add_source(c, source, c->yaml_file, ".");
		s->yaml = 1;
	}
	if (!s->yaml || strcmp(s->file, c->yaml_file) != 0)
		return; /* defined before (a section, another file): the first definition wins */
	s->g = xgrowarray(s->g, s->ng, sizeof *s->g);
	s->g[s->ng].name = xstrdup(group);
	s->g[s->ng++].nodes = xstrdup(nodes);
}

static int load_yaml(struct clush *c, const char *path, char *err, size_t errlen)
{
	size_t len;
	char *text = fs_read_file(path, 64u << 20, &len);
	if (!text) {
		if (errno == EACCES || errno == EPERM)
			return 0; /* as ClusterShell: a file we may not read is skipped */
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	c->yaml_file = xstrdup(path);
	int rc = clushyaml_parse(text, len, path, yaml_group, c, err, errlen);
	free(text);
	free(c->yaml_file);
	c->yaml_file = NULL;
	return rc;
}

/* Every FILE matching DIR/PATTERN, sorted, through FN. A missing DIR is skipped. */
static int each_file(struct clush *c, const char *dir, const char *pattern,
		     int (*fn)(struct clush *, const char *, const char *, char *, size_t), char *err, size_t errlen)
{
	struct stat st;
	if (stat(dir, &st) < 0)
		return 0;
	if (!S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s: %s: not a directory", c->conf, dir);
		return -1;
	}
	char *pat = xasprintf("%s/%s", dir, pattern);
	glob_t gl;
	int rc = 0;
	if (glob(pat, 0, NULL, &gl) == 0) {
		for (size_t i = 0; rc == 0 && i < gl.gl_pathc; i++)
			rc = fn(c, dir, gl.gl_pathv[i], err, errlen);
		globfree(&gl);
	}
	free(pat);
	return rc;
}

static int conf_part(struct clush *c, const char *dir, const char *path, char *err, size_t errlen)
{
	struct clushconf *conf = clushconf_load(path, err, errlen);
	if (!conf)
		return errno == EACCES || errno == EPERM ? 0 : -1;
	int rc = sources_from_conf(c, conf, dir, err, errlen);
	clushconf_free(conf);
	return rc;
}

static int yaml_part(struct clush *c, const char *dir, const char *path, char *err, size_t errlen)
{
	(void)dir;
	return load_yaml(c, path, err, errlen);
}

/* "confdir"/"autodir": its directories ($CFGDIR replaced), each once, through FN. */
static int each_dir(struct clush *c, const char *list, const char *cfgdir, const char *pattern,
		    int (*fn)(struct clush *, const char *, const char *, char *, size_t), char *err, size_t errlen)
{
	char **dirs = NULL;
	size_t n = 0;
	char msg[400];
	int rc = clushconf_split(list, cfgdir, &dirs, &n, msg, sizeof msg);
	if (rc < 0)
		snprintf(err, errlen, "%s: %s", c->conf, msg);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		int seen = 0;
		for (size_t k = 0; k < i; k++)
			seen |= strcmp(dirs[k], dirs[i]) == 0;
		if (!seen)
			rc = each_file(c, dirs[i], pattern, fn, err, errlen);
	}
	for (size_t i = 0; i < n; i++)
		free(dirs[i]);
	free(dirs);
	return rc;
}

static int load_main(struct clush *c, const struct clushconf *conf, const char *cfgdir, char *err,
		     size_t errlen)
{
	const struct clushconf_section *main = clushconf_section(conf, "Main");
	const char *confdir = main ? clushconf_get(main, "groupsdir") : NULL;
	if (main && !confdir)
		confdir = clushconf_get(main, "confdir");
	const char *autodir = main ? clushconf_get(main, "autodir") : NULL;
	if ((confdir && each_dir(c, confdir, cfgdir, "*.conf", conf_part, err, errlen) < 0) ||
	    (autodir && each_dir(c, autodir, cfgdir, "*.yaml", yaml_part, err, errlen) < 0) ||
	    sources_from_conf(c, conf, cfgdir, err, errlen) < 0)
		return -1;
	const char *def = main ? clushconf_get(main, "default") : NULL;
	if (def && *def && !find_source(c, def)) {
		snprintf(err, errlen, "%s: default group source '%s' not found", c->conf, def);
		return -1;
	}
	if (def && *def)
		c->def = xstrdup(def);
	else if (c->n)
		c->def = xstrdup(c->s[0].name);
	return 0;
}

struct clush *clush_load(char *err, size_t errlen)
{
	int explicit;
	const char *cfgenv = getenv("CLUSTERSHELL_CFGDIR");
	char *fallback = cfgenv && *cfgenv ? xasprintf("%s/groups.conf", cfgenv)
					   : xstrdup(SYSCONFDIR "/clustershell/groups.conf");
	struct clush *c = xcalloc(1, sizeof *c);
	c->conf = xstrdup(cli_config_path(NULL, "CT_CLUSH_GROUPS_CONF", fallback, &explicit));
	c->timeout = upcall_timeout();
	free(fallback);
	struct clushconf *conf = clushconf_load(c->conf, err, errlen);
	if (!conf && errno == ENOENT && !explicit)
		return c;
	char *cfgdir = xstrdup(c->conf), *slash = strrchr(cfgdir, '/');
	if (slash)
		*slash = '\0';
	else
		strcpy(cfgdir, ".");
	int rc = conf ? load_main(c, conf, cfgdir, err, errlen) : -1;
	clushconf_free(conf);
	free(cfgdir);
	if (rc < 0) {
		clush_free(c);
		return NULL;
	}
	return c;
}

/* ---- resolution ---- */

/* The first word of an upcall, to name it ("squeue"). */
static char *first_word(const char *cmd)
{
	cmd += strspn(cmd, " \t");
	return xstrndup(cmd, strcspn(cmd, " \t\n;|&"));
}

/* Upcall U of S with GROUP ($GROUP), cached for the run: its output or NULL with ERR. */
static const char *upcall(struct clush *c, struct csource *s, int u, const char *group, const char *what,
			  char *err, size_t errlen)
{
	char *key = xasprintf("%s %s", upcall_names[u], group ? group : "");
	struct cached *e = NULL;
	for (size_t i = 0; i < s->ncache && !e; i++)
		if (strcmp(s->cache[i].key, key) == 0)
			e = &s->cache[i];
	if (!e) {
		struct upcall_var vars[] = {{"GROUP", group}, {"SOURCE", s->name}, {"CFGDIR", s->dir}};
		char *cmd = upcall_command(s->up[u], vars, sizeof vars / sizeof vars[0]), msg[400];
		s->cache = xgrowarray(s->cache, s->ncache, sizeof *s->cache);
		e = &s->cache[s->ncache++];
		memset(e, 0, sizeof *e);
		e->key = xstrdup(key);
		if (upcall_run(cmd, s->dir, c->timeout, &e->text, msg, sizeof msg) < 0) {
			char *prog = first_word(s->up[u]);
			e->err = xasprintf("%s: %s %s", what, prog, msg);
			free(prog);
		}
		free(cmd);
	}
	free(key);
	if (e->err)
		snprintf(err, errlen, "%s", e->err);
	return e->err ? NULL : e->text;
}

/* Upcall output as one node set: its words joined with ','. */
static char *words_to_set(const char *out)
{
	struct bytebuf b = {0};
	for (const char *p = out;;) {
		p += strspn(p, " \t\r\n");
		size_t n = strcspn(p, " \t\r\n");
		if (!n)
			break;
		if (b.len)
			bytebuf_add(&b, ",", 1);
		bytebuf_add(&b, p, n);
		p += n;
	}
	bytebuf_add(&b, "", 1);
	return b.p;
}

/* A YAML group's text; "*" (GROUP NULL) is its group 'all', else "@g1,@g2,...". */
static char *yaml_text(const struct csource *s, const char *group)
{
	const char *want = group ? group : "all";
	for (size_t i = 0; i < s->ng; i++)
		if (strcmp(s->g[i].name, want) == 0)
			return xstrdup(s->g[i].nodes);
	struct bytebuf b = {0};
	for (size_t i = 0; !group && i < s->ng; i++) {
		bytebuf_add(&b, b.len ? ",@" : "@", b.len ? 2 : 1);
		bytebuf_add(&b, s->g[i].name, strlen(s->g[i].name));
	}
	bytebuf_add(&b, "", 1);
	return b.p;
}

/* "*" of an upcall source: 'all', else the groups of 'list' mapped ("@a,@b": lib/groups maps them). */
static char *all_text(struct clush *c, struct csource *s, const char *what, char *err, size_t errlen)
{
	int u = s->up[UP_ALL] ? UP_ALL : UP_LIST;
	if (!s->up[u]) {
		snprintf(err, errlen, "%s: source '%s' has neither an 'all' nor a 'list' upcall (%s)", what, s->name,
			 s->file);
		return NULL;
	}
	const char *out = upcall(c, s, u, NULL, what, err, errlen);
	if (!out)
		return NULL;
	char *set = words_to_set(out);
	if (u == UP_ALL)
		return set;
	struct bytebuf b = {0};
	for (char *w = strtok(set, ","); w; w = strtok(NULL, ",")) {
		bytebuf_add(&b, b.len ? ",@" : "@", b.len ? 2 : 1);
		bytebuf_add(&b, w, strlen(w));
	}
	bytebuf_add(&b, "", 1);
	free(set);
	return b.p;
}

int clush_group_text(struct clush *c, const char *source, const char *group, char **text,
		     const char **resolved, char *err, size_t errlen)
{
	const char *name = source ? source : c->def;
	struct csource *s = name ? find_source(c, name) : NULL;
	char *what = xasprintf("@%s%s%s", source ? source : "", source ? ":" : "", group ? group : "*");
	int rc = -1;
	*text = NULL;
	if (!s && !source) {
		rc = 0;
	} else if (!s) {
		snprintf(err, errlen, "%s: no group source '%s' (%s)", what, source, c->conf);
	} else if (s->yaml) {
		*text = yaml_text(s, group);
	} else if (!group) {
		*text = all_text(c, s, what, err, errlen);
	} else {
		const char *out = upcall(c, s, UP_MAP, group, what, err, errlen);
		*text = out ? words_to_set(out) : NULL;
	}
	if (*text) {
		*resolved = s->name;
		rc = 1;
	}
	free(what);
	return rc;
}

void clush_print(struct clush *c)
{
	char err[512];
	for (size_t i = 0; i < c->n; i++) {
		struct csource *s = &c->s[i];
		for (size_t k = 0; s->yaml && k < s->ng; k++)
			printf("%s:%s\tclustershell %s\n", s->name, s->g[k].name, s->file);
		if (s->yaml || !s->up[UP_LIST])
			continue;
		char *what = xasprintf("@%s:*", s->name);
		const char *out = upcall(c, s, UP_LIST, NULL, what, err, sizeof err);
		free(what);
		if (!out) {
			warnmsg("%s", err);
			continue;
		}
		char *set = words_to_set(out);
		for (char *w = strtok(set, ","); w; w = strtok(NULL, ","))
			printf("%s:%s\tclustershell %s\n", s->name, w, s->file);
		free(set);
	}
}
