/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests for lldpname's frame decoders: lldpname/lldp.c, cdp.c, frame.c. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../lldpname/cdp.h"
#include "../../lldpname/frame.h"
#include "../../lldpname/lldp.h"

/* A frame under construction. */
struct buf {
	uint8_t b[1600];
	size_t n;
};

static void put(struct buf *f, const void *p, size_t n)
{
	memcpy(f->b + f->n, p, n);
	f->n += n;
}

static void put_tlv(struct buf *f, int type, const void *v, size_t len)
{
	uint8_t h[2] = {(uint8_t)(type << 1 | (len >> 8)), (uint8_t)len};
	put(f, h, 2);
	put(f, v, len);
}

static void put_str(struct buf *f, int type, const char *s) { put_tlv(f, type, s, strlen(s)); }

static void eth(struct buf *f, unsigned type)
{
	static const uint8_t hdr[12] = {0x01, 0x80, 0xc2, 0, 0, 0x0e, 0x02, 0, 0x5e, 0x10, 0, 0x01};
	f->n = 0;
	put(f, hdr, 12);
	uint8_t t[2] = {(uint8_t)(type >> 8), (uint8_t)type};
	put(f, t, 2);
}

static void mandatory(struct buf *f, const char *port)
{
	static const uint8_t chassis[7] = {4, 0x02, 0, 0x5e, 0x10, 0, 0x01};
	put_tlv(f, 1, chassis, 7);
	uint8_t p[64] = {5};
	memcpy(p + 1, port, strlen(port));
	put_tlv(f, 2, p, strlen(port) + 1);
	put_tlv(f, 3, "\x00\x78", 2);
}

static void full_lldp(struct buf *f)
{
	eth(f, 0x88cc);
	mandatory(f, "Ethernet1/12");
	put_str(f, 4, "to compute");
	put_str(f, 5, "leaf02");
	put_str(f, 6, "NX-OS");
	put_tlv(f, 7, "\x00\x14\x00\x04", 4);
	put_tlv(f, 8, "\x05\x01\xc0\x00\x02\x0c\x02\x00\x00\x00\x25\x00", 12);
	put_tlv(f, 127, "\x00\x80\xc2\x01\x00\x64", 6);
	put_tlv(f, 127, "\x00\x80\xc2\x03\x00\x64\x07" "compute", 14);
	put_tlv(f, 127, "\x00\x12\x0f\x01\x03\x6c\x01\x00\x1e", 9);
	put_tlv(f, 127, "\x00\x12\x0f\x04\x24\x00", 6);
	put_tlv(f, 127, "\x00\x12\xbb\x0b" "A1", 6);
	put_tlv(f, 127, "\xaa\xbb\xcc\x09\x01", 5);
	put_tlv(f, 42, "\x01", 1);
	put_tlv(f, 0, "", 0);
}

static const char *tlv_value(const struct lldpn_neighbor *n, const char *name)
{
	for (size_t i = 0; i < n->ntlvs; i++)
		if (!strcmp(n->tlvs[i].name, name))
			return n->tlvs[i].value;
	return NULL;
}

