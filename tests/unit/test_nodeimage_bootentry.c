/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests for nodeimage's boot entry finder (nodeimage/bootentry.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../nodeimage/bootentry.h"

static char err[256];

/* The corpus file NAME of the fuzz target (the same real-world samples), allocated. */
static char *sample(const char *name, size_t *len)
{
	char path[512];
	snprintf(path, sizeof path, "%s/tests/fuzz/corpus/bootentry/%s", getenv("CT_TOP") ? getenv("CT_TOP") : ".",
		 name);
	FILE *f = fopen(path, "r");
	if (!f)
		fail_msg("%s: cannot open", path);
	char *buf = malloc(1 << 16);
	*len = fread(buf, 1, 1 << 16, f);
	fclose(f);
	return buf;
}

static void grub(const char *text, struct boot_entry *e)
{
	if (bootentry_parse_grub(text, strlen(text), e, err, sizeof err) < 0)
		fail_msg("parse failed: %s", err);
}

static void test_grub_debian(void **state)
{
	(void)state;
	size_t len;
	char *buf = sample("grub-debian", &len);
	struct boot_entry e;
	assert_int_equal(bootentry_parse_grub(buf, len, &e, err, sizeof err), 0);
	assert_string_equal(e.title, "Debian GNU/Linux");
	assert_string_equal(e.kernel, "/boot/vmlinuz-6.1.0-13-amd64");
	assert_int_equal(e.ninitrd, 1);
	assert_string_equal(e.initrd[0], "/boot/initrd.img-6.1.0-13-amd64");
	assert_string_equal(e.cmdline, "root=UUID=6a2f9d3e-1b2c-4d5e-8f90-123456789abc ro console=tty0 "
				       "console=ttyS0,115200 earlyprintk=ttyS0,115200 consoleblank=0");
	boot_entry_free(&e);
	free(buf);
}

/* "set default" by index path, by title path, by id; variables and unknown names fall back to the first. */
static void test_grub_default(void **state)
{
	(void)state;
	size_t len;
	char *buf = sample("grub-debian", &len);
	static const struct {
		const char *def, *kernel;
	} cases[] = {
		{ "1>1", "/boot/vmlinuz-6.1.0-12-amd64" },
		{ "'Advanced options for Debian GNU/Linux>Debian GNU/Linux, with Linux 6.1.0-12-amd64 (recovery mode)'",
		  "/boot/vmlinuz-6.1.0-12-amd64" },
		{ "gnulinux-advanced-6a2f9d3e-1b2c-4d5e-8f90-123456789abc>gnulinux-6.1.0-12-amd64-recovery-6a2f9d3e",
		  "/boot/vmlinuz-6.1.0-12-amd64" },
		{ "1>0", "/boot/vmlinuz-6.1.0-13-amd64" },
		{ "1", "/boot/vmlinuz-6.1.0-13-amd64" },  /* a submenu itself: the first entry */
		{ "7", "/boot/vmlinuz-6.1.0-13-amd64" },
		{ "\"${saved_entry}\"", "/boot/vmlinuz-6.1.0-13-amd64" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char *text;
		assert_true(asprintf(&text, "%.*s\nset default=%s\n", (int)len, buf, cases[i].def) > 0);
		struct boot_entry e;
		grub(text, &e);
		if (strcmp(e.kernel, cases[i].kernel) != 0)
			fail_msg("default=%s: got %s, want %s", cases[i].def, e.kernel, cases[i].kernel);
		if (strstr(cases[i].kernel, "12")) {
			/* several initrds kept in order; $vt_handoff left out */
			assert_int_equal(e.ninitrd, 2);
			assert_string_equal(e.initrd[0], "/boot/intel-ucode.img");
			assert_string_equal(e.cmdline, "root=UUID=6a2f9d3e-1b2c-4d5e-8f90-123456789abc ro single");
		}
		boot_entry_free(&e);
		free(text);
	}
	free(buf);
}

/* A separate /boot: paths relative to it, a grub "(device)" prefix, quoting, --id, linuxefi. */
static void test_grub_forms(void **state)
{
	(void)state;
	struct boot_entry e;
	grub("set default=\"rescue\"\n"
	     "menuentry \"Plain\" {\n linux /vmlinuz-1 root=/dev/sda2\n}\n"
	     "menuentry 'It''s \"quoted\"' --id rescue {\n"
	     "\tlinuxefi ($root)/vmlinuz-2 root=LABEL=x 'quiet' \"a=${b}\" \\$c=1\n\tinitrdefi (hd0,gpt2)/initrd-2\n}\n",
	     &e);
	assert_string_equal(e.title, "Its \"quoted\"");
	assert_string_equal(e.kernel, "/vmlinuz-2");
	assert_string_equal(e.initrd[0], "/initrd-2");
	assert_string_equal(e.cmdline, "root=LABEL=x quiet $c=1");
	boot_entry_free(&e);

	/* an entry without linux does not count; functions and if-blocks with braces are followed */
	grub("function f {\n menuentry 'inner' {\n }\n}\n"
	     "menuentry 'UEFI settings' {\n fwsetup\n}\nmenuentry 'Linux' {\n linux16 /k\n}\n",
	     &e);
	assert_string_equal(e.kernel, "/k");
	assert_string_equal(e.cmdline, "");
	assert_int_equal(e.ninitrd, 0);
	boot_entry_free(&e);
}

static void test_grub_none(void **state)
{
	(void)state;
	struct boot_entry e;
	static const char *const texts[] = {
		"",
		"configfile $prefix/grub.cfg\n",                         /* an EFI stub */
		"menuentry 'open' {\n linux /vmlinuz\n",                  /* never closed */
		"menuentry 'no kernel' {\n chainloader +1\n}\n",
	};
	for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
		assert_int_equal(bootentry_parse_grub(texts[i], strlen(texts[i]), &e, err, sizeof err), -1);
		assert_non_null(strstr(err, "no menuentry"));
	}
}

