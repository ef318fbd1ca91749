/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "../../cget/name.h"

static void check(char *got, const char *want)
{
	if (!want)
		assert_null(got);
	else
		assert_string_equal(got, want);
	free(got);
}

static void test_base(void **state)
{
	(void)state;
	check(cgname_base("/etc/hostname"), "hostname");
	check(cgname_base("/var/log/"), "log");
	check(cgname_base("rel"), "rel");
	check(cgname_base("/"), "root");
	check(cgname_base(".."), "root");
}

static void test_local(void **state)
{
	(void)state;
	check(cgname_local("hostname", NULL, "node01", 0), "hostname_node01");
	check(cgname_local("hostname", "local", "node01", 0), "hostname_local_node01");
	check(cgname_local("hostname", "local", "node01", 1), "node01/hostname");
	check(cgname_local("hostname", NULL, "../evil", 0), NULL);
	check(cgname_local("hostname", "a/b", "n", 0), NULL);
	check(cgname_local("..", NULL, "n", 1), NULL);
}

static void test_join(void **state)
{
	(void)state;
	check(cgname_join("logs/", "messages_node01"), "logs/messages_node01");
	check(cgname_join("logs//", "m"), "logs/m");
	check(cgname_join("logs", "m"), "logs/m");
	check(cgname_join("/", "m"), "/m");
	check(cgname_join("", "m"), "m");
}

static void test_component(void **state)
{
	(void)state;
	assert_true(cgname_component_ok("x"));
	assert_true(cgname_component_ok("..x"));
	assert_false(cgname_component_ok(".."));
	assert_false(cgname_component_ok("."));
	assert_false(cgname_component_ok(""));
	assert_false(cgname_component_ok("../x"));
	assert_false(cgname_component_ok("a/b"));
	assert_false(cgname_component_ok("/x"));
}

static void test_links(void **state)
{
	(void)state;
	assert_true(cgname_link_contained("l", "x"));
	assert_true(cgname_link_contained("l", "./a/b"));
	assert_true(cgname_link_contained("a/b/l", "../../x"));
	assert_true(cgname_link_contained("a/l", "../x/y"));
	assert_false(cgname_link_contained("l", "../x"));
	assert_false(cgname_link_contained("a/b/l", "../../../x"));
	assert_false(cgname_link_contained("l", "/"));
	assert_false(cgname_link_contained("l", "/etc/passwd"));
	assert_false(cgname_link_contained("a/l", "d/../.."));
	assert_false(cgname_link_contained("a/b/l", "d/.."));
	assert_false(cgname_link_contained("l", ""));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_base),
		cmocka_unit_test(test_local),
		cmocka_unit_test(test_join),
		cmocka_unit_test(test_component),
		cmocka_unit_test(test_links),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
