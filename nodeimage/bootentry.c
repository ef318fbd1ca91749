/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bootentry — find the boot entry of a written system in its BLS entries,
 * grub.cfg or kernel file names. Buffers in, a struct boot_entry out.
 */
#include <ctype.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bootentry.h"
#include "xalloc.h"

#define fail(...) (snprintf(err, errlen, __VA_ARGS__), -1)

void boot_entry_free(struct boot_entry *e)
{
	free(e->title);
	free(e->kernel);
	for (size_t i = 0; i < e->ninitrd; i++)
		free(e->initrd[i]);
	free(e->initrd);
	free(e->cmdline);
	memset(e, 0, sizeof *e);
}

char *bootentry_visible(const char *s)
{
	char *v = xstrdup(s);
	for (char *p = v; *p; p++)
		if (iscntrl((unsigned char)*p))
			*p = '?';
	return v;
}

/* Drop the control characters of S (NULL is fine): the console shows the rest, the kernel gets it. */
static void strip_controls(char *s)
{
	char *o = s;
	for (; s && *s; s++)
		if (!iscntrl((unsigned char)*s))
			*o++ = *s;
	if (o)
		*o = 0;
}

static void clean(struct boot_entry *e)
{
	strip_controls(e->title);
	strip_controls(e->cmdline);
}

static void add_initrd(struct boot_entry *e, const char *path, size_t len)
{
	e->initrd = xgrowarray(e->initrd, e->ninitrd, sizeof *e->initrd);
	e->initrd[e->ninitrd++] = xstrndup(path, len);
}

/* Append WORD (LEN bytes) to the command line, a space between words. */
static void add_arg(struct boot_entry *e, const char *word, size_t len)
{
	size_t have = e->cmdline ? strlen(e->cmdline) : 0;
	e->cmdline = xrealloc(e->cmdline, have + len + 2);
	if (have)
		e->cmdline[have++] = ' ';
	memcpy(e->cmdline + have, word, len);
	e->cmdline[have + len] = 0;
}

