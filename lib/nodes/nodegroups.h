/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nodegroups — the groups of the node tools (lib/groups), loaded from their
 * files: the groups file (--groups-file FILE, else $CT_GROUPS, else
 * /etc/clustertools/groups), genders ($CT_GENDERS, else /etc/genders) and
 * the clusters of c3.conf ("@cluster": its nodes, less excluded and dead
 * ones), then ClusterShell's group sources (lib/clushgroups: groups.conf,
 * its upcalls and YAML files, read when a group is first looked up there,
 * so a run that names no such group never depends on them). A file named by
 * option or environment must exist; a default one may be absent.
 */
#ifndef CT_NODEGROUPS_H
#define CT_NODEGROUPS_H

#include <stddef.h>

#include "c3conf.h"
#include "clushgroups.h"
#include "groups.h"

struct nodegroups {
	struct groups *g;
	const char *c3_path;   /* c3.conf for "@cluster", borrowed; may not exist */
	struct c3_conf c3;
	int c3_state;          /* 0 not read yet, 1 read, -1 absent */
	int have_genders;
	char *genders_path;
	struct clush *clush;   /* ClusterShell's group sources, NULL until first used */
};

/* Load the groups and genders files; C3_PATH is the c3.conf of "@cluster". 0, or -1 with ERR. */
int nodegroups_load(struct nodegroups *ng, const char *groups_file, const char *c3_path, char *err,
		    size_t errlen);
void nodegroups_free(struct nodegroups *ng);

/* Read c3.conf for "@cluster" and ClusterShell's configuration now (else on first use): 0, or -1 with ERR. */
int nodegroups_read_all(struct nodegroups *ng, char *err, size_t errlen);
/*
 * --groups: "NAME<TAB>SOURCE" lines on stdout (SOURCE: FILE, "genders FILE",
 * "c3 FILE"; then "SOURCE:GROUP<TAB>clustershell FILE"). 0, or -1 with ERR.
 */
int nodegroups_print(struct nodegroups *ng, char *err, size_t errlen);

#endif
