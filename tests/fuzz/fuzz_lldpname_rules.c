/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: /etc/lldpname.conf as lldpname reads it (lldpname/rules):
 * sections with glob patterns, printf-style hostname templates with {switch}
 * and {port}, offsets, index regexes, port overrides. Whatever parses is
 * applied to a few neighbours; a name it gives must be a valid hostname.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hostname.h"
#include "log.h"
#include "../../lldpname/rules.h"
#include "xalloc.h"

static void apply(const struct lldpn_rules *r, const char *sys, const char *port, const char *desc)
{
	struct lldpn_neighbor n;
	lldpn_neighbor_init(&n);
	n.chassis_id = xstrdup("52:54:00:12:34:56");
	n.chassis_subtype = "mac";
	n.sys_name = sys ? xstrdup(sys) : NULL;
	n.port_id = xstrdup(port);
	n.port_subtype = "ifname";
	n.port_desc = desc ? xstrdup(desc) : NULL;
	struct lldpn_naming out;
	char err[512];
	if (lldpn_rules_apply(r, &n, &out, err, sizeof err) == 0) {
		if (!out.hostname || !hostname_valid(out.hostname))
			abort();
		free(out.hostname);
	}
	lldpn_neighbor_free(&n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[512];
	if (size > 8192)
		return 0;
	struct lldpn_rules *r = lldpn_rules_parse((const char *)data, size, "fuzz.conf", err, sizeof err);
	if (!r)
		return 0;
	apply(r, "leaf01", "Ethernet1/12", "node-uplink");
	apply(r, "ex4300", "ge-0/0/47", NULL);
	apply(r, NULL, "swp9999999999999999999", "");
	apply(r, "spine%n{port}", "%s%d{switch}", "x");
	lldpn_rules_free(r);
	return 0;
}