/* The next line of BUF from *POS, without its newline; 0 at the end. */
static int next_line(const char *buf, size_t len, size_t *pos, const char **line, size_t *linelen)
{
	if (*pos >= len)
		return 0;
	const char *s = buf + *pos, *nl = memchr(s, '\n', len - *pos);
	*line = s;
	*linelen = nl ? (size_t)(nl - s) : len - *pos;
	*pos += *linelen + 1;
	return 1;
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* --- Debian's version order ------------------------------------------------ */

static int ver_order(int c)
{
	if (isdigit(c))
		return 0;
	if (isalpha(c))
		return c;
	if (c == '~')
		return -1;
	return c ? c + 256 : 0;
}

int bootentry_vercmp(const char *a, const char *b)
{
	while (*a || *b) {
		while ((*a && !isdigit((unsigned char)*a)) || (*b && !isdigit((unsigned char)*b))) {
			int ac = ver_order((unsigned char)*a), bc = ver_order((unsigned char)*b);
			if (ac != bc)
				return ac - bc;
			a++;
			b++;
		}
		while (*a == '0')
			a++;
		while (*b == '0')
			b++;
		int first = 0;
		while (isdigit((unsigned char)*a) && isdigit((unsigned char)*b)) {
			if (!first)
				first = *a - *b;
			a++;
			b++;
		}
		if (isdigit((unsigned char)*a))
			return 1;
		if (isdigit((unsigned char)*b))
			return -1;
		if (first)
			return first;
	}
	return 0;
}

/* --- Boot Loader Specification ---------------------------------------------- */

/* One "key value" line: KEY and VALUE (trimmed) point into LINE; 0 if blank or a comment. */
static int key_value(const char *line, size_t len, const char **key, size_t *klen, const char **val, size_t *vlen)
{
	while (len && is_blank(*line))
		line++, len--;
	while (len && is_blank(line[len - 1]))
		len--;
	if (!len || *line == '#')
		return 0;
	size_t k = 0;
	while (k < len && !is_blank(line[k]))
		k++;
	*key = line;
	*klen = k;
	while (k < len && is_blank(line[k]))
		k++;
	*val = line + k;
	*vlen = len - k;
	return 1;
}

static int key_is(const char *key, size_t klen, const char *want)
{
	return klen == strlen(want) && memcmp(key, want, klen) == 0;
}

/* Add the words of VAL to the command line, leaving out unexpanded $variables. */
static void add_options(struct boot_entry *e, const char *val, size_t vlen)
{
	size_t i = 0;
	while (i < vlen) {
		while (i < vlen && is_blank(val[i]))
			i++;
		size_t start = i;
		while (i < vlen && !is_blank(val[i]))
			i++;
		if (i > start && !memchr(val + start, '$', i - start))
			add_arg(e, val + start, i - start);
	}
}

/* Parse one entry; its version (allocated, or NULL) in *VERSION. */
static int parse_bls(const char *buf, size_t len, struct boot_entry *e, char **version, char *err, size_t errlen)
{
	memset(e, 0, sizeof *e);
	*version = NULL;
	const char *line, *key, *val;
	size_t pos = 0, n, klen, vlen;
	while (next_line(buf, len, &pos, &line, &n)) {
		if (!key_value(line, n, &key, &klen, &val, &vlen))
			continue;
		if (key_is(key, klen, "title")) {
			free(e->title);
			e->title = xstrndup(val, vlen);
		} else if (key_is(key, klen, "version")) {
			free(*version);
			*version = xstrndup(val, vlen);
		} else if (key_is(key, klen, "linux")) {
			free(e->kernel);
			e->kernel = xstrndup(val, vlen);
		} else if (key_is(key, klen, "initrd") && vlen) {
			add_initrd(e, val, vlen);
		} else if (key_is(key, klen, "options")) {
			add_options(e, val, vlen);
		}
	}
	if (!e->cmdline)
		e->cmdline = xstrdup("");
	if (!e->kernel || !*e->kernel) {
		boot_entry_free(e);
		free(*version);
		*version = NULL;
		return fail("no \"linux\" line");
	}
	clean(e);
	return 0;
}

int bootentry_parse_bls(const char *buf, size_t len, struct boot_entry *e, char *err, size_t errlen)
{
	char *version;
	int rc = parse_bls(buf, len, e, &version, err, errlen);
	free(version);
	return rc;
}

/* loader.conf's "default" glob, allocated, or NULL ("@saved" and the like count as none). */
static char *loader_default(const char *conf, size_t len)
{
	const char *line, *key, *val;
	size_t pos = 0, n, klen, vlen;
	char *def = NULL;
	while (conf && next_line(conf, len, &pos, &line, &n))
		if (key_value(line, n, &key, &klen, &val, &vlen) && key_is(key, klen, "default") && vlen &&
		    *val != '@') {
			free(def);
			def = xstrndup(val, vlen);
		}
	return def;
}

/* Does glob DEF match entry file NAME, with or without its ".conf"? */
static int name_matches(const char *def, const char *name)
{
	char *stem = xstrndup(name, strlen(name) - 5);
	int m = fnmatch(def, name, 0) == 0 || fnmatch(def, stem, 0) == 0;
	free(stem);
	return m;
}

int bootentry_is_bls_name(const char *name)
{
	size_t n = strlen(name);
	return n > 5 && strcmp(name + n - 5, ".conf") == 0 && !memchr(name, '/', n);
}

/* A candidate's place in the order: entries with a version above those without. */
struct bls_rank {
	const char *name;
	char *version; /* or NULL */
	int matches;   /* loader.conf's default names it */
};

static int ranks_above(const struct bls_rank *a, const struct bls_rank *b)
{
	if (a->matches != b->matches)
		return a->matches > b->matches;
	if (!a->version != !b->version)
		return a->version != NULL;
	int c = a->version ? bootentry_vercmp(a->version, b->version) : 0;
	return c > 0 || (c == 0 && strcmp(a->name, b->name) > 0);
}

int bootentry_pick_bls(const struct bls_file *files, size_t n, const char *conf, size_t conflen,
		       struct boot_entry *e, char *err, size_t errlen)
{
	char *def = loader_default(conf, conflen);
	struct bls_rank best = { 0 }, r;
	struct boot_entry cand;
	memset(e, 0, sizeof *e);
	for (size_t i = 0; i < n; i++) {
		char why[64];
		if (!bootentry_is_bls_name(files[i].name) ||
		    parse_bls(files[i].buf, files[i].len, &cand, &r.version, why, sizeof why) < 0)
			continue;
		r.name = files[i].name;
		r.matches = def && name_matches(def, files[i].name);
		if (!best.name || ranks_above(&r, &best)) {
			boot_entry_free(e);
			*e = cand;
			free(best.version);
			best = r;
		} else {
			free(r.version);
			boot_entry_free(&cand);
		}
	}
	free(best.version);
	free(def);
	if (!best.name)
		return fail("no entry with a \"linux\" line");
	return 0;
}

/* --- grub.cfg ----------------------------------------------------------------- */

struct word {
	char *s;
	int var; /* holds an unquoted or double-quoted '$' */
};

struct words {
	struct word *v;
	size_t n;
};

static void words_free(struct words *w)
{
	for (size_t i = 0; i < w->n; i++)
		free(w->v[i].s);
	free(w->v);
	memset(w, 0, sizeof *w);
}

/* Read one word of grub's shell syntax from S (LEN bytes) into OUT; returns the bytes consumed. */
static size_t read_word(const char *s, size_t len, char *out, int *var)
{
	size_t i = 0, o = 0;
	char quote = 0;
	*var = 0;
	for (; i < len; i++) {
		char c = s[i];
		if (quote == '\'') {
			if (c == '\'')
				quote = 0;
			else
				out[o++] = c;
		} else if (c == '\\' && i + 1 < len) {
			out[o++] = s[++i];
		} else if (quote == '"') {
			if (c == '"')
				quote = 0;
			else
				out[o++] = c, *var |= c == '$';
		} else if (is_blank(c) || c == ';') {
			break;
		} else if (c == '\'' || c == '"') {
			quote = c;
		} else {
			out[o++] = c;
			*var |= c == '$';
		}
	}
	out[o] = 0;
	return i;
}

/* Split LINE into words; a '#' starting a word ends it. */
static void split_words(const char *line, size_t len, struct words *w)
{
	char *buf = xmalloc(len + 1);
	size_t i = 0;
	memset(w, 0, sizeof *w);
	for (;;) {
		while (i < len && (is_blank(line[i]) || line[i] == ';'))
			i++;
		if (i >= len || line[i] == '#')
			break;
		int var;
		i += read_word(line + i, len - i, buf, &var);
		w->v = xgrowarray(w->v, w->n, sizeof *w->v);
		w->v[w->n].s = xstrdup(buf);
		w->v[w->n++].var = var;
	}
	free(buf);
}

#define GRUB_DEPTH 4 /* submenu levels kept */
#define GRUB_NEST 64 /* brace levels followed */

struct grub_level {
	int index;
	char *title, *id;
};

struct grub_entry {
	struct grub_level path[GRUB_DEPTH];
	int depth;
	struct boot_entry be;
};

enum { BLOCK_OTHER, BLOCK_ENTRY, BLOCK_SUBMENU };

struct grub {
	int kind[GRUB_NEST], nest; /* open brace blocks */
	struct grub_level level[GRUB_DEPTH];
	int depth;                 /* menu levels open (submenus and the entry) */
	int next[GRUB_DEPTH + 1];  /* index of the next item at each level */
	struct grub_entry cur;
	int in_entry;
	struct grub_entry *v;
	size_t n;
	char *def;
};

static void level_free(struct grub_level *l)
{
	free(l->title);
	free(l->id);
	memset(l, 0, sizeof *l);
}

/* "menuentry TITLE [--id ID | $menuentry_id_option ID] ... {" opens a menu level. */
static int open_menu(struct grub *g, const struct words *w)
{
	if (g->depth >= GRUB_DEPTH || w->n < 3)
		return BLOCK_OTHER;
	int kind = strcmp(w->v[0].s, "submenu") == 0 ? BLOCK_SUBMENU : BLOCK_ENTRY;
	if (kind == BLOCK_ENTRY && g->in_entry)
		return BLOCK_OTHER;
	struct grub_level *l = &g->level[g->depth];
	l->index = g->next[g->depth]++;
	l->title = xstrdup(w->v[1].s);
	for (size_t i = 2; i + 2 < w->n; i++)
		if (strcmp(w->v[i].s, "--id") == 0 || strcmp(w->v[i].s, "$menuentry_id_option") == 0) {
			free(l->id); /* the last one counts */
			l->id = xstrdup(w->v[i + 1].s);
		}
	g->next[++g->depth] = 0;
	if (kind == BLOCK_ENTRY) {
		g->in_entry = 1;
		memset(&g->cur, 0, sizeof g->cur);
	}
	return kind;
}

static void close_menu(struct grub *g, int kind)
{
	if (kind == BLOCK_ENTRY) {
		g->in_entry = 0;
		if (g->cur.be.kernel) {
			g->cur.depth = g->depth;
			for (int i = 0; i < g->depth; i++) {
				g->cur.path[i].index = g->level[i].index;
				g->cur.path[i].title = xstrdup(g->level[i].title);
				g->cur.path[i].id = g->level[i].id ? xstrdup(g->level[i].id) : NULL;
			}
			if (!g->cur.be.cmdline)
				g->cur.be.cmdline = xstrdup("");
			g->cur.be.title = xstrdup(g->level[g->depth - 1].title);
			g->v = xgrowarray(g->v, g->n, sizeof *g->v);
			g->v[g->n++] = g->cur;
		} else {
			boot_entry_free(&g->cur.be);
		}
		memset(&g->cur, 0, sizeof g->cur);
	}
	level_free(&g->level[--g->depth]);
}

/* A path as grub writes it, less a "(device)" in front. */
static const char *grub_path(const char *s)
{
	if (*s == '(') {
		const char *p = strchr(s, ')');
		if (p)
			return p + 1;
	}
	return s;
}

/* A line inside a menu entry: linux and initrd (and their 16-bit and EFI spellings). */
static void entry_line(struct grub *g, const struct words *w)
{
	const char *cmd = w->v[0].s;
	struct boot_entry *e = &g->cur.be;
	if ((!strcmp(cmd, "linux") || !strcmp(cmd, "linuxefi") || !strcmp(cmd, "linux16")) && w->n >= 2) {
		free(e->kernel);
		free(e->cmdline);
		e->cmdline = NULL;
		e->kernel = xstrdup(grub_path(w->v[1].s));
		for (size_t i = 2; i < w->n; i++)
			if (!w->v[i].var)
				add_arg(e, w->v[i].s, strlen(w->v[i].s));
	} else if (!strcmp(cmd, "initrd") || !strcmp(cmd, "initrdefi") || !strcmp(cmd, "initrd16")) {
		for (size_t i = 0; i < e->ninitrd; i++)
			free(e->initrd[i]);
		e->ninitrd = 0;
		for (size_t i = 1; i < w->n; i++) {
			const char *p = grub_path(w->v[i].s);
			add_initrd(e, p, strlen(p));
		}
	}
}

static void grub_line(struct grub *g, const struct words *w)
{
	const char *cmd = w->v[0].s, *last = w->v[w->n - 1].s;
	if (!strcmp(cmd, "}")) {
		if (g->nest > 0 && --g->nest < GRUB_NEST && g->kind[g->nest] != BLOCK_OTHER)
			close_menu(g, g->kind[g->nest]);
	} else if (!strcmp(last, "{")) {
		int kind = BLOCK_OTHER;
		if (!strcmp(cmd, "menuentry") || !strcmp(cmd, "submenu"))
			kind = open_menu(g, w);
		if (g->nest < GRUB_NEST)
			g->kind[g->nest] = kind;
		else if (kind != BLOCK_OTHER)
			close_menu(g, kind); /* too deep to follow: not an entry */
		g->nest++;
	} else if (!strcmp(cmd, "set") && w->n >= 2 && !strncmp(w->v[1].s, "default=", 8) && !w->v[1].var) {
		free(g->def);
		g->def = xstrdup(w->v[1].s + 8);
	} else if (g->in_entry) {
		entry_line(g, w);
	}
}

/* Does component C (LEN bytes) of "set default" name level L? */
static int level_matches(const struct grub_level *l, const char *c, size_t len)
{
	char *s = xstrndup(c, len);
	int m = 0;
	if (len && strspn(s, "0123456789") == len)
		m = len < 10 && atoi(s) == l->index;
	else
		m = strcmp(s, l->title) == 0 || (l->id && strcmp(s, l->id) == 0);
	free(s);
	return m;
}

static int entry_matches(const struct grub_entry *e, const char *def)
{
	const char *c = def;
	for (int i = 0; i < e->depth; i++) {
		const char *end = strchr(c, '>');
		size_t len = end ? (size_t)(end - c) : strlen(c);
		if ((end != NULL) != (i + 1 < e->depth) || !level_matches(&e->path[i], c, len))
			return 0;
		c = end ? end + 1 : c + len;
	}
	return 1;
}

int bootentry_parse_grub(const char *buf, size_t len, struct boot_entry *e, char *err, size_t errlen)
{
	struct grub g;
	memset(&g, 0, sizeof g);
	const char *line;
	size_t pos = 0, n;
	while (next_line(buf, len, &pos, &line, &n)) {
		struct words w;
		split_words(line, n, &w);
		if (w.n)
			grub_line(&g, &w);
		words_free(&w);
	}
	while (g.depth > 0) /* an entry left open at the end is dropped */
		level_free(&g.level[--g.depth]);
	boot_entry_free(&g.cur.be);
	size_t pick = 0;
	for (size_t i = 0; g.def && *g.def && i < g.n; i++)
		if (entry_matches(&g.v[i], g.def)) {
			pick = i;
			break;
		}
	memset(e, 0, sizeof *e);
	for (size_t i = 0; i < g.n; i++) {
		if (i == pick) {
			*e = g.v[i].be;
			clean(e);
		} else {
			boot_entry_free(&g.v[i].be);
		}
		for (int j = 0; j < g.v[i].depth; j++)
			level_free(&g.v[i].path[j]);
	}
	free(g.v);
	free(g.def);
	return g.n ? 0 : fail("no menuentry with a \"linux\" line");
}

/* --- kernel file names ------------------------------------------------------------- */

static int has_name(const char *const *names, size_t n, const char *want)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(names[i], want) == 0)
			return 1;
	return 0;
}

