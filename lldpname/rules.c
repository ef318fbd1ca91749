/* SPDX-License-Identifier: BSD-3-Clause */
#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hostname.h"
#include "inifile.h"
#include "log.h"
#include "rules.h"
#include "xalloc.h"

struct override {
	char *port;
	char *hostname;
};

struct rule {
	char *pattern;          /* section name */
	int line;
	char *template;         /* NULL: take the default */
	long offset;
	int has_offset;
	enum lldpn_source source;
	int has_source;
	char *index_src;        /* the regex as written */
	regex_t index_re;
	int has_index;
	struct override *ov;
	size_t nov;
};

struct lldpn_rules {
	struct rule defaults;
	struct rule *v;
	size_t n;
	char *name;
};

/* A template's integer conversion, as found by check_template(). */
struct conv {
	size_t start, end;  /* the "%...d" span in the template */
	char spec[16];      /* the same, rebuilt for long long: "%05lld" */
};

static void rule_free(struct rule *r)
{
	free(r->pattern);
	free(r->template);
	free(r->index_src);
	if (r->has_index)
		regfree(&r->index_re);
	for (size_t i = 0; i < r->nov; i++) {
		free(r->ov[i].port);
		free(r->ov[i].hostname);
	}
	free(r->ov);
}

void lldpn_rules_free(struct lldpn_rules *r)
{
	if (!r)
		return;
	rule_free(&r->defaults);
	for (size_t i = 0; i < r->n; i++)
		rule_free(&r->v[i]);
	free(r->v);
	free(r->name);
	free(r);
}

size_t lldpn_rules_count(const struct lldpn_rules *r) { return r->n; }

/*
 * Find the one integer conversion of template T, if any. 0 (C->start ==
 * C->end when there is none) or -1 with the problem in ERR.
 */
static int check_template(const char *t, struct conv *c, char *err, size_t errlen)
{
	int found = 0;
	memset(c, 0, sizeof *c);
	for (size_t i = 0; t[i]; i++) {
		if (t[i] != '%')
			continue;
		if (t[i + 1] == '%') {
			i++;
			continue;
		}
		size_t j = i + 1;
		char flags[8] = "";
		size_t nf = 0;
		while (t[j] && strchr("0#", t[j]) && nf < sizeof flags - 1)
			flags[nf++] = t[j++];
		size_t w = strspn(t + j, "0123456789"), p = 0;
		if (w > 2)
			return lldpn_err(err, errlen, "template '%s': width of more than 2 digits", t);
		j += w;
		if (t[j] == '.') {
			p = strspn(t + j + 1, "0123456789");
			if (p > 2)
				return lldpn_err(err, errlen, "template '%s': precision of more than 2 digits", t);
			j += 1 + p;
		}
		if (!t[j] || !strchr("diuxXo", t[j]))
			return lldpn_err(err, errlen,
					 "template '%s': '%%%.*s' is not allowed, only one integer conversion (%%d %%i %%u %%x %%X %%o)",
					 t, t[j] ? (int)(j - i) : (int)(j - i - 1), t + i + 1);
		if (found++)
			return lldpn_err(err, errlen, "template '%s' has more than one integer conversion", t);
		c->start = i;
		c->end = j + 1;
		snprintf(c->spec, sizeof c->spec, "%%%.*sll%c", (int)(j - i - 1), t + i + 1, t[j]);
		i = j;
	}
	if (!found && !strstr(t, "{port}"))
		return lldpn_err(err, errlen, "template '%s' has neither an integer conversion nor {port}: every port would get the same name",
				 t);
	return 0;
}

static int parse_long(const char *s, long *v)
{
	char *end;
	errno = 0;
	*v = strtol(s, &end, 10);
	return errno || end == s || *end || *v < -1000000000L || *v > 1000000000L ? -1 : 0;
}

/* Set KEY = VALUE on rule R. -1 with the problem (no location) in ERR. */

/*
 * glibc's regcomp copies a repeated subexpression for every quantifier on
 * it, so "(x)+++..." or deeply repeated groups take exponential memory.
 * Port-name regexes need few quantifiers; refuse the rest before compiling.
 */
