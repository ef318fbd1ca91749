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
#include "nodereport.h"

/* Run nodereport_print with stderr going to a file; what it wrote. */
static char *report(const struct fanout_node *nodes, size_t n, int flags, size_t *failed)
{
	FILE *f = tmpfile();
	assert_non_null(f);
	fflush(stderr);
	int saved = dup(STDERR_FILENO);
	dup2(fileno(f), STDERR_FILENO);
	*failed = nodereport_print(nodes, n, flags);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	long len = ftell(f);
	char *buf = calloc(1, (size_t)len + 1);
	rewind(f);
	assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	return buf;
}

static struct fanout_node node(const char *name, enum fanout_state st, int exit, char *sig, char *err)
{
	struct fanout_node n = { 0 };
	n.name = name;
	n.state = st;
	n.exit_status = exit;
	n.exit_signal = sig;
	n.error = err;
	return n;
}

static void test_grouped_and_folded(void **state)
{
	(void)state;
	char refused[] = "connect: Connection refused", kill[] = "KILL";
	struct fanout_node nodes[] = {
		node("node01", FANOUT_OK, 0, NULL, NULL),
		node("node03", FANOUT_OK, 3, NULL, NULL),
		node("node04", FANOUT_FAILED, -1, NULL, refused),
		node("node05", FANOUT_OK, -1, kill, NULL),
		node("node06", FANOUT_FAILED, -1, NULL, refused),
		node("node07", FANOUT_OK, 3, NULL, NULL),
		node("node08", FANOUT_OK, 1, NULL, NULL),
	};
	size_t failed;
	char *got = report(nodes, 7, NODEREPORT_EXITS, &failed);
	assert_string_equal(got, "test: node[03,07]: exited with exit code 3\n"
				 "test: node[04,06]: connect: Connection refused\n"
				 "test: node05: killed by signal 9 (KILL)\n"
				 "test: node08: exited with exit code 1\n"
				 "test: 7 nodes: 1 ok, 6 failed\n");
	assert_int_equal(failed, 6);
	free(got);
	/* without NODEREPORT_EXITS (cpush, cget): remote statuses are not failures */
	got = report(nodes, 7, 0, &failed);
	assert_string_equal(got, "test: node[04,06]: connect: Connection refused\ntest: 7 nodes: 5 ok, 2 failed\n");
	free(got);
}

static void test_quiet_and_all_ok(void **state)
{
	(void)state;
	char timeout[] = "timed out after 2 s: command killed";
	struct fanout_node nodes[] = {
		node("a1", FANOUT_OK, 0, NULL, NULL),
		node("a2", FANOUT_TIMEDOUT, -1, NULL, timeout),
	};
	size_t failed;
	log_set_verbosity(LOG_QUIET);
	char *got = report(nodes, 2, NODEREPORT_EXITS, &failed);
	assert_string_equal(got, "test: a2: timed out after 2 s: command killed\n"); /* -q keeps the errors */
	free(got);
	log_set_verbosity(LOG_NORMAL);
	got = report(nodes, 1, NODEREPORT_EXITS | NODEREPORT_TTY_COUNT, &failed);
	assert_string_equal(got, ""); /* all fine, stderr not a terminal: nothing */
	assert_int_equal(failed, 0);
	free(got);
}

static void test_outcome(void **state)
{
	(void)state;
	char usr1[] = "USR1", odd[] = "XCPU@example";
	struct fanout_node n = node("n", FANOUT_OK, -1, usr1, NULL);
	char *s = nodereport_outcome(&n, NODEREPORT_EXITS);
	assert_string_equal(s, "killed by signal 10 (USR1)");
	free(s);
	n.exit_signal = odd;
	s = nodereport_outcome(&n, NODEREPORT_EXITS);
	assert_string_equal(s, "killed by signal XCPU@example");
	free(s);
	n = node("n", FANOUT_PENDING, -1, NULL, NULL);
	s = nodereport_outcome(&n, 0);
	assert_string_equal(s, "not run");
	free(s);
	n = node("n", FANOUT_OK, 0, NULL, NULL);
	assert_null(nodereport_outcome(&n, NODEREPORT_EXITS));
}

int main(void)
{
	log_init("test");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_grouped_and_folded),
		cmocka_unit_test(test_quiet_and_all_ok),
		cmocka_unit_test(test_outcome),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
