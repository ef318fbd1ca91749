/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * c3conf — the C3 cluster file (/etc/c3.conf) and C3 machine definitions.
 *
 *   cluster local {
 *       head-ext:head-int     # head node: external:internal, or one name
 *       node[1-64]            # a range or a single name, one per line
 *       exclude 2             # right after a range: node numbers of that range
 *       exclude [55-60]
 *       dead node70           # a single offline node
 *   }
 *   cluster remote {
 *       :gateway01            # indirect: the tool runs on gateway01 itself
 *   }
 *
 * The first cluster is the default. Nodes have 0-based positions in file
 * order; excluded and dead nodes keep theirs but are never selected.
 * Machine definitions: ":1-4,6", "name:", "name:2-4,10", "user@name:1-5".
 * Parsing takes bytes; only c3conf_load reads a file.
 */
#ifndef CT_C3CONF_H
#define CT_C3CONF_H

#include <stddef.h>

struct c3_node {
	char *name;
	int position;
	int excluded;
	int dead;
};

struct c3_cluster {
	char *name;
	char *head_ext;      /* name used to reach the head node */
	char *head_int;      /* its name inside the cluster (same as head_ext if one name) */
	char *gateway;       /* indirect cluster: host that runs the tool, else NULL */
	struct c3_node *nodes;
	size_t n;
	int line;            /* line of "cluster NAME {" */
};

struct c3_conf {
	struct c3_cluster *clusters;
	size_t n;
};

int c3conf_parse(const char *text, size_t len, const char *fname, struct c3_conf *conf, char *err,
		 size_t errlen);
/* Load PATH. 0, or -1 with ERR ("PATH: ..." or "PATH:LINE: ..."). */
int c3conf_load(const char *path, struct c3_conf *conf, char *err, size_t errlen);
void c3conf_free(struct c3_conf *conf);
const struct c3_cluster *c3conf_find(const struct c3_conf *conf, const char *name);

/*
 * A machine definition is "[USER@][NAME]:[POSITIONS]": USER and NAME made of
 * letters, digits, '-', '_' and '.', USER not empty when '@' is there,
 * POSITIONS empty or a comma list of N and N-M (N <= M).
 *
 * c3_looks_like_machine_def: the word has that shape loosely: a ':' and
 * before it only name characters and '@', after it no '/', '=' or blank. A
 * tool treats such a leading word as a definition, so one that does not
 * parse is an error, never the start of the command.
 */
int c3_looks_like_machine_def(const char *arg);
/* Is ARG a valid machine definition? */
int c3_is_machine_def(const char *arg);
/* 0, or -1 with ERR naming ARG and what is wrong ("bad range '1-4x' in machine definition ':1-4x'"). */
int c3_check_machine_def(const char *arg, char *err, size_t errlen);

struct c3_target {
	char *cluster;     /* cluster name */
	char *host;        /* name to connect to */
	char *user;        /* from "user@", or NULL */
	int position;      /* position in the cluster, -1 for a head node or gateway */
	char *forward_def; /* indirect cluster: definition to run on HOST (":1-3" or ":"), else NULL */
	char *via;         /* a node behind a gateway: the jump host ("user@gateway"), else NULL */
};

struct c3_selection {
	struct c3_target *t;
	size_t n;
};

/*
 * Resolve machine definitions DEFS (none: the default cluster; ALL: every
 * cluster) into targets, in definition order, each node once per cluster.
 * HEAD selects the head node of each chosen cluster instead of its nodes.
 * 0, or -1 with ERR naming the definition and the problem.
 */
int c3conf_select(const struct c3_conf *conf, char *const *defs, size_t ndefs, int all, int head,
		  struct c3_selection *sel, char *err, size_t errlen);
void c3_selection_free(struct c3_selection *sel);

#endif
