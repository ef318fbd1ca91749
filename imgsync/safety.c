/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * safety — image plausibility, deletion count, the destination's parent.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "log.h"
#include "safety.h"
#include "xalloc.h"

static int has_dir(const struct imgs_flist *list, const char *path)
{
	long i = imgs_flist_find(list, path);
	return i >= 0 && list->e[i].type == IMGS_DIR;
}

int imgs_image_check(const struct imgs_flist *list, const char *name, char *err, size_t errlen)
{
	const char *why;
	if (list->n <= 1)
		why = "the image is empty (syncing it would delete everything at the destination)";
	else if (!has_dir(list, "etc") && !has_dir(list, "usr"))
		why = "the image has neither etc/ nor usr/: it does not look like a root filesystem";
	else
		return 0;
	snprintf(err, errlen, "%s%s%s; refused, --force overrides", name ? name : "", name ? ": " : "", why);
	return -1;
}

/* Index in HAVE of the directory holding entry I ("a/b" -> "a", "a" -> "."). */
static long parent_index(const struct imgs_flist *have, size_t i)
{
	const char *path = have->e[i].path, *slash = strrchr(path, '/');
	if (!slash)
		return 0;
	char *dir = xstrndup(path, (size_t)(slash - path));
	long p = imgs_flist_find(have, dir);
	free(dir);
	return p;
}

uint64_t imgs_deletions(const struct imgs_flist *list, const struct imgs_flist *have, dev_t rootdev,
			int no_delete)
{
	uint8_t *gone = xcalloc(have->n + 1, 1);
	uint64_t n = 0;
	for (size_t i = 1; i < have->n; i++) {
		const struct imgs_entry *h = &have->e[i];
		if (h->type == IMGS_DIR && h->dev != rootdev)
			continue; /* a mount point */
		long p = parent_index(have, i);
		if (p >= 0 && gone[p]) {
			gone[i] = 1;
		} else {
			long k = imgs_flist_find(list, h->path);
			if (k < 0)
				gone[i] = !no_delete;
			else
				gone[i] = (list->e[k].type == IMGS_DIR) != (h->type == IMGS_DIR);
		}
		n += gone[i];
	}
	free(gone);
	return n;
}

int imgs_root_creatable(const char *root, char *err, size_t errlen)
{
	char *dir = xstrdup(root);
	size_t n = strlen(dir);
	while (n > 1 && dir[n - 1] == '/')
		dir[--n] = '\0';
	char *slash = strrchr(dir, '/');
	if (!slash)
		strcpy(dir, ".");
	else
		slash[slash == dir] = '\0'; /* "/x" -> "/" */
	struct stat st;
	const char *why = stat(dir, &st) < 0 ? strerror(errno) : S_ISDIR(st.st_mode) ? NULL : "not a directory";
	if (why)
		snprintf(err, errlen, "%s: parent directory %s: %s (only the last component of a destination is created)",
			 root, dir, why);
	free(dir);
	return why ? -1 : 0;
}
