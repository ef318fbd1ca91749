/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * safety — the refusals that keep a mistake from wiping nodes, decided
 * before anything changes: an image that is empty or does not look like a
 * root filesystem (unless --force), a run that would delete more than
 * --max-delete paths on a destination, and a destination whose parent
 * directory is missing (only the last component is ever created, as rsync
 * does). The list checks are pure; imgs_root_creatable() looks at the disk.
 */
#ifndef IMGSYNC_SAFETY_H
#define IMGSYNC_SAFETY_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "flist.h"

/*
 * Is LIST an image to sync onto a node: not empty, and with etc/ or usr/
 * as a root filesystem has? 0, or -1 with ERR saying why not (prefixed by
 * "NAME: " unless NAME is NULL) and that --force overrides.
 */
int imgs_image_check(const struct imgs_flist *list, const char *name, char *err, size_t errlen);

/*
 * How many paths of HAVE (a destination as scanned) a run to the image
 * LIST deletes: each one LIST lacks (unless NO_DELETE), each one LIST has
 * as a directory where HAVE has something else or the other way round, and
 * everything below those. Mount points (directories not on ROOTDEV) are
 * never deleted.
 */
uint64_t imgs_deletions(const struct imgs_flist *list, const struct imgs_flist *have, dev_t rootdev,
			int no_delete);

/*
 * ROOT does not exist: may it be made, its parent being a directory? 0, or
 * -1 with ERR naming what is missing.
 */
int imgs_root_creatable(const char *root, char *err, size_t errlen);

#endif
