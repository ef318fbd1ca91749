/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>

#include "shquote.h"

static void test_quote(void **state)
{
	(void)state;
	char *q = sh_quote("it's a \"test\" $HOME");
	assert_string_equal(q, "'it'\\''s a \"test\" $HOME'");
	free(q);
	q = sh_quote("");
	assert_string_equal(q, "''");
	free(q);
	q = sh_quote("''");
	assert_string_equal(q, "''\\'''\\'''");
	free(q);
}

static void test_join(void **state)
{
	(void)state;
	char *argv[] = { "tar", "-C", "/a b", "--exclude=*.pyc", "", "x'y", NULL };
	char *s = sh_join(argv, (size_t)-1, SH_PLAIN);
	assert_string_equal(s, "tar -C '/a b' '--exclude=*.pyc' '' 'x'\\''y'");
	free(s);
	s = sh_join(argv, 2, SH_ALWAYS);
	assert_string_equal(s, "'tar' '-C'");
	free(s);
	s = sh_join(argv, 0, SH_ALWAYS);
	assert_string_equal(s, "");
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quote),
		cmocka_unit_test(test_join),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
