/* SPDX-License-Identifier: BSD-3-Clause */
/* libFuzzer target: c3.conf parsing and machine-definition selection (lib/c3conf). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "c3conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct c3_conf conf;
	char err[512];
	if (size > 4096)
		return 0;
	if (c3conf_parse((const char *)data, size, "fuzz", &conf, err, sizeof err) < 0)
		return 0;
	static char *defs[] = {":0-3,5", "admin@x:1", ":", "y:0-100000"};
	struct c3_selection sel;
	for (int all = 0; all < 2; all++)
		for (int head = 0; head < 2; head++)
			if (c3conf_select(&conf, defs, 4, all, head, &sel, err, sizeof err) == 0)
				c3_selection_free(&sel);
	c3conf_free(&conf);
	return 0;
}
