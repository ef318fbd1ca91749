/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * show — how a neighbour and its name are printed: --show as indented
 * "Name: value" lines per TLV (like lldpcli show neighbors), --json as one
 * jansson object per line with the neighbour, every TLV and the result.
 */
#ifndef LLDPNAME_SHOW_H
#define LLDPNAME_SHOW_H

#include <stdio.h>

#include "neighbor.h"
#include "rules.h"

/* Every TLV of N, received on IFNAME. */
void lldpn_show_text(FILE *out, const char *ifname, const struct lldpn_neighbor *n);

/*
 * One JSON line in the single-result schema (lib/jsonl): ok, exit, error
 * (ERROR, NULL for none), then interface, neighbour (fields and TLVs; NULL
 * for none) and the naming result (NAMING NULL or without a hostname:
 * "hostname": null).
 */
void lldpn_show_json(FILE *out, int exit, const char *error, const char *ifname, const struct lldpn_neighbor *n,
		     const struct lldpn_naming *naming);

#endif
