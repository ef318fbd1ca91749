/* SPDX-License-Identifier: BSD-3-Clause */
/* libFuzzer target: host list expansion and folding (lib/nodeset). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "nodefold.h"
#include "nodeset.h"
#include "xalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 256) /* long inputs only multiply the names, not the paths */
		return 0;
	char *expr = xstrndup((const char *)data, size);
	struct nodeset ns;
	char err[256];
	nodeset_init(&ns);
	if (strlen(expr) == size && nodeset_expand(&ns, expr, err, sizeof err) == 0 && ns.n <= 20000) { /* bigger sets only cost time (a 94k-name round trip took seconds under load) */
		char *folded = nodeset_fold(ns.names, ns.n);
		struct nodeset back;
		nodeset_init(&back);
		/* folding must round-trip to the same set */
		if (nodeset_expand(&back, folded, err, sizeof err) != 0 || back.n != ns.n)
			abort();
		for (size_t i = 0; i < ns.n; i++)
			if (!nodeset_contains(&back, ns.names[i]))
				abort();
		nodeset_free(&back);
		free(folded);
	}
	nodeset_free(&ns);
	free(expr);
	return 0;
}
