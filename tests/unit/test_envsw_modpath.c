/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../envswitch/modpath.h"
#include "fsutil.h"

static char root[64];

static void put(const char *rel, const char *text)
{
	char path[256], *slash;
	snprintf(path, sizeof path, "%s/%s", root, rel);
	for (slash = strchr(path + strlen(root) + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		mkdir(path, 0755);
		*slash = '/';
	}
	assert_int_equal(fs_atomic_write(path, text, strlen(text), 0644), 0);
}

static int setup(void **state)
{
	(void)state;
	snprintf(root, sizeof root, "/tmp/envsw-unit.XXXXXX");
	if (!mkdtemp(root))
		return -1;
	put("a/mpi/openmpi-4.1", "#%Module1.0\n");
	put("a/mpi/mpich-4.0.lua", "prepend_path('PATH','/x')\n");
	put("a/mpi/README", "not a module\n");
	put("a/mpi/openmpi-4.1~", "#%Module1.0\n");
	put("a/mpi/.hidden-1", "#%Module1.0\n");
	put("a/mpi/.modulerc", "#%Module\nmodule-alias mpi/ompi mpi/openmpi-4.1\nmodule-version /openmpi-4.1 stable default\n");
	put("b/gcc/12", "#%Module\n");
	put("b/gcc/.modulerc.lua", "module_version(\"gcc/12\", \"latest\")\nmodule_alias(\"cc\", \"gcc/12\")\n");
	put("b/empty/notes.txt", "x\n");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_scan(void **state)
{
	(void)state;
	char mp[256];
	snprintf(mp, sizeof mp, "%s/a:%s/missing:%s/b", root, root, root);
	struct envsw_avail a = {0};
	envsw_avail_scan(&a, mp);
	assert_true(envsw_avail_has(&a, "mpi/openmpi-4.1"));
	assert_true(envsw_avail_has(&a, "mpi/mpich-4.0")); /* .lua */
	assert_true(envsw_avail_has(&a, "mpi"));           /* a directory of modules */
	assert_true(envsw_avail_has(&a, "mpi/ompi"));      /* module-alias */
	assert_true(envsw_avail_has(&a, "mpi/stable"));    /* module-version */
	assert_true(envsw_avail_has(&a, "gcc/latest"));    /* Lua module_version */
	assert_true(envsw_avail_has(&a, "cc"));            /* Lua module_alias */
	assert_false(envsw_avail_has(&a, "mpi/README"));
	assert_false(envsw_avail_has(&a, "mpi/openmpi-4.1~"));
	assert_false(envsw_avail_has(&a, "mpi/.hidden-1"));
	assert_false(envsw_avail_has(&a, "empty"));
	size_t n;
	const char **v = envsw_avail_under(&a, "mpi", &n);
	assert_int_equal(n, 4);
	assert_string_equal(v[0], "mpich-4.0");
	assert_string_equal(v[1], "ompi");
	assert_string_equal(v[2], "openmpi-4.1");
	assert_string_equal(v[3], "stable");
	free(v);
	v = envsw_avail_dirs(&a, &n);
	assert_int_equal(n, 2);
	assert_string_equal(v[0], "gcc");
	assert_string_equal(v[1], "mpi");
	free(v);
	envsw_avail_free(&a);
}

static void test_exists_and_resolve(void **state)
{
	(void)state;
	char mp[256];
	snprintf(mp, sizeof mp, "%s/a:%s/b", root, root);
	assert_true(envsw_module_exists(mp, "mpi/openmpi-4.1"));
	assert_true(envsw_module_exists(mp, "mpi/mpich-4.0"));
	assert_true(envsw_module_exists(mp, "gcc"));
	assert_false(envsw_module_exists(mp, "mpi/nope"));
	assert_false(envsw_module_exists(mp, "../a/mpi/openmpi-4.1"));
	assert_false(envsw_module_exists(NULL, "gcc"));
}

static int exists_cb(const char *module, void *arg)
{
	return envsw_module_exists(arg, module);
}

static void test_resolve(void **state)
{
	(void)state;
	char mp[256];
	snprintf(mp, sizeof mp, "%s/a:%s/b", root, root);
	char *m = envsw_resolve("mpi", "openmpi-4.1", exists_cb, mp);
	assert_string_equal(m, "mpi/openmpi-4.1"); /* TAG/NAME first */
	free(m);
	m = envsw_resolve("compiler", "gcc", exists_cb, mp);
	assert_string_equal(m, "gcc"); /* then NAME */
	free(m);
	m = envsw_resolve("compiler", "gcc/13", exists_cb, mp);
	assert_string_equal(m, "gcc/13"); /* unknown with '/': as written */
	free(m);
	m = envsw_resolve("mpi", "unknown", exists_cb, mp);
	assert_string_equal(m, "mpi/unknown"); /* unknown without '/': under the tag */
	free(m);
}

static void test_modulerc_text(void **state)
{
	(void)state;
	struct envsw_avail a = {0};
	const char rc[] = "#%Module\n  module-alias {x/y} z\nmodule-version \"x/1\" new old default\n"
			  "module-alias bad\nmodule-alias '../x' y\nmodule_alias(\"ok\"\n";
	envsw_modulerc_parse(&a, "x", rc, sizeof rc - 1);
	assert_true(envsw_avail_has(&a, "x/y"));
	assert_true(envsw_avail_has(&a, "x/new"));
	assert_true(envsw_avail_has(&a, "x/old"));
	assert_false(envsw_avail_has(&a, "x/default"));
	assert_int_equal(a.n, 3);
	envsw_avail_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scan),
		cmocka_unit_test(test_exists_and_resolve),
		cmocka_unit_test(test_resolve),
		cmocka_unit_test(test_modulerc_text),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
