/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * inifile — flat "key = value" files with optional [sections], as used by
 * /etc/lldpname.conf, /etc/envswitch.conf, ~/.envswitch.conf and templates.
 *
 * Syntax: blank lines; comments are lines starting with '#' or ';', and
 * " #" after a value; "[name]" starts a section (name may hold glob
 * characters such as "[leaf*]" or "[*]"); "key = value", where a value in
 * double quotes keeps '#' and surrounding spaces. Keys before any section
 * are in section "".
 *
 * Parsing takes bytes and does no I/O. ini_edit() rewrites a file under
 * flock(2), atomically, keeping comments and untouched lines as they were.
 *
 * The config rule every tool follows: a file named by an option or an
 * environment variable must exist (ini_load with MUST_EXIST); the default in
 * /etc may be absent; ini_check_keys() makes an unknown key an error, and
 * ini_get_long()/ini_get_bool() a bad value, both naming FILE:LINE.
 */
#ifndef CT_INIFILE_H
#define CT_INIFILE_H

#include <stddef.h>
#include <sys/types.h>

struct ini;

struct ini_entry {
	const char *section; /* "" before the first [section] */
	const char *key;
	const char *value;
	int line;            /* 1-based line number */
};

/* Parse TEXT; NAME is used in messages. NULL on error, message in ERR ("NAME:LINE: ..."). */
struct ini *ini_parse(const char *text, size_t len, const char *name, char *err, size_t errlen);
/*
 * Read and parse PATH. A missing file is an error ("PATH: No such file or
 * directory") when MUST_EXIST, else an empty ini. NULL on error with ERR.
 */
struct ini *ini_load(const char *path, int must_exist, char *err, size_t errlen);
void ini_free(struct ini *ini);

/* The value of KEY in SECTION (last one wins), or NULL. */
const char *ini_get(const struct ini *ini, const char *section, const char *key);
/*
 * Every key in SECTION (NULL: in every section) is one of KNOWN, a
 * NULL-terminated list where "port.*" stands for any "port.NAME". 0, or -1
 * with "NAME:LINE: unknown key 'retrys' (expected retries, wipe or ...)".
 */
int ini_check_keys(const struct ini *ini, const char *section, const char *const *known, char *err, size_t errlen);
/*
 * KEY in SECTION as a whole number in [MIN, MAX], or as yes/no (also
 * true/false, on/off, 1/0): 0 when absent (*OUT untouched), 1 with *OUT set,
 * or -1 with "NAME:LINE: KEY = VALUE: not a number" (or "out of range (0 to
 * 100)", "want yes or no") in ERR.
 */
int ini_get_long(const struct ini *ini, const char *section, const char *key, long min, long max, long *out,
		 char *err, size_t errlen);
/* KEY's value as an index into WORDS (NULL-terminated): 0 absent, 1 set, -1 with ERR "FILE:LINE: ...". */
int ini_get_choice(const struct ini *ini, const char *section, const char *key, const char *const *words, int *out,
		   char *err, size_t errlen);
int ini_get_bool(const struct ini *ini, const char *section, const char *key, int *out, char *err, size_t errlen);
/* Entries in file order: 1 and *E filled while I < count, else 0. */
int ini_entry_at(const struct ini *ini, size_t i, struct ini_entry *e);
/* Section names in file order (the "" section first if it has keys). */
size_t ini_section_count(const struct ini *ini);
const char *ini_section_at(const struct ini *ini, size_t i);
/* Line number of the [SECTION] header (0 for "" or unknown). */
int ini_section_line(const struct ini *ini, const char *section);

/* Set KEY in SECTION, replacing the existing line or adding one. */
void ini_set(struct ini *ini, const char *section, const char *key, const char *value);
/* Remove every KEY in SECTION. Returns how many lines were removed. */
int ini_unset(struct ini *ini, const char *section, const char *key);
/* The file text, comments and untouched lines kept byte for byte. Caller frees. */
char *ini_format(const struct ini *ini, size_t *len);

/*
 * Lock PATH (created with MODE if missing), parse it, call EDIT, and if EDIT
 * returns 1 write the result atomically. EDIT returns 0 (no change), 1
 * (write) or -1 (error: nothing written; it may fill ERR). Returns 0, or -1
 * with a message in ERR. A file that does not parse is never rewritten.
 */
int ini_edit(const char *path, mode_t mode, int (*edit)(struct ini *ini, void *arg, char *err, size_t errlen),
	     void *arg, char *err, size_t errlen);

#endif
