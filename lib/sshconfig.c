/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sshconfig — parse the subset of ssh_config(5) clustertools honours and look
 * up the values for one host. See sshconfig.h.
 */
#include <ctype.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "log.h"
#include "sshconfig.h"
#include "xalloc.h"

static const char *const known_keys[] = {
	"host", "match", "include", "hostname", "port", "user", "identityfile", "userknownhostsfile",
	"stricthostkeychecking", "connecttimeout", "proxyjump", "proxycommand", "globalknownhostsfile",
};
/* See sshconfig.h for why these may be ignored without a word. */
static const char *const silent_keys[] = {
	"sendenv", "hashknownhosts", "gssapiauthentication", "gssapidelegatecredentials", "batchmode",
	"loglevel", "identitiesonly",
};

static int in_list(const char *k, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcasecmp(k, list[i]))
			return 1;
	return 0;
}

int sshconfig_keyword(const char *k)
{
	if (in_list(k, known_keys, sizeof known_keys / sizeof known_keys[0]))
		return 1;
	return in_list(k, silent_keys, sizeof silent_keys / sizeof silent_keys[0]) ? 2 : 0;
}

/* Split LINE (NUL-terminated, modified in place) into words; '=' may separate the keyword. */
static int split_words(char *line, char **w, int max, char *err, size_t errlen, const char *fname,
		       int lineno)
{
	int n = 0;
	char *p = line;
	while (*p) {
		while (isspace((unsigned char)*p) || (n == 1 && *p == '='))
			p++;
		if (!*p || *p == '#')
			break;
		if (n == max) {
			snprintf(err, errlen, "%s:%d: too many arguments", fname, lineno);
			return -1;
		}
		char *out = p;
		w[n++] = out;
		if (*p == '"') {
			char *end = strchr(p + 1, '"');
			if (!end) {
				snprintf(err, errlen, "%s:%d: unterminated quote", fname, lineno);
				return -1;
			}
			memmove(out, p + 1, (size_t)(end - p - 1));
			out[end - p - 1] = '\0';
			p = end + 1;
			continue;
		}
		while (*p && !isspace((unsigned char)*p) && !(n == 1 && *p == '='))
			p++;
		if (*p)
			*p++ = '\0';
	}
	return n;
}

static const char *add_file(struct sshconfig *cfg, const char *fname)
{
	if (cfg->nfiles && !strcmp(cfg->files[cfg->nfiles - 1], fname))
		return cfg->files[cfg->nfiles - 1];
	cfg->files = xgrowarray(cfg->files, cfg->nfiles, sizeof *cfg->files);
	return cfg->files[cfg->nfiles++] = xstrdup(fname);
}

static struct sshconfig_block *new_block(struct sshconfig *cfg)
{
	cfg->b = xgrowarray(cfg->b, cfg->n, sizeof *cfg->b);
	struct sshconfig_block *b = &cfg->b[cfg->n++];
	memset(b, 0, sizeof *b);
	b->guard = -1;
	return b;
}

int sshconfig_add_block(struct sshconfig *cfg, const struct sshconfig_block *like, int guard)
{
	const char *file = like && like->file ? add_file(cfg, like->file) : NULL;
	struct sshconfig_block *b = new_block(cfg);
	b->guard = guard;
	if (!like)
		return (int)cfg->n - 1;
	b->is_match = like->is_match;
	b->file = file;
	b->line = like->line;
	if (like->patterns) {
		b->patterns = xcalloc(like->npatterns ? like->npatterns : 1, sizeof *b->patterns);
		for (size_t i = 0; i < like->npatterns; i++)
			b->patterns[b->npatterns++] = xstrdup(like->patterns[i]);
	}
	return (int)cfg->n - 1;
}

static void push_entry(struct sshconfig_block *b, const char *key, const char *value, const char *file,
		       int line)
{
	b->e = xgrowarray(b->e, b->n, sizeof *b->e);
	b->e[b->n++] = (struct sshconfig_entry){xstrdup(key), xstrdup(value), file, line};
}

void sshconfig_add_entry(struct sshconfig *cfg, int idx, const struct sshconfig_entry *e)
{
	const char *file = add_file(cfg, e->file);
	push_entry(&cfg->b[idx], e->key, e->value, file, e->line);
}

static int check_number(char **w, const char *fname, int lineno, char *err, size_t errlen)
{
	int port = !strcasecmp(w[0], "port");
	if (!port && strcasecmp(w[0], "connecttimeout"))
		return 0;
	char *end;
	long v = strtol(w[1], &end, 10);
	if (*end || !*w[1] || v < 0 || v > 65535 || (v == 0 && port)) {
		snprintf(err, errlen, "%s:%d: bad %s '%s'", fname, lineno, w[0], w[1]);
		return -1;
	}
	return 0;
}

