/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nodeopts — the node-selection options every C3 tool shares (cexec, cpush,
 * cget, imgsync), in one popt table, and their resolution into targets.
 *
 *   -f/--file FILE (C3_CONF), -w NODES, -x NODES, -g ATTR[=VAL], --all,
 *   --head, -F/--fanout N, -t/--connect-timeout S, -u/--timeout S,
 *   -l/--user USER (C3_USER), -i/--identity FILE, --host-keys POLICY, --json,
 *   -S/--max-status, -n/--dry-run, --list, --fold, --count, --groups,
 *   --groups-file FILE (CT_GROUPS), --failed FILE, -o Keyword=Value
 *   (ssh_config, as ssh: before the files, so it wins),
 *   -J [user@]host[:port][,...] (ProxyJump), -j JOBID[,...] and
 *   -P PARTITION[,...] (pdsh's Slurm letters: the ClusterShell group
 *   sources "@sj:JOBID" and "@sp:PARTITION", lib/clushgroups; no libslurm)
 *
 * Which nodes: -w, -g, -j and -P (their union) if given; else c3.conf with the
 * machine definitions; else, when no c3.conf applies (no -f, no C3_CONF and
 * no /etc/c3.conf), the host list file $WCOLL (pdsh). Then -x removes nodes.
 * Host lists (-w, -x, ^FILE lines, WCOLL) take "@group" anywhere and the
 * ClusterShell operators (lib/groups; the groups files: lib/nodegroups).
 *
 * A tool includes nodeopts_popt() in its table (POPT_ARG_INCLUDE_TABLE) and
 * calls nodeopts_option() first in its cli_next() loop. Options that take a
 * value come back with a NODEOPT_* val and are checked there, so a bad value
 * is a usage error naming it ("cexec: -F 0: out of range (1 to 100000)").
 * A tool that spells an option otherwise leaves it out of the table (OMIT)
 * and adds its own entry with the same NODEOPT_* val. Then the tool takes
 * the leading machine definitions (nodeopts_take_defs) and resolves.
 *
 * Which nodes -x removes: an entry "host" removes that host whatever its
 * login user; an entry "user@host" removes the host only where it would log
 * in as that user (the user of "user@" in -w or the machine definition, else
 * -l/C3_USER; a node with no user set is not removed by "user@host"). So
 * -w 'bob@n[1-3]' -x n1 and -w 'n[1-3]' -l bob -x bob@n1 both leave n2 n3,
 * and -w 'n[1-3]' -x bob@n1 leaves all three. An empty user ("@n1", in -w,
 * -x or a definition) is an error.
 */
#ifndef CT_NODEOPTS_H
#define CT_NODEOPTS_H

#include <jansson.h>
#include <popt.h>
#include <stddef.h>

#include "c3conf.h"
#include "cli.h"
#include "fanout.h"

struct nodegroups;

/* The vals of the options that take a value (a range no tool uses). */
enum nodeopt_val {
	NODEOPT_FILE = 0x4e00,
	NODEOPT_W,
	NODEOPT_X,
	NODEOPT_FANOUT,
	NODEOPT_CONNECT_TIMEOUT,
	NODEOPT_TIMEOUT,
	NODEOPT_USER,
	NODEOPT_IDENTITY,
	NODEOPT_HOST_KEYS,
	NODEOPT_FAILED,
	NODEOPT_CLUSTER, /* one machine definition as an option value (imgsync --cluster DEF) */
	NODEOPT_GENDERS,
	NODEOPT_GROUPS_FILE,
	NODEOPT_FOLD,
	NODEOPT_COUNT,
	NODEOPT_GROUPS,
	NODEOPT_SSH_OPTION, /* -o Keyword=Value (ssh_config) */
	NODEOPT_JUMP,       /* -J [user@]host[:port][,...] (ProxyJump) */
	NODEOPT_JOB,        /* -j JOBID[,...]: @sj:JOBID (pdsh's slurm module) */
	NODEOPT_PARTITION,  /* -P PART[,...]: @sp:PART */
	NODEOPT_LAST
};

#define NODEOPTS_FANOUT_MAX 100000
#define NODEOPTS_SECONDS_MAX 604800.0 /* a week */

