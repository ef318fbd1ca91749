/* SPDX-License-Identifier: BSD-3-Clause */
/* libFuzzer target: flat ini parsing, editing and formatting (lib/inifile). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "inifile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[512];
	struct ini *ini = ini_parse((const char *)data, size, "fuzz", err, sizeof err);
	if (!ini)
		return 0;
	size_t len;
	char *text = ini_format(ini, &len);
	/* untouched files are reproduced byte for byte */
	if (len != size || memcmp(text, data, size) != 0)
		abort();
	free(text);
	struct ini_entry e;
	for (size_t i = 0; ini_entry_at(ini, i, &e); i++)
		if (!ini_get(ini, e.section, e.key))
			abort();
	ini_set(ini, "s", "k", "v # x");
	ini_set(ini, NULL, "g", "1");
	text = ini_format(ini, &len);
	struct ini *again = ini_parse(text, len, "again", err, sizeof err);
	if (!again || strcmp(ini_get(again, "s", "k"), "v # x") != 0)
		abort();
	ini_free(again);
	free(text);
	ini_free(ini);
	return 0;
}
