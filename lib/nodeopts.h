/*
 * nodeopts — the node-selection options every C3 tool shares (cexec, cpush,
 * cget, imgsync), in one popt table, and their resolution into targets.
 *
 *   -f/--file FILE (C3_CONF), -w NODES, -x NODES, --all, --head,
 *   -F/--fanout N, -t/--connect-timeout S, -u/--timeout S, -l/--user USER
 *   (C3_USER), -i/--identity FILE, --host-keys POLICY, --json, -S/--max-status,
 *   -n/--dry-run, --list, --failed FILE
 *
 * Tools include nodeopts_popt() in their option table with
 * POPT_ARG_INCLUDE_TABLE, split their leftover arguments with
 * nodeopts_split_defs(), then call nodeopts_resolve() to get the targets and
 * nodeopts_fanout_nodes() to get fanout nodes carrying the ssh options.
 */
#ifndef CT_NODEOPTS_H
#define CT_NODEOPTS_H

#include <jansson.h>
#include <popt.h>
#include <stddef.h>

#include "c3conf.h"
#include "fanout.h"

struct nodeopts {
	char *file;            /* -f */
	char *wlist;           /* -w (several are joined with ',') */
	char *xlist;           /* -x */
	int all, head;
	int fanout;            /* -F, default 64 */
	double connect_timeout; /* -t, default 10 */
	double timeout;        /* -u, 0 = none */
	char *user;            /* -l or C3_USER */
	char *identity;        /* -i */
	char *host_keys;       /* --host-keys */
	int json;              /* --json */
	int max_status;        /* -S */
	int dry_run;           /* -n */
	int list;              /* --list */
	char *failed;          /* --failed FILE */
	/* resolved */
	enum ssh_hostkey_policy policy;
	int from_c3;           /* targets come from c3.conf (clusters are meaningful) */
};

/* Defaults (the environment, C3_USER and C3_CONF, is read by nodeopts_resolve). */
void nodeopts_init(struct nodeopts *no);
void nodeopts_free(struct nodeopts *no);
/* The shared popt table, storing into NO. */
struct poptOption *nodeopts_popt(struct nodeopts *no);

/*
 * Leading arguments that are C3 machine definitions (":1-4", "name:") are
 * moved to *DEFS (count *NDEFS); returns the index of the first other argument.
 */
size_t nodeopts_split_defs(char **args, size_t nargs, char ***defs, size_t *ndefs);

/*
 * Resolve -w/-x or c3.conf + DEFS (and --all/--head) into SEL. Checks option
 * values too. 0, or -1 with ERR ("c3.conf:3: ...", "bad host list ...").
 */
int nodeopts_resolve(struct nodeopts *no, char **defs, size_t ndefs, struct c3_selection *sel,
		     char *err, size_t errlen);

/* Fanout nodes for SEL (names and users from SEL, ssh options from NO). Free with nodeopts_fanout_free. */
struct fanout_node *nodeopts_fanout_nodes(const struct nodeopts *no, const struct c3_selection *sel);
void nodeopts_fanout_free(struct fanout_node *nodes, size_t n);
struct fanout_opts nodeopts_fanout_opts(const struct nodeopts *no, int serial);

/*
 * Exit status per the C3 convention: 0 all fine, 2 any node failed or timed
 * out (or exited non-zero, when NONZERO_FAILS); with -S the largest remote
 * status, 255 if any node failed to connect or timed out.
 */
int nodeopts_exit_status(const struct nodeopts *no, const struct fanout_node *nodes, size_t n,
			 int nonzero_fails);
/* Write --failed FILE (atomic): nodes not FANOUT_OK (or with non-zero status if NONZERO). 0 or -1. */
int nodeopts_write_failed(const struct nodeopts *no, const struct fanout_node *nodes, size_t n,
			  int nonzero_fails);
/* The closing report on stderr (nodereport.h): failing nodes grouped by outcome, "N nodes: K ok, M failed". */
void nodeopts_summary(const struct fanout_node *nodes, size_t n);
/* --list: the selected nodes on stdout, one per line ("user@host" when a user is set). */
void nodeopts_print_list(const struct c3_selection *sel);

/*
 * The end of a file-copying run (cpush, cget) after fanout_run() returned
 * FANOUT_RESULT: the summary, --failed FILE, and the exit status
 * (nodeopts_exit_status; a run interrupted by a signal never exits 0: 2).
 */
int nodeopts_report(const struct nodeopts *no, const struct fanout_node *nodes, size_t n,
		    int fanout_result);

/* How a node ended, as --json reports say it: "ok", "failed", "timeout", "not run". */
const char *nodeopts_state_name(enum fanout_state s);
/* Print O as one compact --json line on stdout, then release it. */
void nodeopts_json_line(json_t *o);

/*
 * poptGetNextOpt() for the option loop of a tool whose table has the entry
 * { "version", 0, POPT_ARG_NONE, NULL, 'V', ... }: returns the tool's own
 * option values (> 0), -1 at the end; --version prints "TOOL VERSION" and
 * exits 0, a bad option dies with status 1 naming it.
 */
int nodeopts_next_opt(poptContext pc, const char *tool);

/* popt's leftover arguments, copied: *N of them, NULL-terminated. Free with nodeopts_args_free. */
char **nodeopts_args(poptContext pc, size_t *n);
void nodeopts_args_free(char **args, size_t n);

#endif
