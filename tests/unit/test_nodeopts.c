/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <popt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "fsutil.h"
#include "jsonl.h"
#include "nodeopts.h"

/* Parse ARGV with the shared table through lib/cli; leftover arguments returned (count *NREST). */
static char **parse(struct nodeopts *no, struct cli *c, int argc, const char **argv, size_t *nrest)
{
	nodeopts_init(no);
	struct poptOption opts[] = {
		{NULL, 0, POPT_ARG_INCLUDE_TABLE, nodeopts_popt(no, NULL), 0, NULL, NULL},
		POPT_TABLEEND,
	};
	cli_begin(c, "t", argc, (char **)argv, opts, NULL, 0);
	int val;
	while ((val = cli_next(c)) > 0)
		assert_int_equal(nodeopts_option(no, c, val), 1);
	assert_int_equal(val, -1);
	return cli_args(c, nrest);
}

/* Resolve "-w W -x X [-l USER]" and return the selection as "u@h h ..." in BUF. */
static const char *select_wx(const char *w, const char *x, const char *user, char *buf, size_t len)
{
	const char *argv[] = {"t", "-w", w, "-x", x, user ? "-l" : NULL, user, NULL};
	struct nodeopts no;
	struct cli c;
	size_t n;
	char **rest = parse(&no, &c, user ? 7 : 5, argv, &n);
	struct c3_selection sel;
	char err[200];
	buf[0] = '\0';
	if (nodeopts_resolve(&no, &sel, err, sizeof err) < 0) {
		snprintf(buf, len, "error: %s", err);
	} else {
		for (size_t i = 0; i < sel.n; i++)
			snprintf(buf + strlen(buf), len - strlen(buf), "%s%s%s%s", i ? " " : "",
				 sel.t[i].user ? sel.t[i].user : "", sel.t[i].user ? "@" : "", sel.t[i].host);
		c3_selection_free(&sel);
	}
	cli_args_free(rest, n);
	cli_end(&c);
	nodeopts_free(&no);
	return buf;
}

static void test_host_list_with_users_and_exclusions(void **state)
{
	(void)state;
	const char *argv[] = {"t", "-w", "n[1-4]", "-w", "admin@x1", "-x", "n2", "-l", "bob", "-F", "8", "ls", "-l", NULL};
	struct nodeopts no;
	struct cli c;
	size_t nrest;
	char **rest = parse(&no, &c, 13, argv, &nrest);
	assert_int_equal(nrest, 2);
	assert_string_equal(rest[0], "ls");
	assert_string_equal(rest[1], "-l"); /* options after the command are the command's */
	struct c3_selection sel;
	char err[256];
	assert_int_equal(nodeopts_resolve(&no, &sel, err, sizeof err), 0);
	assert_int_equal(sel.n, 4);
	assert_string_equal(sel.t[0].host, "n1");
	assert_string_equal(sel.t[0].user, "bob");
	assert_string_equal(sel.t[1].host, "n3");
	assert_string_equal(sel.t[3].host, "x1");
	assert_string_equal(sel.t[3].user, "admin");
	assert_null(sel.t[3].cluster);
	struct fanout_opts fo = nodeopts_fanout_opts(&no, 0);
	assert_int_equal(fo.fanout, 8);
	assert_int_equal(nodeopts_fanout_opts(&no, 1).fanout, 1);
	c3_selection_free(&sel);
	cli_args_free(rest, nrest);
	cli_end(&c);
	nodeopts_free(&no);
}

