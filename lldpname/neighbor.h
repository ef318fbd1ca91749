/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * neighbor — what one LLDP or CDP frame said about the switch port at the
 * other end of the cable. The parsers (lldp.c, cdp.c) fill the fields the
 * naming rules need (system name, chassis ID, port ID, port description)
 * and, for --show and --json, every TLV of the frame decoded to a name and
 * a printable value, in frame order. Strings from the wire are kept
 * printable: bytes outside printable ASCII appear as \xHH. No I/O.
 */
#ifndef LLDPNAME_NEIGHBOR_H
#define LLDPNAME_NEIGHBOR_H

#include <stddef.h>
#include <stdint.h>

enum lldpn_proto { LLDPN_LLDP = 1, LLDPN_CDP = 2 };

/* One TLV as received: its type, a name for people and a printable value. */
struct lldpn_tlv {
	int type;     /* LLDP: 0-127, CDP: 0-65535 */
	char *name;   /* "Chassis ID", "Port VLAN ID", "Platform", ... */
	char *value;  /* decoded, printable */
};

struct lldpn_neighbor {
	enum lldpn_proto proto;
	char src_mac[18];            /* sender's MAC address, "" if unknown */
	char *chassis_id;            /* printable; CDP: the Device-ID */
	const char *chassis_subtype; /* "mac", "ifname", "local", ...; CDP "device-id" */
	char *port_id;
	const char *port_subtype;    /* "ifname", "local", "mac", ...; CDP "ifname" */
	char *port_desc;             /* NULL if not sent */
	char *sys_name;              /* NULL if not sent; CDP: the Device-ID */
	char *sys_desc;              /* CDP: software version */
	int ttl;                     /* seconds */
	struct lldpn_tlv *tlvs;
	size_t ntlvs;
};

void lldpn_neighbor_init(struct lldpn_neighbor *n);
void lldpn_neighbor_free(struct lldpn_neighbor *n);

/* Append a TLV; VALUE is taken over (freed with the neighbour). */
void lldpn_tlv_add(struct lldpn_neighbor *n, int type, const char *name, char *value);

/* P[0..LEN) as a printable string: printable ASCII kept, '\\' and others as \\ and \xHH. */
char *lldpn_printable(const uint8_t *p, size_t len);
/* P[0..LEN) as hex bytes separated by SEP ("" for none): "52:54:00:12:34:56". */
char *lldpn_hex(const uint8_t *p, size_t len, const char *sep);

/* Bounded error message helper used by the parsers: always returns -1. */
int lldpn_err(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