static const char *index_regex_problem(const char *re)
{
	int quantifiers = 0, prev_quant = 0;
	if (strlen(re) > 128)
		return "longer than 128 characters";
	for (const char *p = re; *p; p++) {
		if (*p == '\\' && p[1]) {
			p++;
			prev_quant = 0;
			continue;
		}
		if (*p == '[') { /* bracket expression: its characters are literals */
			const char *q = p + 1;
			if (*q == '^')
				q++;
			if (*q == ']')
				q++;
			while (*q && *q != ']')
				q++;
			if (!*q)
				return NULL; /* regcomp reports the unbalanced bracket */
			p = q;
			prev_quant = 0;
			continue;
		}
		int quant = *p == '*' || *p == '+' || *p == '?' || *p == '{';
		if (quant && prev_quant)
			return "a quantifier follows another quantifier";
		if (quant && ++quantifiers > 12)
			return "more than 12 quantifiers";
		if (*p == '{') {
			while (*p && *p != '}')
				p++;
			if (!*p)
				return NULL;
		}
		prev_quant = quant;
	}
	return NULL;
}

static int rule_set(struct rule *r, const char *key, const char *value, char *err, size_t errlen)
{
	struct conv c;
	if (!strcmp(key, "template")) {
		if (check_template(value, &c, err, errlen) < 0)
			return -1;
		free(r->template);
		r->template = xstrdup(value);
	} else if (!strcmp(key, "offset")) {
		if (parse_long(value, &r->offset) < 0)
			return lldpn_err(err, errlen, "offset '%s' is not an integer", value);
		r->has_offset = 1;
	} else if (!strcmp(key, "source")) {
		if (strcmp(value, "portid") && strcmp(value, "portdesc"))
			return lldpn_err(err, errlen, "source '%s': expected portid or portdesc", value);
		r->source = !strcmp(value, "portdesc") ? LLDPN_SRC_PORTDESC : LLDPN_SRC_PORTID;
		r->has_source = 1;
	} else if (!strcmp(key, "index")) {
		const char *problem = index_regex_problem(value);
		if (problem)
			return lldpn_err(err, errlen, "index '%.60s': %s", value, problem);
		if (r->has_index)
			regfree(&r->index_re);
		free(r->index_src);
		r->index_src = NULL;
		int rc = regcomp(&r->index_re, value, REG_EXTENDED);
		r->has_index = rc == 0;
		if (rc) {
			char msg[200];
			regerror(rc, &r->index_re, msg, sizeof msg);
			return lldpn_err(err, errlen, "index '%s': %s", value, msg);
		}
		r->index_src = xstrdup(value);
	} else if (!strncmp(key, "port.", 5) && key[5]) {
		if (!hostname_valid(value))
			return lldpn_err(err, errlen, "'%s' is not a valid hostname", value);
		r->ov = xgrowarray(r->ov, r->nov, sizeof *r->ov);
		r->ov[r->nov].port = xstrdup(key + 5);
		r->ov[r->nov].hostname = xstrdup(value);
		r->nov++;
	}
	return 0; /* other keys: ini_check_keys() refused them */
}

static struct rule *rule_for(struct lldpn_rules *r, const struct ini *ini, const char *section)
{
	if (!*section)
		return &r->defaults;
	for (size_t i = r->n; i-- > 0;)
		if (!strcmp(r->v[i].pattern, section))
			return &r->v[i];
	r->v = xgrowarray(r->v, r->n, sizeof *r->v);
	struct rule *nr = &r->v[r->n++];
	memset(nr, 0, sizeof *nr);
	nr->pattern = xstrdup(section);
	nr->line = ini_section_line(ini, section);
	return nr;
}

static int build(struct lldpn_rules *r, const struct ini *ini, char *err, size_t errlen)
{
	char why[512];
	struct ini_entry e;
	/* one rule per section, in file order (the first match wins), empty ones too */
	for (size_t i = 0; i < ini_section_count(ini); i++)
		if (*ini_section_at(ini, i))
			rule_for(r, ini, ini_section_at(ini, i));
	for (size_t i = 0; ini_entry_at(ini, i, &e); i++) {
		struct rule *rule = rule_for(r, ini, e.section);
		if (rule_set(rule, e.key, e.value, why, sizeof why) < 0)
			return lldpn_err(err, errlen, "%s:%d: %s", r->name, e.line, why);
	}
	for (size_t i = 0; i < r->n; i++)
		if (!r->v[i].template && !r->defaults.template && !r->v[i].nov)
			return lldpn_err(err, errlen, "%s:%d: section [%s] has no template and no port.NAME", r->name,
					 r->v[i].line, r->v[i].pattern);
	return 0;
}