/* REST: the line after the keyword, for ProxyCommand. */
static int add_line(struct sshconfig *cfg, char **w, int n, const char *rest, const char *fname, int lineno,
		    char *err, size_t errlen)
{
	if (!strcasecmp(w[0], "host") || !strcasecmp(w[0], "match")) {
		if (n < 2) {
			snprintf(err, errlen, "%s:%d: %s needs an argument", fname, lineno, w[0]);
			return -1;
		}
		const char *file = add_file(cfg, fname);
		struct sshconfig_block *b = new_block(cfg);
		b->is_match = tolower((unsigned char)w[0][0]) == 'm';
		b->file = file;
		b->line = lineno;
		b->patterns = xcalloc((size_t)n - 1, sizeof *b->patterns);
		for (int i = 1; i < n; i++)
			b->patterns[b->npatterns++] = xstrdup(w[i]);
		return 0;
	}
	if (n < 2) {
		snprintf(err, errlen, "%s:%d: %s needs a value", fname, lineno, w[0]);
		return -1;
	}
	if (check_number(w, fname, lineno, err, errlen) < 0)
		return -1;
	const char *file = add_file(cfg, fname);
	struct sshconfig_block *b = cfg->n ? &cfg->b[cfg->n - 1] : new_block(cfg);
	if (!strcasecmp(w[0], "include"))
		for (int i = 1; i < n; i++)
			push_entry(b, w[0], w[i], file, lineno);
	else
		push_entry(b, w[0], !strcasecmp(w[0], "proxycommand") ? rest : w[1], file, lineno);
	return 0;
}

/* The text after the keyword (and its blanks or '='), trailing blanks cut. */
static char *after_keyword(const char *line)
{
	const char *p = line;
	while (isspace((unsigned char)*p))
		p++;
	while (*p && !isspace((unsigned char)*p) && *p != '=')
		p++;
	while (isspace((unsigned char)*p))
		p++;
	if (*p == '=')
		p++;
	while (isspace((unsigned char)*p))
		p++;
	size_t l = strlen(p);
	while (l && isspace((unsigned char)p[l - 1]))
		l--;
	return xstrndup(p, l);
}

int sshconfig_parse(const char *text, size_t len, const char *fname, struct sshconfig *cfg, char *err,
		    size_t errlen)
{
	memset(cfg, 0, sizeof *cfg);
	size_t pos = 0;
	int lineno = 0;
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t l = nl ? (size_t)(nl - (text + pos)) : len - pos;
		char *line = xstrndup(text + pos, l);
		pos += l + (nl ? 1 : 0);
		lineno++;
		if (strlen(line) != l) {
			snprintf(err, errlen, "%s:%d: NUL byte", fname, lineno);
			free(line);
			sshconfig_free(cfg);
			return -1;
		}
		char *rest = after_keyword(line);
		char *w[32];
		int n = split_words(line, w, 32, err, errlen, fname, lineno);
		int rc = n < 0 ? -1 : n == 0 ? 0 : add_line(cfg, w, n, rest, fname, lineno, err, errlen);
		free(rest);
		free(line);
		if (rc < 0) {
			sshconfig_free(cfg);
			return -1;
		}
	}
	return 0;
}

void sshconfig_free(struct sshconfig *cfg)
{
	for (size_t i = 0; i < cfg->n; i++) {
		struct sshconfig_block *b = &cfg->b[i];
		for (size_t j = 0; j < b->npatterns; j++)
			free(b->patterns[j]);
		free(b->patterns);
		for (size_t j = 0; j < b->n; j++) {
			free(b->e[j].key);
			free(b->e[j].value);
		}
		free(b->e);
	}
	free(cfg->b);
	for (size_t i = 0; i < cfg->nfiles; i++)
		free(cfg->files[i]);
	free(cfg->files);
	memset(cfg, 0, sizeof *cfg);
}

int sshconfig_match_pattern(const char *pattern, const char *host)
{
	return fnmatch(pattern, host, FNM_CASEFOLD) == 0;
}

static int block_applies(const struct sshconfig *cfg, size_t i, const char *host)
{
	const struct sshconfig_block *b = &cfg->b[i];
	if (b->is_match)
		return 0;
	/* a guard always comes before the blocks it guards: the recursion ends */
	if (b->guard >= 0 && (size_t)b->guard < i && !block_applies(cfg, (size_t)b->guard, host))
		return 0;
	if (!b->patterns)
		return 1;
	int hit = 0;
	for (size_t k = 0; k < b->npatterns; k++) {
		const char *p = b->patterns[k];
		if (p[0] == '!') {
			if (sshconfig_match_pattern(p + 1, host))
				return 0;
		} else if (sshconfig_match_pattern(p, host)) {
			hit = 1;
		}
	}
	return hit;
}

static void set_str(const char **dst, const char *key, const struct sshconfig_entry *e)
{
	if (!*dst && !strcasecmp(e->key, key))
		*dst = e->value;
}

