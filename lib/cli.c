/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cli — the tools' front door: option loop, version, usage errors, numbers,
 * config paths. See cli.h.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "log.h"
#include "xalloc.h"

void cli_begin(struct cli *c, const char *tool, int argc, char **argv, const struct poptOption *table,
	       const char *args_help, int flags)
{
	memset(c, 0, sizeof *c);
	c->tool = tool;
	c->flags = flags;
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "--json"))
			c->json_asked = 1;
	c->table = table;
	c->argc = argc;
	c->argv = argv;
	c->pc = poptGetContext(tool, argc, (const char **)argv, table,
			       (flags & CLI_ARGS_ANYWHERE) ? 0 : POPT_CONTEXT_POSIXMEHARDER);
	if (args_help)
		poptSetOtherOptionHelp(c->pc, args_help);
}

/*
 * A weak reference: a tool with --json links jsonl.o (and jansson) anyway;
 * one without (ctrelay, copied to nodes that have only libc and libcrypto)
 * links neither, and never asks for CLI_JSON_FAILURES.
 */
extern void jsonl_failure(const char *msg) __attribute__((weak));

/* Say MSG (with the usage line if USAGE), also as JSON where asked for, exit 1. */
static __attribute__((noreturn)) void fail(struct cli *c, const char *msg, int usage)
{
	warnmsg("%s", msg);
	if ((c->flags & CLI_JSON_FAILURES) && c->json_asked) {
		if (!jsonl_failure)
			abort(); /* CLI_JSON_FAILURES in a tool that does not link jsonl: a build mistake */
		jsonl_failure(msg);
	}
	if (usage)
		poptPrintUsage(c->pc, stderr, 0);
	poptFreeContext(c->pc);
	exit(1);
}

void cli_usage_error(struct cli *c, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	fail(c, msg, 1);
}

static const struct poptOption *find_val(const struct poptOption *t, int val)
{
	for (; t && (t->longName || t->shortName || t->argInfo || t->arg); t++) {
		if ((t->argInfo & POPT_ARG_MASK) == POPT_ARG_INCLUDE_TABLE) {
			const struct poptOption *o = find_val(t->arg, val);
			if (o)
				return o;
		} else if (t->val == val) {
			return t;
		}
	}
	return NULL;
}

/*
 * WORD is an option of value VAL, without its value: "--name", or short
 * options ending in its letter ("-t", "-nt"). Several names may share a VAL.
 */
static int names_alone(const struct poptOption *t, int val, const char *word)
{
	if (word[0] != '-')
		return 0;
	for (; t && (t->longName || t->shortName || t->argInfo || t->arg); t++) {
		if ((t->argInfo & POPT_ARG_MASK) == POPT_ARG_INCLUDE_TABLE) {
			if (names_alone(t->arg, val, word))
				return 1;
		} else if (t->val == val && word[1] == '-') {
			if (t->longName && strcmp(word + 2, t->longName) == 0)
				return 1;
		} else if (t->val == val && t->shortName && word[1] && word[strlen(word) - 1] == t->shortName) {
			return 1;
		}
	}
	return 0;
}

/*
 * Option O, just returned by popt, as the user typed it. popt's last word is
 * the flag itself, "--name=VALUE", "-tVALUE", or a VALUE after the option.
 */
static void note_typed_name(struct cli *c, const struct poptOption *o)
{
	const char *last = poptBadOption(c->pc, POPT_BADOPTION_NOALIAS);
	int i = 0;
	while (i < c->argc && c->argv[i] != last)
		i++;
	const char *word = i < c->argc ? c->argv[i] : "";
	if ((o->argInfo & POPT_ARG_MASK) != POPT_ARG_NONE && i > 0 && names_alone(c->table, o->val, c->argv[i - 1]))
		word = c->argv[i - 1];
	if (word[0] == '-' && word[1] == '-')
		snprintf(c->name, sizeof c->name, "%.*s", (int)strcspn(word, "="), word);
	else if (o->shortName)
		snprintf(c->name, sizeof c->name, "-%c", o->shortName);
	else
		snprintf(c->name, sizeof c->name, "--%s", o->longName ? o->longName : "option");
}

int cli_next(struct cli *c)
{
	int rc = poptGetNextOpt(c->pc);
	c->opt = rc;
	if (rc == CLI_VERSION_VAL) {
		printf("%s %s\n", c->tool, CT_VERSION);
		poptFreeContext(c->pc);
		exit(0);
	}
	if (rc < -1) {
		const char *bad = poptBadOption(c->pc, POPT_BADOPTION_NOALIAS);
		if (rc == POPT_ERROR_NOARG)
			cli_usage_error(c, "%s: needs a value", bad);
		cli_usage_error(c, "%s: %s", bad, rc == POPT_ERROR_BADOPT ? "unknown option" : poptStrerror(rc));
	}
	const struct poptOption *o = rc > 0 ? find_val(c->table, rc) : NULL;
	if (o)
		note_typed_name(c, o);
	else
		snprintf(c->name, sizeof c->name, "option");
	return rc;
}

