/* SPDX-License-Identifier: BSD-3-Clause */
/* gateway_expand: direct targets untouched; a gateway that cannot be reached named in the error. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "gateway.h"
#include "loopback.h"
#include "xalloc.h"

static void add(struct c3_selection *sel, const char *cluster, const char *host, const char *forward)
{
	sel->t = xgrowarray(sel->t, sel->n, sizeof *sel->t);
	sel->t[sel->n++] = (struct c3_target){ .cluster = xstrdup(cluster), .host = xstrdup(host),
					       .position = -1, .forward_def = forward ? xstrdup(forward) : NULL };
}

/* No indirect cluster: nothing contacted, the selection as it was. */
static void test_direct_only(void **state)
{
	(void)state;
	struct c3_selection sel = { 0 };
	add(&sel, "local", "node01", NULL);
	add(&sel, "local", "node02", NULL);
	struct ssh_opts o = { .host = "192.0.2.1" }; /* never used */
	char err[256] = "";
	assert_int_equal(gateway_expand(&sel, &o, err, sizeof err), 0);
	assert_int_equal(sel.n, 2);
	assert_string_equal(sel.t[0].host, "node01");
	assert_string_equal(sel.t[1].host, "node02");
	assert_null(sel.t[1].via);
	assert_string_equal(err, "");
	c3_selection_free(&sel);
}

/* The gateway refuses: -1, the cluster and the gateway named. */
static void test_gateway_refuses(void **state)
{
	(void)state;
	int port = 0, fd = loopback_socket(0, &port);
	assert_true(fd >= 0);
	struct c3_selection sel = { 0 };
	add(&sel, "local", "node01", NULL);
	add(&sel, "remote", "127.0.0.1", ":");
	struct ssh_opts o = { .port = port };
	char err[512] = "";
	assert_int_equal(gateway_expand(&sel, &o, err, sizeof err), -1);
	assert_true(strncmp(err, "cluster remote: gateway 127.0.0.1: ", 35) == 0);
	assert_non_null(strstr(err, "refused"));
	c3_selection_free(&sel);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_direct_only),
		cmocka_unit_test(test_gateway_refuses),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
