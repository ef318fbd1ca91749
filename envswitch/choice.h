/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * choice — envswitch's model: each tag (e.g. "mpi") chooses one name (e.g.
 * "openmpi-4.1", or "none"), in the system file and in the user file; the
 * user's choice wins. Settings are "TAG = NAME" lines before any [section]
 * of a parsed inifile; this module checks them (naming FILE:LINE) and merges
 * the two files. No I/O.
 */
#ifndef ENVSW_CHOICE_H
#define ENVSW_CHOICE_H

#include <stddef.h>

struct ini;

enum envsw_source { ENVSW_UNSET = 0, ENVSW_SYSTEM = 1, ENVSW_USER = 2 };

struct envsw_choice {
	char *tag;
	char *system; /* NAME in the system file, or NULL */
	char *user;   /* NAME in the user file, or NULL */
};

/* Tags in the order they first appear (system file first, then user file). */
struct envsw_choices {
	struct envsw_choice *v;
	size_t n, cap;
};

#define ENVSW_NONE "none"

/* Tag: letters, digits, "_.+-", not starting with '.' or '-', at most 64 bytes. */
int envsw_tag_is_valid(const char *tag);
/*
 * Name: a module name (letters, digits, "_.+-@%:,~" and '/' between
 * components), no component starting with '.', not starting with '-',
 * at most 255 bytes; or "none".
 */
int envsw_name_is_valid(const char *name);

/*
 * Check the settings of INI (read from PATH) and add them as SRC's choices.
 * Returns 0, or -1 with "PATH:LINE: problem" in ERR (C left unchanged).
 */
int envsw_choices_add(struct envsw_choices *c, const struct ini *ini, const char *path, enum envsw_source src,
		      char *err, size_t errlen);
/* Check INI as envsw_choices_add would, without keeping anything. */
int envsw_choices_check(const struct ini *ini, const char *path, char *err, size_t errlen);

struct envsw_choice *envsw_choices_find(const struct envsw_choices *c, const char *tag);
/* The name in force for CH (user over system), and where it comes from. */
const char *envsw_choice_effective(const struct envsw_choice *ch, enum envsw_source *from);
const char *envsw_source_name(enum envsw_source s);
void envsw_choices_free(struct envsw_choices *c);

#endif
