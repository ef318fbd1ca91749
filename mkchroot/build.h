/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * build — the recipe of one node root: make a temporary directory beside
 * PATH, run the template's backend into it, run the template's post
 * commands in it (chroot ROOT /bin/sh -c CMD), apply the stateless steps,
 * and rename it to PATH. On failure the temporary directory is removed, so
 * PATH is either complete or not there.
 */
#ifndef MKCHROOT_BUILD_H
#define MKCHROOT_BUILD_H

#include "backend.h"
#include "excl.h"

struct mkc_job {
	struct mkc_build b;          /* template, mirror, packages, nogpg, cache */
	const char *path;            /* the root to make */
	const char *source;          /* --source (golden) */
	const char *from;            /* --from (archive) */
	const struct exclude *excl; /* --exclude patterns (golden, archive) */
	int dry_run;
	int no_stateless;
};

/* Exit status: 0 built, 1 usage or local error, 2 the backend or source failed. */
int mkc_build_root(struct mkc_job *j);

#endif