const char *cli_value(struct cli *c)
{
	return poptGetOptArg(c->pc);
}

const char *cli_option_name(struct cli *c)
{
	return c->name;
}

/* The value popt handed over for the current option; popt's copy is ours to free. */
static char *take_value(struct cli *c)
{
	char *v = (char *)poptGetOptArg(c->pc);
	if (!v)
		cli_usage_error(c, "%s: needs a value", cli_option_name(c));
	return v;
}

/*
 * S as a whole number (strtol) or, if DECIMAL, a decimal one (strtod), in
 * [MIN, MAX]. A long double holds every long exactly, so one check serves both.
 */
static int parse_number(const char *s, int decimal, long double min, long double max, long double *out,
			char *why, size_t whylen)
{
	char *end;
	errno = 0;
	long double v;
	if (decimal)
		v = strtod(s, &end);
	else
		v = strtol(s, &end, 10); /* not in a ?: that would make it a double */
	if (!*s || *end || end == s || isnan(v)) {
		snprintf(why, whylen, "not a number");
		return -1;
	}
	if (errno == ERANGE || v < min || v > max) {
		if (decimal)
			snprintf(why, whylen, "out of range (%Lg to %Lg)", min, max);
		else
			snprintf(why, whylen, "out of range (%.0Lf to %.0Lf)", min, max);
		return -1;
	}
	*out = v;
	return 0;
}

int cli_parse_long(const char *s, long min, long max, long *out, char *why, size_t whylen)
{
	long double v;
	if (parse_number(s, 0, min, max, &v, why, whylen) < 0)
		return -1;
	*out = (long)v;
	return 0;
}

int cli_parse_seconds(const char *s, double min, double max, double *out, char *why, size_t whylen)
{
	long double v;
	if (parse_number(s, 1, min, max, &v, why, whylen) < 0)
		return -1;
	*out = (double)v;
	return 0;
}

/* A bad value: the option, the value and why; the usage line would only hide it. */
static __attribute__((noreturn)) void value_error(struct cli *c, char *value, const char *why)
{
	char msg[1024];
	snprintf(msg, sizeof msg, "%s %s: %s", cli_option_name(c), value, why);
	free(value);
	fail(c, msg, 0);
}

long cli_long(struct cli *c, long min, long max)
{
	char *v = take_value(c), why[128];
	long n;
	if (cli_parse_long(v, min, max, &n, why, sizeof why) < 0)
		value_error(c, v, why);
	free(v);
	return n;
}

double cli_seconds(struct cli *c, double min, double max)
{
	char *v = take_value(c), why[128];
	double d;
	if (cli_parse_seconds(v, min, max, &d, why, sizeof why) < 0)
		value_error(c, v, why);
	free(v);
	return d;
}

void cli_word_list(char *buf, size_t len, const char *const *words)
{
	buf[0] = '\0';
	for (size_t i = 0; words[i]; i++) {
		if (i)
			strncat(buf, words[i + 1] ? ", " : " or ", len - strlen(buf) - 1);
		strncat(buf, words[i], len - strlen(buf) - 1);
	}
}

int cli_choice(struct cli *c, const char *const *words)
{
	char *v = take_value(c);
	for (int i = 0; words[i]; i++)
		if (!strcmp(v, words[i])) {
			free(v);
			return i;
		}
	char list[512];
	cli_word_list(list, sizeof list, words);
	char why[600];
	snprintf(why, sizeof why, "not one of %s", list);
	value_error(c, v, why);
}

char **cli_args(struct cli *c, size_t *n)
{
	const char **rest = poptGetArgs(c->pc);
	size_t k = 0;
	while (rest && rest[k])
		k++;
	char **args = xcalloc(k + 1, sizeof *args);
	for (size_t i = 0; i < k; i++)
		args[i] = xstrdup(rest[i]);
	*n = k;
	return args;
}

void cli_args_free(char **args, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(args[i]);
	free(args);
}

void cli_end(struct cli *c)
{
	if (c->pc)
		poptFreeContext(c->pc);
	c->pc = NULL;
}

const char *cli_config_path(const char *option_value, const char *env, const char *default_path, int *explicit)
{
	const char *e = env ? getenv(env) : NULL;
	*explicit = 1;
	if (option_value && *option_value)
		return option_value;
	if (e && *e)
		return e;
	*explicit = 0;
	return default_path;
}

int cli_check_output_file(const char *option, const char *path, char *err, size_t errlen)
{
	struct stat st;
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s %s: is a directory", option, path);
		return -1;
	}
	char *dir = xstrdup(path), *slash = strrchr(dir, '/');
	if (!slash)
		strcpy(dir, ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	int rc = 0;
	if (stat(dir, &st) < 0) {
		snprintf(err, errlen, "%s %s: %s: %s", option, path, dir, strerror(errno));
		rc = -1;
	} else if (!S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s %s: %s: not a directory", option, path, dir);
		rc = -1;
	} else if (access(dir, W_OK | X_OK) < 0) {
		snprintf(err, errlen, "%s %s: %s: %s", option, path, dir, strerror(errno));
		rc = -1;
	}
	free(dir);
	return rc;
}
