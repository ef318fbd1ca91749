/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "c3conf.h"

/* The example of DESIGN.md, with a second direct cluster. */
static const char conf_text[] =
	"# c3.conf\n"
	"cluster local {\n"
	"    head-ext:head-int     # first line: head node\n"
	"    node[1-64]            # ranges\n"
	"    exclude 2             # node numbers, stay in position\n"
	"    exclude [55-60]\n"
	"    dead node70           # single node, offline\n"
	"}\n"
	"cluster other {\n"
	"    ohead\n"
	"    c[01-08]\n"
	"    exclude [03-04]\n"
	"    gpu1\n"
	"}\n"
	"cluster remote {\n"
	"    :gateway01            # indirect cluster\n"
	"}\n";

static struct c3_conf conf;

static int setup(void **state)
{
	(void)state;
	char err[256];
	if (c3conf_parse(conf_text, strlen(conf_text), "c3.conf", &conf, err, sizeof err) < 0) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	c3conf_free(&conf);
	return 0;
}

/* Select with DEFS (space-separated) and compare "cluster:host[@user][>fwd]" lists. */
static void check_select(const char *defs_text, int all, int head, const char *want)
{
	char *copy = strdup(defs_text), *defs[16], *save = NULL;
	size_t n = 0;
	for (char *t = strtok_r(copy, " ", &save); t; t = strtok_r(NULL, " ", &save))
		defs[n++] = t;
	struct c3_selection sel;
	char err[256];
	if (c3conf_select(&conf, defs, n, all, head, &sel, err, sizeof err) < 0)
		fail_msg("'%s': %s", defs_text, err);
	char got[8192] = "";
	for (size_t i = 0; i < sel.n; i++) {
		char one[200];
		snprintf(one, sizeof one, "%s%s:%s%s%s%s%s", i ? " " : "", sel.t[i].cluster, sel.t[i].host,
			 sel.t[i].user ? "@" : "", sel.t[i].user ? sel.t[i].user : "",
			 sel.t[i].forward_def ? ">" : "", sel.t[i].forward_def ? sel.t[i].forward_def : "");
		strcat(got, one);
	}
	if (strcmp(got, want) != 0)
		fail_msg("'%s' selected\n  '%s'\nwant\n  '%s'", defs_text, got, want);
	c3_selection_free(&sel);
	free(copy);
}

static void check_select_error(const char *def, const char *want)
{
	char *defs[1] = {(char *)def};
	struct c3_selection sel;
	char err[256];
	assert_int_equal(c3conf_select(&conf, defs, 1, 0, 0, &sel, err, sizeof err), -1);
	if (!strstr(err, want))
		fail_msg("'%s': error '%s' lacks '%s'", def, err, want);
}

static void test_parse_structure(void **state)
{
	(void)state;
	assert_int_equal(conf.n, 3);
	const struct c3_cluster *local = &conf.clusters[0];
	assert_string_equal(local->name, "local");
	assert_string_equal(local->head_ext, "head-ext");
	assert_string_equal(local->head_int, "head-int");
	assert_int_equal(local->n, 65); /* node1..node64 + node70 */
	assert_string_equal(local->nodes[1].name, "node2");
	assert_true(local->nodes[1].excluded);
	assert_int_equal(local->nodes[1].position, 1);
	for (int i = 54; i <= 59; i++)
		assert_true(local->nodes[i].excluded);
	assert_false(local->nodes[53].excluded);
	assert_false(local->nodes[60].excluded);
	assert_string_equal(local->nodes[64].name, "node70");
	assert_true(local->nodes[64].dead);
	const struct c3_cluster *other = c3conf_find(&conf, "other");
	assert_non_null(other);
	assert_string_equal(other->head_ext, "ohead");
	assert_string_equal(other->head_int, "ohead");
	assert_string_equal(other->nodes[2].name, "c03");
	assert_true(other->nodes[2].excluded && other->nodes[3].excluded);
	const struct c3_cluster *remote = c3conf_find(&conf, "remote");
	assert_string_equal(remote->gateway, "gateway01");
	assert_null(remote->head_ext);
}

static void test_positions(void **state)
{
	(void)state;
	/* position 1 is node2 (excluded): skipped, others keep their positions */
	check_select(":0-4", 0, 0, "local:node1 local:node3 local:node4 local:node5");
	check_select(":1-4,6", 0, 0, "local:node3 local:node4 local:node5 local:node7");
	check_select(":53-61", 0, 0, "local:node54 local:node61 local:node62");
	check_select(":64", 0, 0, ""); /* dead node70 */
	check_select("local:0", 0, 0, "local:node1");
	check_select("other:", 0, 0, "other:c01 other:c02 other:c05 other:c06 other:c07 other:c08 other:gpu1");
	check_select("other:1-5", 0, 0, "other:c02 other:c05 other:c06");
	check_select("other:8", 0, 0, "other:gpu1");
}

static void test_several_definitions(void **state)
{
	(void)state;
	/* cexec :0-4 other:1-5 style mix, definition order kept */
	check_select(":0-4 other:1-5", 0, 0,
		     "local:node1 local:node3 local:node4 local:node5 other:c02 other:c05 other:c06");
	check_select(":0,0-2 :2", 0, 0, "local:node1 local:node3");
	check_select("admin@other:0-1 :0", 0, 0, "other:c01@admin other:c02@admin local:node1");
	check_select("remote:1-3", 0, 0, "remote:gateway01>:1-3");
	check_select("remote:", 0, 0, "remote:gateway01>:");
}

