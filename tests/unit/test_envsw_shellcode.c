/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../envswitch/shellcode.h"

static void check_quote(enum envsw_shell sh, const char *in, const char *want)
{
	char *q = envsw_quote(sh, in);
	assert_non_null(q);
	assert_string_equal(q, want);
	free(q);
}

static void test_quote(void **state)
{
	(void)state;
	check_quote(ENVSW_SH, "mpi/openmpi-4.1", "'mpi/openmpi-4.1'");
	check_quote(ENVSW_SH, "it's", "'it'\\''s'");
	check_quote(ENVSW_SH, "$(rm -rf /) `x` \\ \"", "'$(rm -rf /) `x` \\ \"'");
	check_quote(ENVSW_CSH, "a!b'c", "'a\\!b'\\''c'");
	check_quote(ENVSW_FISH, "a\\b'c $x", "'a\\\\b\\'c $x'");
	check_quote(ENVSW_SH, "", "''");
	assert_null(envsw_quote(ENVSW_CSH, "a\nb"));
}

/* What sh makes of the quoted word must be the word. */
static void test_quote_roundtrip_in_sh(void **state)
{
	(void)state;
	const char *word = "a'b\"c$d`e\\f g!h*i\tj";
	char *q = envsw_quote(ENVSW_SH, word);
	char *cmd = NULL;
	assert_true(asprintf(&cmd, "printf %%s %s", q) > 0);
	FILE *f = popen(cmd, "r");
	assert_non_null(f);
	char buf[128] = {0};
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	assert_int_equal(pclose(f), 0);
	assert_int_equal(n, strlen(word));
	assert_string_equal(buf, word);
	free(cmd);
	free(q);
}

static void test_shells(void **state)
{
	(void)state;
	enum envsw_shell sh;
	assert_int_equal(envsw_shell_parse("bash", &sh), 0);
	assert_int_equal(sh, ENVSW_SH);
	assert_int_equal(envsw_shell_parse("zsh", &sh), 0);
	assert_int_equal(sh, ENVSW_SH);
	assert_int_equal(envsw_shell_parse("tcsh", &sh), 0);
	assert_int_equal(sh, ENVSW_CSH);
	assert_int_equal(envsw_shell_parse("fish", &sh), 0);
	assert_int_equal(sh, ENVSW_FISH);
	assert_int_equal(envsw_shell_parse("pwsh", &sh), -1);
}

static void test_apply_code(void **state)
{
	(void)state;
	char *unload[] = {"mpi/mpich-4.0"}, *load[] = {"compiler/gcc-12", "mpi/openmpi-4.1"};
	struct envsw_plan p = {unload, 1, load, 2, "compiler=compiler/gcc-12 mpi=mpi/openmpi-4.1"};
	char *s = envsw_apply_code(ENVSW_SH, &p);
	assert_string_equal(s, "module unload 'mpi/mpich-4.0';module load 'compiler/gcc-12' 'mpi/openmpi-4.1';"
			       "ENVSWITCH_LOADED='compiler=compiler/gcc-12 mpi=mpi/openmpi-4.1';export ENVSWITCH_LOADED;\n");
	free(s);
	s = envsw_apply_code(ENVSW_CSH, &p);
	assert_string_equal(s, "module unload 'mpi/mpich-4.0';module load 'compiler/gcc-12' 'mpi/openmpi-4.1';"
			       "setenv ENVSWITCH_LOADED 'compiler=compiler/gcc-12 mpi=mpi/openmpi-4.1';\n");
	free(s);
	struct envsw_plan empty = {NULL, 0, NULL, 0, ""};
	s = envsw_apply_code(ENVSW_FISH, &empty);
	assert_string_equal(s, "set -e ENVSWITCH_LOADED;\n");
	free(s);
	s = envsw_apply_code(ENVSW_SH, &empty);
	assert_string_equal(s, "unset ENVSWITCH_LOADED;\n");
	free(s);
}

static void test_init_snippet(void **state)
{
	(void)state;
	char *s = envsw_init_snippet("bash", "/usr/bin/envswitch", "/etc/envswitch.conf", 0);
	assert_non_null(strstr(s, "eval \"$('/usr/bin/envswitch' --apply 'bash')\""));
	assert_non_null(strstr(s, "[ -s '/etc/envswitch.conf' ]"));
	assert_non_null(strstr(s, "command -v module"));
	free(s);
	s = envsw_init_snippet("tcsh", "/opt/it's/envswitch", "/etc/e.conf", 1);
	assert_non_null(strstr(s, "eval \"`'/opt/it'\\''s/envswitch' --config '/etc/e.conf' --apply 'tcsh'`\""));
	free(s);
	s = envsw_init_snippet("fish", "/usr/bin/envswitch", "/etc/envswitch.conf", 0);
	assert_non_null(strstr(s, "'/usr/bin/envswitch' --apply 'fish' | source"));
	free(s);
	assert_null(envsw_init_snippet("pwsh", "/usr/bin/envswitch", "/etc/envswitch.conf", 0));
	assert_null(envsw_init_snippet("csh", "/tmp/a\nb", "/etc/envswitch.conf", 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quote),
		cmocka_unit_test(test_quote_roundtrip_in_sh),
		cmocka_unit_test(test_shells),
		cmocka_unit_test(test_apply_code),
		cmocka_unit_test(test_init_snippet),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