static struct lldpn_rules *from_ini(struct ini *ini, const char *name, char *err, size_t errlen)
{
	static const char *const known[] = { "template", "offset", "source", "index", "port.*", NULL };
	if (!ini)
		return NULL;
	struct lldpn_rules *r = xcalloc(1, sizeof *r);
	r->name = xstrdup(name);
	int rc = ini_check_keys(ini, NULL, known, err, errlen) < 0 ? -1 : build(r, ini, err, errlen);
	ini_free(ini);
	if (rc < 0) {
		lldpn_rules_free(r);
		return NULL;
	}
	return r;
}

struct lldpn_rules *lldpn_rules_parse(const char *text, size_t len, const char *name, char *err, size_t errlen)
{
	return from_ini(ini_parse(text, len, name, err, errlen), name, err, errlen);
}

struct lldpn_rules *lldpn_rules_load(const char *path, int must_exist, char *err, size_t errlen)
{
	if (!must_exist && access(path, F_OK) < 0 && errno == ENOENT)
		verbose("%s does not exist: no rules", path);
	return from_ini(ini_load(path, must_exist, err, errlen), path, err, errlen);
}

/* Text for {switch} and {port}: letters and digits kept, any run of others one '-', none at the ends. */
static void put_sanitized(FILE *f, const char *s)
{
	int dash = 0, any = 0;
	for (; *s; s++) {
		if (isalnum((unsigned char)*s)) {
			if (dash && any)
				fputc('-', f);
			fputc(*s, f);
			dash = 0;
			any = 1;
		} else {
			dash = 1;
		}
	}
}

/* Does section pattern R match the system name, its part before the first dot, or the chassis ID? */
static int rule_matches(const struct rule *r, const struct lldpn_neighbor *n)
{
	if (n->sys_name) {
		if (!fnmatch(r->pattern, n->sys_name, 0))
			return 1;
		size_t dot = strcspn(n->sys_name, ".");
		if (n->sys_name[dot]) {
			char *shortname = xstrndup(n->sys_name, dot);
			int m = !fnmatch(r->pattern, shortname, 0);
			free(shortname);
			if (m)
				return 1;
		}
	}
	return n->chassis_id && !fnmatch(r->pattern, n->chassis_id, 0);
}

/* The index in PORT: the index regex's first group (or match), else the last number. */
static int find_index(const struct rule *r, const char *port, long *idx, char *why, size_t whylen)
{
	const char *s;
	size_t len;
	if (r) {
		regmatch_t m[2];
		if (regexec(&r->index_re, port, 2, m, 0))
			return lldpn_err(why, whylen, "index regex '%s' does not match", r->index_src);
		const regmatch_t *g = m[1].rm_so >= 0 ? &m[1] : &m[0];
		s = port + g->rm_so;
		len = (size_t)(g->rm_eo - g->rm_so);
		if (len == 0 || strspn(s, "0123456789") < len)
			return lldpn_err(why, whylen, "index regex '%s' gives '%.*s', not a number", r->index_src,
					 (int)len, s);
	} else {
		size_t end = strlen(port);
		while (end && !isdigit((unsigned char)port[end - 1]))
			end--;
		if (!end)
			return lldpn_err(why, whylen, "no number in the port name");
		size_t start = end;
		while (start && isdigit((unsigned char)port[start - 1]))
			start--;
		s = port + start;
		len = end - start;
	}
	while (len > 1 && *s == '0')
		s++, len--;
	if (len > 9)
		return lldpn_err(why, whylen, "index %.*s is too large", (int)len, s);
	*idx = strtol(s, NULL, 10);
	return 0;
}

static char *expand(const char *t, const struct conv *c, const char *sw, const char *port, long index)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);
	if (!f)
		die_errno(1, "open_memstream");
	for (size_t i = 0; t[i]; i++) {
		if (c->end > c->start && i == c->start) {
			char conv = c->spec[strlen(c->spec) - 1];
			if (conv == 'd' || conv == 'i')
				fprintf(f, c->spec, (long long)index);
			else
				fprintf(f, c->spec, (unsigned long long)index);
			i = c->end - 1;
		} else if (t[i] == '%' && t[i + 1] == '%') {
			fputc('%', f);
			i++;
		} else if (!strncmp(t + i, "{switch}", 8)) {
			put_sanitized(f, sw);
			i += 7;
		} else if (!strncmp(t + i, "{port}", 6)) {
			put_sanitized(f, port);
			i += 5;
		} else {
			fputc(t[i], f);
		}
	}
	if (fclose(f))
		die_errno(1, "open_memstream");
	return buf;
}

