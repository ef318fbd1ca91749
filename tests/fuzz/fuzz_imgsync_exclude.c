/*
 * libFuzzer target: imgsync exclude files (imgsync/exclude), as read from
 * /etc/imgsync/exclude or --exclude-from: every line a pattern, then matched
 * against a few paths. The built-in excludes must still hold whatever the file says.
 */
#include <stdint.h>
#include <stdlib.h>

#include "../../imgsync/exclude.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 8192)
		return 0;
	struct imgs_excl ex;
	imgs_excl_init(&ex);
	char err[256];
	imgs_excl_parse(&ex, (const char *)data, size, "fuzz", err, sizeof err);
	static const char *const paths[] = {"etc/hostname", "var/log/a.gz", "home/x/y", "a", "[", "a/b/c/d/e/f"};
	for (size_t i = 0; i < sizeof paths / sizeof *paths; i++) {
		imgs_excl_match(&ex, paths[i], 0);
		imgs_excl_match(&ex, paths[i], 1);
	}
	if (!imgs_excl_match(&ex, "proc/1", 0) || !imgs_excl_match(&ex, "tmp/x", 0))
		abort();
	imgs_excl_free(&ex);
	return 0;
}
