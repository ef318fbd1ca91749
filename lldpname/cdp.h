/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cdp — Cisco Discovery Protocol (v1 and v2) decoder. Takes the bytes after
 * the 802.2 LLC/SNAP header (OUI 00:00:0c, PID 0x2000) and fills a
 * neighbour: Device-ID (as system name and chassis ID), Port-ID, Addresses
 * and Management Addresses, Capabilities, Software Version, Platform,
 * native VLAN, duplex, MTU, VTP domain; other TLVs as hex. A TLV whose
 * length field lies (shorter than its header, or past the end), a missing
 * or empty Device-ID or Port-ID gives -1 and a message naming the TLV and
 * its offset in the CDP PDU. The checksum is not verified (switches
 * disagree on odd lengths). No I/O.
 */
#ifndef LLDPNAME_CDP_H
#define LLDPNAME_CDP_H

#include <stddef.h>
#include <stdint.h>

#include "neighbor.h"

#define CDP_SNAP_PID 0x2000

/* Decode the CDP PDU P[0..LEN). 0 with N filled, or -1 with N empty and ERR. */
int cdp_parse(const uint8_t *p, size_t len, struct lldpn_neighbor *n, char *err, size_t errlen);

#endif
