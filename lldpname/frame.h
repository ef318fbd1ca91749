/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * frame — from a captured link-layer frame to a neighbour. Strips the
 * Ethernet (or Linux cooked SLL/SLL2) header and up to two VLAN tags, then
 * hands LLDP (EtherType 0x88cc) to lldp_parse and CDP (802.3 length, LLC
 * SNAP aa:aa:03, OUI 00:00:0c, PID 0x2000) to cdp_parse. An 802.3 length
 * field longer than the frame is an error; Ethernet padding after it is
 * ignored. No I/O.
 */
#ifndef LLDPNAME_FRAME_H
#define LLDPNAME_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "neighbor.h"

/* Link types (pcap DLT_/LINKTYPE_ numbers). */
#define LLDPN_LINK_ETHERNET 1
#define LLDPN_LINK_SLL 113
#define LLDPN_LINK_SLL2 276

enum { LLDPN_FRAME_BAD = -1, LLDPN_FRAME_OK = 0, LLDPN_FRAME_OTHER = 1 };

/*
 * Decode frame P[0..LEN) of link type LINK. LLDPN_FRAME_OK with N filled,
 * LLDPN_FRAME_OTHER (not LLDP or CDP; N empty) or LLDPN_FRAME_BAD with N
 * empty and the reason in ERR ("LLDP: ..." or "CDP: ...").
 */
int lldpn_frame_parse(int link, const uint8_t *p, size_t len, struct lldpn_neighbor *n, char *err, size_t errlen);

#endif
