/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bytebuf.h"
#include "groups.h"

/* The example of ClusterShell 1.9's groups.d/local.cfg, unchanged. */
static const char *clustershell_cfg =
	"# ClusterShell groups config local.cfg\n"
	"#\n"
	"adm: example0\n"
	"oss: example4 example5\n"
	"mds: example6\n"
	"io: example[4-6]\n"
	"compute: example[32-159]\n"
	"gpu: example[156-159]\n"
	"all: example[4-6,32-159]\n";

static const char *flat =
	"login: login[1-2]\n"
	"compute: node[01-04]   # racks 1 and 2\n"
	"gpu: node[03-04]\n"
	"cpu: @compute!@gpu\n"
	"both: @login @gpu\n"
	"rack1: node[01-02]\n"
	"rack2: node[03-04]\n"
	"racks: @rack[1-2]\n"
	"odd: node[01-04]&node[01,03,05]\n"
	"xor: node[01-02]^node[02-03]\n"
	"empty:\n"
	"login: login3\n";

static const char *genders =
	"# genders\n"
	"node[01-02]  compute,rack=1\n"
	"node03 compute,gpu=a100,rack=2\n"
	"head   mgmt\n"
	"bare\n";

/* Clusters of a fake c3.conf: "@c3" is two nodes. */
static int lookup(void *arg, const char *name, struct nodeset *ns, char *err, size_t errlen)
{
	(void)arg;
	if (strcmp(name, "broken") == 0) {
		snprintf(err, errlen, "c3.conf: broken");
		return -1;
	}
	if (strcmp(name, "c3") != 0)
		return 0;
	nodeset_add(ns, "c3a");
	nodeset_add(ns, "c3b");
	return 1;
}

static struct groups *load(void)
{
	struct groups *g = groups_new();
	char err[512];
	if (groups_parse_flat(g, flat, "groups", err, sizeof err) < 0 ||
	    groups_parse_genders(g, genders, "genders", err, sizeof err) < 0)
		fail_msg("%s", err);
	groups_set_lookup(g, lookup, NULL);
	return g;
}

/* Expand EXPR and compare the names, space-separated, with WANT. */
static void check(struct groups *g, const char *expr, const char *want)
{
	struct nodeset ns;
	char err[512], got[4096] = "";
	nodeset_init(&ns);
	if (groups_expand(g, &ns, expr, err, sizeof err) < 0)
		fail_msg("'%s': %s", expr, err);
	for (size_t i = 0; i < ns.n; i++) {
		strcat(got, i ? " " : "");
		strcat(got, ns.names[i]);
	}
	if (strcmp(got, want) != 0)
		fail_msg("'%s' gave '%s', want '%s'", expr, got, want);
	nodeset_free(&ns);
}

static void check_error(struct groups *g, const char *expr, const char *want)
{
	struct nodeset ns;
	char err[512];
	nodeset_init(&ns);
	assert_int_equal(groups_expand(g, &ns, expr, err, sizeof err), -1);
	if (strcmp(err, want) != 0)
		fail_msg("'%s': error '%s', want '%s'", expr, err, want);
	nodeset_free(&ns);
}

static void test_clustershell_file(void **state)
{
	(void)state;
	struct groups *g = groups_new();
	char err[256];
	assert_int_equal(groups_parse_flat(g, clustershell_cfg, "local.cfg", err, sizeof err), 0);
	check(g, "@oss", "example4 example5");
	check(g, "@io!@oss", "example6");
	check(g, "@gpu,@adm", "example156 example157 example158 example159 example0");
	assert_int_equal(groups_count(g), 7);
	assert_string_equal(groups_name(g, 6), "all");
	assert_string_equal(groups_source(g, 6), "local.cfg");
	groups_free(g);
}

static void test_flat(void **state)
{
	(void)state;
	struct groups *g = load();
	check(g, "@login", "login1 login2 login3");
	check(g, "node[05-06],@gpu", "node05 node06 node03 node04");
	check(g, "@cpu", "node01 node02");
	check(g, "@both", "login1 login2 login3 node03 node04");
	check(g, "@racks", "node01 node02 node03 node04");
	check(g, "@odd", "node01 node03");
	check(g, "@xor", "node01 node03");
	check(g, "@empty,x1", "x1");
	check(g, "@compute!node02", "node01 node03 node04");
	groups_free(g);
}

static void test_genders_and_lookup(void **state)
{
	(void)state;
	struct groups *g = load();
	check(g, "@mgmt", "head");
	check(g, "@rack", "node01 node02 node03");
	check(g, "@compute", "node01 node02 node03 node04"); /* the file before genders */
	check(g, "@c3,@mgmt", "c3a c3b head");
	struct nodeset ns;
	char err[256];
	nodeset_init(&ns);
	assert_int_equal(groups_genders(g, &ns, "rack=2,mgmt", err, sizeof err), 0);
	assert_int_equal(ns.n, 2);
	assert_string_equal(ns.names[0], "node03");
	assert_string_equal(ns.names[1], "head");
	assert_int_equal(groups_genders(g, &ns, "gpu=h100", err, sizeof err), 0);
	assert_int_equal(ns.n, 2);
	assert_int_equal(groups_genders(g, &ns, "=x", err, sizeof err), -1);
	assert_string_equal(err, "-g =x: empty attribute");
	nodeset_free(&ns);
	/* listing: the file's groups, then the attributes */
	assert_string_equal(groups_name(g, 11), "compute");
	assert_string_equal(groups_source(g, 11), "genders genders");
	groups_free(g);
}