static const char *override_for(const struct rule *r, const char *port)
{
	for (size_t i = 0; i < r->nov; i++)
		if (!strcmp(r->ov[i].port, port))
			return r->ov[i].hostname;
	return NULL;
}

/* Name with rule R (which matched). 0, or -1 with the reason (no switch/port prefix) in WHY. */
static int name_with(const struct lldpn_rules *rs, const struct rule *r, const struct lldpn_neighbor *n,
		     struct lldpn_naming *out, char *why, size_t whylen)
{
	const struct rule *d = &rs->defaults;
	out->section = r->pattern;
	out->line = r->line;
	out->source = r->has_source ? r->source : d->source;
	out->port = out->source == LLDPN_SRC_PORTDESC ? n->port_desc : n->port_id;
	if (!out->port || !*out->port) {
		out->port = n->port_id;
		return lldpn_err(why, whylen, "no port description was sent, and rule [%s] (%s:%d) uses source = portdesc",
				 r->pattern, rs->name, r->line);
	}
	const char *fixed = override_for(r, out->port);
	if (!fixed)
		fixed = override_for(d, out->port);
	if (fixed) {
		out->hostname = xstrdup(fixed);
		return 0;
	}
	if (out->source == LLDPN_SRC_PORTID && n->port_subtype &&
	    (!strcmp(n->port_subtype, "mac") || !strcmp(n->port_subtype, "address")))
		return lldpn_err(why, whylen, "the port ID is a %s, not a port name; rule [%s] (%s:%d) needs source = portdesc or port.NAME",
				 !strcmp(n->port_subtype, "mac") ? "MAC address" : "network address", r->pattern,
				 rs->name, r->line);
	const char *t = r->template ? r->template : d->template;
	if (!t)
		return lldpn_err(why, whylen, "rule [%s] (%s:%d) has no port.%s and no template", r->pattern,
				 rs->name, r->line, out->port);
	struct conv c;
	check_template(t, &c, NULL, 0);
	if (c.end > c.start) {
		long idx = 0;
		const struct rule *re = r->has_index ? r : d->has_index ? d : NULL;
		if (find_index(re, out->port, &idx, why, whylen) < 0)
			return -1;
		out->index = idx + (r->has_offset ? r->offset : d->offset);
		if (out->index < 0)
			return lldpn_err(why, whylen, "index %ld plus offset is negative (rule [%s], %s:%d)", idx,
					 r->pattern, rs->name, r->line);
	}
	/* {switch} is the system name up to its first dot (a chassis ID is taken whole) */
	char *sw = n->sys_name && *n->sys_name ? xstrndup(n->sys_name, strcspn(n->sys_name, "."))
					       : xstrdup(out->switch_name);
	char *name = expand(t, &c, sw, out->port, out->index);
	free(sw);
	if (!hostname_valid(name)) {
		lldpn_err(why, whylen, "rule [%s] (%s:%d) makes '%s', not a valid hostname", r->pattern, rs->name,
			  r->line, name);
		free(name);
		return -1;
	}
	out->hostname = name;
	return 0;
}

int lldpn_rules_apply(const struct lldpn_rules *rs, const struct lldpn_neighbor *n, struct lldpn_naming *out,
		      char *err, size_t errlen)
{
	char why[600];
	memset(out, 0, sizeof *out);
	out->index = -1;
	out->switch_name = n->sys_name && *n->sys_name ? n->sys_name : n->chassis_id;
	out->port = n->port_id;
	for (size_t i = 0; i < rs->n; i++) {
		if (!rule_matches(&rs->v[i], n))
			continue;
		if (name_with(rs, &rs->v[i], n, out, why, sizeof why) == 0)
			return 0;
		return lldpn_err(err, errlen, "switch %s port %s: %s", out->switch_name, out->port, why);
	}
	return lldpn_err(err, errlen, "switch %s (chassis %s %s) port %s: no rule in %s matches this switch",
			 out->switch_name, n->chassis_subtype ? n->chassis_subtype : "id", n->chassis_id,
			 out->port, rs->name);
}
