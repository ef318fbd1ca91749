/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

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
	const char *want[] = {"c:2: bad Port '0'", "c:1: Host needs an argument", "c:2: unterminated quote",
			      "c:2: bad Port '99999'", "c:1: bad ConnectTimeout 'abc'"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(sshconfig_parse(bad[i], strlen(bad[i]), "c", &cfg, err, sizeof err), -1);
		assert_string_equal(err, want[i]);
	}
	const char nul[] = "Host a\0b\n";
	assert_int_equal(sshconfig_parse(nul, sizeof nul - 1, "c", &cfg, err, sizeof err), -1);
	assert_string_equal(err, "c:1: NUL byte");
}

static void test_proxy_keywords(void **state)
{
	(void)state;
	static const char text[] = "Host a*\n  ProxyCommand ssh -W %h:%p  gw  \n  ProxyJump j1\n"
				   "Host *\n  ProxyJump j2,user@j3:2222\n";
	struct sshconfig cfg;
	char err[256];
	assert_int_equal(sshconfig_parse(text, strlen(text), "c", &cfg, err, sizeof err), 0);
	struct sshconfig_host h;
	sshconfig_lookup(&cfg, "a1", &h);
	assert_string_equal(h.proxy_command, "ssh -W %h:%p  gw");
	assert_null(h.proxy_jump); /* the first of the two wins */
	sshconfig_lookup(&cfg, "b", &h);
	assert_string_equal(h.proxy_jump, "j2,user@j3:2222");
	assert_null(h.proxy_command);
	sshconfig_free(&cfg);
	char *s = sshconfig_expand_command("nc %h %p # %r %n %% %x", "n1", "10.0.0.1", 22, "root", err, sizeof err);
	assert_string_equal(s, "nc 10.0.0.1 22 # root n1 % %x");
	free(s);
}

