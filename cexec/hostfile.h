/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * hostfile — cexec --hostfile FILE: an MPI hostfile of the selected nodes
 * that answer. Each node is asked for its slot count ("nproc"), or only
 * whether it answers ("true") when --slots N gives the count; FILE is then
 * written atomically, one line per answering node in node-list order:
 * "NAME slots=N" (Open MPI) or "NAME:N" (MPICH, --hostfile-format mpich).
 * Nodes that did not answer are reported as usual and left out; when none
 * answered, FILE is left as it was. Run from cron, it keeps a hostfile
 * current.
 */
#ifndef CEXEC_HOSTFILE_H
#define CEXEC_HOSTFILE_H

#include <stddef.h>

#include "fanout.h"

enum hostfile_format { HOSTFILE_OPENMPI, HOSTFILE_MPICH };

struct hostfile_opts {
	const char *path;
	long slots;                  /* 0: ask nproc */
	enum hostfile_format format;
};

#define HOSTFILE_SLOTS_MAX 1000000L

/*
 * Ask NODES and write the file. Returns FANOUT_COMPLETE or
 * FANOUT_INTERRUPTED (then nothing is written); a node whose answer is not
 * a slot count is failed with an error saying so. *WRITTEN: the lines written
 * (-1: the file could not be written, or was left as it was).
 */
int hostfile_run(struct fanout_node *nodes, size_t n, const struct hostfile_opts *o,
		 const struct fanout_opts *fo, long *written);

#endif
