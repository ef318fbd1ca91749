/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "fsutil.h"
#include "inifile.h"
#include "xalloc.h"

enum line_kind { LINE_OTHER, LINE_SECTION, LINE_PAIR };

struct ini_line {
	enum line_kind kind;
	char *text;    /* the line as written, without its newline */
	char *section; /* section the line belongs to */
	char *key;     /* LINE_PAIR */
	char *value;   /* LINE_PAIR */
	int lineno;
};

struct ini {
	char *name;    /* for messages: "NAME:LINE: ..." */
	struct ini_line *lines;
	size_t n, cap;
	int final_newline;
};

#define INI_MAX_FILE (16u << 20)

static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	char *e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

/* Cut a " #" or " ;" comment that follows a value, outside double quotes. */
static void cut_comment(char *s)
{
	int quoted = 0;
	for (char *p = s; *p; p++) {
		if (*p == '"')
			quoted = !quoted;
		else if (!quoted && (*p == '#' || *p == ';') && p > s && (p[-1] == ' ' || p[-1] == '\t')) {
			*p = '\0';
			return;
		}
	}
}

static struct ini_line *add_line(struct ini *ini)
{
	if (ini->n == ini->cap) {
		ini->cap = ini->cap ? ini->cap * 2 : 32;
		ini->lines = xreallocarray(ini->lines, ini->cap, sizeof *ini->lines);
	}
	struct ini_line *l = &ini->lines[ini->n++];
	memset(l, 0, sizeof *l);
	return l;
}

static int parse_line(struct ini_line *l, const char *cur_section, char *err, size_t errlen)
{
	char *work = xstrdup(l->text);
	char *s = trim(work);
	int rc = 0;

	if (*s == '\0' || *s == '#' || *s == ';') {
		l->kind = LINE_OTHER;
	} else if (*s == '[') {
		cut_comment(s);
		s = trim(s);
		size_t n = strlen(s);
		if (n < 2 || s[n - 1] != ']') {
			snprintf(err, errlen, "section header without closing ']'");
			rc = -1;
		} else {
			s[n - 1] = '\0';
			char *name = trim(s + 1);
			if (*name == '\0') {
				snprintf(err, errlen, "empty section name");
				rc = -1;
			} else {
				l->kind = LINE_SECTION;
				l->section = xstrdup(name);
			}
		}
	} else {
		char *eq = strchr(s, '=');
		if (!eq) {
			snprintf(err, errlen, "expected 'key = value', got '%.60s'", s);
			rc = -1;
		} else {
			*eq = '\0';
			char *key = trim(s), *value = eq + 1;
			cut_comment(value);
			value = trim(value);
			size_t vn = strlen(value);
			if (vn >= 2 && value[0] == '"' && value[vn - 1] == '"') {
				value[vn - 1] = '\0';
				value++;
			} else if (strchr(value, '"')) {
				snprintf(err, errlen, "unbalanced '\"' in value of '%.60s'", key);
				rc = -1;
			}
			if (rc == 0 && *key == '\0') {
				snprintf(err, errlen, "empty key before '='");
				rc = -1;
			} else if (rc == 0 && strpbrk(key, " \t[]")) {
				snprintf(err, errlen, "bad key '%.60s'", key);
				rc = -1;
			}
			if (rc == 0) {
				l->kind = LINE_PAIR;
				l->key = xstrdup(key);
				l->value = xstrdup(value);
			}
		}
	}
	if (rc == 0 && l->kind != LINE_SECTION)
		l->section = xstrdup(cur_section);
	free(work);
	return rc;
}

struct ini *ini_parse(const char *text, size_t len, const char *name, char *err, size_t errlen)
{
	struct ini *ini = xcalloc(1, sizeof *ini);
	ini->name = xstrdup(name);
	const char *p = text, *end = text + len;
	const char *section = "";
	int lineno = 0;

