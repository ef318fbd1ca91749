/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: exclude pattern files (lib/exclude), as imgsync reads
 * /etc/imgsync/exclude or --exclude-from and mkchroot --exclude-from: every
 * line a pattern, then matched against a few paths. A pattern added first
 * must still hold whatever the file says, and a path that matches also
 * matches with its directories checked.
 */
#include <stdint.h>
#include <stdlib.h>

#include "exclude.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 8192)
		return 0;
	struct exclude ex = { 0 };
	exclude_add(&ex, "/proc/*");
	char err[256];
	exclude_parse(&ex, (const char *)data, size, "fuzz", err, sizeof err);
	static const char *const paths[] = { "etc/hostname", "var/log/a.gz", "home/x/y", "a", "[", "a/b/c/d/e/f",
					     "x.pyc", "var/cache/apt/x", "]*?\\" };
	for (size_t i = 0; i < sizeof paths / sizeof *paths; i++) {
		for (int dir = 0; dir < 2; dir++)
			if (exclude_match(&ex, paths[i], dir) && !exclude_match_path(&ex, paths[i], dir))
				abort();
	}
	if (!exclude_match(&ex, "proc/1", 0) || !exclude_match_path(&ex, "proc/1/x", 0))
		abort();
	exclude_free(&ex);
	return 0;
}
