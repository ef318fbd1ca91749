/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include "nodefold.h"
#include "nodeset.h"

/* Expand EXPR and compare with the space-separated WANT. */
static void check_expand(const char *expr, const char *want)
{
	struct nodeset ns;
	char err[256], got[4096] = "";
	nodeset_init(&ns);
	if (nodeset_expand(&ns, expr, err, sizeof err) < 0)
		fail_msg("'%s': %s", expr, err);
	for (size_t i = 0; i < ns.n; i++) {
		strcat(got, i ? " " : "");
		strcat(got, ns.names[i]);
	}
	if (strcmp(got, want) != 0)
		fail_msg("'%s' expanded to '%s', want '%s'", expr, got, want);
	nodeset_free(&ns);
}

static void check_error(const char *expr, const char *want)
{
	struct nodeset ns;
	char err[256];
	nodeset_init(&ns);
	assert_int_equal(nodeset_expand(&ns, expr, err, sizeof err), -1);
	if (!strstr(err, want))
		fail_msg("'%s': error '%s' lacks '%s'", expr, err, want);
	nodeset_free(&ns);
}

static void check_fold(const char *expr, const char *want)
{
	struct nodeset ns;
	char err[256];
	nodeset_init(&ns);
	assert_int_equal(nodeset_expand(&ns, expr, err, sizeof err), 0);
	char *f = nodeset_fold(ns.names, ns.n);
	if (strcmp(f, want) != 0)
		fail_msg("fold of '%s' gave '%s', want '%s'", expr, f, want);
	/* folding round-trips */
	struct nodeset back;
	nodeset_init(&back);
	assert_int_equal(nodeset_expand(&back, f, err, sizeof err), 0);
	assert_int_equal(back.n, ns.n);
	for (size_t i = 0; i < ns.n; i++)
		assert_true(nodeset_contains(&back, ns.names[i]));
	nodeset_free(&back);
	free(f);
	nodeset_free(&ns);
}

static void test_expand(void **state)
{
	(void)state;
	check_expand("node1", "node1");
	check_expand("node[1-3]", "node1 node2 node3");
	check_expand("node[01-03]", "node01 node02 node03");
	check_expand("node[08-11]", "node08 node09 node10 node11");
	check_expand("n[1-3,7,9-10]", "n1 n2 n3 n7 n9 n10");
	check_expand("n[2-10/2]", "n2 n4 n6 n8 n10");
	check_expand("n[1-10/3]", "n1 n4 n7 n10");
	check_expand("rack[1-2]n[01-02]", "rack1n01 rack1n02 rack2n01 rack2n02");
	check_expand("a,b,node[1-2],a", "a b node1 node2");
	check_expand("root@node[1-2]", "root@node1 root@node2");
	check_expand("n[1-2].ib", "n1.ib n2.ib");
	check_expand("node[001-003]", "node001 node002 node003");
	check_expand("[1-2]x", "1x 2x");
}

static void test_expand_errors(void **state)
{
	(void)state;
	check_error("node[1-3", "missing ']' in 'node[1-3'");
	check_error("node1-3]", "unexpected ']'");
	check_error("node[3-1]", "descending range 3-1");
	check_error("node[a-b]", "bad number");
	check_error("node[1-]", "bad range end");
	check_error("node[1-4/0]", "bad step");
	check_error("node[1;2]", "unexpected ';'");
	check_error("a,,b", "empty host name");
	check_error("no de", "invalid character ' '");
	check_error("n[0-999999]x[0-9]", "more than");
	check_error("", "empty host name");
}

static void test_fold(void **state)
{
	(void)state;
	check_fold("node[01-05,07]", "node[01-05,07]");
	check_fold("node1,node2,node3,login1", "login1,node[1-3]");
	check_fold("n3,n1,n2", "n[1-3]");
	check_fold("rack[1-2]n[01-04]", "rack[1-2]n[01-04]");
	check_fold("head", "head");
	check_fold("node[08-11]", "node[08-11]");
	check_fold("n1,n01", "n[1,01]");
	check_fold("a,b,a1", "a,a1,b");
	check_fold("n[1-2].ib,n[3-4].eth", "n[3-4].eth,n[1-2].ib");
}

static void test_set_operations(void **state)
{
	(void)state;
	struct nodeset a, b;
	char err[256];
	nodeset_init(&a);
	nodeset_init(&b);
	assert_int_equal(nodeset_expand(&a, "n[1-10]", err, sizeof err), 0);
	assert_int_equal(nodeset_expand(&b, "n[2-9/2],n20", err, sizeof err), 0);
	nodeset_difference(&a, &b);
	char *f = nodeset_fold(a.names, a.n);
	assert_string_equal(f, "n[1,3,5,7,9-10]");
	free(f);
	nodeset_union(&a, &b);
	assert_int_equal(a.n, 11);
	assert_true(nodeset_contains(&a, "n20"));
	assert_false(nodeset_contains(&a, "n11"));
	nodeset_free(&a);
	nodeset_free(&b);
}

static void test_file_and_large(void **state)
{
	(void)state;
	char path[] = "/tmp/ct-ns.XXXXXX";
	int fd = mkstemp(path);
	const char *text = "# compute\nnode[01-03]\n\n  gpu1  # comment\n";
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	struct nodeset ns;
	char err[256], arg[64];
	nodeset_init(&ns);
	snprintf(arg, sizeof arg, "^%s", path);
	assert_int_equal(nodeset_expand_arg(&ns, arg, err, sizeof err), 0);
	assert_int_equal(ns.n, 4);
	assert_string_equal(ns.names[3], "gpu1");
	nodeset_free(&ns);
	fd = open(path, O_WRONLY | O_TRUNC);
	assert_int_equal(write(fd, "ok1\nbad[\n", 9), 9);
	close(fd);
	nodeset_init(&ns);
	assert_int_equal(nodeset_expand_arg(&ns, arg, err, sizeof err), -1);
	if (!strstr(err, ":2: missing ']'"))
		fail_msg("error: %s", err);
	nodeset_free(&ns);
	unlink(path);
	assert_int_equal(nodeset_expand_arg(&ns, "^/nonexistent/hosts", err, sizeof err), -1);
	assert_non_null(strstr(err, "/nonexistent/hosts: No such file"));

	nodeset_init(&ns);
	assert_int_equal(nodeset_expand(&ns, "n[00001-20000]", err, sizeof err), 0);
	char *f = nodeset_fold(ns.names, ns.n);
	assert_string_equal(f, "n[00001-20000]");
	free(f);
	nodeset_free(&ns);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_expand),
		cmocka_unit_test(test_expand_errors),
		cmocka_unit_test(test_fold),
		cmocka_unit_test(test_set_operations),
		cmocka_unit_test(test_file_and_large),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
