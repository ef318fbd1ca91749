/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "upcall.h"

static const char nasty[] = "a'b\"c$d`e\\f $(echo no) ${X} *";

static char *subst(const char *tmpl, const char *group)
{
	struct upcall_var v[] = {{"GROUP", group}, {"NODE", NULL}, {"SOURCE", "sj"}};
	return upcall_command(tmpl, v, 3);
}

static void test_substitution(void **state)
{
	(void)state;
	char *c = subst("squeue -h -j $GROUP -o \"%N\" $NODE $$ $GROUPS ${SOURCE}", "12");
	assert_string_equal(c, "squeue -h -j '12' -o \"%N\" $NODE $ $GROUPS 'sj'");
	free(c);
	c = subst("sed -n 's/^$GROUP:\\(.*\\)/\\1/p' f", "it's");
	assert_string_equal(c, "sed -n 's/^it'\\''s:\\(.*\\)/\\1/p' f");
	free(c);
	c = subst("echo \"x-$GROUP\" 'y\\' \\$GROUP", "a\"$");
	assert_string_equal(c, "echo \"x-a\\\"\\$\" 'y\\' \\$GROUP");
	free(c);
}

/* The shell gets back exactly the value, bare, in '...' and in "...". */
static void test_values_stay_data(void **state)
{
	(void)state;
	char *c = subst("printf '%s|' $GROUP \"$GROUP\" '$GROUP' \"<${GROUP}>\"", nasty), *out = NULL, err[256];
	assert_int_equal(upcall_run(c, NULL, 10, &out, err, sizeof err), 0);
	char want[512];
	snprintf(want, sizeof want, "%s|%s|%s|<%s>|", nasty, nasty, nasty, nasty);
	assert_string_equal(out, want);
	free(out);
	free(c);
}

static void test_failures(void **state)
{
	(void)state;
	char *out = NULL, err[256];
	assert_int_equal(upcall_run("echo one >&2; echo two >&2; exit 3", NULL, 10, &out, err, sizeof err), -1);
	assert_string_equal(err, "exited 3: one");
	assert_null(out);
	assert_int_equal(upcall_run("kill -TERM $$", NULL, 10, &out, err, sizeof err), -1);
	assert_string_equal(err, "killed by signal 15");
	assert_int_equal(upcall_run("pwd", "/", 10, &out, err, sizeof err), 0);
	assert_string_equal(out, "/\n");
	free(out);
	assert_int_equal(upcall_run("true", "/nonexistent", 10, &out, err, sizeof err), -1);
	assert_true(strncmp(err, "exited 126: ", 12) == 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_substitution),
		cmocka_unit_test(test_values_stay_data),
		cmocka_unit_test(test_failures),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
