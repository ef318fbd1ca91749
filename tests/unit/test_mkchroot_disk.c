/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for mkchroot --disk's layout (diskplan), GRUB's BIOS boot sectors
 * (grubbios) and the EFI system partition's commands (esp).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../mkchroot/diskplan.h"
#include "../../mkchroot/esp.h"
#include "../../mkchroot/ext4times.h"
#include "../../mkchroot/grubbios.h"
#include "xalloc.h"

static const struct mkc_tree_usage small = { .blocks = 10000, .inodes = 3000 }; /* 39 MiB */

static void test_layout(void **state)
{
	(void)state;
	struct mkc_disk_plan p;
	char err[256];
	assert_int_equal(mkc_disk_plan(&small, 0, MKC_DISK_FREE_DEFAULT, "seed", &p, err, sizeof err), 0);
	assert_int_equal(p.part[MKC_PART_BIOS].start, 2048);
	assert_int_equal(p.part[MKC_PART_BIOS].sectors, 2048);
	assert_string_equal(p.part[MKC_PART_BIOS].type, "21686148-6E6F-744E-6564-4546494C4549");
	assert_int_equal(p.part[MKC_PART_ESP].start, 4096);
	assert_int_equal(p.part[MKC_PART_ESP].sectors, 64 * 2048);
	for (int i = 1; i < MKC_NPARTS; i++) /* back to back, in order */
		assert_int_equal(p.part[i].start, p.part[i - 1].start + p.part[i - 1].sectors);
	const struct mkc_disk_part *r = &p.part[MKC_PART_ROOT];
	assert_int_equal(r->start % 2048, 0);
	assert_int_equal(r->sectors % 2048, 0);
	assert_true(r->sectors * 512 >= p.root_min + MKC_DISK_FREE_DEFAULT);
	assert_true(r->sectors * 512 < p.root_min + MKC_DISK_FREE_DEFAULT + MKC_MIB);
	assert_true(p.root_min > small.blocks * 4096 + p.inodes * 256);
	assert_true(p.inodes >= small.inodes);
	/* the root is last: after it only the backup GPT's MiB */
	assert_int_equal(p.bytes, (r->start + r->sectors) * 512 + MKC_MIB);
}

static void test_size(void **state)
{
	(void)state;
	struct mkc_disk_plan p, q;
	char err[256];
	assert_int_equal(mkc_disk_plan(&small, 0, 0, "s", &p, err, sizeof err), 0);
	uint64_t least = p.bytes;
	assert_int_equal(mkc_disk_plan(&small, least, 0, "s", &q, err, sizeof err), 0);
	assert_int_equal(q.bytes, least);
	assert_int_equal(mkc_disk_plan(&small, least - MKC_MIB, 0, "s", &q, err, sizeof err), -1);
	assert_non_null(strstr(err, "--disk-size"));
	assert_int_equal(mkc_disk_plan(&small, 1, 0, "s", &q, err, sizeof err), -1);
	assert_int_equal(mkc_disk_plan(&small, 8ull << 30, 0, "s", &q, err, sizeof err), 0);
	assert_int_equal(q.bytes, 8ull << 30);
	/* a tree of many small files needs inodes, not only blocks */
	struct mkc_tree_usage many = { .blocks = 10000, .inodes = 200000 };
	assert_int_equal(mkc_disk_plan(&many, 0, 0, "s", &q, err, sizeof err), 0);
	assert_true(q.inodes >= 200000);
	assert_true(q.root_min > p.root_min + 190000ull * 256);
}

