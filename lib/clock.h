/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * clock — the one clock for timeouts, deadlines and durations: seconds on
 * CLOCK_MONOTONIC, which the wall clock's steps (NTP, date -s) do not move.
 */
#ifndef CT_CLOCK_H
#define CT_CLOCK_H

/* Seconds since an arbitrary fixed point, as a double (ns resolution). */
double now_monotonic(void);

#endif
