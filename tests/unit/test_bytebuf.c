/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "bytebuf.h"

static void test_append(void **state)
{
	(void)state;
	struct bytebuf b = {0};
	bytebuf_add(&b, "abc", 3);
	assert_int_equal(b.len, 3);
	assert_string_equal(b.p, "abc");
	bytebuf_add(&b, "", 0);
	assert_int_equal(b.len, 3);
	bytebuf_add(&b, "d\0e", 3); /* NUL bytes are data */
	assert_int_equal(b.len, 6);
	assert_memory_equal(b.p, "abcd\0e", 7);
	assert_true(b.cap > b.len);
	bytebuf_free(&b);
	assert_null(b.p);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, 0);
}

static void test_grows(void **state)
{
	(void)state;
	struct bytebuf b = {0};
	char chunk[100];
	memset(chunk, 'x', sizeof chunk);
	for (int i = 0; i < 1000; i++)
		bytebuf_add(&b, chunk, sizeof chunk);
	assert_int_equal(b.len, 100000);
	assert_int_equal(b.p[b.len], '\0');
	assert_int_equal(b.p[99999], 'x');
	assert_int_equal(strlen(b.p), 100000);
	bytebuf_free(&b);
	bytebuf_free(&b); /* twice is fine */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_append),
		cmocka_unit_test(test_grows),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
