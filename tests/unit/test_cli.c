/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static void test_parse_long(void **state)
{
	(void)state;
	long v;
	char why[128];
	assert_int_equal(cli_parse_long("42", 0, 100, &v, why, sizeof why), 0);
	assert_int_equal(v, 42);
	assert_int_equal(cli_parse_long("abc", 0, 100, &v, why, sizeof why), -1);
	assert_string_equal(why, "not a number");
	assert_int_equal(cli_parse_long("", 0, 100, &v, why, sizeof why), -1);
	assert_int_equal(cli_parse_long("4x", 0, 100, &v, why, sizeof why), -1);
	assert_string_equal(why, "not a number");
	assert_int_equal(cli_parse_long("-1", 0, 100, &v, why, sizeof why), -1);
	assert_string_equal(why, "out of range (0 to 100)");
	assert_int_equal(cli_parse_long("99999999999999999999", 0, 100, &v, why, sizeof why), -1);
	assert_string_equal(why, "out of range (0 to 100)");
}

static void test_parse_seconds(void **state)
{
	(void)state;
	double d;
	char why[128];
	assert_int_equal(cli_parse_seconds("0.5", 0.001, 1e6, &d, why, sizeof why), 0);
	assert_true(d == 0.5);
	assert_int_equal(cli_parse_seconds("nan", 0.001, 1e6, &d, why, sizeof why), -1);
	assert_string_equal(why, "not a number");
	assert_int_equal(cli_parse_seconds("0", 0.001, 1e6, &d, why, sizeof why), -1);
	assert_string_equal(why, "out of range (0.001 to 1e+06)");
}

static void test_config_path(void **state)
{
	(void)state;
	int expl;
	unsetenv("CT_TEST_CONF");
	assert_string_equal(cli_config_path(NULL, "CT_TEST_CONF", "/etc/x.conf", &expl), "/etc/x.conf");
	assert_false(expl);
	setenv("CT_TEST_CONF", "/tmp/env.conf", 1);
	assert_string_equal(cli_config_path(NULL, "CT_TEST_CONF", "/etc/x.conf", &expl), "/tmp/env.conf");
	assert_true(expl);
	assert_string_equal(cli_config_path("/opt/o.conf", "CT_TEST_CONF", "/etc/x.conf", &expl), "/opt/o.conf");
	assert_true(expl);
	unsetenv("CT_TEST_CONF");
}

static void test_output_file(void **state)
{
	(void)state;
	char err[256];
	assert_int_equal(cli_check_output_file("--failed", "/nonexistent-dir/f", err, sizeof err), -1);
	assert_string_equal(err, "--failed /nonexistent-dir/f: /nonexistent-dir: No such file or directory");
	assert_int_equal(cli_check_output_file("--failed", "/tmp", err, sizeof err), -1);
	assert_string_equal(err, "--failed /tmp: is a directory");
	assert_int_equal(cli_check_output_file("--failed", "/tmp/ct-failed-list", err, sizeof err), 0);
	assert_int_equal(cli_check_output_file("--failed", "relative-name", err, sizeof err), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_long),
		cmocka_unit_test(test_parse_seconds),
		cmocka_unit_test(test_config_path),
		cmocka_unit_test(test_output_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
