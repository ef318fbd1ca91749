/* SPDX-License-Identifier: BSD-3-Clause */
/* fanout_run against real loopback peers: which nodes it starts, what it reports. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "fanout.h"
#include "loopback.h"

struct seen {
	size_t done[8], ndone;
	int steps;
};

static int step(struct fanout_node *n, struct ssh_conn *c, void *ctx)
{
	(void)n, (void)c;
	((struct seen *)ctx)->steps++;
	return FANOUT_STEP_DONE;
}

static void done(struct fanout_node *n, void *ctx)
{
	struct seen *s = ctx;
	s->done[s->ndone++] = n->index;
}

/* A node an earlier run finished is left alone; the pending ones are run, each done() once. */
static void test_runs_pending_nodes_only(void **state)
{
	(void)state;
	int port = 0, fd = loopback_socket(0, &port);
	assert_true(fd >= 0);
	struct fanout_node nodes[3] = { 0 };
	for (int i = 0; i < 3; i++) {
		nodes[i].name = "refusing";
		nodes[i].ssh.host = "127.0.0.1";
		nodes[i].ssh.port = port;
	}
	nodes[0].seconds = 100;           /* an earlier pass's time, to be added to */
	nodes[1].state = FANOUT_OK;       /* finished by an earlier pass */
	nodes[1].seconds = 7;
	struct seen s = { 0 };
	struct fanout_task task = { .step = step, .done = done, .ctx = &s };
	struct fanout_opts o = { .fanout = 2, .quiet_interrupt = 1 };
	assert_int_equal(fanout_run(nodes, 3, &o, &task), FANOUT_COMPLETE);

	assert_int_equal(s.ndone, 2);
	assert_true((s.done[0] == 0 && s.done[1] == 2) || (s.done[0] == 2 && s.done[1] == 0));
	assert_int_equal(s.steps, 0); /* refused: no session, no step */
	assert_int_equal(nodes[1].state, FANOUT_OK);
	assert_true(nodes[1].seconds == 7);
	assert_null(nodes[1].error);
	for (int i = 0; i < 3; i += 2) {
		assert_int_equal(nodes[i].state, FANOUT_FAILED);
		assert_int_equal(nodes[i].index, i);
		assert_non_null(nodes[i].error);
		assert_non_null(strstr(nodes[i].error, "refused"));
	}
	assert_true(nodes[0].seconds >= 100);
	fanout_nodes_release(nodes, 3);
	close(fd);
}

/* Nothing pending: nothing started, no callback. */
static void test_nothing_pending(void **state)
{
	(void)state;
	struct fanout_node nodes[2] = { { .name = "a", .state = FANOUT_OK }, { .name = "b", .state = FANOUT_FAILED } };
	struct seen s = { 0 };
	struct fanout_task task = { .step = step, .done = done, .ctx = &s };
	struct fanout_opts o = { .quiet_interrupt = 1 };
	assert_int_equal(fanout_run(nodes, 2, &o, &task), FANOUT_COMPLETE);
	assert_int_equal(fanout_run(nodes, 0, &o, &task), FANOUT_COMPLETE);
	assert_int_equal(s.ndone, 0);
	assert_int_equal(nodes[0].state, FANOUT_OK);
	assert_int_equal(nodes[1].state, FANOUT_FAILED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_runs_pending_nodes_only),
		cmocka_unit_test(test_nothing_pending),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
