/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests for lldpname's naming rules (lldpname/rules.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostname.h"
#include "../../lldpname/rules.h"
#include "log.h"
#include "xalloc.h"

static struct lldpn_rules *parse(const char *text)
{
	char err[600] = "";
	struct lldpn_rules *r = lldpn_rules_parse(text, strlen(text), "t.conf", err, sizeof err);
	if (!r)
		fail_msg("parse failed: %s", err);
	return r;
}

static void parse_fails(const char *text, const char *want)
{
	char err[600] = "";
	struct lldpn_rules *r = lldpn_rules_parse(text, strlen(text), "t.conf", err, sizeof err);
	if (r || !strstr(err, want))
		fail_msg("wanted an error with '%s', got '%s'", want, r ? "(parsed)" : err);
}

/* A neighbour: system name (or NULL), chassis ID, port ID (subtype ifname unless given), description. */
static void nb(struct lldpn_neighbor *n, const char *sys, const char *chassis, const char *port, const char *desc)
{
	lldpn_neighbor_init(n);
	n->proto = LLDPN_LLDP;
	n->sys_name = sys ? xstrdup(sys) : NULL;
	n->chassis_id = xstrdup(chassis);
	n->chassis_subtype = "mac";
	n->port_id = xstrdup(port);
	n->port_subtype = "ifname";
	n->port_desc = desc ? xstrdup(desc) : NULL;
}

/* Name with RULES the neighbour; returns the hostname or the error (static buffer). */
static const char *name_of(const char *rules, const char *sys, const char *port, const char *desc)
{
	static char result[600];
	struct lldpn_rules *r = parse(rules);
	struct lldpn_neighbor n;
	struct lldpn_naming nm;
	nb(&n, sys, "02:00:5e:10:00:01", port, desc);
	if (lldpn_rules_apply(r, &n, &nm, result, sizeof result) == 0) {
		snprintf(result, sizeof result, "%s", nm.hostname);
		free(nm.hostname);
	} else {
		memmove(result + 6, result, strlen(result) + 1 > sizeof result - 6 ? sizeof result - 6 : strlen(result) + 1);
		memcpy(result, "ERROR ", 6);
	}
	lldpn_neighbor_free(&n);
	lldpn_rules_free(r);
	return result;
}

static void test_default_index_is_last_number(void **state)
{
	(void)state;
	const char *rules = "[*]\ntemplate = node-%02d\n";
	assert_string_equal(name_of(rules, "leaf01", "Ethernet1/12", NULL), "node-12");
	assert_string_equal(name_of(rules, "leaf01", "swp12", NULL), "node-12");
	assert_string_equal(name_of(rules, "leaf01", "ge-0/0/12", NULL), "node-12");
	assert_string_equal(name_of(rules, "leaf01", "Gi1/0/12", NULL), "node-12");
	assert_string_equal(name_of(rules, "leaf01", "Ethernet12", NULL), "node-12");
	assert_string_equal(name_of(rules, "leaf01", "Ethernet5/35/1", NULL), "node-01");
	assert_string_equal(name_of(rules, "leaf01", "swp012", NULL), "node-12");
	assert_string_equal(name_of(rules, "leaf01", "swp3s", NULL), "node-03");
	assert_string_equal(name_of(rules, "leaf01", "mgmt", NULL),
			    "ERROR switch leaf01 port mgmt: no number in the port name");
}

static void test_sections_offsets_and_globs(void **state)
{
	(void)state;
	const char *rules = "template = node-%02d\n"
			    "[leaf01]\noffset = 0\n"
			    "[leaf02]\noffset = 48\n"
			    "[spine*]\ntemplate = spine-%d\n"
			    "[02:00:5e:10:00:*]\ntemplate = mac-%d\n";
	assert_string_equal(name_of(rules, "leaf01", "swp12", NULL), "node-12");
	assert_string_equal(name_of(rules, "leaf02", "swp12", NULL), "node-60");
	assert_string_equal(name_of(rules, "leaf02.example.com", "swp1", NULL), "node-49");
	assert_string_equal(name_of(rules, "spine7", "swp3", NULL), "spine-3");
	assert_string_equal(name_of(rules, NULL, "swp3", NULL), "mac-3");
	assert_string_equal(name_of(rules, "other", "swp3", NULL), "mac-3");
	/* an empty section still comes first when it comes first in the file */
	assert_string_equal(name_of("template = n%d\n[x*]\n[*]\ntemplate = other-%d\n", "x1", "swp4", NULL), "n4");
	assert_string_equal(name_of("template = n%d\n[x*]\n[*]\ntemplate = other-%d\n", "y1", "swp4", NULL), "other-4");
	assert_string_equal(name_of("[leaf01]\ntemplate = n%d\n", "leaf09", "Ethernet1/3", NULL),
			    "ERROR switch leaf09 (chassis mac 02:00:5e:10:00:01) port Ethernet1/3: no rule in t.conf matches this switch");
}

