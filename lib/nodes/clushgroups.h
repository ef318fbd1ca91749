/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * clushgroups — ClusterShell's group sources, read as ClusterShell reads
 * them: groups.conf ($CT_CLUSH_GROUPS_CONF, else
 * $CLUSTERSHELL_CFGDIR/groups.conf, else /etc/clustershell/groups.conf, which
 * may be absent) with [Main] default, confdir (or groupsdir) and autodir
 * ($CFGDIR: the directory of groups.conf), the source sections of
 * groups.conf and of confdir's *.conf ("[slurmjob,sj]" names two sources),
 * and autodir's *.yaml files (clushyaml).
 *
 * A source section's upcalls (map, all, list; reverse and cache_time are
 * read but unused: nothing asks which groups a node is in, and results live
 * for one run, with no disk cache) run
 * through lib/upcall: $GROUP, $NODE, $SOURCE and $CFGDIR substituted and
 * quoted, in the section's directory, under a timeout; each result (or
 * failure) is kept for the run. As in ClusterShell, a group that a source
 * does not know is empty, and "@source:*" is the 'all' upcall, else every
 * group of 'list' mapped; a YAML source's "*" is its group 'all', else all
 * its groups. Group text comes back unevaluated: lib/groups evaluates it,
 * with unprefixed "@group" inside it meaning that same source.
 */
#ifndef CT_CLUSHGROUPS_H
#define CT_CLUSHGROUPS_H

#include <stddef.h>

struct clush;

/* Read the configuration (see above). NULL with ERR ("FILE:LINE: ..."). */
struct clush *clush_load(char *err, size_t errlen);
void clush_free(struct clush *c);

/*
 * The node set text of GROUP (NULL: "*", all) in SOURCE (NULL: the default
 * source). 1 with *TEXT (caller frees) and *RESOLVED (the source's name),
 * 0 when there is no such source and SOURCE is NULL, -1 with ERR
 * ("@sj:1234: squeue exited 1: ...", "@x:y: no group source 'x' (FILE)").
 */
int clush_group_text(struct clush *c, const char *source, const char *group, char **text,
		     const char **resolved, char *err, size_t errlen);

/* --groups: "SOURCE:GROUP<TAB>clustershell FILE" lines; a failing 'list' is warned about. */
void clush_print(struct clush *c);

#endif