static void test_bls_entry(void **state)
{
	(void)state;
	size_t len;
	char *buf = sample("bls-fedora", &len);
	struct boot_entry e;
	assert_int_equal(bootentry_parse_bls(buf, len, &e, err, sizeof err), 0);
	assert_string_equal(e.title, "Fedora Linux (6.5.6-300.fc39.x86_64) 39 (Server Edition)");
	assert_string_equal(e.kernel, "/vmlinuz-6.5.6-300.fc39.x86_64");
	assert_string_equal(e.initrd[0], "/initramfs-6.5.6-300.fc39.x86_64.img");
	assert_string_equal(e.cmdline, "root=UUID=0b1c-22 ro rootflags=subvol=root");
	boot_entry_free(&e);
	free(buf);

	const char *two = "  linux   /a  \r\ninitrd /u\ninitrd /i\noptions x=1\noptions  y  z\n# options no\n";
	assert_int_equal(bootentry_parse_bls(two, strlen(two), &e, err, sizeof err), 0);
	assert_string_equal(e.kernel, "/a");
	assert_int_equal(e.ninitrd, 2);
	assert_string_equal(e.initrd[1], "/i");
	assert_string_equal(e.cmdline, "x=1 y z");
	boot_entry_free(&e);

	const char *efi = "title Shell\nefi /shellx64.efi\n";
	assert_int_equal(bootentry_parse_bls(efi, strlen(efi), &e, err, sizeof err), -1);
	assert_string_equal(err, "no \"linux\" line");
}

static const char *pick(const struct bls_file *f, size_t n, const char *conf)
{
	static struct boot_entry e;
	boot_entry_free(&e);
	if (bootentry_pick_bls(f, n, conf, conf ? strlen(conf) : 0, &e, err, sizeof err) < 0)
		return NULL;
	return e.kernel;
}

#define ENTRY(name, ver, kernel) { name, "version " ver "\nlinux " kernel "\n", sizeof "version " ver "\nlinux " kernel "\n" - 1 }

static void test_bls_default(void **state)
{
	(void)state;
	const struct bls_file f[] = {
		ENTRY("m-6.9.0.conf", "6.9.0", "/k69"),
		ENTRY("m-6.10.0.conf", "6.10.0", "/k610"),
		ENTRY("m-6.10.0~rc1.conf", "6.10.0~rc1", "/k610rc"),
		{ "m-7.0.conf.bak", "linux /bak\n", 11 },       /* not *.conf */
		{ "m-8.0.conf", "version 8.0\nefi /x\n", 19 }, /* no kernel */
		{ "rescue.conf", "linux /rescue\n", 14 },        /* no version: its name sorts */
	};
	size_t n = sizeof f / sizeof *f;
	assert_string_equal(pick(f, n, NULL), "/k610");
	assert_string_equal(pick(f, n, "timeout 3\ndefault m-6.9*\n"), "/k69");
	assert_string_equal(pick(f, n, "default rescue\n"), "/rescue");       /* without .conf */
	assert_string_equal(pick(f, n, "default rescue.conf\n"), "/rescue");
	assert_string_equal(pick(f, n, "default m-*\n"), "/k610");            /* the highest that matches */
	assert_string_equal(pick(f, n, "default nomatch\n"), "/k610");
	assert_string_equal(pick(f, n, "default @saved\n"), "/k610");
	assert_null(pick(f + 3, 2, NULL));
	assert_string_equal(err, "no entry with a \"linux\" line");
	pick(f, 0, NULL);
}