static void test_index_regex_and_template_forms(void **state)
{
	(void)state;
	assert_string_equal(name_of("[*]\ntemplate = node-%03d\nindex = ^Ethernet[0-9]+/([0-9]+)/[0-9]+$\noffset = 100\n",
				    "leaf04", "Ethernet5/35/1", NULL),
			    "node-135");
	assert_string_equal(name_of("[*]\ntemplate = n%d\nindex = ^Ethernet[0-9]+/([0-9]+)/[0-9]+$\n", "leaf04",
				    "Ethernet5/35", NULL),
			    "ERROR switch leaf04 port Ethernet5/35: index regex '^Ethernet[0-9]+/([0-9]+)/[0-9]+$' does not match");
	assert_string_equal(name_of("[*]\ntemplate = n%d\nindex = [0-9]+\n", "s", "Eth7/9", NULL), "n7");
	assert_string_equal(name_of("[*]\ntemplate = n%d\nindex = (x)\n", "s", "x1", NULL),
			    "ERROR switch s port x1: index regex '(x)' gives 'x', not a number");
	assert_string_equal(name_of("[*]\ntemplate = r1-%%-%x\n", "s", "swp31", NULL), "ERROR switch s port swp31: rule [*] (t.conf:1) makes 'r1-%-1f', not a valid hostname");
	assert_string_equal(name_of("[*]\ntemplate = r1-%x\n", "s", "swp31", NULL), "r1-1f");
	assert_string_equal(name_of("[*]\ntemplate = {switch}-{port}\n", "leaf01.example.com", "Ethernet1/12", NULL),
			    "leaf01-Ethernet1-12");
	assert_string_equal(name_of("[*]\ntemplate = {switch}-n%02d\n", NULL, "swp2", NULL), "02-00-5e-10-00-01-n02");
	assert_string_equal(name_of("[*]\ntemplate = n%d\noffset = -20\n", "s", "swp2", NULL),
			    "ERROR switch s port swp2: index 2 plus offset is negative (rule [*], t.conf:1)");
	assert_string_equal(name_of("[*]\ntemplate = n%d\n", "s", "swp9999999999", NULL),
			    "ERROR switch s port swp9999999999: index 9999999999 is too large");
}

static void test_source_and_overrides(void **state)
{
	(void)state;
	const char *rules = "[ex01]\nsource = portdesc\ntemplate = node-%02d\nport.ge-0/0/47 = login01\n";
	assert_string_equal(name_of(rules, "ex01", "517", "ge-0/0/12"), "node-12");
	assert_string_equal(name_of(rules, "ex01", "530", "ge-0/0/47"), "login01");
	assert_string_equal(name_of(rules, "ex01", "517", NULL),
			    "ERROR switch ex01 port 517: no port description was sent, and rule [ex01] (t.conf:1) uses source = portdesc");
	assert_string_equal(name_of("port.swp1 = head\n[*]\ntemplate = n%d\n", "s", "swp1", NULL), "head");
	assert_string_equal(name_of("[s]\nport.swp1 = head\n", "s", "swp2", NULL),
			    "ERROR switch s port swp2: rule [s] (t.conf:1) has no port.swp2 and no template");
}

static void test_mac_port_id_refused(void **state)
{
	(void)state;
	struct lldpn_rules *r = parse("[*]\ntemplate = n%d\n");
	struct lldpn_neighbor n;
	struct lldpn_naming nm;
	char err[600];
	nb(&n, "leaf01", "02:00:5e:10:00:01", "02:00:5e:10:00:33", NULL);
	n.port_subtype = "mac";
	assert_int_equal(lldpn_rules_apply(r, &n, &nm, err, sizeof err), -1);
	assert_non_null(strstr(err, "switch leaf01 port 02:00:5e:10:00:33: the port ID is a MAC address"));
	lldpn_neighbor_free(&n);
	lldpn_rules_free(r);
}

