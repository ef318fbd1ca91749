/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "../../envswitch/choice.h"
#include "inifile.h"

static struct ini *parse(const char *text)
{
	char err[256];
	struct ini *ini = ini_parse(text, strlen(text), "t.conf", err, sizeof err);
	assert_non_null(ini);
	return ini;
}

static void test_names_and_tags(void **state)
{
	(void)state;
	assert_true(envsw_tag_is_valid("mpi"));
	assert_true(envsw_tag_is_valid("my_tag-2.x"));
	assert_false(envsw_tag_is_valid(""));
	assert_false(envsw_tag_is_valid("-x"));
	assert_false(envsw_tag_is_valid(".x"));
	assert_false(envsw_tag_is_valid("a/b"));
	assert_false(envsw_tag_is_valid("a b"));
	assert_true(envsw_name_is_valid("openmpi-4.1"));
	assert_true(envsw_name_is_valid("openmpi/4.1.5+cuda"));
	assert_true(envsw_name_is_valid("none"));
	assert_false(envsw_name_is_valid(""));
	assert_false(envsw_name_is_valid("/abs"));
	assert_false(envsw_name_is_valid("a/"));
	assert_false(envsw_name_is_valid("a//b"));
	assert_false(envsw_name_is_valid("a/../b"));
	assert_false(envsw_name_is_valid("a/.hidden"));
	assert_false(envsw_name_is_valid(".hidden"));
	assert_false(envsw_name_is_valid("-rf"));
	assert_false(envsw_name_is_valid("a'b"));
	assert_false(envsw_name_is_valid("a b"));
	assert_false(envsw_name_is_valid("$(x)"));
	assert_false(envsw_name_is_valid("a\nb"));
}

static void test_user_over_system(void **state)
{
	(void)state;
	struct envsw_choices c = {0};
	char err[256];
	struct ini *sys = parse("# site defaults\ncompiler = gcc-12\nmpi = mpich-4.0\n");
	struct ini *usr = parse("mpi = openmpi-5.0\ngpu = none\n");
	struct ini *twice = parse("mpi = openmpi-4.1\ngpu = none\nmpi = openmpi-5.0\n");
	assert_int_equal(envsw_choices_check(twice, "~/.envswitch.conf", err, sizeof err), -1);
	assert_string_equal(err, "~/.envswitch.conf:3: tag 'mpi' is set twice (lines 1 and 3): keep one");
	ini_free(twice);
	assert_int_equal(envsw_choices_add(&c, sys, "/etc/envswitch.conf", ENVSW_SYSTEM, err, sizeof err), 0);
	assert_int_equal(envsw_choices_add(&c, usr, "~/.envswitch.conf", ENVSW_USER, err, sizeof err), 0);
	assert_int_equal(c.n, 3);
	assert_string_equal(c.v[0].tag, "compiler");
	assert_string_equal(c.v[1].tag, "mpi");
	assert_string_equal(c.v[2].tag, "gpu");
	enum envsw_source from;
	assert_string_equal(envsw_choice_effective(&c.v[0], &from), "gcc-12");
	assert_int_equal(from, ENVSW_SYSTEM);
	assert_string_equal(envsw_choice_effective(&c.v[1], &from), "openmpi-5.0");
	assert_int_equal(from, ENVSW_USER);
	assert_string_equal(c.v[1].system, "mpich-4.0");
	assert_string_equal(envsw_choice_effective(envsw_choices_find(&c, "gpu"), NULL), "none");
	assert_null(envsw_choices_find(&c, "nope"));
	assert_string_equal(envsw_source_name(from), "user");
	envsw_choices_free(&c);
	ini_free(sys);
	ini_free(usr);
}

static void test_bad_settings_name_the_line(void **state)
{
	(void)state;
	struct envsw_choices c = {0};
	char err[256];
	struct ini *a = parse("mpi = ok\n\n[extra]\nk = v\n");
	assert_int_equal(envsw_choices_add(&c, a, "u.conf", ENVSW_USER, err, sizeof err), -1);
	assert_string_equal(err, "u.conf:4: setting 'k' in section [extra]: envswitch settings go before any section");
	assert_int_equal(c.n, 0); /* nothing kept from a bad file */
	struct ini *b = parse("# x\nmpi = a'b\n");
	assert_int_equal(envsw_choices_check(b, "u.conf", err, sizeof err), -1);
	assert_string_equal(err, "u.conf:2: bad name 'a'b' for tag 'mpi'");
	struct ini *t = parse("m%pi = x\n");
	assert_int_equal(envsw_choices_check(t, "u.conf", err, sizeof err), -1);
	assert_non_null(strstr(err, "u.conf:1: bad tag 'm%pi'"));
	envsw_choices_free(&c);
	ini_free(a);
	ini_free(b);
	ini_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names_and_tags),
		cmocka_unit_test(test_user_over_system),
		cmocka_unit_test(test_bad_settings_name_the_line),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