struct nodeopts {
	char *file;            /* -f */
	char **w, **x, **g;    /* -w, -x and -g arguments, as given */
	size_t nw, nx, ng;
	char **slurm;          /* -j and -P, as "-j 12,13" (the option and its value) */
	size_t nslurm;
	char *groups_file;     /* --groups-file */
	char **defs;           /* machine definitions */
	size_t ndefs;
	char *xlist;           /* the -x arguments joined with ',' (NULL: none) */
	int all, head;
	int fanout;            /* -F, default 64 */
	double connect_timeout; /* -t, -1: not given (10) */
	double timeout;        /* -u, 0 = none */
	char *user;            /* -l or C3_USER */
	char *identity;        /* -i */
	char *host_keys;       /* --host-keys, as given */
	int json;              /* --json */
	int max_status;        /* -S */
	int dry_run;           /* -n */
	int list;              /* --list (also set by --fold, --count, --groups) */
	int fold, count, groups; /* --list as one folded line, a number, the groups */
	char *failed;          /* --failed FILE */
	int gateway_nodes;     /* set by the tool: the nodes behind C3 gateways, not the gateways (gateway.h) */
	/* resolved */
	enum ssh_hostkey_policy policy;
	int from_c3;           /* targets come from c3.conf (clusters are meaningful) */
	struct nodegroups *nodegroups; /* loaded by nodeopts_resolve */
	struct poptOption table[32];
};

/* Defaults (the environment, C3_USER and C3_CONF, is read by nodeopts_resolve). */
void nodeopts_init(struct nodeopts *no);
void nodeopts_free(struct nodeopts *no);
/*
 * The shared popt table, kept in NO. OMIT: NULL or a NULL-terminated list of
 * long names the tool leaves out ("dry-run", "config"...).
 */
struct poptOption *nodeopts_popt(struct nodeopts *no, const char *const *omit);
/*
 * Called first for every VAL cli_next() returns: 1 if it was a node option
 * (stored in NO), 0 if not. Dies with a usage error on a bad value.
 */
int nodeopts_option(struct nodeopts *no, struct cli *c, int val);

/*
 * The leading ARGS that look like machine definitions
 * (c3_looks_like_machine_def: ":1-4", "name:", "user@name:2") are copied to
 * NO; *FIRST is the index of the first other argument. Only leading words
 * count: in "cexec echo a:b", "a:b" is the command's. -1 with ERR when such a
 * word does not parse ("bad range '1-4x' in machine definition ':1-4x'").
 */
int nodeopts_take_defs(struct nodeopts *no, char *const *args, size_t nargs, size_t *first, char *err,
		       size_t errlen);

/*
 * Resolve -w/-x or c3.conf + the definitions (and --all/--head) into SEL,
 * and check --failed FILE can be written; no node is contacted. 0, or -1
 * with ERR ("c3.conf:3: ...", "bad host list ...", "--failed /x: ...").
 */
int nodeopts_resolve(struct nodeopts *no, struct c3_selection *sel, char *err, size_t errlen);

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
/*
 * Write --failed FILE (atomic): nodes not FANOUT_OK, and with NONZERO those
 * whose command exited non-zero or was killed by a signal. 0 or -1.
 */
int nodeopts_write_failed(const struct nodeopts *no, const struct fanout_node *nodes, size_t n,
			  int nonzero);
/* The closing report on stderr (nodereport.h): failing nodes grouped by outcome, "N nodes: K ok, M failed". */
void nodeopts_summary(const struct fanout_node *nodes, size_t n);
/*
 * --list: the selected nodes on stdout, one per line ("user@host" when a
 * user is set), or with --json one object per node: node, cluster, user;
 * --fold: one line folded as ClusterShell's "nodeset -f"; --count: their
 * number; --groups: the groups known, "NAME<TAB>SOURCE" lines.
 */
void nodeopts_print_list(const struct nodeopts *no, const struct c3_selection *sel);

/*
 * The end of a file-copying run (cpush, cget) after fanout_run() returned
 * FANOUT_RESULT: the summary, --failed FILE, and the exit status
 * (nodeopts_exit_status; a run interrupted by a signal never exits 0: 2).
 */
int nodeopts_report(const struct nodeopts *no, const struct fanout_node *nodes, size_t n,
		    int fanout_result);

/* How a node ended, in a word: "ok", "failed", "timeout", "not run". */
const char *nodeopts_state_name(enum fanout_state s);
/*
 * The --json head of a node's result (jsonl_node: node, cluster, ok, exit,
 * signal, error, seconds); the tool adds its fields and calls jsonl_emit.
 */
json_t *nodeopts_json_node(const struct fanout_node *nd);
/* The --json head of a selected node for --list and -n: node, cluster, user. */
json_t *nodeopts_json_target(const struct nodeopts *no, const struct c3_target *t);

#endif