static void test_naming_details(void **state)
{
	(void)state;
	struct lldpn_rules *r = parse("# c\n\n[leaf02]\ntemplate = node-%02d\noffset = 48\n");
	struct lldpn_neighbor n;
	struct lldpn_naming nm;
	char err[600];
	nb(&n, "leaf02", "x", "Ethernet1/12", NULL);
	assert_int_equal(lldpn_rules_apply(r, &n, &nm, err, sizeof err), 0);
	assert_string_equal(nm.section, "leaf02");
	assert_int_equal(nm.line, 3);
	assert_string_equal(nm.port, "Ethernet1/12");
	assert_int_equal(nm.index, 60);
	assert_string_equal(nm.hostname, "node-60");
	assert_int_equal(lldpn_rules_count(r), 1);
	free(nm.hostname);
	lldpn_neighbor_free(&n);
	lldpn_rules_free(r);
}

static void test_bad_config(void **state)
{
	(void)state;
	parse_fails("[a]\ntemplate = node-%s\n", "t.conf:2: template 'node-%s': '%s' is not allowed");
	parse_fails("[a]\ntemplate = node-%n\n", "t.conf:2: template 'node-%n': '%n' is not allowed");
	parse_fails("[a]\ntemplate = node-%ld\n", "'%l' is not allowed");
	parse_fails("[a]\ntemplate = node-%*d\n", "'%*' is not allowed");
	parse_fails("[a]\ntemplate = node-%d-%d\n", "t.conf:2: template 'node-%d-%d' has more than one integer conversion");
	parse_fails("[a]\ntemplate = node-%100d\n", "width of more than 2 digits");
	parse_fails("[a]\ntemplate = node-%.100d\n", "precision of more than 2 digits");
	parse_fails("[a]\ntemplate = node\n", "neither an integer conversion nor {port}");
	parse_fails("[a]\ntemplate = node-%\n", "'%' is not allowed");
	parse_fails("\n[a]\ntemplate = n%d\noffset = x\n", "t.conf:4: offset 'x' is not an integer");
	parse_fails("[a]\ntemplate = n%d\nsource = chassis\n", "t.conf:3: source 'chassis': expected portid or portdesc");
	parse_fails("[a]\ntemplate = n%d\nindex = (\n", "t.conf:3: index '(':");
	parse_fails("[a]\ntemplate = n%d\nport.swp1 = bad_name\n", "t.conf:3: 'bad_name' is not a valid hostname");
	parse_fails("[a]\ntemplat = n%d\n", "t.conf:2: unknown key 'templat'");
	parse_fails("[a]\n[b]\ntemplate = n%d\n", "t.conf:1: section [a] has no template and no port.NAME");
	parse_fails("[a\n", "t.conf:1");
	struct lldpn_rules *r = parse("template = n%d\n[a]\n[b]\n");
	assert_int_equal(lldpn_rules_count(r), 2);
	lldpn_rules_free(r);
}

static void test_hostname_valid(void **state)
{
	(void)state;
	assert_true(hostname_valid("node-01"));
	assert_true(hostname_valid("n1.cluster"));
	assert_false(hostname_valid(""));
	assert_false(hostname_valid("-node"));
	assert_false(hostname_valid("node-"));
	assert_false(hostname_valid("no de"));
	assert_false(hostname_valid("a..b"));
	assert_false(hostname_valid("a/b"));
	char longname[70];
	memset(longname, 'a', 65);
	longname[65] = '\0';
	assert_false(hostname_valid(longname));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_index_is_last_number),
		cmocka_unit_test(test_sections_offsets_and_globs),
		cmocka_unit_test(test_index_regex_and_template_forms),
		cmocka_unit_test(test_source_and_overrides),
		cmocka_unit_test(test_mac_port_id_refused),
		cmocka_unit_test(test_naming_details),
		cmocka_unit_test(test_bad_config),
		cmocka_unit_test(test_hostname_valid),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
