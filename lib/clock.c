/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * clock — seconds on CLOCK_MONOTONIC (see clock.h).
 */
#include <time.h>

#include "clock.h"

double now_monotonic(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
