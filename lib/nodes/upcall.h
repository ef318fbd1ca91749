/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * upcall — the external commands of ClusterShell group sources ("map: sinfo
 * -h -o %N -p $GROUP"), run as ClusterShell runs them: the text with its
 * variables substituted, through "sh -c", in the source's directory.
 *
 * Unlike ClusterShell, each value substituted for $NAME or ${NAME} is quoted
 * for the place it lands in: a word of its own outside quotes ('v'), inside
 * '...' (a quote in it becomes '\''), inside "..." (\ " $ ` escaped). So a
 * group name from the command line is always data, never shell text, and
 * the shipped configs ("sed -n 's/^$GROUP:...'" and "-p $GROUP") work as
 * written. "$$" is a '$', as in Python's string.Template; an unknown $NAME,
 * and "\$NAME" outside '...', are left as they are.
 */
#ifndef CT_UPCALL_H
#define CT_UPCALL_H

#include <stddef.h>

struct upcall_var {
	const char *name;  /* "GROUP", "NODE", "SOURCE", "CFGDIR" */
	const char *value; /* NULL: not substituted */
};

/* TEMPLATE with VARS (N of them) substituted and quoted. Caller frees. */
char *upcall_command(const char *tmpl, const struct upcall_var *vars, size_t n);

/*
 * Run CMD with "sh -c" in DIR (NULL: here), killed with its process group
 * after TIMEOUT seconds. 0 with *OUT (its stdout, caller frees), or -1 with
 * ERR: "exited N: FIRST STDERR LINE", "killed by signal N", "timed out after
 * S s", or why it could not start.
 */
int upcall_run(const char *cmd, const char *dir, double timeout, char **out, char *err, size_t errlen);

/* The upcall timeout: $CT_UPCALL_TIMEOUT seconds if set (0.001 to 86400), else 30. */
double upcall_timeout(void);

#endif
