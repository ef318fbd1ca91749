/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: node groups (lib/groups). The input is a groups file, a
 * genders file and host lists, separated by NUL bytes; every host list is
 * expanded (cycles, unknown groups, operators) and used as a -g query.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "groups.h"
#include "nodefold.h"
#include "xalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 1024) /* longer inputs only multiply names */
		return 0;
	char *buf = xmalloc(size + 2);
	memcpy(buf, data, size);
	buf[size] = buf[size + 1] = '\0';
	const char *flat = buf, *genders = flat + strlen(flat) + 1;
	const char *exprs = genders < buf + size ? genders + strlen(genders) + 1 : buf + size;
	struct groups *g = groups_new();
	char err[512];
	if (groups_parse_flat(g, flat, "groups", err, sizeof err) == 0 &&
	    groups_parse_genders(g, genders < buf + size ? genders : "", "genders", err, sizeof err) == 0) {
		for (const char *e = exprs; e < buf + size; e += strlen(e) + 1) {
			struct nodeset ns;
			nodeset_init(&ns);
			if (groups_expand(g, &ns, e, err, sizeof err) == 0 && ns.n <= 20000)
				free(nodeset_fold(ns.names, ns.n));
			groups_genders(g, &ns, e, err, sizeof err);
			nodeset_free(&ns);
		}
	}
	groups_free(g);
	free(buf);
	return 0;
}
