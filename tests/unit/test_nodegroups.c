/* SPDX-License-Identifier: BSD-3-Clause */
/* nodegroups: the groups file, genders and c3.conf's clusters, from real files. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fsutil.h"
#include "nodegroups.h"
#include "nodeset.h"
#include "xalloc.h"

static char dir[] = "/tmp/ct-nodegroups-XXXXXX";

static char *path(const char *name)
{
	return xasprintf("%s/%s", dir, name);
}

static void put(const char *name, const char *text)
{
	char *p = path(name);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	free(p);
}

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(dir))
		return -1;
	put("groups", "compute: node[01-04]\nio: io1,io2\n");
	put("genders", "node01 gpu\nnode02 gpu\n");
	put("c3.conf", "cluster local {\n\thead\n\tnode[1-3]\n\texclude 2\n}\n");
	char *g = path("genders");
	setenv("CT_GENDERS", g, 1);
	free(g);
	unsetenv("CT_GROUPS");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	const char *names[] = { "groups", "genders", "c3.conf", "out" };
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		char *p = path(names[i]);
		unlink(p);
		free(p);
	}
	unsetenv("CT_GENDERS");
	return rmdir(dir);
}

static void expand(struct nodegroups *ng, const char *expr, const char *want)
{
	struct nodeset ns;
	char err[256], got[256] = "";
	nodeset_init(&ns);
	assert_int_equal(groups_expand(ng->g, &ns, expr, err, sizeof err), 0);
	for (size_t i = 0; i < ns.n; i++)
		snprintf(got + strlen(got), sizeof got - strlen(got), "%s%s", i ? " " : "", ns.names[i]);
	assert_string_equal(got, want);
	nodeset_free(&ns);
}

static void test_three_sources(void **state)
{
	(void)state;
	struct nodegroups ng;
	char err[256];
	char *groups = path("groups"), *c3 = path("c3.conf");
	assert_int_equal(nodegroups_load(&ng, groups, c3, err, sizeof err), 0);
	assert_true(ng.have_genders);
	expand(&ng, "@io", "io1 io2");
	expand(&ng, "@gpu", "node01 node02");
	expand(&ng, "@local", "node1 node3"); /* c3.conf, read on first use, less the excluded */
	nodegroups_free(&ng);
	free(groups);
	free(c3);
}

/* --groups: NAME<TAB>SOURCE for each, c3.conf's clusters last. */
static void test_print(void **state)
{
	(void)state;
	struct nodegroups ng;
	char err[256];
	char *groups = path("groups"), *c3 = path("c3.conf"), *out = path("out");
	assert_int_equal(nodegroups_load(&ng, groups, c3, err, sizeof err), 0);
	fflush(stdout);
	int saved = dup(1);
	assert_non_null(freopen(out, "w", stdout));
	int rc = nodegroups_print(&ng, err, sizeof err);
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	assert_int_equal(rc, 0);
	char *text = fs_read_file(out, 1 << 16, NULL);
	char *want = xasprintf("compute\t%s\nio\t%s\ngpu\tgenders %s/genders\nlocal\tc3 %s\n", groups, groups, dir, c3);
	assert_string_equal(text, want);
	free(want);
	free(text);
	nodegroups_free(&ng);
	free(groups);
	free(c3);
	free(out);
}

/* A groups file named on the command line must exist; so must $CT_GENDERS. */
static void test_named_file_missing(void **state)
{
	(void)state;
	struct nodegroups ng;
	char err[256];
	char *missing = path("nope");
	assert_int_equal(nodegroups_load(&ng, missing, NULL, err, sizeof err), -1);
	char *want = xasprintf("%s: No such file or directory", missing);
	assert_string_equal(err, want);
	nodegroups_free(&ng);
	setenv("CT_GENDERS", missing, 1);
	char *groups = path("groups");
	assert_int_equal(nodegroups_load(&ng, groups, NULL, err, sizeof err), -1);
	assert_string_equal(err, want);
	nodegroups_free(&ng);
	char *g = path("genders");
	setenv("CT_GENDERS", g, 1);
	free(g);
	free(groups);
	free(want);
	free(missing);
}

int main(void)
{
	setenv("CT_CLUSH_GROUPS_CONF", "/dev/null", 1); /* not the machine's ClusterShell groups */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_three_sources),
		cmocka_unit_test(test_print),
		cmocka_unit_test(test_named_file_missing),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
