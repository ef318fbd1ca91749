/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * diskrun — the tools mkchroot --disk runs, one at a time: stdin from a
 * file or /dev/null, stdout away, stderr kept; on a terminal (not with -q)
 * a progress line for the step: the bytes the tool has put in the file it
 * writes so far, of what is expected when that is known.
 */
#ifndef MKCHROOT_DISKRUN_H
#define MKCHROOT_DISKRUN_H

#include <stdint.h>

struct mkc_disk_step {
	const char *label;  /* the progress line's label, e.g. "root filesystem" */
	const char *watch;  /* the file the tool writes, or NULL for no line */
	uint64_t total;     /* the bytes expected in it, 0 if unknown */
};

/* Run ARGV with stdin from IN (NULL: /dev/null): its exit code, 127 if it could not start, after a message. */
int mkc_disk_run(char *const argv[], const char *in, const struct mkc_disk_step *step);

/* The bytes FILE takes on disk (its allocated blocks: a sparse file's holes do not count); 0 if absent. */
uint64_t mkc_disk_file_used(const char *file);

#endif
