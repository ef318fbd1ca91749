#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <popt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fsutil.h"
#include "nodeopts.h"

/* Parse ARGV with the shared table; leftover arguments in *REST. */
static poptContext parse(struct nodeopts *no, int argc, const char **argv, const char ***rest)
{
	nodeopts_init(no);
	struct poptOption opts[] = {
		{NULL, 0, POPT_ARG_INCLUDE_TABLE, nodeopts_popt(no), 0, NULL, NULL},
		POPT_TABLEEND,
	};
	poptContext pc = poptGetContext("t", argc, argv, opts, POPT_CONTEXT_POSIXMEHARDER);
	assert_int_equal(poptGetNextOpt(pc), -1);
	*rest = poptGetArgs(pc);
	return pc;
}

static void test_host_list_with_users_and_exclusions(void **state)
{
	(void)state;
	const char *argv[] = {"t", "-w", "n[1-4]", "-w", "admin@x1", "-x", "n2", "-l", "bob", "-F", "8", "ls", "-l", NULL};
	struct nodeopts no;
	const char **rest;
	poptContext pc = parse(&no, 13, argv, &rest);
	assert_string_equal(rest[0], "ls");
	assert_string_equal(rest[1], "-l"); /* options after the command are the command's */
	struct c3_selection sel;
	char err[256];
	assert_int_equal(nodeopts_resolve(&no, NULL, 0, &sel, err, sizeof err), 0);
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
	poptFreeContext(pc);
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
	const char *argv[] = {"t", "-f", path, "root@a:0-2", "b:1", "uptime", NULL};
	struct nodeopts no;
	const char **rest;
	poptContext pc = parse(&no, 6, argv, &rest);
	char **defs;
	size_t ndefs;
	size_t first = nodeopts_split_defs((char **)rest, 3, &defs, &ndefs);
	assert_int_equal(first, 2);
	assert_int_equal(ndefs, 2);
	struct c3_selection sel;
	char err[256];
	assert_int_equal(nodeopts_resolve(&no, defs, ndefs, &sel, err, sizeof err), 0);
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
	poptFreeContext(pc);
	nodeopts_free(&no);
	unlink(path);
}

static void test_bad_values(void **state)
{
	(void)state;
	const char *cases[][4] = {
		{"t", "--host-keys", "maybe", "bad --host-keys 'maybe'"},
		{"t", "-F", "0", "--fanout must be at least 1"},
		{"t", "-w", "n[", "bad host list 'n['"},
	};
	for (size_t i = 0; i < 3; i++) {
		const char *argv[] = {cases[i][0], cases[i][1], cases[i][2], NULL};
		struct nodeopts no;
		const char **rest;
		poptContext pc = parse(&no, 3, argv, &rest);
		struct c3_selection sel;
		char err[256];
		assert_int_equal(nodeopts_resolve(&no, NULL, 0, &sel, err, sizeof err), -1);
		assert_non_null(strstr(err, cases[i][3]));
		poptFreeContext(pc);
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

static void test_json_line(void **state)
{
	(void)state;
	char path[] = "/tmp/test_nodeopts_json.XXXXXX";
	int fd = mkstemp(path);
	int saved = dup(1);
	fflush(stdout);
	dup2(fd, 1);
	nodeopts_json_line(json_pack("{s:s, s:I}", "node", "n1", "files", (json_int_t)3));
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	close(fd);
	size_t len;
	char *text = fs_read_file(path, 1024, &len);
	assert_string_equal(text, "{\"node\":\"n1\",\"files\":3}\n");
	free(text);
	unlink(path);
}

static void test_args(void **state)
{
	(void)state;
	const char *argv[] = {"cget", "-r", ":1-2", "/etc/hosts", "out", NULL};
	struct poptOption table[] = {{"recursive", 'r', POPT_ARG_NONE, NULL, 'r', NULL, NULL},
				     {"version", 0, POPT_ARG_NONE, NULL, 'V', NULL, NULL}, POPT_TABLEEND};
	poptContext pc = poptGetContext("cget", 5, argv, table, 0);
	assert_int_equal(nodeopts_next_opt(pc, "cget"), 'r');
	assert_int_equal(nodeopts_next_opt(pc, "cget"), -1);
	size_t n;
	char **args = nodeopts_args(pc, &n);
	assert_int_equal(n, 3);
	assert_string_equal(args[0], ":1-2");
	assert_string_equal(args[2], "out");
	assert_null(args[3]);
	nodeopts_args_free(args, n);
	poptFreeContext(pc);
	argv[1] = NULL;
	pc = poptGetContext("cget", 1, argv, table, 0);
	while (poptGetNextOpt(pc) > 0)
		;
	args = nodeopts_args(pc, &n);
	assert_int_equal(n, 0);
	assert_null(args[0]);
	nodeopts_args_free(args, n);
	poptFreeContext(pc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_host_list_with_users_and_exclusions),
		cmocka_unit_test(test_machine_definitions_from_c3conf),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_exit_status),
		cmocka_unit_test(test_report_and_state_names),
		cmocka_unit_test(test_args),
		cmocka_unit_test(test_json_line),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
