/* SPDX-License-Identifier: BSD-3-Clause */
/* sshexec_start against real loopback peers that are no sshd: how it fails. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "loopback.h"
#include "sshexec.h"

/* Nobody listens: -1 naming the refusal, X finished. */
static void test_refused(void **state)
{
	(void)state;
	int port = 0, fd = loopback_socket(0, &port);
	assert_true(fd >= 0);
	struct sshexec x = { 0 };
	struct ssh_opts o = { .host = "127.0.0.1", .port = port };
	assert_int_equal(sshexec_start(&x, "node01", &o, "true"), -1);
	assert_non_null(strstr(x.err, "refused"));
	assert_null(x.c);
	assert_null(x.node);
	close(fd);
}

/* A peer that never speaks: the stop flag ends the wait for its banner (EINTR). */
static void test_stop_flag(void **state)
{
	(void)state;
	int port = 0, fd = loopback_socket(1, &port);
	assert_true(fd >= 0);
	volatile sig_atomic_t stop = 1;
	struct sshexec x = { .stop = &stop };
	struct ssh_opts o = { .host = "127.0.0.1", .port = port };
	assert_int_equal(sshexec_start(&x, "node01", &o, "true"), -1);
	assert_int_equal(errno, EINTR);
	assert_string_equal(x.err, "connect: Interrupted system call");
	assert_null(x.c);
	close(fd);
}

/* The same silent peer with a 1 s connect timeout: the connect times out (ETIMEDOUT), said as the fan-out tools say it. */
static void test_connect_timeout(void **state)
{
	(void)state;
	int port = 0, fd = loopback_socket(1, &port);
	assert_true(fd >= 0);
	struct sshexec x = { 0 };
	struct ssh_opts o = { .host = "127.0.0.1", .port = port, .connect_timeout = 1 };
	assert_int_equal(sshexec_start(&x, "node01", &o, "true"), -1);
	assert_int_equal(errno, ETIMEDOUT);
	assert_string_equal(x.err, "connect timed out after 1 s");
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_stop_flag),
		cmocka_unit_test(test_connect_timeout),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
