/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "../../cexec/indirect.h"

static void test_command_forwards_options(void **state)
{
	(void)state;
	char *argv[] = {"echo", "a b", "c'd"};
	struct cexec_fwd_opts o = {16, 2.5, 30, "accept-new", "n[1-2]", 1};
	char *cmd = cexec_indirect_command(":1-3", &o, argv, 3);
	assert_string_equal(cmd, "cexec --json -F 16 -t 2.5 -u 30 --host-keys 'accept-new' -x 'n[1-2]' --stdin -- ':1-3' "
				 "'echo' 'a b' 'c'\\''d'");
	free(cmd);
	struct cexec_fwd_opts none = {0, -1, 0, NULL, NULL, 0};
	cmd = cexec_indirect_command(":", &none, argv, 1);
	assert_string_equal(cmd, "cexec --json -F 64 -- ':' 'echo'");
	free(cmd);
}

static void test_parse_result_lines(void **state)
{
	(void)state;
	struct cexec_remote_result r;
	const char *line = "{\"node\":\"n1\",\"cluster\":\"c\",\"exit\":3,\"signal\":null,\"error\":null,"
			   "\"stdout\":\"a\\u0000b\",\"stderr\":\"e\\n\",\"seconds\":0.25}";
	assert_int_equal(cexec_indirect_parse(line, strlen(line), &r), 0);
	assert_string_equal(r.node, "n1");
	assert_int_equal(r.exit, 3);
	assert_null(r.signal);
	assert_null(r.error);
	assert_int_equal(r.outlen, 3);
	assert_memory_equal(r.out, "a\0b", 3);
	assert_string_equal(r.err, "e\n");
	cexec_remote_result_free(&r);

	line = "{\"node\":\"n2\",\"exit\":null,\"error\":\"connect: refused\"}";
	assert_int_equal(cexec_indirect_parse(line, strlen(line), &r), 0);
	assert_int_equal(r.exit, -1);
	assert_string_equal(r.error, "connect: refused");
	assert_int_equal(r.outlen, 0);
	cexec_remote_result_free(&r);

	const char *bad[] = {"", "not json", "[1,2]", "{\"exit\":0}", "{\"node\":5}"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(cexec_indirect_parse(bad[i], strlen(bad[i]), &r), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_command_forwards_options),
		cmocka_unit_test(test_parse_result_lines),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
