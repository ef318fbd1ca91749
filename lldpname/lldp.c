/* SPDX-License-Identifier: BSD-3-Clause */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "lldp.h"
#include "xalloc.h"

enum {
	TLV_END = 0, TLV_CHASSIS_ID, TLV_PORT_ID, TLV_TTL, TLV_PORT_DESC, TLV_SYS_NAME,
	TLV_SYS_DESC, TLV_SYS_CAPS, TLV_MGMT_ADDR, TLV_ORG = 127
};

static const char *const tlv_names[] = {
	"End of LLDPDU", "Chassis ID", "Port ID", "Time To Live", "Port Description",
	"System Name", "System Description", "System Capabilities", "Management Address",
};

static const char *const chassis_subtypes[] = {
	NULL, "chassis-component", "ifalias", "port-component", "mac", "address", "ifname", "local",
};
static const char *const port_subtypes[] = {
	NULL, "ifalias", "port-component", "mac", "address", "ifname", "agent-circuit-id", "local",
};

static const char *const cap_names[] = {
	"other", "repeater", "bridge", "wlan-ap", "router", "telephone", "docsis",
	"station", "c-vlan", "s-vlan", "tpmr",
};

const char *lldp_tlv_name(int t)
{
	if (t >= 0 && t <= TLV_MGMT_ADDR)
		return tlv_names[t];
	return t == TLV_ORG ? "Organization specific" : "reserved";
}

/* One TLV being decoded: where it is and what it holds. */
struct tlv {
	int type;
	size_t off;      /* offset of the TLV header in the LLDPDU */
	const uint8_t *v;
	size_t len;
};

/* An address with its IANA family number (1 IPv4, 2 IPv6) as text. */
static char *iana_addr(const uint8_t *p, size_t len)
{
	char buf[INET6_ADDRSTRLEN];
	if (len == 5 && p[0] == 1 && inet_ntop(AF_INET, p + 1, buf, sizeof buf))
		return xasprintf("ipv4 %s", buf);
	if (len == 17 && p[0] == 2 && inet_ntop(AF_INET6, p + 1, buf, sizeof buf))
		return xasprintf("ipv6 %s", buf);
	char *hex = lldpn_hex(p + 1, len - 1, ":");
	char *s = xasprintf("family %u %s", p[0], hex);
	free(hex);
	return s;
}

/*
 * Chassis ID and Port ID: a subtype byte and 1-255 bytes of ID. MAC_SUB and
 * ADDR_SUB are the subtypes holding a MAC and a network address.
 */
static int decode_id(const struct tlv *t, const char *const *names, int mac_sub, int addr_sub,
		     char **id, const char **subtype, char *err, size_t errlen)
{
	const char *what = lldp_tlv_name(t->type);
	if (t->len == 0)
		return lldpn_err(err, errlen, "%s TLV at offset %zu is empty (no subtype)", what, t->off);
	if (t->len == 1)
		return lldpn_err(err, errlen, "zero-length %s at offset %zu", what, t->off);
	if (t->len > 256)
		return lldpn_err(err, errlen, "%s at offset %zu is %zu bytes long, more than 255", what,
				 t->off, t->len - 1);
	int sub = t->v[0];
	const uint8_t *v = t->v + 1;
	size_t len = t->len - 1;
	*subtype = sub >= 1 && sub <= 7 ? names[sub] : "reserved";
	if (sub == mac_sub) {
		if (len != 6)
			return lldpn_err(err, errlen, "%s at offset %zu: MAC address of %zu bytes, not 6", what,
					 t->off, len);
		*id = lldpn_hex(v, len, ":");
	} else if (sub == addr_sub) {
		if (len < 2)
			return lldpn_err(err, errlen, "%s at offset %zu: network address without an address",
					 what, t->off);
		*id = iana_addr(v, len);
	} else {
		*id = lldpn_printable(v, len);
	}
	return 0;
}

static char *caps_text(unsigned bits)
{
	char buf[256] = "";
	size_t n = 0;
	for (unsigned i = 0; i < 16; i++) {
		if (!(bits & (1u << i)))
			continue;
		if (i < sizeof cap_names / sizeof *cap_names)
			n += snprintf(buf + n, sizeof buf - n, "%s%s", n ? "," : "", cap_names[i]);
		else
			n += snprintf(buf + n, sizeof buf - n, "%sbit%u", n ? "," : "", i);
	}
	return xstrdup(n ? buf : "none");
}