static void set_value(struct sshconfig_host *o, const struct sshconfig_entry *e)
{
	const char *k = e->key;
	set_str(&o->hostname, "hostname", e);
	set_str(&o->user, "user", e);
	set_str(&o->identity_file, "identityfile", e);
	set_str(&o->known_hosts, "userknownhostsfile", e);
	set_str(&o->global_known_hosts, "globalknownhostsfile", e);
	set_str(&o->strict, "stricthostkeychecking", e);
	if (!o->proxy_command)
		set_str(&o->proxy_jump, "proxyjump", e);
	if (!o->proxy_jump)
		set_str(&o->proxy_command, "proxycommand", e);
	if (!strcasecmp(k, "port") && !o->port)
		o->port = atoi(e->value);
	else if (!strcasecmp(k, "connecttimeout") && !o->connect_timeout)
		o->connect_timeout = atoi(e->value);
}

void sshconfig_lookup(const struct sshconfig *cfg, const char *host, struct sshconfig_host *out)
{
	memset(out, 0, sizeof *out);
	for (size_t i = 0; i < cfg->n; i++) {
		if (!block_applies(cfg, i, host))
			continue;
		for (size_t j = 0; j < cfg->b[i].n; j++)
			set_value(out, &cfg->b[i].e[j]);
	}
}

void sshconfig_unsupported(const struct sshconfig *cfg, const char *host,
			   void (*fn)(const struct sshconfig_entry *e, void *arg), void *arg)
{
	for (size_t i = 0; i < cfg->n; i++) {
		const struct sshconfig_block *b = &cfg->b[i];
		if (b->is_match && b->file) {
			struct sshconfig_entry m = {(char *)"Match", b->patterns[0], b->file, b->line};
			fn(&m, arg);
		}
		if (!block_applies(cfg, i, host))
			continue;
		for (size_t j = 0; j < b->n; j++)
			if (!sshconfig_keyword(b->e[j].key))
				fn(&b->e[j], arg);
	}
}

/* VALUE with a leading "~/" (HOME) and %X for each X of KEYS replaced by VALS[X's index]; %% is %. */
static char *expand(const char *value, const char *home, const char *keys, const char *const *vals)
{
	size_t cap = strlen(value) + 1 + (home ? strlen(home) : 0), n = 0;
	char *out = xmalloc(cap);
#define PUT(s, l)                                                                                  \
	do {                                                                                       \
		size_t l_ = (l);                                                                   \
		if (n + l_ + 1 > cap) {                                                            \
			cap = (n + l_ + 1) * 2;                                                    \
			out = xrealloc(out, cap);                                                  \
		}                                                                                  \
		memcpy(out + n, s, l_);                                                            \
		n += l_;                                                                           \
	} while (0)
	if (value[0] == '~' && value[1] == '/' && home) {
		PUT(home, strlen(home));
		value++;
	}
	for (const char *p = value; *p; p++) {
		const char *k = *p == '%' && p[1] && p[1] != '%' ? strchr(keys, p[1]) : NULL;
		if (k) {
			const char *v = vals[k - keys] ? vals[k - keys] : "";
			PUT(v, strlen(v));
			p++;
		} else {
			PUT(p, 1);
			if (*p == '%' && p[1] == '%')
				p++;
		}
	}
#undef PUT
	out[n] = '\0';
	return out;
}

char *sshconfig_expand(const char *value, const char *home, const char *host, const char *user)
{
	const char *vals[] = {host, user, user};
	return expand(value, home, "hur", vals);
}

/*
 * OpenSSH 9.6's rule for a host or user name it puts into a command: no
 * leading '-', no shell quoting or syntax, no blanks or control characters
 * (a user name may hold an inner blank, as it does in some directories).
 */
static int safe_word(const char *s, int user)
{
	if (*s == '-')
		return 0;
	for (size_t i = 0; s[i]; i++) {
		unsigned char c = (unsigned char)s[i];
		if (strchr("'`\";&<>|(){}", c) || iscntrl(c))
			return 0;
		if (!user && (strchr("$\\,", c) || isspace(c)))
			return 0;
		if (user && ((isspace(c) && s[i + 1] == '-') || (c == '\\' && !s[i + 1])))
			return 0;
	}
	return 1;
}

char *sshconfig_expand_command(const char *value, const char *name, const char *host, int port,
			       const char *user, char *err, size_t errlen)
{
	char p[16];
	snprintf(p, sizeof p, "%d", port);
	const char *vals[] = {host, p, user, name};
	for (const char *s = value; (s = strchr(s, '%')) != NULL; s += s[1] ? 2 : 1) {
		if (!s[1] || !strchr("hrn", s[1]))
			continue;
		const char *v = vals[strchr("hprn", s[1]) - "hprn"];
		if (v && !safe_word(v, s[1] == 'r')) {
			snprintf(err, errlen, "ProxyCommand: %%%c would be '%s': a %s name with shell syntax in it is "
				 "refused (as OpenSSH does)", s[1], v, s[1] == 'r' ? "user" : "host");
			return NULL;
		}
	}
	return expand(value, NULL, "hprn", vals);
}