/* Host and user names with shell syntax are refused where they would be expanded, as OpenSSH 9.6 does. */
static void test_proxy_command_tokens(void **state)
{
	(void)state;
	static const struct {
		const char *cmd, *name, *host, *user, *want; /* want: the expansion, or the error */
	} cases[] = {
		{"nc %h %p", "n1", "a;reboot", "u", "ProxyCommand: %h would be 'a;reboot': a host name with shell "
						     "syntax in it is refused (as OpenSSH does)"},
		{"nc %h %p", "n1", "$(id)", "u", "ProxyCommand: %h would be '$(id)'"},
		{"nc %h %p", "n1", "a b", "u", "ProxyCommand: %h would be 'a b'"},
		{"nc %h %p", "n1", "-oX", "u", "ProxyCommand: %h would be '-oX'"},
		{"nc %h %p", "n1", "a\tb", "u", "ProxyCommand: %h would be 'a\tb'"},
		{"x %n", "a|b", "h", "u", "ProxyCommand: %n would be 'a|b'"},
		{"x %r", "n", "h", "u`id`", "ProxyCommand: %r would be 'u`id`': a user name"},
		{"x %r", "n", "h", "u -x", "ProxyCommand: %r would be 'u -x'"},
		{"x %r", "n", "h", "u\\", "ProxyCommand: %r would be 'u\\'"},
		/* what OpenSSH allows, and tokens not expanded */
		{"x %r", "n", "h", "Domain User$", "x Domain User$"},
		{"x %h:%p %%h %%r", "n", "fe80::1%eth0", "a;b", "x fe80::1%eth0:22 %h %r"},
		{"x %n", "node-01.cluster_a", "h", "u", "x node-01.cluster_a"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char err[256] = "";
		char *s = sshconfig_expand_command(cases[i].cmd, cases[i].name, cases[i].host, 22, cases[i].user,
						   err, sizeof err);
		if (strncmp(cases[i].want, "ProxyCommand: ", 14) == 0) {
			assert_null(s);
			assert_memory_equal(err, cases[i].want, strlen(cases[i].want));
		} else {
			assert_string_equal(s, cases[i].want);
		}
		free(s);
	}
}

static void collect(const struct sshconfig_entry *e, void *arg)
{
	char *buf = arg;
	snprintf(buf + strlen(buf), 256 - strlen(buf), "%s:%d:%s ", e->file, e->line, e->key);
}

static void test_unsupported(void **state)
{
	(void)state;
	static const char text[] = "ServerAliveInterval 5\nSendEnv LANG\nHost a\n  ForwardX11 yes\n"
				   "Host b\n  Compression yes\nMatch all\n  User x\n";
	struct sshconfig cfg;
	char err[256], got[256] = "";
	assert_int_equal(sshconfig_parse(text, strlen(text), "c", &cfg, err, sizeof err), 0);
	sshconfig_unsupported(&cfg, "a", collect, got);
	assert_string_equal(got, "c:1:ServerAliveInterval c:4:ForwardX11 c:7:Match ");
	sshconfig_free(&cfg);
	assert_int_equal(sshconfig_keyword("HOSTNAME"), 1);
	assert_int_equal(sshconfig_keyword("sendenv"), 2);
	assert_int_equal(sshconfig_keyword("Tunnel"), 0);
}

static void put(const char *dir, const char *name, const char *text)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_load_include(void **state)
{
	(void)state;
	char dir[] = "/tmp/test_sshconfig.XXXXXX";
	assert_non_null(mkdtemp(dir));
	char sub[600], user[600], sys[600];
	snprintf(sub, sizeof sub, "%s/conf.d", dir);
	snprintf(user, sizeof user, "%s/config", dir);
	snprintf(sys, sizeof sys, "%s/ssh_config", dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	put(dir, "config", "Host n*\n  Include conf.d/*.conf\n  Port 2200\nHost *\n  User last\n");
	put(sub, "a.conf", "User fromA\nHost n2\n  HostName two\n");
	put(sub, "b.conf", "ConnectTimeout 4\n");
	put(dir, "ssh_config", "Host *\n  User sys\n  Port 99\n  IdentityFile /k\n");
	const char *files[] = {user, sys, NULL}, *dirs[] = {dir, dir};
	struct sshconfig cfg = {0};
	char err[256];
	assert_int_equal(sshconfig_load(&cfg, files, dirs, "/home/x", err, sizeof err), 0);
	struct sshconfig_host h;
	sshconfig_lookup(&cfg, "n1", &h);
	assert_string_equal(h.user, "fromA");
	assert_null(h.hostname);  /* "Host n2" in a.conf */
	assert_int_equal(h.port, 2200); /* after the Include, still in "Host n*" */
	assert_int_equal(h.connect_timeout, 4);
	assert_string_equal(h.identity_file, "/k"); /* the system file comes last */
	sshconfig_lookup(&cfg, "n2", &h);
	assert_string_equal(h.hostname, "two");
	sshconfig_lookup(&cfg, "x", &h); /* the included file is guarded by "Host n*" */
	assert_string_equal(h.user, "last");
	assert_int_equal(h.port, 99);
	assert_int_equal(h.connect_timeout, 0);
	sshconfig_free(&cfg);
	/* a cycle is refused, naming the line */
	put(sub, "b.conf", "Include config\n");
	assert_int_equal(sshconfig_load(&cfg, files, dirs, "/home/x", err, sizeof err), -1);
	char want[700];
	snprintf(want, sizeof want, "%s/b.conf:1: Include cycle", sub);
	assert_memory_equal(err, want, strlen(want));
	sshconfig_free(&cfg);
	char cmd[700];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lookup_first_value_wins),
		cmocka_unit_test(test_expand),
		cmocka_unit_test(test_patterns),
		cmocka_unit_test(test_errors_name_the_line),
		cmocka_unit_test(test_proxy_keywords),
		cmocka_unit_test(test_proxy_command_tokens),
		cmocka_unit_test(test_unsupported),
		cmocka_unit_test(test_load_include),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
