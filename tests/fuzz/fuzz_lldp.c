/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: lldpname's frame decoders (Ethernet/SLL dispatch, LLDP,
 * CDP), then the naming rules, --show and --json on whatever decoded.
 * Seeds: tests/fuzz/corpus/lldp/ (raw Ethernet frames from
 * tests/lldpname/mkcaptures.py).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostname.h"
#include "../../lldpname/cdp.h"
#include "../../lldpname/frame.h"
#include "../../lldpname/lldp.h"
#include "../../lldpname/rules.h"
#include "../../lldpname/show.h"

static const char rules_text[] = "template = n%03d\n"
				 "[leaf0[1-4]]\noffset = 48\n"
				 "[ex*]\nsource = portdesc\nindex = ([0-9]+)$\nport.ge-0/0/1 = login01\n"
				 "[*]\ntemplate = {switch}-{port}\n";

static void use(const struct lldpn_neighbor *n, const struct lldpn_rules *rules, FILE *sink)
{
	char err[1024];
	struct lldpn_naming nm;
	int rc = lldpn_rules_apply(rules, n, &nm, err, sizeof err);
	if (rc == 0 && !hostname_valid(nm.hostname))
		abort();
	lldpn_show_text(sink, "fuzz", n);
	lldpn_show_json(sink, rc ? 4 : 0, rc ? err : NULL, "fuzz", n, &nm);
	free(rc == 0 ? nm.hostname : NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct lldpn_rules *rules;
	static FILE *sink;
	char err[1024];
	if (!rules) {
		rules = lldpn_rules_parse(rules_text, strlen(rules_text), "fuzz.conf", err, sizeof err);
		sink = fopen("/dev/null", "w");
		if (!rules || !sink)
			abort();
	}
	static const int links[] = {LLDPN_LINK_ETHERNET, LLDPN_LINK_SLL, LLDPN_LINK_SLL2};
	struct lldpn_neighbor n;
	for (size_t i = 0; i < sizeof links / sizeof *links; i++) {
		err[0] = '\0';
		int rc = lldpn_frame_parse(links[i], data, size, &n, err, sizeof err);
		if (rc == LLDPN_FRAME_OK) {
			if (!n.chassis_id || !n.port_id)
				abort();
			use(&n, rules, sink);
			lldpn_neighbor_free(&n);
		} else if (rc == LLDPN_FRAME_BAD && !err[0]) {
			abort(); /* a rejected frame always says why */
		}
	}
	/* the PDU decoders straight on the bytes */
	if (lldp_parse(data, size, &n, err, sizeof err) == 0) {
		use(&n, rules, sink);
		lldpn_neighbor_free(&n);
	}
	if (cdp_parse(data, size, &n, err, sizeof err) == 0) {
		use(&n, rules, sink);
		lldpn_neighbor_free(&n);
	}
	return 0;
}