static void test_uuids(void **state)
{
	(void)state;
	char a[37], b[37], c[37];
	mkc_disk_uuid("seed", "root", a);
	mkc_disk_uuid("seed", "root", b);
	assert_string_equal(a, b);
	mkc_disk_uuid("seee", "root", c);
	assert_string_not_equal(a, c);
	mkc_disk_uuid("seed", "esp", c);
	assert_string_not_equal(a, c);
	mkc_disk_uuid("se", "edroot", c); /* the seed and the label do not run together */
	assert_string_not_equal(a, c);
	assert_int_equal(strlen(a), 36);
	assert_int_equal(a[14], '4');
	assert_non_null(strchr("89ab", a[19]));
	struct mkc_disk_plan p;
	char err[256];
	mkc_disk_plan(&small, 0, 0, "seed", &p, err, sizeof err);
	assert_string_not_equal(p.fs_uuid, p.part[MKC_PART_ROOT].uuid);
	assert_string_not_equal(p.disk_uuid, p.part[MKC_PART_BIOS].uuid);
	assert_int_equal(strlen(p.esp_serial), 8);
}

static void test_script(void **state)
{
	(void)state;
	struct mkc_disk_plan p;
	char err[256], line[256];
	mkc_disk_plan(&small, 0, 0, "seed", &p, err, sizeof err);
	char *s = mkc_disk_sfdisk_script(&p);
	assert_non_null(strstr(s, "label: gpt\n"));
	snprintf(line, sizeof line, "label-id: %s\n", p.disk_uuid);
	assert_non_null(strstr(s, line));
	snprintf(line, sizeof line, "start=%ju, size=%ju, type=4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709, uuid=%s, name=\"root\"\n",
		 (uintmax_t)p.part[MKC_PART_ROOT].start, (uintmax_t)p.part[MKC_PART_ROOT].sectors,
		 p.part[MKC_PART_ROOT].uuid);
	assert_non_null(strstr(s, line));
	assert_true(strstr(s, "name=\"BIOS boot\"") < strstr(s, "name=\"EFI system\""));
	assert_true(strstr(s, "name=\"EFI system\"") < strstr(s, "name=\"root\""));
	free(s);
}

static void test_parse_size(void **state)
{
	(void)state;
	uint64_t v;
	const struct { const char *s; uint64_t v; } ok[] = {
		{ "0", 0 }, { "4096", 4096 }, { "1K", 1024 }, { "256M", 256ull << 20 }, { "256MiB", 256ull << 20 },
		{ "2G", 2ull << 30 }, { "2GB", 2ull << 30 }, { "1T", 1ull << 40 },
	};
	for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
		assert_int_equal(mkc_disk_parse_size(ok[i].s, &v), 0);
		assert_int_equal(v, ok[i].v);
	}
	const char *bad[] = { "", "M", "-1", "1.5G", "2X", "2Gx", "2 G", "99999999999999999999", "20000000T" };
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		assert_int_equal(mkc_disk_parse_size(bad[i], &v), -1);
}

