/* SPDX-License-Identifier: BSD-3-Clause */
/* lib/exclude: rsync's exclude dialect, shared by imgsync and mkchroot. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "exclude.h"

static int match1(const char *pattern, const char *path, int is_dir)
{
	struct exclude ex = { 0 };
	assert_int_equal(exclude_add(&ex, pattern), 1);
	int hit = exclude_match(&ex, path, is_dir);
	exclude_free(&ex);
	return hit;
}

static void test_anchoring(void **state)
{
	(void)state;
	/* no '/': the last component, at any depth (mkchroot and imgsync alike) */
	assert_true(match1("*.pyc", "a.pyc", 0));
	assert_true(match1("*.pyc", "usr/lib/x/a.pyc", 0));
	assert_false(match1("*.pyc", "a.pyc.txt", 0));
	assert_true(match1("core", "var/core", 0));
	/* leading '/': the root of the transfer only */
	assert_true(match1("/etc/hostname", "etc/hostname", 0));
	assert_false(match1("/etc/hostname", "x/etc/hostname", 0));
	assert_false(match1("/etc/hostname", "etc/hostname.d", 0));
	assert_true(match1("/core", "core", 0));
	assert_false(match1("/core", "var/core", 0));
	/* a '/' inside: the end of the path, from a component on */
	assert_true(match1("cache/apt", "var/cache/apt", 1));
	assert_true(match1("cache/apt", "cache/apt", 1));
	assert_false(match1("cache/apt", "var/xcache/apt", 1));
	assert_false(match1("cache/apt", "var/cache/apt/x", 0));
	assert_true(match1("log/*.gz", "var/log/a.gz", 0));
}

static void test_wildcards(void **state)
{
	(void)state;
	assert_true(match1("/tmp/*", "tmp/x", 0));
	assert_true(match1("/tmp/*", "tmp/.hidden", 0));
	assert_false(match1("/tmp/*", "tmp", 1));
	assert_false(match1("/srv/*.img", "srv/sub/a.img", 0)); /* '*' stops at '/' */
	assert_true(match1("/srv/**.img", "srv/sub/a.img", 0)); /* '**' does not */
	assert_true(match1("/var/**/x", "var/a/b/x", 0));
	assert_true(match1("**/cache", "a/b/cache", 1));
	assert_true(match1("foo**", "a/foo/b", 0));            /* '**': matched against the whole path */
	assert_true(match1("/var/log/[a-z]?.gz", "var/log/ab.gz", 0));
	assert_false(match1("/var/log/[a-z]?.gz", "var/log/Ab.gz", 0));
	assert_true(match1("x[!0-9]", "x_", 0));
	assert_true(match1("x[^0-9]", "x_", 0));
	assert_false(match1("x[!0-9]", "x5", 0));
	assert_true(match1("[]]", "]", 0));
	assert_false(match1("a?b", "a/b", 0));
	assert_false(match1("/a[/]b", "a/b", 0));
	assert_true(match1("\\*", "*", 0));
	assert_false(match1("\\*", "x", 0));
	assert_false(match1("[z", "[z", 0));                    /* no ']': never matches */
	char *many = malloc(4000);
	for (int i = 0; i < 1999; i++)
		memcpy(many + 2 * i, "a*", 2);
	strcpy(many + 3998, "b");
	assert_false(match1(many, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 0)); /* fast */
	free(many);
}

static void test_directories(void **state)
{
	(void)state;
	assert_true(match1("home/", "home", 1));
	assert_false(match1("home/", "home", 0));
	assert_true(match1("/var/cache/", "var/cache", 1));
	assert_false(match1("/var/cache/", "var/cache2", 1));
	struct exclude ex = { 0 };
	exclude_add(&ex, "/var/cache/");
	exclude_add(&ex, "*.tmp");
	assert_false(exclude_match(&ex, "var/cache/apt/x", 0));     /* a walk never gets there */
	assert_true(exclude_match_path(&ex, "var/cache/apt/x", 0)); /* a stream does */
	assert_true(exclude_match_path(&ex, "a/b.tmp/c", 0));
	assert_false(exclude_match_path(&ex, "var/cached/x", 0));
	exclude_free(&ex);
}

static void test_lines(void **state)
{
	(void)state;
	struct exclude ex = { 0 };
	const char text[] = "# comment\n/etc/hostname\n\n  /var/log/*  \r\nhome/\n//x\n/\n/etc/hostname\n";
	char err[256];
	assert_int_equal(exclude_parse(&ex, text, sizeof text - 1, "ex", err, sizeof err), 4);
	assert_int_equal(ex.n, 4);
	assert_string_equal(ex.pats[1], "/var/log/*");
	assert_string_equal(ex.pats[3], "/x");
	assert_true(exclude_match(&ex, "x", 0));
	assert_int_equal(exclude_add(&ex, "/etc/hostname"), 0); /* no duplicates */
	const char nul[] = "/a\n# c\n/b\0c\n/d\n";
	assert_int_equal(exclude_parse(&ex, nul, sizeof nul - 1, "f", err, sizeof err), -1);
	assert_string_equal(err, "f:3: NUL byte in pattern");
	char *longpat = malloc(EXCLUDE_PAT_MAX + 2);
	memset(longpat, 'x', EXCLUDE_PAT_MAX + 1);
	longpat[EXCLUDE_PAT_MAX] = '\0';
	assert_int_equal(exclude_add(&ex, longpat), 1); /* 4095 bytes: fits */
	longpat[EXCLUDE_PAT_MAX] = 'x';
	longpat[EXCLUDE_PAT_MAX + 1] = '\0';
	assert_int_equal(exclude_add(&ex, longpat), -1);
	free(longpat);
	exclude_free(&ex);
	assert_int_equal(ex.n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_anchoring),
		cmocka_unit_test(test_wildcards),
		cmocka_unit_test(test_directories),
		cmocka_unit_test(test_lines),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
