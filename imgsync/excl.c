/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * excl — imgsync's built-in exclusions (see excl.h).
 */
#include "excl.h"

void imgs_excl_init(struct exclude *ex)
{
	static const char *const builtin[] = { "/proc/*", "/sys/*", "/dev/*", "/run/*", "/tmp/*" };
	*ex = (struct exclude){ 0 };
	for (size_t i = 0; i < sizeof builtin / sizeof builtin[0]; i++)
		exclude_add(ex, builtin[i]);
}
