/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "nodefold.h"
#include "nodeset.h"

/* Fold the names of EXPR; WANT is what ClusterShell's "nodeset -f EXPR" prints. */
static void check_fold(const char *expr, const char *want)
{
	struct nodeset ns, back;
	char err[256];
	nodeset_init(&ns);
	nodeset_init(&back);
	if (nodeset_expand(&ns, expr, err, sizeof err) < 0)
		fail_msg("'%s': %s", expr, err);
	char *f = nodeset_fold(ns.names, ns.n);
	if (strcmp(f, want) != 0)
		fail_msg("fold of '%s' gave '%s', want '%s'", expr, f, want);
	assert_int_equal(nodeset_expand(&back, f, err, sizeof err), 0);
	assert_int_equal(back.n, ns.n);
	free(f);
	nodeset_free(&ns);
	nodeset_free(&back);
}

static void test_one_index(void **state)
{
	(void)state;
	check_fold("n[1-3,5,7,9-12]", "n[1-3,5,7,9-12]");
	check_fold("node[9-11]", "node[9-11]");
	check_fold("n[09-11]", "n[09-11]");
	check_fold("n12,n3,n1,n2", "n[1-3,12]");
	check_fold("h,h1,h-1", "h,h1,h-1");
	check_fold("n[1-3]p,n[2-4]q", "n[1-3]p,n[2-4]q");
}

/* "7" and "07" are different nodes; runs keep the padding they started with. */
static void test_padding(void **state)
{
	(void)state;
	check_fold("n[1,01,001,2,02]", "n[1-2,01-02,001]");
	check_fold("n0,n00,n1", "n[0-1,00]");
	check_fold("n[08,98-100]", "n[08,98-99,100]");
	check_fold("n[098-101]", "n[098-101]");
	check_fold("n[9-10],n010", "n[9-10,010]");
}

static void test_several_indexes(void **state)
{
	(void)state;
	check_fold("a[1-2]b[1-2],a3b1", "a[1-2]b[1-2],a3b1");
	check_fold("r[1-3]n[1-2],r1n3", "r[2-3]n[1-2],r1n[1-3]");
	check_fold("x[1-2]y[1-2]z[1-2],x3y1z1", "x[1-2]y[1-2]z[1-2],x3y1z1");
	check_fold("a1b[2-3],a2b2", "a1b[2-3],a2b2");
	check_fold("c[01-02]x[1,3]", "c[01-02]x[1,3]");
	check_fold("n[1-2,01-02]x[1-2]", "n[1-2,01-02]x[1-2]");
	check_fold("rack[1-4]n[01-40]", "rack[1-4]n[01-40]");
}

static void test_empty_and_repeats(void **state)
{
	(void)state;
	char *f = nodeset_fold(NULL, 0);
	assert_string_equal(f, "");
	free(f);
	char *names[] = {"n2", "n1", "n2", "n1"};
	f = nodeset_fold(names, 4);
	assert_string_equal(f, "n[1-2]");
	free(f);
	char *huge[] = {"n1234567890", "n1"}; /* too long to be an index */
	f = nodeset_fold(huge, 2);
	assert_string_equal(f, "n1,n1234567890");
	free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_index),
		cmocka_unit_test(test_padding),
		cmocka_unit_test(test_several_indexes),
		cmocka_unit_test(test_empty_and_repeats),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
