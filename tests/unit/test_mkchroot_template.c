/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests for mkchroot's template parser, command lines and stateless helpers. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../mkchroot/backend.h"
#include "../../mkchroot/stateless.h"
#include "../../mkchroot/template.h"
#include "../../mkchroot/vnfs.h"

static int parse(struct mkc_template *t, const char *text, char *err, size_t errlen)
{
	return mkc_template_parse(t, text, strlen(text), "t.conf", NULL, NULL, err, errlen);
}

static void test_keys_and_lists(void **state)
{
	(void)state;
	char err[512];
	struct mkc_template t = { 0 };
	const char *text = "# comment\n"
			   "description = Debian 12 node\n"
			   "backend = debootstrap\n"
			   "suite = bookworm\n"
			   "arch = amd64\n"
			   "packages = a, b  c\n"
			   "packages = d\n"
			   "post = \"echo 'one # two'\"\n"
			   "post = apt-get clean\n"
			   "mirror = http://m/debian\n"
			   "cmdline = console=tty0\n"
			   "cmdline = console=ttyS0,115200 quiet\n";
	assert_int_equal(parse(&t, text, err, sizeof err), 0);
	assert_string_equal(t.description, "Debian 12 node");
	assert_int_equal(t.backend, MKC_BACKEND_DEBOOTSTRAP);
	assert_string_equal(t.release, "bookworm");
	assert_string_equal(t.arch, "amd64");
	assert_int_equal(t.packages.n, 4);
	assert_string_equal(t.packages.v[2], "c");
	assert_string_equal(t.packages.v[3], "d");
	assert_int_equal(t.post.n, 2);
	assert_string_equal(t.post.v[0], "echo 'one # two'");
	assert_string_equal(t.cmdline, "console=ttyS0,115200 quiet");
	assert_int_equal(mkc_template_check(&t, "t.conf", 10, err, sizeof err), 0);
	mkc_template_free(&t);
}

static void test_errors_name_file_and_line(void **state)
{
	(void)state;
	char err[512];
	struct mkc_template t = { 0 };
	assert_int_equal(parse(&t, "backend = golden\n\ncolour = red\n", err, sizeof err), -1);
	assert_string_equal(err, "t.conf:3: unknown key 'colour'");
	mkc_template_free(&t);
	assert_int_equal(parse(&t, "backend = yum\n", err, sizeof err), -1);
	assert_non_null(strstr(err, "t.conf:1: unknown backend 'yum'"));
	mkc_template_free(&t);
	assert_int_equal(parse(&t, "description = x\n[section]\nbackend = golden\n", err, sizeof err), -1);
	assert_non_null(strstr(err, "t.conf:2"));
	mkc_template_free(&t);
	assert_int_equal(parse(&t, "include = other\n", err, sizeof err), -1);
	assert_non_null(strstr(err, "t.conf:1: include"));
	mkc_template_free(&t);
	assert_int_equal(parse(&t, "packages = ok --evil\n", err, sizeof err), -1);
	mkc_template_free(&t);
	assert_int_equal(parse(&t, "backend = golden\ncmdline = quiet; insmod evil\n", err, sizeof err), -1);
	assert_string_equal(err, "t.conf:2: cmdline: ';' cannot go into a boot entry (GRUB's script would read it)");
	mkc_template_free(&t);
	assert_int_equal(parse(&t, "description = only\n", err, sizeof err), 0);
	assert_int_equal(mkc_template_check(&t, "t.conf", 1, err, sizeof err), -1);
	assert_non_null(strstr(err, "t.conf:1: no backend"));
	mkc_template_free(&t);
	assert_int_equal(parse(&t, "backend = dnf\n", err, sizeof err), 0);
	assert_int_equal(mkc_template_check(&t, "t.conf", 1, err, sizeof err), -1);
	assert_non_null(strstr(err, "needs a release"));
	mkc_template_free(&t);
}

/* include: "base" sets things, the includer overrides scalars and adds to lists */
static int include_base(void *arg, const char *name, struct mkc_template *t, char *err, size_t errlen)
{
	int *calls = arg;
	(*calls)++;
	if (strcmp(name, "base") != 0) {
		snprintf(err, errlen, "no template %s", name);
		return -1;
	}
	const char *text = "backend = dnf\nrelease = 8\npackages = a\npost = first\n";
	return mkc_template_parse(t, text, strlen(text), "base.conf", include_base, arg, err, errlen);
}

static int include_self(void *arg, const char *name, struct mkc_template *t, char *err, size_t errlen)
{
	const char *text = "include = self\n";
	(void)name;
	return mkc_template_parse(t, text, strlen(text), "self.conf", include_self, arg, err, errlen);
}