static char *decode_caps(const struct tlv *t, char *err, size_t errlen)
{
	if (t->len != 4) {
		lldpn_err(err, errlen, "System Capabilities TLV at offset %zu has length %zu, not 4", t->off,
			  t->len);
		return NULL;
	}
	char *sys = caps_text((unsigned)(t->v[0] << 8 | t->v[1]));
	char *en = caps_text((unsigned)(t->v[2] << 8 | t->v[3]));
	char *s = xasprintf("%s (enabled: %s)", sys, en);
	free(sys);
	free(en);
	return s;
}

/* Management Address: address string, interface numbering, OID. */
static char *decode_mgmt(const struct tlv *t, char *err, size_t errlen)
{
	const uint8_t *v = t->v;
	if (t->len < 1 || v[0] < 2 || v[0] > 32) {
		lldpn_err(err, errlen, "Management Address TLV at offset %zu: address string length %d not in 2-32",
			  t->off, t->len ? v[0] : -1);
		return NULL;
	}
	size_t alen = v[0];
	if (1 + alen + 5 + 1 > t->len) {
		lldpn_err(err, errlen, "Management Address TLV at offset %zu: address of %zu bytes does not fit in length %zu",
			  t->off, alen, t->len);
		return NULL;
	}
	const uint8_t *q = v + 1 + alen;
	size_t oidlen = q[5];
	if (1 + alen + 5 + 1 + oidlen != t->len) {
		lldpn_err(err, errlen, "Management Address TLV at offset %zu: OID length %zu disagrees with TLV length %zu",
			  t->off, oidlen, t->len);
		return NULL;
	}
	static const char *const numbering[] = {"unknown", "unknown", "ifindex", "port"};
	unsigned ifnum = (unsigned)q[1] << 24 | (unsigned)q[2] << 16 | (unsigned)q[3] << 8 | q[4];
	char *addr = iana_addr(v + 1, alen);
	char *s = xasprintf("%s, %s %u%s", addr, q[0] <= 3 ? numbering[q[0]] : "interface", ifnum,
			    oidlen ? ", with OID" : "");
	free(addr);
	return s;
}

static unsigned be16(const uint8_t *p) { return (unsigned)p[0] << 8 | p[1]; }
static unsigned be32(const uint8_t *p) { return be16(p) << 16 | be16(p + 2); }

/* Name and value of an IEEE 802.1 TLV, or NULL value when not decoded here. */
static char *org_8021(int sub, const uint8_t *v, size_t len, const char **name)
{
	switch (sub) {
	case 1:
		*name = "Port VLAN ID";
		return len == 2 ? xasprintf("%u", be16(v)) : NULL;
	case 2:
		*name = "Port and Protocol VLAN ID";
		return len == 3 ? xasprintf("%u (%s, %s)", be16(v + 1), v[0] & 2 ? "supported" : "not supported",
					    v[0] & 4 ? "enabled" : "disabled")
				: NULL;
	case 3:
		*name = "VLAN Name";
		if (len < 3 || (size_t)v[2] + 3 != len)
			return NULL;
		char *vn = lldpn_printable(v + 3, v[2]);
		char *s = xasprintf("%u %s", be16(v), vn);
		free(vn);
		return s;
	case 4:
		*name = "Protocol Identity";
		return len >= 1 && (size_t)v[0] + 1 == len ? lldpn_hex(v + 1, v[0], "") : NULL;
	case 6:
		*name = "Management VID";
		return len == 2 ? xasprintf("%u", be16(v)) : NULL;
	case 7:
		*name = "Link Aggregation";
		return len == 5 ? xasprintf("%s, %s, port %u", v[0] & 1 ? "capable" : "not capable",
					    v[0] & 2 ? "enabled" : "disabled", be32(v + 1))
				: NULL;
	}
	*name = "IEEE 802.1";
	return NULL;
}

