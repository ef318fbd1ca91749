#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "sshconfig.h"

static const char sample[] =
	"# global part\n"
	"ConnectTimeout 7\n"
	"Host node?? !node13\n"
	"    HostName %h.cluster\n"
	"    User admin\n"
	"    Port=2222\n"
	"Host node13\n"
	"  Hostname 10.0.0.13\n"
	"  IdentityFile \"~/.ssh/id thirteen\"\n"
	"Match host x\n"
	"  User nobody\n"
	"Host *\n"
	"  User fallback\n"
	"  StrictHostKeyChecking accept-new\n"
	"  UserKnownHostsFile ~/.ssh/kh_%h\n"
	"  ForwardAgent yes\n"
	"  ConnectTimeout 99\n";

static void test_lookup_first_value_wins(void **state)
{
	(void)state;
	struct sshconfig cfg;
	char err[256];
	assert_int_equal(sshconfig_parse(sample, strlen(sample), "config", &cfg, err, sizeof err), 0);
	struct sshconfig_host h;
	sshconfig_lookup(&cfg, "node07", &h);
	assert_string_equal(h.hostname, "%h.cluster");
	assert_string_equal(h.user, "admin");
	assert_int_equal(h.port, 2222);
	assert_int_equal(h.connect_timeout, 7);
	assert_string_equal(h.strict, "accept-new");
	assert_null(h.identity_file);

	sshconfig_lookup(&cfg, "node13", &h); /* negated in the first block */
	assert_string_equal(h.hostname, "10.0.0.13");
	assert_string_equal(h.user, "fallback");
	assert_int_equal(h.port, 0);
	assert_string_equal(h.identity_file, "~/.ssh/id thirteen");

	sshconfig_lookup(&cfg, "x", &h); /* Match blocks never apply */
	assert_string_equal(h.user, "fallback");
	sshconfig_free(&cfg);
}

static void test_expand(void **state)
{
	(void)state;
	char *s = sshconfig_expand("~/.ssh/kh_%h_%u%%", "/home/a", "n1", "root");
	assert_string_equal(s, "/home/a/.ssh/kh_n1_root%");
	free(s);
	s = sshconfig_expand("%x%", NULL, "n", "u");
	assert_string_equal(s, "%x%");
	free(s);
}

static void test_patterns(void **state)
{
	(void)state;
	assert_true(sshconfig_match_pattern("node*", "node01"));
	assert_true(sshconfig_match_pattern("NODE?1", "node01"));
	assert_false(sshconfig_match_pattern("node?", "node01"));
}

static void test_errors_name_the_line(void **state)
{
	(void)state;
	struct sshconfig cfg;
	char err[256];
	const char *bad[] = {"Host a\n Port 0\n", "Host\n", "Host a\n User \"x\n", "Host a\n Port 99999\n",
			     "ConnectTimeout abc\n"};
	const char *want[] = {"c:2: bad port '0'", "c:1: host needs an argument", "c:2: unterminated quote",
			      "c:2: bad port '99999'", "c:1: bad connecttimeout 'abc'"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(sshconfig_parse(bad[i], strlen(bad[i]), "c", &cfg, err, sizeof err), -1);
		assert_string_equal(err, want[i]);
	}
	const char nul[] = "Host a\0b\n";
	assert_int_equal(sshconfig_parse(nul, sizeof nul - 1, "c", &cfg, err, sizeof err), -1);
	assert_string_equal(err, "c:1: NUL byte");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lookup_first_value_wins),
		cmocka_unit_test(test_expand),
		cmocka_unit_test(test_patterns),
		cmocka_unit_test(test_errors_name_the_line),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
