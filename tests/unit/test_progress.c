/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "progress.h"

static void test_human(void **state)
{
	(void)state;
	char b[32];
	progress_human(b, sizeof b, 512);
	assert_string_equal(b, "512 B");
	progress_human(b, sizeof b, 1536);
	assert_string_equal(b, "1.5 KiB");
	progress_human(b, sizeof b, 2.0 * 1024 * 1024 * 1024);
	assert_string_equal(b, "2.0 GiB");
}

static void test_format(void **state)
{
	(void)state;
	char b[128];
	size_t n = progress_format(b, sizeof b, "img", 512ull << 20, 2048ull << 20, 2.0);
	assert_string_equal(b, "img  512.0 MiB / 2.0 GiB  25%  256.0 MiB/s  ETA 0:06");
	assert_int_equal(n, strlen(b));
	progress_format(b, sizeof b, "x", 100, 0, 0);
	assert_string_equal(b, "x  100 B  0 B/s");
	progress_format(b, sizeof b, "over", 300, 200, 1);
	assert_non_null(strstr(b, "100%"));
	progress_format(b, sizeof b, "slow", 1, 10000, 3600);
	assert_string_equal(b, "slow  1 B / 9.8 KiB  0%  0 B/s");
	progress_format(b, sizeof b, "hour", 1 << 20, 4 << 20, 1800);
	assert_non_null(strstr(b, "ETA 1:30:00"));
	progress_format(b, sizeof b, "early", 1, 2, 0.5);
	assert_null(strstr(b, "ETA"));
	n = progress_format(b, 8, "a long label", 1, 2, 1);
	assert_int_equal(n, 7);
	assert_int_equal(strlen(b), 7);
}

/* Close the writing end FDS[1], read what was drawn into BUF; its length. */
static size_t drawn(int fds[2], char *buf, size_t len)
{
	close(fds[1]);
	ssize_t n = read(fds[0], buf, len - 1);
	close(fds[0]);
	assert_true(n > 0);
	buf[n] = 0;
	return (size_t)n;
}

static void test_draws_and_erases_on_fd(void **state)
{
	(void)state;
	int fds[2];
	assert_int_equal(pipe(fds), 0);
	struct progress *p = progress_start("copy", 1000, fds[1]);
	progress_update(p, 1000); /* complete: always drawn */
	progress_end(p);
	char buf[512];
	size_t n = drawn(fds, buf, sizeof buf);
	assert_non_null(strstr(buf, "\rcopy  1000 B / 1000 B  100%"));
	assert_int_equal(buf[n - 1], '\r');
}

static void test_note_and_growing_total(void **state)
{
	(void)state;
	int fds[2];
	assert_int_equal(pipe(fds), 0);
	struct progress *p = progress_start("sync", 0, fds[1]);
	progress_update_note(p, 1, "0/2 files"); /* first: drawn */
	progress_update_note(p, 2, "0/2 files"); /* unknown total: throttled */
	progress_set_total(p, 2048);
	progress_update_note(p, 2048, "2/2 files"); /* complete: drawn */
	progress_end(p);
	char buf[1024];
	drawn(fds, buf, sizeof buf);
	assert_non_null(strstr(buf, "\rsync  1 B  "));
	assert_null(strstr(buf, "sync  2 B"));
	assert_non_null(strstr(buf, "\rsync  2.0 KiB / 2.0 KiB  100%  "));
	assert_non_null(strstr(buf, "/s  2/2 files"));
}

static void clear_hook(void *arg)
{
	progress_clear(arg);
}

static void test_cleared_for_a_message(void **state)
{
	(void)state;
	int fds[2];
	assert_int_equal(pipe(fds), 0);
	struct progress *p = progress_start("work", 100, fds[1]);
	progress_update(p, 10);
	log_set_before(clear_hook, p);
	warnmsg("a message between two redraws");
	log_set_before(NULL, NULL);
	progress_update(p, 20); /* within 0.2 s, but the line was erased: drawn */
	progress_end(p);
	char buf[512];
	drawn(fds, buf, sizeof buf);
	const char *erased = strstr(buf, "\r        ");
	assert_non_null(erased);
	assert_non_null(strstr(erased, "\r\rwork  20 B / 100 B  20%"));
}

static void test_nodes_note(void **state)
{
	(void)state;
	char b[128];
	struct progress_nodes c = { .files = 12, .files_total = 340, .done = 3, .total = 8, .running = 4, .failed = 1 };
	progress_nodes_note(b, sizeof b, &c);
	assert_string_equal(b, "12/340 files  3/8 nodes  4 running  1 failed");
	c = (struct progress_nodes){ .files = 5, .done = 8, .total = 8 };
	progress_nodes_note(b, sizeof b, &c);
	assert_string_equal(b, "5 files  8/8 nodes");
	c = (struct progress_nodes){ .files = 2, .files_total = 6 };
	progress_nodes_note(b, sizeof b, &c);
	assert_string_equal(b, "2/6 files"); /* one destination: no nodes part */
}

static void test_hooked_log(void **state)
{
	(void)state;
	int fds[2];
	assert_int_equal(pipe(fds), 0);
	struct progress *p = progress_start("hook", 100, fds[1]);
	progress_hook_log(p);
	progress_update(p, 10);
	warnmsg("a message");
	progress_end(p);
	warnmsg("after the end: no hook left");
	char buf[512];
	drawn(fds, buf, sizeof buf);
	assert_non_null(strstr(buf, "\rhook  10 B / 100 B  10%"));
	assert_non_null(strstr(buf, "\r        "));
}

static void test_silent(void **state)
{
	(void)state;
	struct progress *p = progress_start("quiet", 10, -1);
	progress_update(p, 5);
	progress_end(p);
	progress_update(NULL, 1);
	progress_end(NULL);
	assert_int_equal(progress_wanted(1), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_human),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_draws_and_erases_on_fd),
		cmocka_unit_test(test_note_and_growing_total),
		cmocka_unit_test(test_cleared_for_a_message),
		cmocka_unit_test(test_nodes_note),
		cmocka_unit_test(test_hooked_log),
		cmocka_unit_test(test_silent),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