static void test_include(void **state)
{
	(void)state;
	char err[1024];
	int calls = 0;
	struct mkc_template t = { 0 };
	const char *text = "include = base\nrelease = 9\npackages = b\npost = second\n";
	assert_int_equal(mkc_template_parse(&t, text, strlen(text), "c.conf", include_base, &calls, err, sizeof err), 0);
	assert_int_equal(calls, 1);
	assert_int_equal(t.backend, MKC_BACKEND_DNF);
	assert_string_equal(t.release, "9");
	assert_int_equal(t.packages.n, 2);
	assert_string_equal(t.post.v[0], "first");
	assert_string_equal(t.post.v[1], "second");
	mkc_template_free(&t);
	text = "include = missing\n";
	assert_int_equal(mkc_template_parse(&t, text, strlen(text), "c.conf", include_base, &calls, err, sizeof err), -1);
	assert_string_equal(err, "c.conf:1: include 'missing': no template missing");
	mkc_template_free(&t);
	text = "include = self\n";
	assert_int_equal(mkc_template_parse(&t, text, strlen(text), "s.conf", include_self, NULL, err, sizeof err), -1);
	assert_non_null(strstr(err, "nested too deep"));
	mkc_template_free(&t);
}

static void test_commands(void **state)
{
	(void)state;
	char err[256];
	struct mkc_template t = { 0 };
	assert_int_equal(parse(&t, "backend = debootstrap\nsuite = bookworm\nexcludes = a b\n", err, sizeof err), 0);
	struct mkc_strv extra = { 0 };
	mkc_strv_add_words(&extra, "vim,less");
	struct mkc_build b = { .t = &t, .root = "/r", .mirror = "http://x/debian", .packages = &extra, .nogpg = 1 };
	struct mkc_cmds c;
	assert_int_equal(mkc_backend_commands(&b, &c, err, sizeof err), 0);
	assert_int_equal(c.n, 1);
	const char *want[] = { "debootstrap", "--variant=minbase", "--include=vim,less", "--exclude=a,b",
			       "--no-check-gpg", "bookworm", "/r", "http://x/debian", NULL };
	for (size_t i = 0; want[i]; i++)
		assert_string_equal(c.cmd[0].v[i], want[i]);
	assert_null(c.cmd[0].v[8]);
	mkc_cmds_free(&c);
	mkc_strv_free(&extra);
	mkc_template_free(&t);

	assert_int_equal(parse(&t, "backend = golden\n", err, sizeof err), 0);
	b = (struct mkc_build){ .t = &t, .root = "/r" };
	assert_int_equal(mkc_backend_commands(&b, &c, err, sizeof err), -1);
	mkc_template_free(&t);

	char *u = mkc_expand_url("http://m/$releasever/os/$basearch/$arch/$other", "9", "x86_64");
	assert_string_equal(u, "http://m/9/os/x86_64/x86_64/$other");
	free(u);
}

static void test_shadow_lock(void **state)
{
	(void)state;
	const struct { const char *in, *out; } cases[] = {
		{ "root:$6$x$y:1:0:99999:7:::\nbin:*:1::::::\n", "root:!$6$x$y:1:0:99999:7:::\nbin:*:1::::::\n" },
		{ "root:!$6$x:1::::::\n", "root:!$6$x:1::::::\n" },
		{ "root:*:1::::::\n", "root:!*:1::::::\n" },
		{ "root::1::::::", "root:!*:1::::::" },
		{ "root:", "root:!*" },
		{ "rootless:x:1::::::\n", "rootless:x:1::::::\n" },
		{ "", "" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		size_t len;
		char *out = mkc_shadow_lock_root(cases[i].in, strlen(cases[i].in), &len);
		assert_string_equal(out, cases[i].out);
		assert_int_equal(len, strlen(cases[i].out));
		free(out);
	}
}

static void test_vnfs_names(void **state)
{
	(void)state;
	const struct { const char *name; enum mkc_vnfs_format f; enum mkc_vnfs_compress c; } cases[] = {
		{ "x.img.gz", MKC_VNFS_NEWC, MKC_VNFS_GZIP }, { "x.cpio.zst", MKC_VNFS_NEWC, MKC_VNFS_ZSTD },
		{ "x.tar.xz", MKC_VNFS_PAX, MKC_VNFS_XZ },   { "x.tar", MKC_VNFS_PAX, MKC_VNFS_NONE },
		{ "x.tgz", MKC_VNFS_PAX, MKC_VNFS_GZIP },    { "vnfs", MKC_VNFS_NEWC, MKC_VNFS_GZIP },
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		enum mkc_vnfs_format f = MKC_VNFS_AUTO;
		enum mkc_vnfs_compress c = MKC_VNFS_ZAUTO;
		mkc_vnfs_from_name(cases[i].name, &f, &c);
		assert_int_equal(f, cases[i].f);
		assert_int_equal(c, cases[i].c);
	}
	enum mkc_vnfs_format f = MKC_VNFS_NEWC;
	enum mkc_vnfs_compress c = MKC_VNFS_NONE;
	mkc_vnfs_from_name("x.tar.gz", &f, &c);
	assert_int_equal(f, MKC_VNFS_NEWC);
	assert_int_equal(c, MKC_VNFS_NONE);
	assert_int_equal(mkc_vnfs_format_parse("cpio"), MKC_VNFS_NEWC);
	assert_int_equal(mkc_vnfs_compress_parse("zst"), MKC_VNFS_ZSTD);
	assert_int_equal(mkc_vnfs_compress_parse("lz4"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keys_and_lists),
		cmocka_unit_test(test_errors_name_file_and_line),
		cmocka_unit_test(test_include),
		cmocka_unit_test(test_commands),
		cmocka_unit_test(test_shadow_lock),
		cmocka_unit_test(test_vnfs_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