static void test_errors(void **state)
{
	(void)state;
	struct groups *g = load();
	char err[512];
	check_error(g, "@nope", "@nope: unknown group");
	check_error(g, "node1,@nope", "@nope: unknown group");
	check_error(g, "@broken", "c3.conf: broken");
	check_error(g, "@", "'@' without a group name");
	check_error(g, "a!", "missing operand after '!' in 'a!'");
	check_error(g, "!a", "missing operand before '!' in '!a'");
	check_error(g, "", "empty host list");
	check_error(g, "a,,b", "empty host name in 'a,,b'");
	check_error(g, "a,", "empty host name in 'a,'");
	assert_int_equal(groups_parse_flat(g, "a: @b\nb: @c\nc: @a\nd: @e\ne: x,@zz\nf: n[\n",
					   "g2", err, sizeof err), 0);
	check_error(g, "@a", "g2:1: group cycle: @a -> @b -> @c -> @a");
	check_error(g, "x,@b", "g2:2: group cycle: @b -> @c -> @a -> @b");
	check_error(g, "@d", "g2:5: group @e: @zz: unknown group");
	check_error(g, "@f", "g2:6: group @f: missing ']' in 'n['");
	assert_int_equal(groups_parse_flat(g, "ok: a\n bad line\n", "g3", err, sizeof err), -1);
	assert_string_equal(err, "g3:2: expected 'name: nodes', got 'bad line'");
	assert_int_equal(groups_parse_genders(g, "n1 a b\n", "gen", err, sizeof err), -1);
	assert_string_equal(err, "gen:1: expected 'nodes attr[=val],...'");
	assert_int_equal(groups_parse_genders(g, "n1 a,=b\n", "gen", err, sizeof err), -1);
	assert_string_equal(err, "gen:1: bad attribute ''");
	assert_int_equal(groups_parse_genders(g, "n[1 a\n", "gen", err, sizeof err), -1);
	assert_string_equal(err, "gen:1: missing ']' in 'n[1'");
	groups_free(g);
}

/* A chain of N groups, g0: @g1, g1: @g2, ..., the last one a node. */
static char *chain(int n)
{
	struct bytebuf b = {0};
	char line[64];
	for (int i = 0; i < n; i++) {
		int len = i + 1 < n ? snprintf(line, sizeof line, "g%d: @g%d\n", i, i + 1)
				    : snprintf(line, sizeof line, "g%d: leaf\n", i);
		bytebuf_add(&b, line, (size_t)len);
	}
	bytebuf_add(&b, "", 1);
	return b.p;
}

/* Nesting: 64 groups deep resolves, 65 is an error naming the group, 20000 does not overflow the stack. */
static void test_nesting(void **state)
{
	(void)state;
	static const int depth[] = {64, 65, 20000};
	for (size_t i = 0; i < 3; i++) {
		struct groups *g = groups_new();
		char err[512];
		char *text = chain(depth[i]);
		assert_int_equal(groups_parse_flat(g, text, "deep", err, sizeof err), 0);
		struct nodeset ns;
		nodeset_init(&ns);
		int rc = groups_expand(g, &ns, "@g0", err, sizeof err);
		if (i == 0) {
			assert_int_equal(rc, 0);
			assert_int_equal(ns.n, 1);
			assert_string_equal(ns.names[0], "leaf");
		} else {
			assert_int_equal(rc, -1);
			assert_string_equal(err, "deep:65: group @g64: groups nested more than 64 deep (from @g0)");
		}
		nodeset_free(&ns);
		free(text);
		groups_free(g);
	}
}

static void test_file_arg(void **state)
{
	(void)state;
	struct groups *g = load();
	char path[] = "/tmp/test_groups.XXXXXX", arg[64], err[512];
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	const char *text = "# hosts\n@gpu\nlogin1  # a comment\n@nope\n";
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	snprintf(arg, sizeof arg, "^%s", path);
	struct nodeset ns;
	nodeset_init(&ns);
	assert_int_equal(groups_expand_arg(g, &ns, arg, err, sizeof err), -1);
	char want[128];
	snprintf(want, sizeof want, "%s:4: @nope: unknown group", path);
	assert_string_equal(err, want);
	assert_int_equal(ns.n, 3);
	unlink(path);
	assert_int_equal(groups_expand_arg(g, &ns, arg, err, sizeof err), -1);
	assert_non_null(strstr(err, "No such file"));
	nodeset_free(&ns);
	groups_free(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clustershell_file),
		cmocka_unit_test(test_flat),
		cmocka_unit_test(test_genders_and_lookup),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_nesting),
		cmocka_unit_test(test_file_arg),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
