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
	"hostname", "port", "user", "identityfile", "userknownhostsfile", "stricthostkeychecking",
	"connecttimeout",
};

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

static struct sshconfig_block *new_block(struct sshconfig *cfg)
{
	cfg->b = xgrowarray(cfg->b, cfg->n, sizeof *cfg->b);
	struct sshconfig_block *b = &cfg->b[cfg->n++];
	memset(b, 0, sizeof *b);
	return b;
}

static int known_key(const char *k)
{
	for (size_t i = 0; i < sizeof known_keys / sizeof known_keys[0]; i++)
		if (!strcmp(k, known_keys[i]))
			return 1;
	return 0;
}

static int add_line(struct sshconfig *cfg, char **w, int n, const char *fname, int lineno, char *err,
		    size_t errlen)
{
	for (char *s = w[0]; *s; s++)
		*s = (char)tolower((unsigned char)*s);
	if (!strcmp(w[0], "host") || !strcmp(w[0], "match")) {
		if (n < 2) {
			snprintf(err, errlen, "%s:%d: %s needs an argument", fname, lineno, w[0]);
			return -1;
		}
		struct sshconfig_block *b = new_block(cfg);
		b->is_match = w[0][0] == 'm';
		b->patterns = xcalloc((size_t)n - 1, sizeof *b->patterns);
		for (int i = 1; i < n; i++)
			b->patterns[b->npatterns++] = xstrdup(w[i]);
		return 0;
	}
	if (!known_key(w[0]))
		return 0;
	if (n < 2) {
		snprintf(err, errlen, "%s:%d: %s needs a value", fname, lineno, w[0]);
		return -1;
	}
	if (!strcmp(w[0], "port") || !strcmp(w[0], "connecttimeout")) {
		char *end;
		long v = strtol(w[1], &end, 10);
		if (*end || v < 0 || v > 65535 || (v == 0 && w[0][0] == 'p')) {
			snprintf(err, errlen, "%s:%d: bad %s '%s'", fname, lineno, w[0], w[1]);
			return -1;
		}
	}
	struct sshconfig_block *b = cfg->n ? &cfg->b[cfg->n - 1] : new_block(cfg);
	b->e = xgrowarray(b->e, b->n, sizeof *b->e);
	b->e[b->n++] = (struct sshconfig_entry){xstrdup(w[0]), xstrdup(w[1]), lineno};
	return 0;
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
		char *w[32];
		int n = split_words(line, w, 32, err, errlen, fname, lineno);
		int rc = n < 0 ? -1 : n == 0 ? 0 : add_line(cfg, w, n, fname, lineno, err, errlen);
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
	memset(cfg, 0, sizeof *cfg);
}

int sshconfig_match_pattern(const char *pattern, const char *host)
{
	return fnmatch(pattern, host, FNM_CASEFOLD) == 0;
}

static int block_applies(const struct sshconfig_block *b, const char *host)
{
	if (b->is_match)
		return 0;
	if (!b->patterns)
		return 1;
	int hit = 0;
	for (size_t i = 0; i < b->npatterns; i++) {
		const char *p = b->patterns[i];
		if (p[0] == '!') {
			if (sshconfig_match_pattern(p + 1, host))
				return 0;
		} else if (sshconfig_match_pattern(p, host)) {
			hit = 1;
		}
	}
	return hit;
}

static void set_value(struct sshconfig_host *o, const struct sshconfig_entry *e)
{
	const char *k = e->key, *v = e->value;
	if (!strcmp(k, "hostname") && !o->hostname)
		o->hostname = v;
	else if (!strcmp(k, "port") && !o->port)
		o->port = atoi(v);
	else if (!strcmp(k, "user") && !o->user)
		o->user = v;
	else if (!strcmp(k, "identityfile") && !o->identity_file)
		o->identity_file = v;
	else if (!strcmp(k, "userknownhostsfile") && !o->known_hosts)
		o->known_hosts = v;
	else if (!strcmp(k, "stricthostkeychecking") && !o->strict)
		o->strict = v;
	else if (!strcmp(k, "connecttimeout") && !o->connect_timeout)
		o->connect_timeout = atoi(v);
}

void sshconfig_lookup(const struct sshconfig *cfg, const char *host, struct sshconfig_host *out)
{
	memset(out, 0, sizeof *out);
	for (size_t i = 0; i < cfg->n; i++) {
		if (!block_applies(&cfg->b[i], host))
			continue;
		for (size_t j = 0; j < cfg->b[i].n; j++)
			set_value(out, &cfg->b[i].e[j]);
	}
}

char *sshconfig_expand(const char *value, const char *home, const char *host, const char *user)
{
	size_t cap = strlen(value) + 1 + (home ? strlen(home) : 0), n = 0;
	char *out = xmalloc(cap);
#define PUT(s)                                                                                     \
	do {                                                                                       \
		size_t l_ = strlen(s);                                                             \
		if (n + l_ + 1 > cap) {                                                            \
			cap = (n + l_ + 1) * 2;                                                    \
			out = xrealloc(out, cap);                                                  \
		}                                                                                  \
		memcpy(out + n, s, l_);                                                            \
		n += l_;                                                                           \
	} while (0)
	if (value[0] == '~' && value[1] == '/' && home) {
		PUT(home);
		value++;
	}
	for (const char *p = value; *p; p++) {
		char c[2] = {*p, 0};
		if (*p != '%' || !p[1]) {
			PUT(c);
			continue;
		}
		p++;
		if (*p == 'h')
			PUT(host ? host : "");
		else if (*p == 'u' || *p == 'r')
			PUT(user ? user : "");
		else if (*p == '%')
			PUT("%");
		else {
			c[0] = '%';
			PUT(c);
			c[0] = *p;
			PUT(c);
		}
	}
#undef PUT
	out[n] = '\0';
	return out;
}
