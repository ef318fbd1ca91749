/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cli — the front door every tool's main.c goes through, so a user learns
 * one dialect: one popt loop, -V/--version, usage errors that name the
 * option and its value (exit 1), range-checked numbers, and the config-file
 * rule (an explicitly named file must exist; the default may be absent).
 *
 * A tool's table includes CLI_VERSION_OPTION and POPT_AUTOHELP; its own
 * options with a val > 0 come back from cli_next(). Numeric options are
 * POPT_ARG_STRING with a val, converted with cli_long()/cli_seconds() in the
 * loop so the message can show what was typed ("cexec: -t abc: not a number").
 */
#ifndef CT_CLI_H
#define CT_CLI_H

#include <popt.h>
#include <stddef.h>

#define CLI_VERSION_VAL 0x7601
#define CLI_VERSION_OPTION \
	{"version", 'V', POPT_ARG_NONE, NULL, CLI_VERSION_VAL, "print the version and exit", NULL}

/* CLI_JSON_FAILURES: a failure before any work (usage error) is also printed
 * on stdout as the single-result JSON object when --json is on the command
 * line (nodeimage, lldpname, envswitch, mkchroot). */
enum { CLI_JSON_FAILURES = 1 };
/* CLI_ARGS_ANYWHERE: options may follow the arguments ("mkchroot T PATH -n");
 * without it the first argument ends the options (cexec's command). */
enum { CLI_ARGS_ANYWHERE = 2 };

struct cli {
	const char *tool;  /* "cexec" */
	poptContext pc;
	const struct poptOption *table; /* to name the current option */
	int flags;
	int json_asked;    /* "--json" appears before any "--" */
	int opt;           /* the option cli_next() returned last */
	int argc;          /* the command line, to see how the option was typed */
	char **argv;
	char name[64];     /* that option as typed: "-t" or "--timeout" */
};

void cli_begin(struct cli *c, const char *tool, int argc, char **argv, const struct poptOption *table,
	       const char *args_help, int flags);
/*
 * The next option of the tool's own (> 0), or -1 at the end. --version
 * prints "TOOL VERSION" and exits 0; an unknown option or a missing value
 * is a usage error (exit 1).
 */
int cli_next(struct cli *c);
/* The current option's value (POPT_ARG_STRING with a val), or NULL. */
const char *cli_value(struct cli *c);
/*
 * The current option by the name the user typed: "-t" for "-t 5" or "-t5",
 * "--timeout" for "--timeout 5" or "--timeout=5". Valid until the next cli_next().
 */
const char *cli_option_name(struct cli *c);
/* The leftover arguments, copied, NULL-terminated: *N of them. Free with cli_args_free(). */
char **cli_args(struct cli *c, size_t *n);
void cli_args_free(char **args, size_t n);
void cli_end(struct cli *c);

/* "TOOL: MESSAGE", the usage line, exit 1. */
void cli_usage_error(struct cli *c, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));

/*
 * The current option's value as a whole number in [MIN, MAX], or exit 1 with
 * "TOOL: -F abc: not a number", "TOOL: --level 99: out of range (0 to 19)"
 * (no usage line: the message says all).
 */
long cli_long(struct cli *c, long min, long max);
/* Seconds (a decimal number) in [MIN, MAX]: the same errors. */
double cli_seconds(struct cli *c, double min, double max);
/* The value checked against a list of words ("strict", "accept-new", "off", NULL): its index, or a usage error. */
int cli_choice(struct cli *c, const char *const *words);

/* WORDS (NULL-terminated) as "a, b or c" in BUF. */
void cli_word_list(char *buf, size_t len, const char *const *words);

/*
 * Number parsing without popt, for config files: 0 and *OUT, or -1 with
 * WHY ("not a number", "out of range (0 to 19)"). One parser, two types.
 */
int cli_parse_long(const char *s, long min, long max, long *out, char *why, size_t whylen);
int cli_parse_seconds(const char *s, double min, double max, double *out, char *why, size_t whylen);

/*
 * The config file rule. PATH from an option wins, then the environment
 * variable ENV (may be NULL), then DEFAULT_PATH. *EXPLICIT is set when the
 * path was named (option or environment): such a file must exist.
 */
const char *cli_config_path(const char *option_value, const char *env, const char *default_path, int *explicit);

/*
 * An output file named on the command line (--failed FILE), checked before
 * any node is contacted: its directory exists and is writable, and FILE is
 * not a directory. 0, or -1 with ERR ("--failed /x/y: No such file or directory").
 */
int cli_check_output_file(const char *option, const char *path, char *err, size_t errlen);

#endif