static void test_exclusion_rule(void **state)
{
	(void)state;
	char buf[512];
	assert_string_equal(select_wx("bob@n[1-3]", "n1", NULL, buf, sizeof buf), "bob@n2 bob@n3");
	assert_string_equal(select_wx("n[1-3]", "bob@n1", NULL, buf, sizeof buf), "n1 n2 n3");
	assert_string_equal(select_wx("n[1-3]", "bob@n1", "bob", buf, sizeof buf), "bob@n2 bob@n3");
	assert_string_equal(select_wx("bob@n[1-3]", "bob@n1", NULL, buf, sizeof buf), "bob@n2 bob@n3");
	assert_string_equal(select_wx("bob@n[1-3]", "eve@n1", NULL, buf, sizeof buf), "bob@n1 bob@n2 bob@n3");
	assert_string_equal(select_wx("n[1-3],eve@n4", "n1", "bob", buf, sizeof buf), "bob@n2 bob@n3 eve@n4");
	assert_string_equal(select_wx("@moo", "n1", NULL, buf, sizeof buf),
			    "error: -w: bad host list '@moo': @moo: unknown group");
	assert_string_equal(select_wx("n[1-2]", "@n[1-2]", NULL, buf, sizeof buf),
			    "error: -x: bad host list '@n[1-2]': @n1: unknown group");
	assert_string_equal(select_wx("bob@", "n1", NULL, buf, sizeof buf),
			    "error: -w: bad host list 'bob@': empty host name in 'bob@'");
}

/* 40000 nodes resolve in linear time (the target array grows amortised). */
static void test_many_nodes(void **state)
{
	(void)state;
	char buf[64];
	const char *argv[] = {"t", "-w", "n[1-40000]", "-x", "n[2-39999]", NULL};
	struct nodeopts no;
	struct cli c;
	size_t n;
	char **rest = parse(&no, &c, 5, argv, &n);
	struct c3_selection sel;
	char err[256];
	assert_int_equal(nodeopts_resolve(&no, &sel, err, sizeof err), 0);
	assert_int_equal(sel.n, 2);
	snprintf(buf, sizeof buf, "%s %s", sel.t[0].host, sel.t[1].host);
	assert_string_equal(buf, "n1 n40000");
	c3_selection_free(&sel);
	cli_args_free(rest, n);
	cli_end(&c);
	nodeopts_free(&no);
}

static void test_machine_definitions_from_c3conf(void **state)
{
	(void)state;
	char path[] = "/tmp/test_nodeopts.XXXXXX";
	int fd = mkstemp(path);
	const char conf[] = "cluster a {\n h\n n[1-5]\n exclude 2\n}\ncluster b {\n :gw\n}\n";
	assert_int_equal(fs_write_all(fd, conf, sizeof conf - 1), 0);
	close(fd);
	const char *argv[] = {"t", "-f", path, "root@a:0-2", "b:1", "uptime", "a:b", NULL};
	struct nodeopts no;
	struct cli c;
	size_t nrest, first;
	char **rest = parse(&no, &c, 7, argv, &nrest);
	char err[256];
	assert_int_equal(nodeopts_take_defs(&no, rest, nrest, &first, err, sizeof err), 0);
	assert_int_equal(first, 2); /* "a:b" after the command is the command's */
	assert_int_equal(no.ndefs, 2);
	struct c3_selection sel;
	assert_int_equal(nodeopts_resolve(&no, &sel, err, sizeof err), 0);
	assert_int_equal(sel.n, 3);
	assert_string_equal(sel.t[0].host, "n1");
	assert_string_equal(sel.t[0].user, "root");
	assert_string_equal(sel.t[1].host, "n3");
	assert_string_equal(sel.t[2].host, "gw");
	assert_string_equal(sel.t[2].cluster, "b");
	assert_string_equal(sel.t[2].forward_def, ":1");
	struct fanout_node *nodes = nodeopts_fanout_nodes(&no, &sel);
	assert_string_equal(nodes[0].cluster, "a");
	assert_int_equal(nodes[0].ssh.hostkeys, SSH_HOSTKEY_STRICT);
	nodeopts_fanout_free(nodes, sel.n);
	c3_selection_free(&sel);
	cli_args_free(rest, nrest);
	cli_end(&c);
	nodeopts_free(&no);
	unlink(path);
}