static void test_lldp_full(void **state)
{
	(void)state;
	struct buf f;
	struct lldpn_neighbor n;
	char err[400];
	full_lldp(&f);
	assert_int_equal(lldpn_frame_parse(LLDPN_LINK_ETHERNET, f.b, f.n, &n, err, sizeof err), LLDPN_FRAME_OK);
	assert_int_equal(n.proto, LLDPN_LLDP);
	assert_string_equal(n.src_mac, "02:00:5e:10:00:01");
	assert_string_equal(n.chassis_id, "02:00:5e:10:00:01");
	assert_string_equal(n.chassis_subtype, "mac");
	assert_string_equal(n.port_id, "Ethernet1/12");
	assert_string_equal(n.port_subtype, "ifname");
	assert_string_equal(n.port_desc, "to compute");
	assert_string_equal(n.sys_name, "leaf02");
	assert_string_equal(n.sys_desc, "NX-OS");
	assert_int_equal(n.ttl, 120);
	assert_string_equal(tlv_value(&n, "System Capabilities"), "bridge,router (enabled: bridge)");
	assert_string_equal(tlv_value(&n, "Management Address"), "ipv4 192.0.2.12, ifindex 37");
	assert_string_equal(tlv_value(&n, "Port VLAN ID"), "100");
	assert_string_equal(tlv_value(&n, "VLAN Name"), "100 compute");
	assert_string_equal(tlv_value(&n, "MAC/PHY Configuration/Status"),
			    "autoneg supported/enabled, advertised 0x6c01, MAU type 30");
	assert_string_equal(tlv_value(&n, "Maximum Frame Size"), "9216");
	assert_string_equal(tlv_value(&n, "MED Asset ID"), "A1");
	assert_string_equal(tlv_value(&n, "OUI aa:bb:cc subtype 9"), "0x01");
	assert_string_equal(tlv_value(&n, "Reserved TLV"), "0x01");
	lldpn_neighbor_free(&n);
}

/* Every prefix of a good frame decodes or fails cleanly (ASan watches). */
static void test_lldp_truncated(void **state)
{
	(void)state;
	struct buf f;
	struct lldpn_neighbor n;
	char err[400];
	full_lldp(&f);
	for (size_t len = 0; len < f.n; len++) {
		uint8_t *copy = malloc(len ? len : 1);
		memcpy(copy, f.b, len);
		int rc = lldpn_frame_parse(LLDPN_LINK_ETHERNET, copy, len, &n, err, sizeof err);
		if (rc == LLDPN_FRAME_OK)
			lldpn_neighbor_free(&n);
		assert_true(rc == LLDPN_FRAME_OK || rc == LLDPN_FRAME_BAD);
		free(copy);
	}
}

static void expect_bad(struct buf *f, const char *want)
{
	struct lldpn_neighbor n;
	char err[400] = "";
	int rc = lldpn_frame_parse(LLDPN_LINK_ETHERNET, f->b, f->n, &n, err, sizeof err);
	if (rc != LLDPN_FRAME_BAD || !strstr(err, want))
		fail_msg("wanted an error with '%s', got rc %d '%s'", want, rc, err);
	assert_null(n.tlvs);
}

