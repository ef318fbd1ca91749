/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fsutil.h"
#include "inifile.h"

static const char sample[] =
	"# lldpname rules\n"
	"timeout = 65\n"
	"\n"
	"[leaf01]              # switch system name\n"
	"template = node-%02d  # printf-style index\n"
	"offset = 0\n"
	"port.Ethernet1/1 = spare01\n"
	"[*]\n"
	"template = {switch}-{port}\n"
	"quoted = \"a # b\"\n";

static void test_parse_sections_and_comments(void **state)
{
	(void)state;
	char err[256];
	struct ini *ini = ini_parse(sample, strlen(sample), "t.conf", err, sizeof err);
	assert_non_null(ini);
	assert_string_equal(ini_get(ini, "", "timeout"), "65");
	assert_string_equal(ini_get(ini, "leaf01", "template"), "node-%02d");
	assert_string_equal(ini_get(ini, "leaf01", "port.Ethernet1/1"), "spare01");
	assert_string_equal(ini_get(ini, "*", "template"), "{switch}-{port}");
	assert_string_equal(ini_get(ini, "*", "quoted"), "a # b");
	assert_null(ini_get(ini, "leaf02", "template"));
	assert_int_equal(ini_section_count(ini), 3);
	assert_string_equal(ini_section_at(ini, 1), "leaf01");
	assert_string_equal(ini_section_at(ini, 2), "*");
	assert_int_equal(ini_section_line(ini, "leaf01"), 4);
	struct ini_entry e;
	assert_true(ini_entry_at(ini, 1, &e));
	assert_string_equal(e.key, "template");
	assert_int_equal(e.line, 5);
	ini_free(ini);
}

static void test_roundtrip_keeps_text(void **state)
{
	(void)state;
	char err[256];
	struct ini *ini = ini_parse(sample, strlen(sample), "t.conf", err, sizeof err);
	size_t n;
	char *out = ini_format(ini, &n);
	assert_string_equal(out, sample);
	free(out);
	ini_free(ini);
}

static void test_set_and_unset(void **state)
{
	(void)state;
	char err[256];
	const char *text = "# user choices\nmpi = mpich-4.0\n";
	struct ini *ini = ini_parse(text, strlen(text), "u", err, sizeof err);
	ini_set(ini, NULL, "mpi", "openmpi-4.1");
	ini_set(ini, NULL, "compiler", "gcc-12");
	ini_set(ini, "extra", "k", "v #1");
	char *out = ini_format(ini, NULL);
	assert_string_equal(out, "# user choices\nmpi = openmpi-4.1\ncompiler = gcc-12\n[extra]\nk = \"v #1\"\n");
	free(out);
	assert_int_equal(ini_unset(ini, NULL, "mpi"), 1);
	out = ini_format(ini, NULL);
	assert_string_equal(out, "# user choices\ncompiler = gcc-12\n[extra]\nk = \"v #1\"\n");
	free(out);
	ini_free(ini);
}

#define check_error(text, want) check_error_n(text, sizeof(text) - 1, want)
static void check_error_n(const char *text, size_t len, const char *want)
{
	char err[256];
	struct ini *ini = ini_parse(text, len, "bad.conf", err, sizeof err);
	assert_null(ini);
	if (!strstr(err, want))
		fail_msg("error '%s' does not contain '%s'", err, want);
}

static void test_errors_name_file_and_line(void **state)
{
	(void)state;
	check_error("a = 1\njunk line\n", "bad.conf:2: expected 'key = value'");
	check_error("\n\n[leaf01\n", "bad.conf:3: section header without closing ']'");
	check_error("[]\n", "bad.conf:1: empty section name");
	check_error(" = x\n", "bad.conf:1: empty key");
	check_error("k = \"open\n", "bad.conf:1: unbalanced");
	check_error("a = 1\nb\0 = 2\n", "bad.conf:2: NUL byte");
}

static int set_tag(struct ini *ini, void *arg, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	ini_set(ini, NULL, arg, "x");
	return 1;
}

