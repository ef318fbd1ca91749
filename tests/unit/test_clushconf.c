/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clushconf.h"
#include "clushyaml.h"

/* ConfigParser's rules: ':' or '=', keys folded, '#' inside a value kept, indented continuation lines. */
static void test_configparser_rules(void **state)
{
	(void)state;
	char err[256];
	const char text[] = "# comment\n; another\n[Main]\nDefault = sp\n\n[slurmstate,st]\n"
			    "map: sinfo -h -o \"%N\" -t $GROUP\nlist: sinfo -h -o \"%T\" | tr -d '*~#!%$@+^-'\n"
			    "all: a\n  b\ncache_time: 60\n[Main]\nautodir: x\n";
	struct clushconf *c = clushconf_parse(text, "g.conf", err, sizeof err);
	assert_non_null(c);
	assert_int_equal(c->n, 2);
	const struct clushconf_section *m = clushconf_section(c, "Main");
	assert_string_equal(clushconf_get(m, "default"), "sp");
	assert_string_equal(clushconf_get(m, "autodir"), "x");
	const struct clushconf_section *s = clushconf_section(c, "slurmstate,st");
	assert_int_equal(s->line, 6);
	assert_string_equal(clushconf_get(s, "list"), "sinfo -h -o \"%T\" | tr -d '*~#!%$@+^-'");
	assert_string_equal(clushconf_get(s, "all"), "a\nb");
	assert_null(clushconf_get(s, "reverse"));
	clushconf_free(c);
	assert_null(clushconf_parse("map: x\n", "g.conf", err, sizeof err));
	assert_string_equal(err, "g.conf:1: a line before any [section] 'map: x'");
	assert_null(clushconf_parse("[a]\nnothing here\n", "g.conf", err, sizeof err));
	assert_string_equal(err, "g.conf:2: expected 'key: value' 'nothing here'");
}

static void test_split(void **state)
{
	(void)state;
	char err[256], **v;
	size_t n;
	assert_int_equal(clushconf_split("/etc/clustershell/groups.d $CFGDIR/groups.d '${CFGDIR}/a b'", "/c", &v, &n,
					 err, sizeof err), 0);
	assert_int_equal(n, 3);
	assert_string_equal(v[0], "/etc/clustershell/groups.d");
	assert_string_equal(v[1], "/c/groups.d");
	assert_string_equal(v[2], "/c/a b");
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
	assert_int_equal(clushconf_split("a 'b", "/c", &v, &n, err, sizeof err), -1);
	assert_string_equal(err, "unclosed quote in 'a 'b'");
}

struct seen {
	char text[256];
};

static void collect(void *arg, const char *source, const char *group, const char *nodes, int line)
{
	struct seen *s = arg;
	size_t len = strlen(s->text);
	snprintf(s->text + len, sizeof s->text - len, "%s:%s=%s@%d;", source, group, nodes, line);
}

static void test_yaml(void **state)
{
	(void)state;
	char err[256];
	struct seen s = {{0}};
	const char y[] = "racks:\n  r1: 'n[1-4]'\n  r2:\n    - n5\n    - 'n6,n7'\nroles:\n  adm: n0\n";
	assert_int_equal(clushyaml_parse(y, strlen(y), "a.yaml", collect, &s, err, sizeof err), 0);
	assert_string_equal(s.text, "racks:r1=n[1-4]@2;racks:r2=n5,n6,n7@4;roles:adm=n0@7;");
	const char bad[] = "racks:\n  r1:\n    x: y\n";
	assert_int_equal(clushyaml_parse(bad, strlen(bad), "b.yaml", collect, &s, err, sizeof err), -1);
	assert_string_equal(err, "b.yaml:3: expected a node set or a list of node sets");
	assert_int_equal(clushyaml_parse("- a\n", 4, "c.yaml", collect, &s, err, sizeof err), -1);
	assert_string_equal(err, "c.yaml:1: expected 'source:' mappings at the top level");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_configparser_rules),
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_yaml),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
