/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * excl — mkchroot's exclusion patterns: lib/exclude (rsync's dialect, see
 * exclude.h) for golden copies, archives and VNFS packs, and the defaults
 * every golden copy leaves out.
 */
#ifndef MKCHROOT_EXCL_H
#define MKCHROOT_EXCL_H

#include "exclude.h"

/* Patterns every golden copy leaves out: /proc, /sys, /dev, /run, /tmp contents and the like. */
extern const char *const mkc_excl_golden_defaults[];

/* Add the lines of PATH; a missing file adds nothing. 0, or -1 with errno. */
int mkc_excl_add_file(struct exclude *x, const char *path);

#endif
