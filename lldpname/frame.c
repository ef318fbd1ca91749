/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdio.h>
#include <string.h>

#include "cdp.h"
#include "frame.h"
#include "lldp.h"

static unsigned be16(const uint8_t *p) { return (unsigned)p[0] << 8 | p[1]; }

/* What the link header says: the protocol, or an 802.3 length/LLC payload. */
struct payload {
	unsigned ethertype;   /* 0 for an LLC payload */
	const uint8_t *p;
	size_t len;
	const uint8_t *src;   /* source MAC or NULL */
};

static const uint8_t cdp_snap[8] = {0xaa, 0xaa, 0x03, 0x00, 0x00, 0x0c, 0x20, 0x00};

static int is_cdp(const uint8_t *p, size_t len)
{
	return len >= 8 && !memcmp(p, cdp_snap, 8);
}

static int dispatch(const struct payload *pl, struct lldpn_neighbor *n, char *err, size_t errlen)
{
	char why[400];
	int rc;
	if (pl->ethertype == LLDP_ETHERTYPE) {
		rc = lldp_parse(pl->p, pl->len, n, why, sizeof why);
		if (rc < 0)
			snprintf(err, errlen, "LLDP: %s", why);
	} else if (pl->ethertype == 0 && is_cdp(pl->p, pl->len)) {
		rc = cdp_parse(pl->p + 8, pl->len - 8, n, why, sizeof why);
		if (rc < 0)
			snprintf(err, errlen, "CDP: %s", why);
	} else {
		return LLDPN_FRAME_OTHER;
	}
	if (rc < 0)
		return LLDPN_FRAME_BAD;
	if (pl->src)
		snprintf(n->src_mac, sizeof n->src_mac, "%02x:%02x:%02x:%02x:%02x:%02x", pl->src[0], pl->src[1],
			 pl->src[2], pl->src[3], pl->src[4], pl->src[5]);
	return LLDPN_FRAME_OK;
}

static int ethernet(const uint8_t *p, size_t len, struct payload *pl, char *err, size_t errlen)
{
	if (len < 14)
		return snprintf(err, errlen, "Ethernet header cut short: %zu bytes", len), LLDPN_FRAME_BAD;
	pl->src = p + 6;
	size_t off = 12;
	unsigned type = be16(p + off);
	for (int tags = 0; (type == 0x8100 || type == 0x88a8) && tags < 2; tags++) {
		if (len - off < 6)
			return snprintf(err, errlen, "VLAN tag cut short"), LLDPN_FRAME_BAD;
		off += 4;
		type = be16(p + off);
	}
	off += 2;
	pl->p = p + off;
	pl->len = len - off;
	if (type <= 1500) {
		if (type > pl->len && !is_cdp(pl->p, pl->len))
			return LLDPN_FRAME_OTHER;
		if (type > pl->len)
			return snprintf(err, errlen, "CDP: 802.3 length field says %u bytes but the frame holds %zu",
					type, pl->len),
			       LLDPN_FRAME_BAD;
		pl->len = type;
		pl->ethertype = 0;
	} else {
		pl->ethertype = type;
	}
	return LLDPN_FRAME_OK;
}

/* Linux cooked headers: SLL (16 bytes, protocol last) and SLL2 (20 bytes, protocol first). */
static int cooked(int link, const uint8_t *p, size_t len, struct payload *pl, char *err, size_t errlen)
{
	size_t hdr = link == LLDPN_LINK_SLL ? 16 : 20;
	if (len < hdr)
		return snprintf(err, errlen, "cooked header cut short: %zu bytes", len), LLDPN_FRAME_BAD;
	unsigned proto = be16(link == LLDPN_LINK_SLL ? p + 14 : p);
	unsigned alen = link == LLDPN_LINK_SLL ? be16(p + 4) : p[11];
	pl->src = alen == 6 ? (link == LLDPN_LINK_SLL ? p + 6 : p + 12) : NULL;
	pl->p = p + hdr;
	pl->len = len - hdr;
	pl->ethertype = proto == 0x0004 ? 0 : proto; /* ETH_P_802_2: LLC follows */
	return LLDPN_FRAME_OK;
}

int lldpn_frame_parse(int link, const uint8_t *p, size_t len, struct lldpn_neighbor *n, char *err, size_t errlen)
{
	struct payload pl = {0};
	int rc;
	lldpn_neighbor_init(n);
	if (link == LLDPN_LINK_ETHERNET)
		rc = ethernet(p, len, &pl, err, errlen);
	else if (link == LLDPN_LINK_SLL || link == LLDPN_LINK_SLL2)
		rc = cooked(link, p, len, &pl, err, errlen);
	else
		return LLDPN_FRAME_OTHER;
	if (rc != LLDPN_FRAME_OK)
		return rc;
	return dispatch(&pl, n, err, errlen);
}
