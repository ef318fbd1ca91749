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

/* Transitional: imgsync/main.c's names for lib/exclude. */
#define imgs_excl exclude
#define imgs_excl_add exclude_add
#define imgs_excl_load exclude_load
#define imgs_excl_free exclude_free
#define IMGS_EXCL_PAT_MAX EXCLUDE_PAT_MAX

#endif
