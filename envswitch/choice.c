/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "choice.h"
#include "inifile.h"
#include "log.h"
#include "xalloc.h"

static int is_word_char(int c, const char *extra)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || (c && strchr(extra, c));
}

int envsw_tag_is_valid(const char *tag)
{
	size_t n = strlen(tag);
	if (n == 0 || n > 64 || tag[0] == '.' || tag[0] == '-')
		return 0;
	for (const char *p = tag; *p; p++)
		if (!is_word_char((unsigned char)*p, "_.+-"))
			return 0;
	return 1;
}

int envsw_name_is_valid(const char *name)
{
	size_t n = strlen(name);
	if (n == 0 || n > 255 || name[0] == '-' || name[0] == '/' || name[n - 1] == '/')
		return 0;
	for (const char *p = name; *p; p++) {
		if (*p == '/') {
			if (p[1] == '/' || p[1] == '.')
				return 0;
		} else if (!is_word_char((unsigned char)*p, "_.+-@%:,~")) {
			return 0;
		}
	}
	return name[0] != '.';
}

static int check_entry(const struct ini_entry *e, const char *path, char *err, size_t errlen)
{
	if (e->section[0] != '\0') {
		snprintf(err, errlen, "%s:%d: setting '%s' in section [%s]: envswitch settings go before any section",
			 path, e->line, e->key, e->section);
		return -1;
	}
	if (!envsw_tag_is_valid(e->key)) {
		snprintf(err, errlen, "%s:%d: bad tag '%.64s' (letters, digits, '_', '.', '+', '-')", path, e->line,
			 e->key);
		return -1;
	}
	if (!envsw_name_is_valid(e->value)) {
		snprintf(err, errlen, "%s:%d: bad name '%.64s' for tag '%s'", path, e->line, e->value, e->key);
		return -1;
	}
	return 0;
}

/* A tag set twice is refused: which line was meant cannot be guessed. */
static int check_unique(const struct ini *ini, size_t i, const struct ini_entry *e, const char *path, char *err,
			size_t errlen)
{
	struct ini_entry prev;
	for (size_t j = 0; j < i && ini_entry_at(ini, j, &prev); j++)
		if (!strcmp(prev.section, e->section) && !strcmp(prev.key, e->key)) {
			snprintf(err, errlen, "%s:%d: tag '%s' is set twice (lines %d and %d): keep one", path, e->line,
				 e->key, prev.line, e->line);
			return -1;
		}
	return 0;
}

int envsw_choices_check(const struct ini *ini, const char *path, char *err, size_t errlen)
{
	struct ini_entry e;
	for (size_t i = 0; ini_entry_at(ini, i, &e); i++)
		if (check_entry(&e, path, err, errlen) < 0 || check_unique(ini, i, &e, path, err, errlen) < 0)
			return -1;
	return 0;
}

struct envsw_choice *envsw_choices_find(const struct envsw_choices *c, const char *tag)
{
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->v[i].tag, tag) == 0)
			return &c->v[i];
	return NULL;
}

static struct envsw_choice *choices_get(struct envsw_choices *c, const char *tag)
{
	struct envsw_choice *ch = envsw_choices_find(c, tag);
	if (ch)
		return ch;
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 8;
		c->v = xreallocarray(c->v, c->cap, sizeof *c->v);
	}
	ch = &c->v[c->n++];
	memset(ch, 0, sizeof *ch);
	ch->tag = xstrdup(tag);
	return ch;
}

int envsw_choices_add(struct envsw_choices *c, const struct ini *ini, const char *path, enum envsw_source src,
		      char *err, size_t errlen)
{
	if (envsw_choices_check(ini, path, err, errlen) < 0)
		return -1;
	struct ini_entry e;
	for (size_t i = 0; ini_entry_at(ini, i, &e); i++) {
		struct envsw_choice *ch = choices_get(c, e.key);
		char **slot = src == ENVSW_USER ? &ch->user : &ch->system;
		free(*slot); /* the last line for a tag wins */
		*slot = xstrdup(e.value);
	}
	return 0;
}

const char *envsw_choice_effective(const struct envsw_choice *ch, enum envsw_source *from)
{
	enum envsw_source s = ch->user ? ENVSW_USER : ch->system ? ENVSW_SYSTEM : ENVSW_UNSET;
	if (from)
		*from = s;
	return ch->user ? ch->user : ch->system;
}

const char *envsw_source_name(enum envsw_source s)
{
	switch (s) {
	case ENVSW_SYSTEM:
		return "system";
	case ENVSW_USER:
		return "user";
	default:
		return "unset";
	}
}

void envsw_choices_free(struct envsw_choices *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->v[i].tag);
		free(c->v[i].system);
		free(c->v[i].user);
	}
	free(c->v);
	memset(c, 0, sizeof *c);
}