/* Name and value of an IEEE 802.3 TLV. */
static char *org_8023(int sub, const uint8_t *v, size_t len, const char **name)
{
	switch (sub) {
	case 1:
		*name = "MAC/PHY Configuration/Status";
		return len == 5 ? xasprintf("autoneg %s/%s, advertised 0x%04x, MAU type %u",
					    v[0] & 1 ? "supported" : "unsupported",
					    v[0] & 2 ? "enabled" : "disabled", be16(v + 1), be16(v + 3))
				: NULL;
	case 2:
		*name = "Power via MDI";
		return len >= 3 ? xasprintf("support 0x%02x, pair %u, class %u", v[0], v[1], v[2]) : NULL;
	case 3:
		*name = "Link Aggregation";
		return len == 5 ? xasprintf("%s, %s, port %u", v[0] & 1 ? "capable" : "not capable",
					    v[0] & 2 ? "enabled" : "disabled", be32(v + 1))
				: NULL;
	case 4:
		*name = "Maximum Frame Size";
		return len == 2 ? xasprintf("%u", be16(v)) : NULL;
	}
	*name = "IEEE 802.3";
	return NULL;
}

/* Name and value of an LLDP-MED (TIA-1057) TLV. */
static char *org_med(int sub, const uint8_t *v, size_t len, const char **name)
{
	static const char *const inventory[] = {
		"MED Hardware Revision", "MED Firmware Revision", "MED Software Revision",
		"MED Serial Number", "MED Manufacturer", "MED Model Name", "MED Asset ID",
	};
	if (sub == 1) {
		*name = "MED Capabilities";
		return len == 3 ? xasprintf("0x%04x, device class %u", be16(v), v[2]) : NULL;
	}
	if (sub >= 5 && sub <= 11) {
		*name = inventory[sub - 5];
		return lldpn_printable(v, len);
	}
	*name = "LLDP-MED";
	return NULL;
}

static int decode_org(struct lldpn_neighbor *n, const struct tlv *t, char *err, size_t errlen)
{
	if (t->len < 4)
		return lldpn_err(err, errlen, "Organization specific TLV at offset %zu has length %zu, less than 4",
				 t->off, t->len);
	unsigned oui = (unsigned)t->v[0] << 16 | (unsigned)t->v[1] << 8 | t->v[2];
	int sub = t->v[3];
	const uint8_t *v = t->v + 4;
	size_t len = t->len - 4;
	const char *name = NULL;
	char *value = NULL;
	if (oui == 0x0080c2)
		value = org_8021(sub, v, len, &name);
	else if (oui == 0x00120f)
		value = org_8023(sub, v, len, &name);
	else if (oui == 0x0012bb)
		value = org_med(sub, v, len, &name);
	if (value) {
		lldpn_tlv_add(n, TLV_ORG, name, value);
		return 0;
	}
	/* unknown OUI or subtype, or a length this decoder does not know: show the bytes */
	char *hex = lldpn_hex(v, len, "");
	char *label = name ? xasprintf("%s subtype %d", name, sub)
			   : xasprintf("OUI %02x:%02x:%02x subtype %d", t->v[0], t->v[1], t->v[2], sub);
	lldpn_tlv_add(n, TLV_ORG, label, xasprintf("%s%s", len ? "0x" : "", hex));
	free(label);
	free(hex);
	return 0;
}

/* TLVs after the three mandatory ones. */
static int decode_optional(struct lldpn_neighbor *n, const struct tlv *t, char *err, size_t errlen)
{
	char *value = NULL;
	switch (t->type) {
	case TLV_CHASSIS_ID:
	case TLV_PORT_ID:
	case TLV_TTL:
		return lldpn_err(err, errlen, "second %s TLV at offset %zu", lldp_tlv_name(t->type), t->off);
	case TLV_PORT_DESC:
	case TLV_SYS_NAME:
	case TLV_SYS_DESC: {
		if (t->len > 255)
			return lldpn_err(err, errlen, "%s TLV at offset %zu is %zu bytes long, more than 255",
					 lldp_tlv_name(t->type), t->off, t->len);
		char **field = t->type == TLV_PORT_DESC ? &n->port_desc
			       : t->type == TLV_SYS_NAME ? &n->sys_name
							 : &n->sys_desc;
		if (*field)
			return lldpn_err(err, errlen, "second %s TLV at offset %zu", lldp_tlv_name(t->type), t->off);
		*field = lldpn_printable(t->v, t->len);
		value = xstrdup(*field);
		break;
	}
	case TLV_SYS_CAPS:
		value = decode_caps(t, err, errlen);
		break;
	case TLV_MGMT_ADDR:
		value = decode_mgmt(t, err, errlen);
		break;
	case TLV_ORG:
		return decode_org(n, t, err, errlen);
	default: {
		char *hex = lldpn_hex(t->v, t->len, "");
		value = xasprintf("%s%s", t->len ? "0x" : "", hex);
		free(hex);
		lldpn_tlv_add(n, t->type, "Reserved TLV", value);
		return 0;
	}
	}
	if (!value)
		return -1;
	lldpn_tlv_add(n, t->type, lldp_tlv_name(t->type), value);
	return 0;
}