static void test_vmlinuz(void **state)
{
	(void)state;
	const char *names[] = { "config-6.1.0-13-amd64", "vmlinuz-6.1.0-9-amd64", "vmlinuz-6.1.0-13-amd64",
				"initrd.img-6.1.0-9-amd64", "initrd.img-6.1.0-13-amd64", "vmlinuz.old", "vmlinuz-",
				"grub" };
	struct boot_entry e;
	assert_int_equal(bootentry_pick_vmlinuz(names, 8, "/boot/", &e, err, sizeof err), 0);
	assert_string_equal(e.kernel, "/boot/vmlinuz-6.1.0-13-amd64");
	assert_int_equal(e.ninitrd, 1);
	assert_string_equal(e.initrd[0], "/boot/initrd.img-6.1.0-13-amd64");
	assert_string_equal(e.cmdline, "");
	boot_entry_free(&e);

	const char *fedora[] = { "initramfs-6.5.6-300.fc39.x86_64.img", "vmlinuz-6.5.6-300.fc39.x86_64",
				 "vmlinuz-0-rescue-abc" };
	assert_int_equal(bootentry_pick_vmlinuz(fedora, 3, "/", &e, err, sizeof err), 0);
	assert_string_equal(e.kernel, "/vmlinuz-6.5.6-300.fc39.x86_64");
	assert_string_equal(e.initrd[0], "/initramfs-6.5.6-300.fc39.x86_64.img");
	boot_entry_free(&e);

	const char *none[] = { "vmlinuz", "initrd.img" };
	assert_int_equal(bootentry_pick_vmlinuz(none, 2, "/", &e, err, sizeof err), 0 - 1);
	assert_string_equal(err, "no vmlinuz-VERSION");
	const char *bare[] = { "vmlinuz-5" };
	assert_int_equal(bootentry_pick_vmlinuz(bare, 1, "/boot/", &e, err, sizeof err), 0);
	assert_int_equal(e.ninitrd, 0);
	boot_entry_free(&e);
}

/* Control characters in what the image says never reach the console: dropped from titles and command lines. */
static void test_controls(void **state)
{
	(void)state;
	static const char bls[] = "title Deb\033[2Jian\a\nlinux /vmlinuz\noptions root=/dev/sda1\033]0;x\a quiet\r\n";
	struct boot_entry e;
	assert_int_equal(bootentry_parse_bls(bls, strlen(bls), &e, err, sizeof err), 0);
	assert_string_equal(e.title, "Deb[2Jian");
	assert_string_equal(e.cmdline, "root=/dev/sda1]0;x quiet");
	boot_entry_free(&e);
	grub("menuentry 'Deb\033[31mian' {\n linux /vmlinuz ro\x7f \001quiet\n}\n", &e);
	assert_string_equal(e.title, "Deb[31mian");
	assert_string_equal(e.cmdline, "ro quiet");
	boot_entry_free(&e);
	char *v = bootentry_visible("/boot/vmlinuz\033[2J\t-6.1\x7f");
	assert_string_equal(v, "/boot/vmlinuz?[2J?-6.1?");
	free(v);
}

static void test_vercmp(void **state)
{
	(void)state;
	assert_true(bootentry_vercmp("6.10.0", "6.9.0") > 0);
	assert_true(bootentry_vercmp("6.1.0-13-amd64", "6.1.0-9-amd64") > 0);
	assert_true(bootentry_vercmp("6.10.0~rc1", "6.10.0") < 0);
	assert_true(bootentry_vercmp("1.0a", "1.0") > 0);
	assert_true(bootentry_vercmp("1.0", "1.0+x") < 0);
	assert_int_equal(bootentry_vercmp("01.2", "1.02"), 0);
	assert_int_equal(bootentry_vercmp("", ""), 0);
}

static void test_fstab(void **state)
{
	(void)state;
	size_t len;
	char *buf = sample("fstab", &len);
	char *root = bootentry_fstab_root(buf, len);
	assert_string_equal(root, "UUID=6a2f9d3e-1b2c-4d5e-8f90-123456789abc");
	free(root);
	free(buf);
	const char *t = "#/dev/sda1 / ext4\n/dev/vda1\t/boot ext4 defaults\nLABEL=r / xfs defaults # root\n";
	root = bootentry_fstab_root(t, strlen(t));
	assert_string_equal(root, "LABEL=r");
	free(root);
	assert_null(bootentry_fstab_root("proc /proc proc\n", 16));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_grub_debian),
		cmocka_unit_test(test_grub_default),
		cmocka_unit_test(test_grub_forms),
		cmocka_unit_test(test_grub_none),
		cmocka_unit_test(test_bls_entry),
		cmocka_unit_test(test_bls_default),
		cmocka_unit_test(test_vmlinuz),
		cmocka_unit_test(test_controls),
		cmocka_unit_test(test_vercmp),
		cmocka_unit_test(test_fstab),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
