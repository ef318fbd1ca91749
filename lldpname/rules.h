/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rules — /etc/lldpname.conf: which hostname a switch port gives. Sections
 * are switch system names or chassis IDs (glob patterns, first match in
 * file order wins); keys before any section are defaults for every section.
 *
 *   template = node-%02d   printf-style, at most one integer conversion
 *                          (d i u x X o, flags "0" and "#", width/precision up
 *                          to 2 digits), "%%", {switch} and {port}
 *   offset   = 48          added to the index
 *   source   = portid | portdesc   which TLV holds the port name
 *   index    = REGEX       POSIX ERE; the first capture group (else the whole
 *                          match) is the index; default: the last number
 *   port.NAME = HOSTNAME   this port gets this name, template or not
 *
 * Loading validates everything and reports "FILE:LINE: problem". Applying
 * the rules to a neighbour is pure: no I/O.
 */
#ifndef LLDPNAME_RULES_H
#define LLDPNAME_RULES_H

#include <stddef.h>

#include "neighbor.h"

struct lldpn_rules;

enum lldpn_source { LLDPN_SRC_PORTID = 0, LLDPN_SRC_PORTDESC = 1 };

/* How a neighbour was named. Strings point into the rules and the neighbour. */
struct lldpn_naming {
	const char *section;   /* the matching section */
	int line;              /* its line in the file */
	const char *switch_name; /* system name, else chassis ID */
	const char *port;      /* the port name the rule used */
	enum lldpn_source source;
	long index;            /* index + offset, -1 if the template has no conversion or an override named it */
	char *hostname;        /* caller frees */
};

/* Parse config TEXT (NAME for messages). NULL with "NAME:LINE: ..." in ERR. */
struct lldpn_rules *lldpn_rules_parse(const char *text, size_t len, const char *name, char *err, size_t errlen);
/* Read and parse PATH; a missing file is an error when MUST_EXIST, else no rules. */
struct lldpn_rules *lldpn_rules_load(const char *path, int must_exist, char *err, size_t errlen);
void lldpn_rules_free(struct lldpn_rules *r);
size_t lldpn_rules_count(const struct lldpn_rules *r);

/*
 * Name neighbour N. 0 with OUT filled, or -1 when no rule gives a name, with
 * a message naming the switch and the port in ERR.
 */
int lldpn_rules_apply(const struct lldpn_rules *r, const struct lldpn_neighbor *n, struct lldpn_naming *out,
		      char *err, size_t errlen);


#endif
