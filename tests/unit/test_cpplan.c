/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "../../cpush/plan.h"
#include "log.h"
#include "xalloc.h"

static void test_parse_list(void **state)
{
	(void)state;
	const char *text = "# files\n/etc/hosts\n\n  /etc/motd   /tmp/motd  # c\n/a\t/b\r\n";
	struct cpplan_pairs pairs;
	char err[256];
	assert_int_equal(cpplan_parse_list(text, strlen(text), "l", &pairs, err, sizeof err), 0);
	assert_int_equal(pairs.n, 3);
	assert_string_equal(pairs.p[0].src, "/etc/hosts");
	assert_null(pairs.p[0].dst);
	assert_string_equal(pairs.p[1].src, "/etc/motd");
	assert_string_equal(pairs.p[1].dst, "/tmp/motd");
	assert_int_equal(pairs.p[1].line, 4);
	assert_string_equal(pairs.p[2].dst, "/b");
	cpplan_pairs_free(&pairs);

	const char *bad = "/a /b\n/a /b /c\n";
	assert_int_equal(cpplan_parse_list(bad, strlen(bad), "l", &pairs, err, sizeof err), -1);
	assert_non_null(strstr(err, "l:2:"));
	assert_int_equal(pairs.n, 0);
}

static void check_target(const char *src, const char *target, int into, const char *want)
{
	char *got = cpplan_target(src, target, into, "/home/u");
	assert_string_equal(got, want);
	free(got);
}

static void test_target(void **state)
{
	(void)state;
	check_target("/etc/hosts", NULL, 0, "/etc/hosts");
	check_target("data/x", NULL, 0, "/home/u/data/x");
	check_target("./x/", NULL, 0, "/home/u/x");
	check_target("/etc/hosts", "/tmp/h", 0, "/tmp/h");
	check_target("/etc/hosts", "/tmp/", 0, "/tmp/hosts");
	check_target("/etc/hosts", "/tmp", 1, "/tmp/hosts");
	check_target("dir/", "/", 1, "/dir");
}

static void test_excluded(void **state)
{
	(void)state;
	char *pats[] = { "*.o", "/build/cache", "sub/*.tmp" };
	assert_true(cpplan_excluded(pats, 3, "a/b/c.o"));
	assert_true(cpplan_excluded(pats, 3, "x.o"));
	assert_false(cpplan_excluded(pats, 3, "x.c"));
	assert_true(cpplan_excluded(pats, 3, "build/cache"));
	assert_false(cpplan_excluded(pats, 3, "src/build/cache"));
	assert_true(cpplan_excluded(pats, 3, "sub/a.tmp"));
	assert_false(cpplan_excluded(pats, 3, "sub/deeper/a.tmp"));
	assert_false(cpplan_excluded(pats, 3, ""));
}

static void touch(const char *path, const char *content, long mtime)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0640);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, content, strlen(content)), (ssize_t)strlen(content));
	struct timespec ts[2] = { { mtime, 0 }, { mtime, 0 } };
	assert_int_equal(futimens(fd, ts), 0);
	close(fd);
}

static void test_tree_unchanged_and_delete(void **state)
{
	(void)state;
	char dir[] = "/tmp/test_cpplan.XXXXXX";
	assert_non_null(mkdtemp(dir));
	char *p;
	p = xasprintf("%s/top", dir); assert_int_equal(mkdir(p, 0755), 0); free(p);
	p = xasprintf("%s/top/sub", dir); assert_int_equal(mkdir(p, 0700), 0); free(p);
	p = xasprintf("%s/top/a.txt", dir); touch(p, "hello", 1000); free(p);
	p = xasprintf("%s/top/b.o", dir); touch(p, "obj", 1000); free(p);
	p = xasprintf("%s/top/sub/c", dir); touch(p, "cc", 2000); free(p);
	p = xasprintf("%s/top/ln", dir); assert_int_equal(symlink("a.txt", p), 0); free(p);

	char *pats[] = { "*.o" };
	struct cpplan plan;
	cpplan_init(&plan, pats, 1);
	char err[256];
	char *src = xasprintf("%s/top", dir);
	assert_int_equal(cpplan_add(&plan, src, "/r/top", 0, err, sizeof err), -1);
	assert_non_null(strstr(err, "use -r"));
	assert_int_equal(cpplan_add(&plan, src, "/r/top", 1, err, sizeof err), 0);
	cpplan_finish(&plan);
	/* top, a.txt, ln, sub, sub/c (b.o excluded), sorted by name */
	assert_int_equal(plan.n, 5);
	assert_string_equal(plan.e[0].dst, "/r/top");
	assert_int_equal(plan.e[0].type, CPPLAN_DIR);
	assert_string_equal(plan.e[1].dst, "/r/top/a.txt");
	assert_int_equal(plan.e[1].size, 5);
	assert_int_equal(plan.e[1].mode, 0640);
	assert_int_equal(plan.e[1].mtime, 1000);
	assert_string_equal(plan.e[2].rel, "ln");
	assert_int_equal(plan.e[2].type, CPPLAN_LINK);
	assert_string_equal(plan.e[2].link, "a.txt");
	assert_string_equal(plan.e[3].dst, "/r/top/sub");
	assert_int_equal(plan.e[3].mode, 0700);
	assert_string_equal(plan.e[4].rel, "sub/c");

	struct cpplan_remote r = { 1, CPPLAN_FILE, 5, 1000, 0640 };
	assert_true(cpplan_unchanged(&plan.e[1], &r, 0));
	assert_false(cpplan_unchanged(&plan.e[1], &r, 1));
	r.mtime = 1001;
	assert_false(cpplan_unchanged(&plan.e[1], &r, 0));
	r.mtime = 1000;
	r.size = 6;
	assert_false(cpplan_unchanged(&plan.e[1], &r, 0));
	r.exists = 0;
	assert_false(cpplan_unchanged(&plan.e[1], &r, 0));

	assert_true(cpplan_extraneous(&plan, &plan.e[0], "old"));
	assert_false(cpplan_extraneous(&plan, &plan.e[0], "a.txt"));
	assert_false(cpplan_extraneous(&plan, &plan.e[0], "b.o")); /* excluded: protected */
	assert_false(cpplan_extraneous(&plan, &plan.e[0], ".."));
	assert_true(cpplan_extraneous(&plan, &plan.e[3], "a.txt"));
	assert_false(cpplan_extraneous(&plan, &plan.e[3], "c"));
	cpplan_free(&plan);

	cpplan_init(&plan, NULL, 0);
	char *missing = xasprintf("%s/nope", dir);
	assert_int_equal(cpplan_add(&plan, missing, "/x", 1, err, sizeof err), -1);
	assert_non_null(strstr(err, "No such file"));
	free(missing);
	cpplan_free(&plan);

	char *cmd = xasprintf("rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	free(src);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_list),
		cmocka_unit_test(test_target),
		cmocka_unit_test(test_excluded),
		cmocka_unit_test(test_tree_unchanged_and_delete),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
