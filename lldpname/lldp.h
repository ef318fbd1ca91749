/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lldp — IEEE 802.1AB LLDPDU decoder. Takes the bytes after the Ethernet
 * header (EtherType 0x88cc) and fills a neighbour: every basic TLV with its
 * subtypes (Chassis ID, Port ID, TTL, Port Description, System Name and
 * Description, System Capabilities, Management Address, End), the IEEE
 * 802.1 and 802.3 organisation TLVs and LLDP-MED inventory, other TLVs as
 * hex. Checks what 802.1AB requires: Chassis ID, Port ID and TTL first and
 * in that order, once each, IDs of 1-255 bytes, lengths inside the frame.
 * A malformed LLDPDU gives -1 and a message naming the TLV, its offset in
 * the LLDPDU and the problem. No I/O.
 */
#ifndef LLDPNAME_LLDP_H
#define LLDPNAME_LLDP_H

#include <stddef.h>
#include <stdint.h>

#include "neighbor.h"

#define LLDP_ETHERTYPE 0x88cc

/*
 * Decode the LLDPDU P[0..LEN). 0 with N filled (free with
 * lldpn_neighbor_free), or -1 with N empty and the reason in ERR.
 */
int lldp_parse(const uint8_t *p, size_t len, struct lldpn_neighbor *n, char *err, size_t errlen);

/* The 802.1AB name of basic TLV type T ("Chassis ID"), "reserved" for others. */
const char *lldp_tlv_name(int t);

#endif