static void test_edit_concurrent(void **state)
{
	(void)state;
	char dir[] = "/tmp/ct-ini.XXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[64];
	snprintf(path, sizeof path, "%s/e.conf", dir);
	assert_int_equal(fs_atomic_write(path, "# keep me\n", 10, 0644), 0);
	enum { N = 40 };
	for (int i = 0; i < N; i++) {
		if (fork() == 0) {
			char key[16], err[256];
			snprintf(key, sizeof key, "tag%d", i);
			_exit(ini_edit(path, 0644, set_tag, key, err, sizeof err) == 0 ? 0 : 1);
		}
	}
	for (int i = 0; i < N; i++) {
		int st;
		wait(&st);
		assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	char err[256];
	struct ini *ini = ini_load(path, 1, err, sizeof err);
	assert_non_null(ini);
	for (int i = 0; i < N; i++) {
		char key[16];
		snprintf(key, sizeof key, "tag%d", i);
		assert_non_null(ini_get(ini, "", key));
	}
	char *out = ini_format(ini, NULL);
	assert_memory_equal(out, "# keep me\n", 10);
	free(out);
	ini_free(ini);
	unlink(path);
	rmdir(dir);
}

static int refuse(struct ini *ini, void *arg, char *err, size_t errlen)
{
	(void)ini;
	(void)arg;
	snprintf(err, errlen, "refused");
	return -1;
}

static void test_edit_leaves_bad_file_untouched(void **state)
{
	(void)state;
	char dir[] = "/tmp/ct-ini.XXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[64], err[256];
	snprintf(path, sizeof path, "%s/bad.conf", dir);
	const char *bad = "a = 1\nnot a pair\n";
	assert_int_equal(fs_atomic_write(path, bad, strlen(bad), 0600), 0);
	assert_int_equal(ini_edit(path, 0644, set_tag, "k", err, sizeof err), -1);
	assert_non_null(strstr(err, "bad.conf:2:"));
	assert_int_equal(ini_edit(path, 0644, refuse, NULL, err, sizeof err), -1);
	size_t len;
	char *now = fs_read_file(path, 1 << 20, &len);
	assert_string_equal(now, bad);
	free(now);
	unlink(path);
	rmdir(dir);
}

static void test_check_keys(void **state)
{
	(void)state;
	static const char *const known[] = { "retries", "wipe", "port.*", NULL };
	const char *text = "retries = 3\nport.swp1 = n1\n\nretrys = 3\n[s]\nother = 1\n";
	char err[256];
	struct ini *ini = ini_parse(text, strlen(text), "n.conf", err, sizeof err);
	assert_non_null(ini);
	assert_int_equal(ini_check_keys(ini, "", known, err, sizeof err), -1);
	assert_string_equal(err, "n.conf:4: unknown key 'retrys' (expected retries, wipe or port.*)");
	assert_int_equal(ini_check_keys(ini, NULL, known, err, sizeof err), -1);
	assert_non_null(strstr(err, "n.conf:4:"));
	static const char *const more[] = { "retries", "retrys", "port.*", NULL };
	assert_int_equal(ini_check_keys(ini, "", more, err, sizeof err), 0);
	assert_int_equal(ini_check_keys(ini, NULL, more, err, sizeof err), -1);
	assert_string_equal(err, "n.conf:6: unknown key 'other' (expected retries, retrys or port.*)");
	static const char *const bare[] = { "port.*", NULL };
	const char *dot = "port. = x\n";
	struct ini *d = ini_parse(dot, strlen(dot), "d.conf", err, sizeof err);
	assert_int_equal(ini_check_keys(d, NULL, bare, err, sizeof err), -1); /* "port." names no port */
	ini_free(d);
	ini_free(ini);
}

static void test_typed_values(void **state)
{
	(void)state;
	const char *text = "n = 7\nbig = 101\nword = abc\nneg = -1\nb = yes\nb2 = off\nbad = maybe\n";
	char err[256];
	struct ini *ini = ini_parse(text, strlen(text), "v.conf", err, sizeof err);
	long n = 42;
	assert_int_equal(ini_get_long(ini, "", "absent", 0, 100, &n, err, sizeof err), 0);
	assert_int_equal(n, 42);
	assert_int_equal(ini_get_long(ini, "", "n", 0, 100, &n, err, sizeof err), 1);
	assert_int_equal(n, 7);
	assert_int_equal(ini_get_long(ini, "", "big", 0, 100, &n, err, sizeof err), -1);
	assert_string_equal(err, "v.conf:2: big = 101: out of range (0 to 100)");
	assert_int_equal(ini_get_long(ini, "", "word", 0, 100, &n, err, sizeof err), -1);
	assert_string_equal(err, "v.conf:3: word = abc: not a number");
	assert_int_equal(ini_get_long(ini, "", "neg", 0, 100, &n, err, sizeof err), -1);
	int b = -1;
	assert_int_equal(ini_get_bool(ini, "", "b", &b, err, sizeof err), 1);
	assert_int_equal(b, 1);
	assert_int_equal(ini_get_bool(ini, "", "b2", &b, err, sizeof err), 1);
	assert_int_equal(b, 0);
	assert_int_equal(ini_get_bool(ini, "", "bad", &b, err, sizeof err), -1);
	assert_string_equal(err, "v.conf:7: bad = maybe: want yes or no");
	ini_free(ini);
}

static void test_load_must_exist(void **state)
{
	(void)state;
	char err[256];
	struct ini *ini = ini_load("/nonexistent/ct.conf", 0, err, sizeof err);
	assert_non_null(ini);
	assert_int_equal(ini_section_count(ini), 0);
	ini_free(ini);
	assert_null(ini_load("/nonexistent/ct.conf", 1, err, sizeof err));
	assert_string_equal(err, "/nonexistent/ct.conf: No such file or directory");
	assert_null(ini_load("/", 0, err, sizeof err)); /* a directory is an error either way */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_sections_and_comments),
		cmocka_unit_test(test_roundtrip_keeps_text),
		cmocka_unit_test(test_set_and_unset),
		cmocka_unit_test(test_errors_name_file_and_line),
		cmocka_unit_test(test_edit_concurrent),
		cmocka_unit_test(test_edit_leaves_bad_file_untouched),
		cmocka_unit_test(test_check_keys),
		cmocka_unit_test(test_typed_values),
		cmocka_unit_test(test_load_must_exist),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
