/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonl.h"

/* O as its one emitted line (O is released). */
static char *emit(json_t *o)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	jsonl_emit(f, o);
	fclose(f);
	return buf;
}

static void test_valid_text_unchanged(void **state)
{
	(void)state;
	json_t *o = json_object();
	jsonl_set_bytes(o, "stdout", "h\xc3\xa9llo\n", 7);
	char *s = emit(o);
	assert_string_equal(s, "{\"stdout\":\"h\xc3\xa9llo\\n\"}\n");
	free(s);
}

/* Bad bytes become U+FFFD and the exact bytes travel as KEY_base64. */
static void test_invalid_bytes_replaced_and_kept(void **state)
{
	(void)state;
	json_t *o = json_object();
	jsonl_set_bytes(o, "stdout", "\xff\xfe", 2);
	char *s = emit(o);
	assert_string_equal(s, "{\"stdout\":\"\xef\xbf\xbd\xef\xbf\xbd\",\"stdout_base64\":\"//4=\"}\n");
	free(s);
}

/* Overlong forms, surrogates and truncated sequences are not UTF-8. */
static void test_overlong_surrogate_truncated(void **state)
{
	(void)state;
	const char *bad[] = {"\xc0\xaf", "\xed\xa0\x80", "\xe2\x82", "\xf4\x90\x80\x80"};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		json_t *o = json_object();
		jsonl_set_bytes(o, "x", bad[i], strlen(bad[i]));
		assert_non_null(json_object_get(o, "x_base64"));
		json_decref(o);
	}
}

static void test_base64(void **state)
{
	(void)state;
	const char *cases[][2] = {{"", ""}, {"f", "Zg=="}, {"fo", "Zm8="}, {"foo", "Zm9v"}, {"foob", "Zm9vYg=="}};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char *b = jsonl_base64((const unsigned char *)cases[i][0], strlen(cases[i][0]));
		assert_string_equal(b, cases[i][1]);
		free(b);
	}
}

static void test_node_head_order(void **state)
{
	(void)state;
	json_t *o = jsonl_node("n1", NULL, 0, 3, NULL, "exited with exit code 3", 1.23456);
	json_object_set_new(o, "bytes", json_integer(5));
	char *s = emit(o);
	assert_string_equal(s, "{\"node\":\"n1\",\"cluster\":null,\"ok\":false,\"exit\":3,\"signal\":null,"
			       "\"error\":\"exited with exit code 3\",\"seconds\":1.235,\"bytes\":5}\n");
	free(s);
}

static void test_result_head(void **state)
{
	(void)state;
	char *s = emit(jsonl_result(0, NULL));
	assert_string_equal(s, "{\"ok\":true,\"exit\":0,\"error\":null}\n");
	free(s);
	s = emit(jsonl_result(3, "bad \xff"));
	assert_non_null(strstr(s, "\"ok\":false,\"exit\":3,\"error\":\"bad \xef\xbf\xbd\",\"error_base64\":\"YmFkIP8=\""));
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_text_unchanged),
		cmocka_unit_test(test_invalid_bytes_replaced_and_kept),
		cmocka_unit_test(test_overlong_surrogate_truncated),
		cmocka_unit_test(test_base64),
		cmocka_unit_test(test_node_head_order),
		cmocka_unit_test(test_result_head),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