static uint64_t get_le(const unsigned char *p, int n)
{
	uint64_t v = 0;
	for (int i = n - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static void test_grub_core(void **state)
{
	(void)state;
	unsigned char core[4 * 512];
	char err[128];
	memset(core, 0xaa, sizeof core);
	assert_int_equal(mkc_grub_core_patch(core, 3 * 512 + 100, 2048, 2048, err, sizeof err), 0);
	assert_int_equal(get_le(core + 0x1f4, 8), 2049);
	assert_int_equal(get_le(core + 0x1fc, 2), 3);
	assert_int_equal(get_le(core + 0x1fe, 2), 0x820);
	assert_int_equal(core[0x1f3], 0xaa);
	assert_int_equal(core[0x200], 0xaa);
	assert_int_equal(mkc_grub_core_patch(core, sizeof core, 2048, 3, err, sizeof err), -1);
	assert_non_null(strstr(err, "4 sectors"));
	assert_int_equal(mkc_grub_core_patch(core, 100, 2048, 3, err, sizeof err), -1);
}

static void test_grub_mbr(void **state)
{
	(void)state;
	unsigned char mbr[512], boot[512];
	for (int i = 0; i < 512; i++) {
		mbr[i] = (unsigned char)i;
		boot[i] = 0x55;
	}
	mkc_grub_mbr(mbr, boot, 2048);
	assert_int_equal(get_le(mbr + 0x5c, 8), 2048);
	assert_int_equal(mbr[0x64], 0xff);
	assert_int_equal(mbr[0x66], 0x90);
	assert_int_equal(mbr[0x67], 0x90);
	assert_int_equal(mbr[0], 0x55);
	assert_int_equal(mbr[0x1b7], 0x55);
	for (int i = 0x1b8; i < 512; i++) /* the protective MBR's table and signature */
		assert_int_equal(mbr[i], (unsigned char)i);
}

/* The words of ARGV joined by spaces. Caller frees. */
static char *joined(char **argv)
{
	size_t n = 0;
	while (argv[n])
		n++;
	return xjoin(argv, n, " ");
}

static void test_esp_plan(void **state)
{
	(void)state;
	struct mkc_disk_plan p;
	struct mkc_esp_plan e;
	char err[256], want[512];
	mkc_disk_plan(&small, 0, 0, "seed", &p, err, sizeof err);
	mkc_esp_plan("/w", &p, &e);
	/* the early config finds the root by its filesystem's UUID and reads its grub.cfg */
	snprintf(want, sizeof want,
		 "search --no-floppy --fs-uuid --set=root %s\nset prefix=($root)/boot/grub\n"
		 "configfile ($root)/boot/grub/grub.cfg\n",
		 p.fs_uuid);
	assert_string_equal(e.early_cfg, want);
	/* the FAT as a file the size of the partition, its volume id from the seed */
	char *s = joined(e.argv[MKC_ESP_MKFS]);
	snprintf(want, sizeof want, "mkfs.vfat -C --invariant -F 32 -n ESP -i %s /w/esp.img 65536", p.esp_serial);
	assert_string_equal(s, want);
	free(s);
	/* GRUB for UEFI from the head's modules, the early config in it, at the removable-media path */
	s = joined(e.argv[MKC_ESP_GRUB]);
	assert_non_null(strstr(s, "grub-mkimage -O x86_64-efi -d /usr/lib/grub/x86_64-efi "
				  "-o /w/esp/EFI/BOOT/BOOTX64.EFI -c /w/efi.cfg -p /boot/grub "));
	const char *mods[] = { " part_gpt", " ext2", " search_fs_uuid", " configfile", " normal", " linux", " serial" };
	for (size_t i = 0; i < sizeof mods / sizeof *mods; i++)
		assert_non_null(strstr(s, mods[i]));
	assert_null(strstr(s, "biosdisk"));
	free(s);
	/* mtools copies the staged tree in, no mount */
	s = joined(e.argv[MKC_ESP_COPY]);
	assert_string_equal(s, "mcopy -s -i /w/esp.img /w/esp/EFI ::/");
	free(s);
	mkc_esp_plan_free(&e);
	assert_null(e.early_cfg);
	/* another seed: another volume id */
	struct mkc_disk_plan q;
	mkc_disk_plan(&small, 0, 0, "other", &q, err, sizeof err);
	assert_string_not_equal(p.esp_serial, q.esp_serial);
	mkc_esp_plan("/w", &q, &e);
	assert_string_equal(e.argv[MKC_ESP_MKFS][8], q.esp_serial);
	mkc_esp_plan_free(&e);
}

/* ext4's crc32c: the Castagnoli check value, and the seed carried from one call to the next. */
static void test_crc32c(void **state)
{
	(void)state;
	assert_int_equal(~mkc_crc32c(~0u, "123456789", 9), 0xe3069283u);
	assert_int_equal(mkc_crc32c(mkc_crc32c(~0u, "1234", 4), "56789", 5), mkc_crc32c(~0u, "123456789", 9));
	assert_int_equal(mkc_crc32c(7, "", 0), 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout),     cmocka_unit_test(test_size),      cmocka_unit_test(test_uuids),
		cmocka_unit_test(test_script),     cmocka_unit_test(test_parse_size), cmocka_unit_test(test_grub_core),
		cmocka_unit_test(test_grub_mbr),   cmocka_unit_test(test_esp_plan),    cmocka_unit_test(test_crc32c),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