/* A leading word shaped like a machine definition must parse; only leading words count. */
static void test_bad_definitions(void **state)
{
	(void)state;
	const char *cases[][2] = {
		{":1-4x", "bad range '1-4x' in machine definition ':1-4x'"},
		{"local:2-3,a", "bad position 'a' in machine definition 'local:2-3,a'"},
		{"@local:1", "empty user in machine definition '@local:1'"},
		{"a:1,", "bad position '' in machine definition 'a:1,'"},
		{"a@b@c:1", "bad machine definition 'a@b@c:1'"},
		{":3-1", "bad range '3-1' in machine definition ':3-1'"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *args[] = {(char *)cases[i][0], "uptime", NULL};
		struct nodeopts no;
		size_t first;
		char err[256];
		nodeopts_init(&no);
		assert_int_equal(nodeopts_take_defs(&no, args, 2, &first, err, sizeof err), -1);
		assert_string_equal(err, cases[i][1]);
		nodeopts_free(&no);
	}
	const char *commands[] = {"echo", "/bin/echo:x", "PATH=/a:/b", "ls /a:b", "http://x:80/"};
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
		char *args[] = {(char *)commands[i], ":1", NULL};
		struct nodeopts no;
		size_t first;
		char err[256];
		nodeopts_init(&no);
		assert_int_equal(nodeopts_take_defs(&no, args, 2, &first, err, sizeof err), 0);
		assert_int_equal(first, 0);
		nodeopts_free(&no);
	}
}