static void test_lldp_malformed(void **state)
{
	(void)state;
	struct buf f;
	static const uint8_t chassis[7] = {4, 0x02, 0, 0x5e, 0x10, 0, 0x01};

	eth(&f, 0x88cc);
	mandatory(&f, "swp1");
	put(&f, "\x08\xc8" "abc", 5); /* Port Description, length 200 */
	expect_bad(&f, "LLDP: Port Description TLV (type 4) at offset 20: length 200 runs past the end of the frame (3 bytes left)");

	eth(&f, 0x88cc);
	put_tlv(&f, 1, chassis, 7);
	put_tlv(&f, 3, "\x00\x78", 2);
	expect_bad(&f, "TLV 2 at offset 9 is Time To Live (type 3), expected the mandatory Port ID");

	eth(&f, 0x88cc);
	put_tlv(&f, 2, "\x05swp1", 5);
	expect_bad(&f, "TLV 1 at offset 0 is Port ID (type 2), expected the mandatory Chassis ID");

	eth(&f, 0x88cc);
	put_tlv(&f, 1, "\x07", 1);
	expect_bad(&f, "zero-length Chassis ID at offset 0");

	eth(&f, 0x88cc);
	put_tlv(&f, 1, "", 0);
	expect_bad(&f, "Chassis ID TLV at offset 0 is empty");

	eth(&f, 0x88cc);
	put_tlv(&f, 1, chassis, 7);
	put_tlv(&f, 2, "\x05swp1", 5);
	put_tlv(&f, 0, "", 0);
	expect_bad(&f, "LLDPDU ends at offset 18 without the mandatory Time To Live TLV");

	eth(&f, 0x88cc);
	put_tlv(&f, 1, "\x04\x01\x02\x03", 4);
	expect_bad(&f, "MAC address of 3 bytes, not 6");

	eth(&f, 0x88cc);
	mandatory(&f, "swp1");
	put_tlv(&f, 1, chassis, 7);
	expect_bad(&f, "second Chassis ID TLV");

	eth(&f, 0x88cc);
	mandatory(&f, "swp1");
	put_str(&f, 5, "a");
	put_str(&f, 5, "b");
	expect_bad(&f, "second System Name TLV");

	eth(&f, 0x88cc);
	mandatory(&f, "swp1");
	put_tlv(&f, 3, "\x00", 1);
	expect_bad(&f, "second Time To Live");

	eth(&f, 0x88cc);
	put_tlv(&f, 1, chassis, 7);
	put_tlv(&f, 2, "\x05swp1", 5);
	put_tlv(&f, 3, "\x00", 1);
	expect_bad(&f, "Time To Live TLV at offset 16 has length 1, not 2");

	eth(&f, 0x88cc);
	mandatory(&f, "swp1");
	put_tlv(&f, 8, "\x05\x01\xc0\x00\x02\x0c\x02\x00\x00\x00\x25\x05", 12);
	expect_bad(&f, "OID length 5 disagrees with TLV length 12");

	eth(&f, 0x88cc);
	mandatory(&f, "swp1");
	put_tlv(&f, 7, "\x00\x14", 2);
	expect_bad(&f, "System Capabilities TLV at offset 20 has length 2, not 4");

	eth(&f, 0x88cc);
	mandatory(&f, "swp1");
	put_tlv(&f, 127, "\x00\x80", 2);
	expect_bad(&f, "Organization specific TLV at offset 20 has length 2, less than 4");

	eth(&f, 0x88cc);
	mandatory(&f, "swp1");
	put_tlv(&f, 0, "x", 1);
	expect_bad(&f, "End of LLDPDU TLV at offset 20 has length 1, not 0");

	eth(&f, 0x88cc);
	mandatory(&f, "swp1");
	put(&f, "\x08", 1);
	expect_bad(&f, "TLV header at offset 20 cut short");
}

static void test_lldp_strings_printable(void **state)
{
	(void)state;
	struct buf f;
	struct lldpn_neighbor n;
	char err[400];
	eth(&f, 0x88cc);
	mandatory(&f, "swp1");
	put_tlv(&f, 5, "le\0af\\\n\xff", 8);
	assert_int_equal(lldpn_frame_parse(LLDPN_LINK_ETHERNET, f.b, f.n, &n, err, sizeof err), LLDPN_FRAME_OK);
	assert_string_equal(n.sys_name, "le\\x00af\\\\\\x0a\\xff");
	lldpn_neighbor_free(&n);
}

static void test_lldp_address_ids(void **state)
{
	(void)state;
	struct buf f;
	struct lldpn_neighbor n;
	char err[400];
	eth(&f, 0x88cc);
	put_tlv(&f, 1, "\x05\x01\xc0\x00\x02\x01", 6);
	put_tlv(&f, 2, "\x03\x02\x00\x00\x00\x00\x07", 7);
	put_tlv(&f, 3, "\x00\x00", 2);
	assert_int_equal(lldpn_frame_parse(LLDPN_LINK_ETHERNET, f.b, f.n, &n, err, sizeof err), LLDPN_FRAME_OK);
	assert_string_equal(n.chassis_id, "ipv4 192.0.2.1");
	assert_string_equal(n.chassis_subtype, "address");
	assert_string_equal(n.port_id, "02:00:00:00:00:07");
	assert_string_equal(n.port_subtype, "mac");
	assert_int_equal(n.ttl, 0);
	lldpn_neighbor_free(&n);
}

