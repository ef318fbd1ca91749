/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fsutil.h"
#include "log.h"
#include "spawn.h"

static int sh(const char *script, const struct spawn_opts *o)
{
	char *argv[] = { "sh", "-c", (char *)script, NULL };
	struct spawn s;
	assert_int_equal(spawn_start(&s, argv, o), 0);
	return spawn_exit_code(spawn_finish(&s));
}

static void test_pipes(void **state)
{
	(void)state;
	char *argv[] = { "tr", "a-z", "A-Z", NULL };
	struct spawn_opts o = { .in = SPAWN_PIPE, .out = SPAWN_PIPE };
	struct spawn s;
	assert_int_equal(spawn_start(&s, argv, &o), 0);
	assert_int_equal(fs_write_all(s.in, "hello\n", 6), 0);
	close(s.in);
	s.in = -1;
	size_t len;
	char *out = fs_read_fd(s.out, SIZE_MAX, &len);
	assert_string_equal(out, "HELLO\n");
	assert_int_equal(len, 6);
	free(out);
	assert_int_equal(spawn_exit_code(spawn_finish(&s)), 0);
}

static void test_exit_codes(void **state)
{
	(void)state;
	assert_int_equal(sh("exit 3", NULL), 3);
	assert_int_equal(sh("kill -KILL $$", NULL), 128 + SIGKILL);
	struct spawn_opts quiet = { .err = SPAWN_NULL };
	char *argv[] = { "/nonexistent/program", NULL };
	struct spawn s;
	assert_int_equal(spawn_start(&s, argv, &quiet), 0);
	assert_int_equal(spawn_exit_code(spawn_finish(&s)), 127);
	assert_int_equal(spawn_run((char *[]){ "true", NULL }), 0);
	assert_int_equal(spawn_run((char *[]){ "false", NULL }), 1);
}

/* What the tool ignores or blocks, the child does not. */
static void test_signal_defaults(void **state)
{
	(void)state;
	struct sigaction ign = { .sa_handler = SIG_IGN }, old;
	sigemptyset(&ign.sa_mask);
	sigaction(SIGPIPE, &ign, &old);
	assert_int_equal(sh("kill -PIPE $$; exit 0", NULL), 128 + SIGPIPE);
	sigaction(SIGPIPE, &old, NULL);
	sigset_t term, prev;
	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	sigprocmask(SIG_BLOCK, &term, &prev);
	assert_int_equal(sh("kill -TERM $$; exit 0", NULL), 128 + SIGTERM);
	sigprocmask(SIG_SETMASK, &prev, NULL);
}

static void test_null_and_stderr(void **state)
{
	(void)state;
	struct spawn_opts o = { .in = SPAWN_NULL, .out = SPAWN_PIPE, .err = SPAWN_NULL };
	char *argv[] = { "sh", "-c", "cat; echo done; echo noise >&2", NULL };
	struct spawn s;
	assert_int_equal(spawn_start(&s, argv, &o), 0);
	char *out = fs_read_fd(s.out, SIZE_MAX, NULL);
	assert_string_equal(out, "done\n");
	free(out);
	assert_int_equal(spawn_exit_code(spawn_finish(&s)), 0);
}

int main(void)
{
	log_init("test_spawn");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pipes),
		cmocka_unit_test(test_exit_codes),
		cmocka_unit_test(test_signal_defaults),
		cmocka_unit_test(test_null_and_stderr),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
