/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * name — where cget puts what it gathers, decided from names alone (no I/O):
 * the local name of a node's copy (BASENAME_CLUSTER_NODE, BASENAME_NODE, or
 * NODE/BASENAME with --layout dir) and whether a remote symlink's text stays
 * inside the node's own tree. Everything a node sends is untrusted: names
 * that could step out of TARGET-DIR are refused here.
 */
#ifndef CGET_NAME_H
#define CGET_NAME_H

/* Last component of the remote SOURCE ("/var/log/" gives "log"; "/" gives "root"). Caller frees. */
char *cgname_base(const char *source);

/*
 * Local path, relative to TARGET-DIR, for NODE's copy of BASE. CLUSTER NULL
 * for -w selections. NULL if a part is not a safe single name component.
 * Caller frees.
 */
char *cgname_local(const char *base, const char *cluster, const char *node, int layout_dir);

/* DIR/LOCAL for messages, without a doubled '/' ("logs/" + "a" gives "logs/a"). Caller frees. */
char *cgname_join(const char *dir, const char *local);

/* Is NAME, read from a remote directory, one safe component (not "", ".", "..", no '/')? */
int cgname_component_ok(const char *name);

/*
 * A symlink at LINK_REL (path below the node's top, e.g. "a/b/l") with text
 * TARGET: does it resolve inside the top without leaving it at any step?
 * Absolute targets never do.
 */
int cgname_link_contained(const char *link_rel, const char *target);

#endif