static void test_resolve_errors(void **state)
{
	(void)state;
	const char *cases[][4] = {
		{"t", "-w", "n[", "-w: bad host list 'n['"},
		{"t", "--failed", "/nonexistent/dir/f", "--failed /nonexistent/dir/f: /nonexistent/dir: No such file"},
		{"t", "--failed", "/tmp", "--failed /tmp: is a directory"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *argv[] = {cases[i][0], cases[i][1], cases[i][2], "-w", "n1", NULL};
		struct nodeopts no;
		struct cli c;
		size_t n;
		char **rest = parse(&no, &c, i ? 5 : 3, argv, &n);
		struct c3_selection sel;
		char err[256];
		assert_int_equal(nodeopts_resolve(&no, &sel, err, sizeof err), -1);
		assert_non_null(strstr(err, cases[i][3]));
		cli_args_free(rest, n);
		cli_end(&c);
		nodeopts_free(&no);
	}
}

static void test_exit_status(void **state)
{
	(void)state;
	struct nodeopts no;
	nodeopts_init(&no);
	struct fanout_node n[3] = {{.name = "a", .state = FANOUT_OK, .exit_status = 3},
				   {.name = "b", .state = FANOUT_OK, .exit_status = 0},
				   {.name = "c", .state = FANOUT_OK, .exit_status = 7}};
	assert_int_equal(nodeopts_exit_status(&no, n, 3, 0), 0);
	assert_int_equal(nodeopts_exit_status(&no, n, 3, 1), 2);
	no.max_status = 1;
	assert_int_equal(nodeopts_exit_status(&no, n, 3, 0), 7);
	n[1].state = FANOUT_TIMEDOUT;
	assert_int_equal(nodeopts_exit_status(&no, n, 3, 0), 255);
	no.max_status = 0;
	assert_int_equal(nodeopts_exit_status(&no, n, 3, 0), 2);
	char path[] = "/tmp/test_nodeopts_failed.XXXXXX";
	close(mkstemp(path));
	no.failed = strdup(path);
	assert_int_equal(nodeopts_write_failed(&no, n, 3, 0), 0);
	size_t len;
	char *text = fs_read_file(path, 1024, &len);
	assert_string_equal(text, "b\n");
	free(text);
	assert_int_equal(nodeopts_write_failed(&no, n, 3, 1), 0); /* and the non-zero exits */
	text = fs_read_file(path, 1024, &len);
	assert_string_equal(text, "a\nb\nc\n");
	free(text);
	unlink(path);
	nodeopts_free(&no);
}

static void test_report_and_state_names(void **state)
{
	(void)state;
	struct nodeopts no;
	nodeopts_init(&no);
	struct fanout_node n[2] = {{.name = "a", .state = FANOUT_OK}, {.name = "b", .state = FANOUT_OK}};
	assert_int_equal(nodeopts_report(&no, n, 2, FANOUT_COMPLETE), 0);
	assert_int_equal(nodeopts_report(&no, n, 2, FANOUT_INTERRUPTED), 2); /* never 0 after a signal */
	n[1].state = FANOUT_PENDING;
	assert_int_equal(nodeopts_report(&no, n, 2, FANOUT_COMPLETE), 2);
	assert_string_equal(nodeopts_state_name(FANOUT_OK), "ok");
	assert_string_equal(nodeopts_state_name(FANOUT_FAILED), "failed");
	assert_string_equal(nodeopts_state_name(FANOUT_TIMEDOUT), "timeout");
	assert_string_equal(nodeopts_state_name(FANOUT_PENDING), "not run");
	nodeopts_free(&no);
}

/* Run FN with stdout in a file; return what it wrote. */
static char *capture(void (*fn)(void))
{
	char path[] = "/tmp/test_nodeopts_json.XXXXXX";
	int fd = mkstemp(path);
	int saved = dup(1);
	fflush(stdout);
	dup2(fd, 1);
	fn();
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	close(fd);
	size_t len;
	char *text = fs_read_file(path, 4096, &len);
	unlink(path);
	return text;
}

static void emit_nodes(void)
{
	struct fanout_node n[2] = {
		{.name = "n1", .cluster = "a", .state = FANOUT_OK, .exit_status = -1, .seconds = 1.5},
		{.name = "n2", .state = FANOUT_TIMEDOUT, .exit_status = -1},
	};
	for (int i = 0; i < 2; i++) {
		json_t *o = nodeopts_json_node(&n[i]);
		json_object_set_new(o, "files", json_integer(3));
		jsonl_emit(stdout, o);
	}
}

static void emit_list(void)
{
	struct nodeopts no;
	nodeopts_init(&no);
	no.json = 1;
	no.from_c3 = 1;
	struct c3_target t[2] = {{.cluster = "a", .host = "n1", .user = "bob"}, {.cluster = "a", .host = "n\377"}};
	struct c3_selection sel = {t, 2};
	nodeopts_print_list(&no, &sel);
}

static void test_json(void **state)
{
	(void)state;
	char *text = capture(emit_nodes);
	assert_string_equal(text, "{\"node\":\"n1\",\"cluster\":\"a\",\"ok\":true,\"exit\":null,\"signal\":null,"
				  "\"error\":null,\"seconds\":1.5,\"files\":3}\n"
				  "{\"node\":\"n2\",\"cluster\":null,\"ok\":false,\"exit\":null,\"signal\":null,"
				  "\"error\":\"timeout\",\"seconds\":0.0,\"files\":3}\n");
	free(text);
	text = capture(emit_list);
	assert_string_equal(text, "{\"node\":\"n1\",\"cluster\":\"a\",\"user\":\"bob\"}\n"
				  "{\"node\":\"n\xef\xbf\xbd\",\"node_base64\":\"bv8=\",\"cluster\":\"a\",\"user\":null}\n");
	free(text);
}

int main(void)
{
	setenv("CT_CLUSH_GROUPS_CONF", "/dev/null", 1); /* not the machine's ClusterShell groups */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_host_list_with_users_and_exclusions),
		cmocka_unit_test(test_machine_definitions_from_c3conf),
		cmocka_unit_test(test_exclusion_rule),
		cmocka_unit_test(test_many_nodes),
		cmocka_unit_test(test_bad_definitions),
		cmocka_unit_test(test_resolve_errors),
		cmocka_unit_test(test_exit_status),
		cmocka_unit_test(test_report_and_state_names),
		cmocka_unit_test(test_json),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