static void test_default_all_head(void **state)
{
	(void)state;
	struct c3_selection sel;
	char err[256];
	assert_int_equal(c3conf_select(&conf, NULL, 0, 0, 0, &sel, err, sizeof err), 0);
	assert_int_equal(sel.n, 64 - 7); /* 64 in range, 7 excluded; node70 dead */
	c3_selection_free(&sel);
	assert_int_equal(c3conf_select(&conf, NULL, 0, 1, 0, &sel, err, sizeof err), 0);
	assert_int_equal(sel.n, 57 + 7 + 1);
	assert_string_equal(sel.t[sel.n - 1].host, "gateway01");
	c3_selection_free(&sel);
	check_select("", 0, 1, "local:head-ext");
	check_select("", 1, 1, "local:head-ext other:ohead remote:gateway01");
	check_select("other: :", 0, 1, "other:ohead local:head-ext");
}

static void test_definition_errors(void **state)
{
	(void)state;
	check_select_error("nosuch:1", "unknown cluster 'nosuch'");
	check_select_error(":65", "position 65 is past the end of cluster 'local' (positions 0-64)");
	check_select_error(":3-1", "bad range '3-1'");
	check_select_error(":1--2", "bad range");
	check_select_error("@local:1", "empty user");
	check_select_error("node1", "bad machine definition");
	assert_true(c3_is_machine_def(":1-4,6"));
	assert_true(c3_is_machine_def("name:"));
	assert_true(c3_is_machine_def("user@name:1-5"));
	assert_false(c3_is_machine_def("hostname"));
	assert_false(c3_is_machine_def("ls"));
	assert_false(c3_is_machine_def("a:b"));
	assert_false(c3_is_machine_def("/bin/echo:x"));
	/* the shape a tool treats as a definition (and then refuses if it does not parse) */
	assert_true(c3_looks_like_machine_def(":1-4x"));
	assert_true(c3_looks_like_machine_def("local:2-3,a"));
	assert_true(c3_looks_like_machine_def("a:b"));
	assert_true(c3_looks_like_machine_def("@local:1"));
	assert_false(c3_looks_like_machine_def("echo"));
	assert_false(c3_looks_like_machine_def("/bin/echo:x"));
	assert_false(c3_looks_like_machine_def("PATH=/a:/b"));
	assert_false(c3_looks_like_machine_def("x:/tmp"));
	assert_false(c3_looks_like_machine_def("a:b c"));
	char err[128];
	assert_int_equal(c3_check_machine_def("a:b", err, sizeof err), -1);
	assert_string_equal(err, "bad position 'b' in machine definition 'a:b'");
	assert_int_equal(c3_check_machine_def("u@:0-2,5", err, sizeof err), 0);
}

static void check_parse_error(const char *text, const char *want)
{
	struct c3_conf c;
	char err[256];
	assert_int_equal(c3conf_parse(text, strlen(text), "c3.conf", &c, err, sizeof err), -1);
	if (!strstr(err, want))
		fail_msg("error '%s' lacks '%s'", err, want);
}

static void test_parse_errors(void **state)
{
	(void)state;
	check_parse_error("node1\n", "c3.conf:1: expected 'cluster NAME {'");
	check_parse_error("cluster a\n", "c3.conf:1: expected 'cluster a {'");
	check_parse_error("cluster a {\n h\n n[1-3\n}\n", "c3.conf:3: missing ']'");
	check_parse_error("cluster a {\n h\n n1\n exclude 1\n}\n", "c3.conf:4: 'exclude' must follow a range");
	check_parse_error("cluster a {\n h\n n[1-3]\n exclude 7\n}\n", "c3.conf:4: exclude 7: no such node number");
	check_parse_error("cluster a {\n h\n n[1-3]\n dead n9\n exclude 1\n}\n", "c3.conf:5: 'exclude' must follow");
	check_parse_error("cluster a {\n h\n n1\n", "c3.conf:1: cluster 'a' is not closed");
	check_parse_error("cluster a {\n}\n", "c3.conf:2: cluster 'a' has no head node line");
	check_parse_error("cluster a {\n :gw\n n1\n}\n", "c3.conf:3: indirect cluster 'a' takes no node lines");
	check_parse_error("cluster a {\n h\n}\ncluster a {\n h\n}\n", "c3.conf:4: cluster 'a' is defined twice");
	check_parse_error("cluster a {\n h\n n1 n2\n}\n", "c3.conf:3: unexpected 'n1 n2'");
	check_parse_error("cluster a {\n h\n dead\n}\n", "c3.conf:3: 'dead' needs one node name");
	check_parse_error("# nothing\n", "c3.conf: no cluster defined");
	check_parse_error("cluster a {\n h:x:y\n}\n", "c3.conf:2: bad head line");
}

static void test_padding_and_brace_styles(void **state)
{
	(void)state;
	const char *text = "cluster p{\n h\n n[08-11]\n exclude 9\n exclude [10]\n}\n";
	struct c3_conf c;
	char err[256];
	assert_int_equal(c3conf_parse(text, strlen(text), "x", &c, err, sizeof err), 0);
	assert_int_equal(c.clusters[0].n, 4);
	assert_string_equal(c.clusters[0].nodes[0].name, "n08");
	assert_false(c.clusters[0].nodes[0].excluded);
	assert_true(c.clusters[0].nodes[1].excluded);
	assert_true(c.clusters[0].nodes[2].excluded);
	assert_false(c.clusters[0].nodes[3].excluded);
	c3conf_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_structure),
		cmocka_unit_test(test_positions),
		cmocka_unit_test(test_several_definitions),
		cmocka_unit_test(test_default_all_head),
		cmocka_unit_test(test_definition_errors),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_padding_and_brace_styles),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
