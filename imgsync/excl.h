/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * excl — imgsync's exclusion list: lib/exclude's patterns (rsync's dialect,
 * described in exclude.h), starting with the built-in ones: the contents of
 * /proc, /sys, /dev, /run and /tmp are always excluded.
 */
#ifndef IMGSYNC_EXCL_H
#define IMGSYNC_EXCL_H

#include "exclude.h"

/* Start EX with the built-in patterns. */
void imgs_excl_init(struct exclude *ex);

#endif