	ini->final_newline = 1;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		lineno++;
		if (memchr(p, '\0', n)) {
			snprintf(err, errlen, "%s:%d: NUL byte in line", name, lineno);
			ini_free(ini);
			return NULL;
		}
		struct ini_line *l = add_line(ini);
		l->text = xstrndup(p, n);
		l->lineno = lineno;
		char msg[200];
		if (parse_line(l, section, msg, sizeof msg) < 0) {
			snprintf(err, errlen, "%s:%d: %s", name, lineno, msg);
			ini_free(ini);
			return NULL;
		}
		if (l->kind == LINE_SECTION)
			section = l->section;
		if (!nl)
			ini->final_newline = 0;
		p += n + (nl ? 1 : 0);
	}
	return ini;
}

struct ini *ini_load(const char *path, int must_exist, char *err, size_t errlen)
{
	size_t len;
	char *text = fs_read_file(path, INI_MAX_FILE, &len);
	if (!text) {
		if (errno == ENOENT && !must_exist)
			return ini_parse("", 0, path, err, errlen);
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	struct ini *ini = ini_parse(text, len, path, err, errlen);
	free(text);
	return ini;
}

void ini_free(struct ini *ini)
{
	if (!ini)
		return;
	for (size_t i = 0; i < ini->n; i++) {
		free(ini->lines[i].text);
		free(ini->lines[i].section);
		free(ini->lines[i].key);
		free(ini->lines[i].value);
	}
	free(ini->lines);
	free(ini->name);
	free(ini);
}

static const char *sect(const char *s) { return s ? s : ""; }


/* The last KEY = value line in SECTION, or NULL. */
static const struct ini_line *find_pair(const struct ini *ini, const char *section, const char *key)
{
	for (size_t i = ini->n; i-- > 0;) {
		const struct ini_line *l = &ini->lines[i];
		if (l->kind == LINE_PAIR && strcmp(l->section, sect(section)) == 0 && strcmp(l->key, key) == 0)
			return l;
	}
	return NULL;
}

static int key_known(const char *key, const char *const *known)
{
	for (size_t i = 0; known[i]; i++) {
		size_t n = strlen(known[i]);
		if (n >= 2 && strcmp(known[i] + n - 2, ".*") == 0 ? strncmp(key, known[i], n - 1) == 0 && key[n - 1]
								   : strcmp(key, known[i]) == 0)
			return 1;
	}
	return 0;
}

const char *ini_get(const struct ini *ini, const char *section, const char *key)
{
	const struct ini_line *l = find_pair(ini, section, key);
	return l ? l->value : NULL;
}

int ini_check_keys(const struct ini *ini, const char *section, const char *const *known, char *err, size_t errlen)
{
	for (size_t i = 0; i < ini->n; i++) {
		const struct ini_line *l = &ini->lines[i];
		if (l->kind != LINE_PAIR || (section && strcmp(l->section, section) != 0) || key_known(l->key, known))
			continue;
		char list[512];
		cli_word_list(list, sizeof list, known);
		snprintf(err, errlen, "%s:%d: unknown key '%s' (expected %s)", ini->name, l->lineno, l->key, list);
		return -1;
	}
	return 0;
}

int ini_get_long(const struct ini *ini, const char *section, const char *key, long min, long max, long *out,
		 char *err, size_t errlen)
{
	const struct ini_line *l = find_pair(ini, section, key);
	if (!l)
		return 0;
	char why[128];
	if (cli_parse_long(l->value, min, max, out, why, sizeof why) < 0) {
		snprintf(err, errlen, "%s:%d: %s = %s: %s", ini->name, l->lineno, key, l->value, why);
		return -1;
	}
	return 1;
}

int ini_get_choice(const struct ini *ini, const char *section, const char *key, const char *const *words, int *out,
		   char *err, size_t errlen)
{
	const struct ini_line *l = find_pair(ini, section, key);
	if (!l)
		return 0;
	for (int i = 0; words[i]; i++)
		if (!strcmp(l->value, words[i])) {
			*out = i;
			return 1;
		}
	char list[512];
	cli_word_list(list, sizeof list, words);
	snprintf(err, errlen, "%s:%d: %s = %s: not one of %s", ini->name, l->lineno, key, l->value, list);
	return -1;
}

int ini_get_bool(const struct ini *ini, const char *section, const char *key, int *out, char *err, size_t errlen)
{
	static const char *const yes[] = { "yes", "true", "on", "1", NULL }, *const no[] = { "no", "false", "off", "0", NULL };
	const struct ini_line *l = find_pair(ini, section, key);
	if (!l)
		return 0;
	for (size_t i = 0; yes[i]; i++)
		if (strcmp(l->value, yes[i]) == 0 || strcmp(l->value, no[i]) == 0) {
			*out = strcmp(l->value, yes[i]) == 0;
			return 1;
		}
	snprintf(err, errlen, "%s:%d: %s = %s: want yes or no", ini->name, l->lineno, key, l->value);
	return -1;
}

int ini_entry_at(const struct ini *ini, size_t i, struct ini_entry *e)
{
	for (size_t j = 0; j < ini->n; j++) {
		const struct ini_line *l = &ini->lines[j];
		if (l->kind != LINE_PAIR)
			continue;
		if (i-- == 0) {
			e->section = l->section;
			e->key = l->key;
			e->value = l->value;
			e->line = l->lineno;
			return 1;
		}
	}
	return 0;
}

static int has_global_pairs(const struct ini *ini)
{
	for (size_t j = 0; j < ini->n; j++)
		if (ini->lines[j].kind == LINE_PAIR && ini->lines[j].section[0] == '\0')
			return 1;
	return 0;
}

size_t ini_section_count(const struct ini *ini)
{
	size_t n = has_global_pairs(ini) ? 1 : 0;
	for (size_t j = 0; j < ini->n; j++)
		if (ini->lines[j].kind == LINE_SECTION)
			n++;
	return n;
}

const char *ini_section_at(const struct ini *ini, size_t i)
{
	if (has_global_pairs(ini)) {
		if (i == 0)
			return "";
		i--;
	}
	for (size_t j = 0; j < ini->n; j++)
		if (ini->lines[j].kind == LINE_SECTION && i-- == 0)
			return ini->lines[j].section;
	return NULL;
}

int ini_section_line(const struct ini *ini, const char *section)
{
	for (size_t j = 0; j < ini->n; j++)
		if (ini->lines[j].kind == LINE_SECTION && strcmp(ini->lines[j].section, sect(section)) == 0)
			return ini->lines[j].lineno;
	return 0;
}

static void insert_line_at(struct ini *ini, size_t pos, const char *section, const char *key, const char *value,
			   enum line_kind kind)
{
	add_line(ini);
	memmove(&ini->lines[pos + 1], &ini->lines[pos], (ini->n - 1 - pos) * sizeof *ini->lines);
	struct ini_line *l = &ini->lines[pos];
	memset(l, 0, sizeof *l);
	l->kind = kind;
	l->section = xstrdup(section);
	if (kind == LINE_SECTION) {
		l->text = xasprintf("[%s]", section);
	} else {
		l->key = xstrdup(key);
		l->value = xstrdup(value);
		l->text = xasprintf("%s = %s", key, value);
	}
}

static int needs_quotes(const char *v)
{
	size_t n = strlen(v);
	return n && (strpbrk(v, "#;\"") || v[0] == ' ' || v[n - 1] == ' ' || v[0] == '\t' || v[n - 1] == '\t');
}

void ini_set(struct ini *ini, const char *section, const char *key, const char *value)
{
	section = sect(section);
	char *shown = needs_quotes(value) ? xasprintf("\"%s\"", value) : xstrdup(value);
	for (size_t i = ini->n; i-- > 0;) {
		struct ini_line *l = &ini->lines[i];
		if (l->kind == LINE_PAIR && strcmp(l->section, section) == 0 && strcmp(l->key, key) == 0) {
			free(l->text);
			free(l->value);
			l->text = xasprintf("%s = %s", key, shown);
			l->value = xstrdup(value);
			free(shown);
			return;
		}
	}
	/* after the last pair of the section, else after its header */
	size_t pos = ini->n;
	int found = 0;
	for (size_t i = 0; i < ini->n; i++) {
		const struct ini_line *l = &ini->lines[i];
		if (strcmp(l->section, section) != 0)
			continue;
		if (l->kind == LINE_SECTION || l->kind == LINE_PAIR) {
			pos = i + 1;
			found = 1;
		}
	}
	if (!found && section[0] == '\0') {
		pos = 0;
		while (pos < ini->n && ini->lines[pos].kind == LINE_OTHER && ini->lines[pos].section[0] == '\0')
			pos++;
		found = 1;
	}
	if (!found) {
		pos = ini->n;
		insert_line_at(ini, pos++, section, NULL, NULL, LINE_SECTION);
	}
	insert_line_at(ini, pos, section, key, value, LINE_PAIR);
	free(ini->lines[pos].text);
	ini->lines[pos].text = xasprintf("%s = %s", key, shown);
	free(shown);
}

int ini_unset(struct ini *ini, const char *section, const char *key)
{
	int removed = 0;
	size_t j = 0;
	for (size_t i = 0; i < ini->n; i++) {
		struct ini_line *l = &ini->lines[i];
		if (l->kind == LINE_PAIR && strcmp(l->section, sect(section)) == 0 && strcmp(l->key, key) == 0) {
			free(l->text);
			free(l->section);
			free(l->key);
			free(l->value);
			removed++;
			continue;
		}
		ini->lines[j++] = *l;
	}
	ini->n = j;
	return removed;
}

char *ini_format(const struct ini *ini, size_t *lenp)
{
	size_t len = 0;
	for (size_t i = 0; i < ini->n; i++)
		len += strlen(ini->lines[i].text) + 1;
	char *buf = xmalloc(len + 1), *p = buf;
	for (size_t i = 0; i < ini->n; i++) {
		size_t n = strlen(ini->lines[i].text);
		memcpy(p, ini->lines[i].text, n);
		p += n;
		if (i + 1 < ini->n || ini->final_newline)
			*p++ = '\n';
	}
	*p = '\0';
	if (lenp)
		*lenp = (size_t)(p - buf);
	return buf;
}

/* Open and lock PATH, making sure the lock is on the file that PATH names now. */
static int lock_file(const char *path, mode_t mode)
{
	for (;;) {
		int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, mode);
		if (fd < 0)
			return -1;
		struct stat a, b;
		if (flock(fd, LOCK_EX) < 0 || fstat(fd, &a) < 0) {
			int e = errno;
			close(fd);
			errno = e;
			return -1;
		}
		if (stat(path, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino)
			return fd;
		close(fd); /* renamed over while we waited: lock the new file */
	}
}

int ini_edit(const char *path, mode_t mode, int (*edit)(struct ini *, void *, char *, size_t), void *arg,
	     char *err, size_t errlen)
{
	int fd = lock_file(path, mode);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	struct stat st;
	fstat(fd, &st);
	struct ini *ini = NULL;
	char *text = xmalloc((size_t)st.st_size + 1);
	size_t len = 0;
	int rc = -1;
	while (len < (size_t)st.st_size) {
		ssize_t n = pread(fd, text + len, (size_t)st.st_size - len, (off_t)len);
		if (n <= 0) {
			snprintf(err, errlen, "%s: read: %s", path, n < 0 ? strerror(errno) : "short read");
			goto out;
		}
		len += (size_t)n;
	}
	ini = ini_parse(text, len, path, err, errlen);
	if (!ini)
		goto out;
	err[0] = '\0';
	int r = edit(ini, arg, err, errlen);
	if (r < 0) {
		if (err[0] == '\0')
			snprintf(err, errlen, "%s: not changed", path);
		goto out;
	}
	rc = 0;
	if (r > 0) {
		size_t flen;
		char *out = ini_format(ini, &flen);
		if (fs_atomic_write(path, out, flen, st.st_mode & 07777) < 0) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			rc = -1;
		}
		free(out);
	}
out:
	ini_free(ini);
	free(text);
	close(fd); /* releases the lock after the rename */
	return rc;
}