static void test_frame_vlan_and_cooked(void **state)
{
	(void)state;
	struct buf f, g;
	struct lldpn_neighbor n;
	char err[400];
	/* 802.1Q tag before the LLDP EtherType */
	eth(&f, 0x8100);
	put(&f, "\x00\x64\x88\xcc", 4);
	mandatory(&f, "swp3");
	assert_int_equal(lldpn_frame_parse(LLDPN_LINK_ETHERNET, f.b, f.n, &n, err, sizeof err), LLDPN_FRAME_OK);
	assert_string_equal(n.port_id, "swp3");
	lldpn_neighbor_free(&n);
	/* Linux cooked (tcpdump -i any) */
	g.n = 0;
	put(&g, "\x00\x00\x00\x01\x00\x06\x02\x00\x5e\x10\x00\x09\x00\x00\x88\xcc", 16);
	mandatory(&g, "swp4");
	assert_int_equal(lldpn_frame_parse(LLDPN_LINK_SLL, g.b, g.n, &n, err, sizeof err), LLDPN_FRAME_OK);
	assert_string_equal(n.port_id, "swp4");
	assert_string_equal(n.src_mac, "02:00:5e:10:00:09");
	lldpn_neighbor_free(&n);
	/* not LLDP, not CDP */
	eth(&f, 0x0800);
	put(&f, "\x45\x00", 2);
	assert_int_equal(lldpn_frame_parse(LLDPN_LINK_ETHERNET, f.b, f.n, &n, err, sizeof err), LLDPN_FRAME_OTHER);
	/* an 802.3 frame that is not CDP (STP) with a lying length: not ours */
	eth(&f, 200);
	put(&f, "\x42\x42\x03\x00", 4);
	assert_int_equal(lldpn_frame_parse(LLDPN_LINK_ETHERNET, f.b, f.n, &n, err, sizeof err), LLDPN_FRAME_OTHER);
	assert_int_equal(lldpn_frame_parse(999, f.b, f.n, &n, err, sizeof err), LLDPN_FRAME_OTHER);
}

/* A CDP frame: 802.3 length, SNAP, header, TLVs. */
static void cdp_start(struct buf *f)
{
	static const uint8_t hdr[12] = {0x01, 0x00, 0x0c, 0xcc, 0xcc, 0xcc, 0x02, 0, 0x5e, 0x10, 0, 0x07};
	f->n = 0;
	put(f, hdr, 12);
	put(f, "\x00\x00\xaa\xaa\x03\x00\x00\x0c\x20\x00\x02\xb4\x00\x00", 14);
}

static void cdp_tlv(struct buf *f, unsigned type, const void *v, size_t len)
{
	uint8_t h[4] = {(uint8_t)(type >> 8), (uint8_t)type, (uint8_t)((len + 4) >> 8), (uint8_t)(len + 4)};
	put(f, h, 4);
	put(f, v, len);
}

static void cdp_end(struct buf *f, int lie)
{
	size_t len = f->n - 14 + (size_t)lie;
	f->b[12] = (uint8_t)(len >> 8);
	f->b[13] = (uint8_t)len;
}

