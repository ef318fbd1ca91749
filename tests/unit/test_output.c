/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"

struct cap {
	char *out, *err;
	size_t outlen, errlen;
	FILE *fo, *fe;
};

static void cap_open(struct cap *c)
{
	memset(c, 0, sizeof *c);
	c->fo = open_memstream(&c->out, &c->outlen);
	c->fe = open_memstream(&c->err, &c->errlen);
}

static void cap_close(struct cap *c)
{
	fclose(c->fo);
	fclose(c->fe);
}

static void cap_free(struct cap *c)
{
	free(c->out);
	free(c->err);
}

static const struct out_node c3nodes[] = {{"n1", "alpha"}, {"n2", "alpha"}, {"n3", "beta"}};
static const struct out_status ok0 = {0, NULL, NULL, 0.5};

/* Nodes finish out of order: blocks still come in node order, one cluster header each. */
static void test_c3_blocks_in_node_order(void **state)
{
	(void)state;
	struct cap c;
	cap_open(&c);
	struct out_writer *w = out_new(OUT_C3, c3nodes, 3, c.fo, c.fe);
	out_chunk(w, 2, 0, "three\n", 6);
	out_done(w, 2, &ok0);
	out_chunk(w, 1, 0, "tw", 2);
	out_chunk(w, 1, 0, "o", 1);
	out_chunk(w, 1, 1, "oops\n", 5);
	out_done(w, 1, &ok0);
	out_chunk(w, 0, 0, "one\n", 4);
	out_done(w, 0, &ok0);
	out_finish(w);
	out_free(w);
	cap_close(&c);
	assert_string_equal(c.out, "************************* alpha *************************\n"
				   "--------- n1---------\none\n"
				   "--------- n2---------\ntwo\n"
				   "************************* beta *************************\n"
				   "--------- n3---------\nthree\n");
	assert_string_equal(c.err, "alpha n2: oops\n");
	cap_free(&c);
}

static void test_pipe_prefixes_lines(void **state)
{
	(void)state;
	struct cap c;
	cap_open(&c);
	struct out_node nodes[] = {{"node01", NULL}, {"node02", NULL}};
	struct out_writer *w = out_new(OUT_PIPE, nodes, 2, c.fo, c.fe);
	out_chunk(w, 1, 0, "a\nb", 3);
	out_chunk(w, 0, 0, "x\n", 2);
	out_chunk(w, 1, 0, "c\n", 2);
	out_chunk(w, 0, 1, "warn\n", 5);
	out_done(w, 0, &ok0);
	out_chunk(w, 1, 0, "tail", 4);
	out_done(w, 1, &ok0);
	out_finish(w);
	out_free(w);
	cap_close(&c);
	assert_string_equal(c.out, "node02: a\nnode01: x\nnode02: bc\nnode02: tail\n");
	assert_string_equal(c.err, "node01: warn\n");
	cap_free(&c);
}

static void test_gather_folds_identical(void **state)
{
	(void)state;
	struct cap c;
	cap_open(&c);
	struct out_node nodes[] = {{"node01", NULL}, {"node02", NULL}, {"node03", NULL}, {"node04", NULL}};
	struct out_writer *w = out_new(OUT_GATHER, nodes, 4, c.fo, c.fe);
	struct out_status fail = {-1, NULL, "connect: Connection refused", 0};
	struct out_status st3 = {3, NULL, NULL, 0};
	for (size_t i = 0; i < 4; i++) {
		if (i != 2)
			out_chunk(w, i, 0, "same\n", 5);
		out_done(w, i, i == 2 ? &fail : i == 3 ? &st3 : &ok0);
	}
	out_finish(w);
	out_free(w);
	cap_close(&c);
	assert_string_equal(c.out, "----------------\nnode[01-02]\n----------------\nsame\n"
				   "----------------\nnode03 (connect: Connection refused)\n----------------\n"
				   "----------------\nnode04 (exit 3)\n----------------\nsame\n");
	cap_free(&c);
}

static void test_json_lines(void **state)
{
	(void)state;
	struct cap c;
	cap_open(&c);
	struct out_node nodes[] = {{"n1", "cl"}, {"n2", NULL}};
	struct out_writer *w = out_new(OUT_JSON, nodes, 2, c.fo, c.fe);
	out_chunk(w, 0, 0, "o\"k\n", 4);
	out_chunk(w, 0, 1, "bad\xff\n", 5);
	struct out_status sig = {-1, "KILL", NULL, 1.25};
	out_done(w, 1, &sig);
	out_done(w, 0, &ok0);
	out_finish(w);
	out_free(w);
	cap_close(&c);
	assert_string_equal(c.out,
			    "{\"node\":\"n1\",\"cluster\":\"cl\",\"ok\":true,\"exit\":0,\"signal\":null,\"error\":null,"
			    "\"seconds\":0.5,\"stdout\":\"o\\\"k\\n\",\"stderr\":\"bad\xef\xbf\xbd\\n\","
			    "\"stderr_base64\":\"YmFk/wo=\"}\n"
			    "{\"node\":\"n2\",\"cluster\":null,\"ok\":false,\"exit\":null,\"signal\":\"KILL\",\"error\":null,"
			    "\"seconds\":1.25,\"stdout\":\"\",\"stderr\":\"\"}\n");
	cap_free(&c);
}

/* Nodes added later (an indirect cluster's) print after the others; hidden ones not at all. */
static void test_added_and_hidden(void **state)
{
	(void)state;
	struct cap c;
	cap_open(&c);
	struct out_node nodes[] = {{"gw", "far"}, {"n1", "near"}};
	struct out_writer *w = out_new(OUT_C3, nodes, 2, c.fo, c.fe);
	out_done(w, 1, &ok0);
	struct out_node r = {"r1", "far"};
	size_t i = out_add_node(w, &r);
	assert_int_equal(i, 2);
	out_chunk(w, i, 0, "remote\n", 7);
	out_done(w, i, &ok0);
	out_hide(w, 0);
	out_finish(w);
	out_free(w);
	cap_close(&c);
	assert_string_equal(c.out, "************************* near *************************\n--------- n1---------\n"
				   "************************* far *************************\n--------- r1---------\nremote\n");
	cap_free(&c);
}

static void test_format_names(void **state)
{
	(void)state;
	assert_int_equal(out_format_parse("json"), OUT_JSON);
	assert_int_equal(out_format_parse("gather"), OUT_GATHER);
	assert_int_equal(out_format_parse("xml"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_c3_blocks_in_node_order),
		cmocka_unit_test(test_pipe_prefixes_lines),
		cmocka_unit_test(test_gather_folds_identical),
		cmocka_unit_test(test_json_lines),
		cmocka_unit_test(test_added_and_hidden),
		cmocka_unit_test(test_format_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
