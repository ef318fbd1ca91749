/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * knownhosts — cexec --known-hosts FILE: an ssh_known_hosts file of the
 * selected nodes that answer, for node-to-node SSH without prompts. Each
 * node's key is the one this run checked under its --host-keys policy
 * (never "off": main refuses it). Each line names the node by all its
 * names: the name in the node list, the address the head reached, and what
 * the node calls itself ("hostname", "hostname -f", "hostname -I"), each
 * kept only if it is a plain host name or address. FILE is written
 * atomically, in node-list order; nodes that do not answer are reported as
 * usual and left out; when none answered, FILE is left as it was.
 */
#ifndef CEXEC_KNOWNHOSTS_H
#define CEXEC_KNOWNHOSTS_H

#include <stddef.h>

#include "fanout.h"

/*
 * Ask NODES and write PATH. Returns FANOUT_COMPLETE or FANOUT_INTERRUPTED
 * (then nothing is written). *WRITTEN: the lines written (-1: not written).
 */
int knownhosts_run(struct fanout_node *nodes, size_t n, const char *path, const struct fanout_opts *fo,
		   long *written);

#endif