static void test_cdp(void **state)
{
	(void)state;
	struct buf f;
	struct lldpn_neighbor n;
	char err[400];
	cdp_start(&f);
	cdp_tlv(&f, 1, "access07", 8);
	cdp_tlv(&f, 2, "\x00\x00\x00\x02\x01\x01\xcc\x00\x04\xc0\x00\x02\x11"
		       "\x02\x08\xaa\xaa\x03\x00\x00\x00\x86\xdd\x00\x10\x20\x01\x0d\xb8\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01",
		41);
	cdp_tlv(&f, 3, "GigabitEthernet1/0/7", 20);
	cdp_tlv(&f, 4, "\x00\x00\x00\x28", 4);
	cdp_tlv(&f, 6, "cisco WS-C3850-48T", 18);
	cdp_tlv(&f, 0x0a, "\x00\x64", 2);
	cdp_tlv(&f, 0x0b, "\x01", 1);
	cdp_tlv(&f, 0x11, "\x00\x00\x05\xdc", 4);
	cdp_tlv(&f, 0x1234, "\xab", 1);
	cdp_end(&f, 0);
	put(&f, "\0\0\0\0", 4); /* Ethernet padding after the 802.3 length */
	assert_int_equal(lldpn_frame_parse(LLDPN_LINK_ETHERNET, f.b, f.n, &n, err, sizeof err), LLDPN_FRAME_OK);
	assert_int_equal(n.proto, LLDPN_CDP);
	assert_string_equal(n.sys_name, "access07");
	assert_string_equal(n.chassis_id, "access07");
	assert_string_equal(n.port_id, "GigabitEthernet1/0/7");
	assert_null(n.port_desc);
	assert_int_equal(n.ttl, 180);
	assert_string_equal(tlv_value(&n, "Addresses"), "ipv4 192.0.2.17, ipv6 2001:db8::1");
	assert_string_equal(tlv_value(&n, "Capabilities"), "switch,igmp");
	assert_string_equal(tlv_value(&n, "Platform"), "cisco WS-C3850-48T");
	assert_string_equal(tlv_value(&n, "Native VLAN"), "100");
	assert_string_equal(tlv_value(&n, "Duplex"), "full");
	assert_string_equal(tlv_value(&n, "MTU"), "1500");
	assert_string_equal(tlv_value(&n, "TLV 0x1234"), "0xab");
	lldpn_neighbor_free(&n);
}


static void test_cdp_malformed(void **state)
{
	(void)state;
	struct buf f;
	cdp_start(&f);
	cdp_tlv(&f, 1, "sw", 2);
	put(&f, "\x00\x03\x01\x90" "Gi1", 7);
	cdp_end(&f, 0);
	expect_bad(&f, "CDP: TLV type 0x0003 at offset 10: length 400 runs past the end of the frame (7 bytes left)");

	cdp_start(&f);
	cdp_tlv(&f, 1, "sw", 2);
	put(&f, "\x00\x03\x00\x02", 4);
	cdp_end(&f, 0);
	expect_bad(&f, "length 2 is less than its 4-byte header");

	cdp_start(&f);
	cdp_tlv(&f, 1, "sw", 2);
	cdp_tlv(&f, 3, "Gi1", 3);
	cdp_end(&f, 100);
	expect_bad(&f, "CDP: 802.3 length field says");

	cdp_start(&f);
	cdp_tlv(&f, 3, "Gi1", 3);
	cdp_end(&f, 0);
	expect_bad(&f, "no Device-ID TLV");

	cdp_start(&f);
	cdp_tlv(&f, 1, "sw", 2);
	cdp_end(&f, 0);
	expect_bad(&f, "no Port-ID TLV");

	cdp_start(&f);
	cdp_tlv(&f, 1, "", 0);
	cdp_end(&f, 0);
	expect_bad(&f, "zero-length Device-ID at offset 4");

	cdp_start(&f);
	cdp_tlv(&f, 1, "sw", 2);
	cdp_tlv(&f, 2, "\x00\x00\x00\x05\x01\x01\xcc\x00\x04\xc0", 10);
	cdp_end(&f, 0);
	expect_bad(&f, "Addresses TLV at offset 10: address 1 length 4 runs past the TLV");

	cdp_start(&f);
	cdp_tlv(&f, 1, "sw", 2);
	cdp_tlv(&f, 2, "\x00\x00\x00\x02\x01\x01\xcc\x00\x01\xc0", 10);
	cdp_end(&f, 0);
	expect_bad(&f, "address 2 of 2 runs past the TLV");

	cdp_start(&f);
	f.b[22] = 3; /* version */
	cdp_tlv(&f, 1, "sw", 2);
	cdp_end(&f, 0);
	expect_bad(&f, "CDP: version 3, not 1 or 2");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lldp_full),
		cmocka_unit_test(test_lldp_truncated),
		cmocka_unit_test(test_lldp_malformed),
		cmocka_unit_test(test_lldp_strings_printable),
		cmocka_unit_test(test_lldp_address_ids),
		cmocka_unit_test(test_frame_vlan_and_cooked),
		cmocka_unit_test(test_cdp),
		cmocka_unit_test(test_cdp_malformed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
