/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <limits.h>
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
	assert_int_equal(cli_parse_long("9223372036854775807", 0, LONG_MAX, &v, why, sizeof why), 0);
	assert_true(v == LONG_MAX);
	assert_int_equal(cli_parse_long("-2", -1, LONG_MAX, &v, why, sizeof why), -1);
	assert_string_equal(why, "out of range (-1 to 9223372036854775807)");
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

enum { OPT_T = 1, OPT_N, OPT_R };

/* The name cli_option_name() gives for the first option of ARGS (a NULL-ended tool command line). */
static const char *typed(char *buf, size_t len, char **args)
{
	static const struct poptOption table[] = {
		{"timeout", 't', POPT_ARG_STRING, NULL, OPT_T, "seconds", "S"},
		{"dry-run", 'n', POPT_ARG_NONE, NULL, OPT_N, "only say", NULL},
		{"retries", 0, POPT_ARG_STRING, NULL, OPT_R, "count", "N"},
		{"tries", 0, POPT_ARG_STRING, NULL, OPT_R, "same as --retries", "N"},
		POPT_TABLEEND,
	};
	int argc = 0;
	while (args[argc])
		argc++;
	struct cli c;
	cli_begin(&c, "tool", argc, args, table, NULL, 0);
	while (cli_next(&c) == OPT_N)
		;
	char *v = (char *)cli_value(&c); /* popt's copy, ours to free */
	snprintf(buf, len, "%s %s", cli_option_name(&c), v);
	free(v);
	cli_end(&c);
	return buf;
}

static void test_option_name_as_typed(void **state)
{
	(void)state;
	char b[128];
	assert_string_equal(typed(b, sizeof b, (char *[]){"tool", "-t", "abc", NULL}), "-t abc");
	assert_string_equal(typed(b, sizeof b, (char *[]){"tool", "-tabc", NULL}), "-t abc");
	assert_string_equal(typed(b, sizeof b, (char *[]){"tool", "-nt", "abc", NULL}), "-t abc");
	assert_string_equal(typed(b, sizeof b, (char *[]){"tool", "--timeout", "abc", NULL}), "--timeout abc");
	assert_string_equal(typed(b, sizeof b, (char *[]){"tool", "-n", "--timeout=-t", NULL}), "--timeout -t");
	assert_string_equal(typed(b, sizeof b, (char *[]){"tool", "--timeout", "-t", NULL}), "--timeout -t");
	assert_string_equal(typed(b, sizeof b, (char *[]){"tool", "-t", "--timeout", NULL}), "-t --timeout");
	assert_string_equal(typed(b, sizeof b, (char *[]){"tool", "--retries", "-1", NULL}), "--retries -1");
	assert_string_equal(typed(b, sizeof b, (char *[]){"tool", "--tries", "-1", NULL}), "--tries -1");
	assert_string_equal(typed(b, sizeof b, (char *[]){"tool", "--tries=x", NULL}), "--tries x");
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
		cmocka_unit_test(test_option_name_as_typed),
		cmocka_unit_test(test_config_path),
		cmocka_unit_test(test_output_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
