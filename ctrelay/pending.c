/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pending — the rule for who gets one of the few handshake slots: a
 * stranger (not from the announced predecessor) never pushes anyone out,
 * the announced predecessor always gets in. See ctrelay.h.
 */
#include "ctrelay.h"

int pending_slot(const struct pending *p, int n, int announced)
{
	int oldest = -1, stranger = -1;
	for (int i = 0; i < n; i++) {
		if (p[i].h.fd < 0)
			return i;
		if (oldest < 0 || p[i].deadline < p[oldest].deadline)
			oldest = i;
		if (!p[i].announced && (stranger < 0 || p[i].deadline < p[stranger].deadline))
			stranger = i;
	}
	if (!announced)
		return -1;
	return stranger >= 0 ? stranger : oldest;
}
