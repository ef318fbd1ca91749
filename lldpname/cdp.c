/* SPDX-License-Identifier: BSD-3-Clause */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cdp.h"
#include "log.h"
#include "xalloc.h"

enum {
	CDP_DEVICE_ID = 0x01, CDP_ADDRESSES = 0x02, CDP_PORT_ID = 0x03, CDP_CAPABILITIES = 0x04,
	CDP_SOFTWARE = 0x05, CDP_PLATFORM = 0x06, CDP_PREFIXES = 0x07, CDP_VTP_DOMAIN = 0x09,
	CDP_NATIVE_VLAN = 0x0a, CDP_DUPLEX = 0x0b, CDP_MTU = 0x11, CDP_SYSNAME = 0x14,
	CDP_MGMT_ADDRESSES = 0x16,
};

static unsigned be16(const uint8_t *p) { return (unsigned)p[0] << 8 | p[1]; }
static unsigned be32(const uint8_t *p) { return be16(p) << 16 | be16(p + 2); }

static const char *tlv_name(unsigned type)
{
	switch (type) {
	case CDP_DEVICE_ID: return "Device-ID";
	case CDP_ADDRESSES: return "Addresses";
	case CDP_PORT_ID: return "Port-ID";
	case CDP_CAPABILITIES: return "Capabilities";
	case CDP_SOFTWARE: return "Software Version";
	case CDP_PLATFORM: return "Platform";
	case CDP_PREFIXES: return "IP Prefixes";
	case CDP_VTP_DOMAIN: return "VTP Domain";
	case CDP_NATIVE_VLAN: return "Native VLAN";
	case CDP_DUPLEX: return "Duplex";
	case CDP_MTU: return "MTU";
	case CDP_SYSNAME: return "System Name";
	case CDP_MGMT_ADDRESSES: return "Management Addresses";
	}
	return NULL;
}

/* One address of an Addresses TLV as text, appended to OUT. */
static void addr_text(char **out, unsigned ptype, const uint8_t *proto, size_t plen, const uint8_t *a,
		      size_t alen)
{
	static const uint8_t snap_ipv6[8] = {0xaa, 0xaa, 0x03, 0x00, 0x00, 0x00, 0x86, 0xdd};
	char buf[INET6_ADDRSTRLEN];
	char *one;
	if (ptype == 1 && plen == 1 && proto[0] == 0xcc && alen == 4 && inet_ntop(AF_INET, a, buf, sizeof buf))
		one = xasprintf("ipv4 %s", buf);
	else if (ptype == 2 && plen == 8 && !memcmp(proto, snap_ipv6, 8) && alen == 16 &&
		 inet_ntop(AF_INET6, a, buf, sizeof buf))
		one = xasprintf("ipv6 %s", buf);
	else {
		char *hp = lldpn_hex(proto, plen, ""), *ha = lldpn_hex(a, alen, "");
		one = xasprintf("protocol %u/0x%s 0x%s", ptype, hp, ha);
		free(hp);
		free(ha);
	}
	char *joined = *out ? xasprintf("%s, %s", *out, one) : xstrdup(one);
	free(*out);
	free(one);
	*out = joined;
}

/* Addresses: a 32-bit count, then per address protocol type/length/protocol, address length/address. */
static char *decode_addresses(const uint8_t *v, size_t len, size_t off, char *err, size_t errlen)
{
	if (len < 4) {
		lldpn_err(err, errlen, "Addresses TLV at offset %zu: %zu bytes, too short for the count", off, len);
		return NULL;
	}
	unsigned count = be32(v);
	size_t pos = 4;
	char *out = NULL;
	for (unsigned i = 0; i < count; i++) {
		if (len - pos < 2 || len - pos - 2 < (size_t)v[pos + 1] + 2) {
			free(out);
			lldpn_err(err, errlen, "Addresses TLV at offset %zu: address %u of %u runs past the TLV", off,
				  i + 1, count);
			return NULL;
		}
		unsigned ptype = v[pos];
		size_t plen = v[pos + 1];
		const uint8_t *proto = v + pos + 2;
		size_t alen = be16(v + pos + 2 + plen);
		const uint8_t *a = v + pos + 4 + plen;
		if (alen > len - pos - 4 - plen) {
			free(out);
			lldpn_err(err, errlen, "Addresses TLV at offset %zu: address %u length %zu runs past the TLV",
				  off, i + 1, alen);
			return NULL;
		}
		addr_text(&out, ptype, proto, plen, a, alen);
		pos += 4 + plen + alen;
	}
	return out ? out : xstrdup("none");
}