/* The first three TLVs: Chassis ID, Port ID, TTL, in this order. */
static int decode_mandatory(struct lldpn_neighbor *n, int index, const struct tlv *t, char *err, size_t errlen)
{
	static const int want[] = {TLV_CHASSIS_ID, TLV_PORT_ID, TLV_TTL};
	if (t->type != want[index])
		return lldpn_err(err, errlen, "TLV %d at offset %zu is %s (type %d), expected the mandatory %s",
				 index + 1, t->off, lldp_tlv_name(t->type), t->type, lldp_tlv_name(want[index]));
	if (t->type == TLV_CHASSIS_ID) {
		if (decode_id(t, chassis_subtypes, 4, 5, &n->chassis_id, &n->chassis_subtype, err, errlen) < 0)
			return -1;
		lldpn_tlv_add(n, t->type, "Chassis ID", xasprintf("%s %s", n->chassis_subtype, n->chassis_id));
	} else if (t->type == TLV_PORT_ID) {
		if (decode_id(t, port_subtypes, 3, 4, &n->port_id, &n->port_subtype, err, errlen) < 0)
			return -1;
		lldpn_tlv_add(n, t->type, "Port ID", xasprintf("%s %s", n->port_subtype, n->port_id));
	} else {
		if (t->len != 2)
			return lldpn_err(err, errlen, "Time To Live TLV at offset %zu has length %zu, not 2", t->off,
					 t->len);
		n->ttl = (int)be16(t->v);
		lldpn_tlv_add(n, t->type, "Time To Live", xasprintf("%d", n->ttl));
	}
	return 0;
}

static int parse_tlvs(const uint8_t *p, size_t len, struct lldpn_neighbor *n, char *err, size_t errlen)
{
	size_t off = 0;
	int index = 0;
	while (off < len) {
		if (len - off < 2)
			return lldpn_err(err, errlen, "TLV header at offset %zu cut short: 1 byte left", off);
		struct tlv t = {.type = p[off] >> 1, .off = off, .len = (size_t)(p[off] & 1) << 8 | p[off + 1]};
		if (t.len > len - off - 2)
			return lldpn_err(err, errlen,
					 "%s TLV (type %d) at offset %zu: length %zu runs past the end of the frame (%zu bytes left)",
					 lldp_tlv_name(t.type), t.type, off, t.len, len - off - 2);
		t.v = p + off + 2;
		off += 2 + t.len;
		if (t.type == TLV_END) {
			if (t.len != 0)
				return lldpn_err(err, errlen, "End of LLDPDU TLV at offset %zu has length %zu, not 0",
						 t.off, t.len);
			break;
		}
		int rc = index < 3 ? decode_mandatory(n, index, &t, err, errlen)
				   : decode_optional(n, &t, err, errlen);
		if (rc < 0)
			return -1;
		index++;
	}
	if (index < 3) {
		static const char *const names[] = {"Chassis ID", "Port ID", "Time To Live"};
		return lldpn_err(err, errlen, "LLDPDU ends at offset %zu without the mandatory %s TLV", off,
				 names[index]);
	}
	return 0;
}

int lldp_parse(const uint8_t *p, size_t len, struct lldpn_neighbor *n, char *err, size_t errlen)
{
	lldpn_neighbor_init(n);
	n->proto = LLDPN_LLDP;
	if (parse_tlvs(p, len, n, err, errlen) < 0) {
		lldpn_neighbor_free(n);
		return -1;
	}
	return 0;
}