int bootentry_pick_vmlinuz(const char *const *names, size_t n, const char *dir, struct boot_entry *e, char *err,
			   size_t errlen)
{
	const char *best = NULL;
	for (size_t i = 0; i < n; i++)
		if (!strncmp(names[i], "vmlinuz-", 8) && names[i][8] && !strchr(names[i], '/') &&
		    (!best || bootentry_vercmp(names[i] + 8, best) > 0))
			best = names[i] + 8;
	if (!best)
		return fail("no vmlinuz-VERSION");
	memset(e, 0, sizeof *e);
	e->kernel = xasprintf("%svmlinuz-%s", dir, best);
	e->cmdline = xstrdup("");
	static const char *const forms[] = { "initrd.img-%s", "initramfs-%s.img", "initrd-%s" };
	for (size_t i = 0; i < sizeof forms / sizeof *forms; i++) {
		char *name = xasprintf(forms[i], best);
		if (has_name(names, n, name)) {
			char *path = xasprintf("%s%s", dir, name);
			add_initrd(e, path, strlen(path));
			free(path);
			i = sizeof forms / sizeof *forms;
		}
		free(name);
	}
	return 0;
}

/* --- fstab ---------------------------------------------------------------------------- */

char *bootentry_fstab_root(const char *buf, size_t len)
{
	const char *line;
	size_t pos = 0, n;
	char *root = NULL;
	while (next_line(buf, len, &pos, &line, &n)) {
		struct words w;
		char *hash = memchr(line, '#', n);
		split_words(line, hash ? (size_t)(hash - line) : n, &w);
		if (w.n >= 2 && strcmp(w.v[1].s, "/") == 0) {
			free(root);
			root = xstrdup(w.v[0].s);
		}
		words_free(&w);
	}
	return root;
}