static char *decode_caps(const uint8_t *v, size_t len)
{
	static const char *const names[] = {"router", "trans-bridge", "source-route-bridge", "switch",
					    "host", "igmp", "repeater", "phone"};
	if (len != 4)
		return NULL;
	unsigned bits = be32(v);
	char buf[256] = "";
	size_t n = 0;
	for (unsigned i = 0; i < 8; i++)
		if (bits & (1u << i))
			n += snprintf(buf + n, sizeof buf - n, "%s%s", n ? "," : "", names[i]);
	return xstrdup(n ? buf : "none");
}

/* Value of a TLV that is not Device-ID or Port-ID; NULL with ERR set if malformed. */
static char *decode_value(unsigned type, const uint8_t *v, size_t len, size_t off, char *err, size_t errlen)
{
	char *s = NULL;
	switch (type) {
	case CDP_ADDRESSES:
	case CDP_MGMT_ADDRESSES:
		return decode_addresses(v, len, off, err, errlen);
	case CDP_CAPABILITIES:
		s = decode_caps(v, len);
		break;
	case CDP_SOFTWARE:
	case CDP_PLATFORM:
	case CDP_VTP_DOMAIN:
	case CDP_SYSNAME:
		return lldpn_printable(v, len);
	case CDP_NATIVE_VLAN:
		s = len == 2 ? xasprintf("%u", be16(v)) : NULL;
		break;
	case CDP_DUPLEX:
		s = len == 1 ? xstrdup(v[0] ? "full" : "half") : NULL;
		break;
	case CDP_MTU:
		s = len == 4 ? xasprintf("%u", be32(v)) : NULL;
		break;
	}
	if (!s) {
		char *hex = lldpn_hex(v, len, "");
		s = xasprintf("%s%s", len ? "0x" : "", hex);
		free(hex);
	}
	return s;
}

static int decode_tlv(struct lldpn_neighbor *n, unsigned type, const uint8_t *v, size_t len, size_t off,
		      char *err, size_t errlen)
{
	const char *name = tlv_name(type);
	char **id = type == CDP_DEVICE_ID ? &n->chassis_id : type == CDP_PORT_ID ? &n->port_id : NULL;
	if (id) {
		if (*id)
			return lldpn_err(err, errlen, "second %s TLV at offset %zu", name, off);
		if (len == 0)
			return lldpn_err(err, errlen, "zero-length %s at offset %zu", name, off);
		*id = lldpn_printable(v, len);
		lldpn_tlv_add(n, (int)type, name, xstrdup(*id));
		return 0;
	}
	char *value = decode_value(type, v, len, off, err, errlen);
	if (!value)
		return -1;
	if (type == CDP_SOFTWARE && !n->sys_desc)
		n->sys_desc = xstrdup(value);
	if (name) {
		lldpn_tlv_add(n, (int)type, name, value);
	} else {
		char *label = xasprintf("TLV 0x%04x", type);
		lldpn_tlv_add(n, (int)type, label, value);
		free(label);
	}
	return 0;
}

static int parse_pdu(const uint8_t *p, size_t len, struct lldpn_neighbor *n, char *err, size_t errlen)
{
	if (len < 4)
		return lldpn_err(err, errlen, "header cut short: %zu bytes", len);
	if (p[0] != 1 && p[0] != 2)
		return lldpn_err(err, errlen, "version %u, not 1 or 2", p[0]);
	n->ttl = p[1];
	lldpn_tlv_add(n, 0, "Version", xasprintf("%u", p[0]));
	lldpn_tlv_add(n, 0, "Time To Live", xasprintf("%u", p[1]));
	size_t off = 4;
	while (off < len) {
		if (len - off < 4)
			return lldpn_err(err, errlen, "TLV header at offset %zu cut short: %zu bytes left", off,
					 len - off);
		unsigned type = be16(p + off);
		size_t tlen = be16(p + off + 2);
		if (tlen < 4)
			return lldpn_err(err, errlen, "TLV type 0x%04x at offset %zu: length %zu is less than its 4-byte header",
					 type, off, tlen);
		if (tlen > len - off)
			return lldpn_err(err, errlen, "TLV type 0x%04x at offset %zu: length %zu runs past the end of the frame (%zu bytes left)",
					 type, off, tlen, len - off);
		if (decode_tlv(n, type, p + off + 4, tlen - 4, off, err, errlen) < 0)
			return -1;
		off += tlen;
	}
	if (!n->chassis_id)
		return lldpn_err(err, errlen, "no Device-ID TLV");
	if (!n->port_id)
		return lldpn_err(err, errlen, "no Port-ID TLV");
	return 0;
}

int cdp_parse(const uint8_t *p, size_t len, struct lldpn_neighbor *n, char *err, size_t errlen)
{
	lldpn_neighbor_init(n);
	n->proto = LLDPN_CDP;
	n->chassis_subtype = "device-id";
	n->port_subtype = "ifname";
	if (parse_pdu(p, len, n, err, errlen) < 0) {
		lldpn_neighbor_free(n);
		return -1;
	}
	n->sys_name = xstrdup(n->chassis_id);
	return 0;
}
