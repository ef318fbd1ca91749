/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../nodeimage/sniff.h"

static char err[512];

static enum sniff_kind of(const char *s)
{
	return sniff((const uint8_t *)s, strlen(s));
}

static void test_signatures(void **state)
{
	(void)state;
	assert_int_equal(sniff(NULL, 0), SNIFF_EMPTY);
	assert_int_equal(sniff((const uint8_t *)"QFI\xfb\0\0\0\3", 8), SNIFF_QCOW2);
	assert_int_equal(sniff((const uint8_t *)"\x1f\x8b\x08\0", 4), SNIFF_GZIP);
	assert_int_equal(sniff((const uint8_t *)"\xfd" "7zXZ\0\0\4", 8), SNIFF_XZ);
	assert_int_equal(sniff((const uint8_t *)"\x28\xb5\x2f\xfd\x24\0", 6), SNIFF_ZSTD);
	assert_int_equal(sniff((const uint8_t *)"BZh91AY&SY", 10), SNIFF_BZIP2);
	assert_int_equal(sniff((const uint8_t *)"XFSB\0\0\x10\0", 8), SNIFF_FS);
	/* a prefix of a signature is not the signature */
	assert_int_equal(sniff((const uint8_t *)"QFI", 3), SNIFF_TEXT);
	assert_int_equal(sniff((const uint8_t *)"\x1f", 1), SNIFF_UNKNOWN);
}

static void test_html_and_text(void **state)
{
	(void)state;
	assert_int_equal(of("<html>\r\n<head><title>404 Not Found</title></head>\r\n"), SNIFF_HTML);
	assert_int_equal(of("\xef\xbb\xbf  \n<!DOCTYPE HTML PUBLIC \"-//IETF//DTD HTML 2.0//EN\">\n"), SNIFF_HTML);
	assert_int_equal(of("<!-- a comment -->\n<BODY>hello</BODY>"), SNIFF_HTML);
	assert_int_equal(of("<?xml version=\"1.0\"?><Error>NoSuchKey</Error>"), SNIFF_TEXT);
	assert_int_equal(of("Not Found\n"), SNIFF_TEXT);
	assert_int_equal(of("see <html> below"), SNIFF_TEXT); /* text first, then a tag */
	assert_int_equal(of("caf\xc3\xa9\tau lait\n"), SNIFF_TEXT);
	assert_int_equal(sniff((const uint8_t *)"text\0more", 9), SNIFF_UNKNOWN);
	assert_int_equal(of("text\x01"), SNIFF_UNKNOWN);
	assert_int_equal(of("text\x7f"), SNIFF_UNKNOWN);
}

static void test_disks(void **state)
{
	(void)state;
	uint8_t *b = calloc(1, 8192);
	assert_int_equal(sniff(b, 8192), SNIFF_UNKNOWN); /* zeros: a raw image may start so */
	b[510] = 0x55, b[511] = 0xaa;
	assert_int_equal(sniff(b, 8192), SNIFF_DISK);
	assert_int_equal(sniff(b, 511), SNIFF_UNKNOWN);
	memset(b, 0, 8192);
	b[1080] = 0x53, b[1081] = 0xef;
	assert_int_equal(sniff(b, 4096), SNIFF_FS);
	/* only SNIFF_PROBE bytes are looked at */
	memset(b, 'a', 8192);
	b[5000] = 0;
	assert_int_equal(sniff(b, 8192), SNIFF_TEXT);
	/* random bytes */
	srand(7);
	for (size_t i = 0; i < 8192; i++)
		b[i] = (uint8_t)rand();
	b[510] = 0; /* no accidental boot signature */
	assert_int_equal(sniff(b, 8192), SNIFF_UNKNOWN);
	free(b);
}

static void test_check(void **state)
{
	(void)state;
	const uint8_t qcow2[] = "QFI\xfb\0\0\0\3";
	const uint8_t html[] = "<html><body>Not here</body></html>";
	const uint8_t gz[] = "\x1f\x8b\x08\0";
	uint8_t zeros[1024] = { 0 };
	assert_int_equal(sniff_check(QCOW2_FORMAT_QCOW2, qcow2, 8, err, sizeof err), 0);
	assert_int_equal(sniff_check(QCOW2_FORMAT_RAW, zeros, sizeof zeros, err, sizeof err), 0);
	zeros[510] = 0x55, zeros[511] = 0xaa;
	assert_int_equal(sniff_check(QCOW2_FORMAT_RAW, zeros, sizeof zeros, err, sizeof err), 0);

	assert_int_equal(sniff_check(QCOW2_FORMAT_QCOW2, html, sizeof html - 1, err, sizeof err), -1);
	assert_string_equal(err, "not a qcow2 image: it looks like an HTML page (an error page?); nothing written");
	assert_int_equal(sniff_check(QCOW2_FORMAT_RAW, html, sizeof html - 1, err, sizeof err), -1);
	assert_non_null(strstr(err, "not a raw image: it looks like an HTML page"));
	assert_int_equal(sniff_check(QCOW2_FORMAT_RAW, gz, 4, err, sizeof err), -1);
	assert_string_equal(err, "not a raw image: it looks like gzip-compressed data (decompress it first); nothing written");
	assert_int_equal(sniff_check(QCOW2_FORMAT_RAW, qcow2, 8, err, sizeof err), -1);
	assert_non_null(strstr(err, "looks like a qcow2 image (give --format qcow2)"));
	assert_int_equal(sniff_check(QCOW2_FORMAT_QCOW2, zeros, sizeof zeros, err, sizeof err), -1);
	assert_non_null(strstr(err, "a raw disk image (boot sector) (give --format raw)"));
	zeros[510] = 0;
	assert_int_equal(sniff_check(QCOW2_FORMAT_QCOW2, zeros, sizeof zeros, err, sizeof err), -1);
	assert_non_null(strstr(err, "looks like unknown data;"));
	assert_int_equal(sniff_check(QCOW2_FORMAT_QCOW2, NULL, 0, err, sizeof err), -1);
	assert_non_null(strstr(err, "an empty file"));
	assert_int_equal(sniff_check(QCOW2_FORMAT_RAW, NULL, 0, err, sizeof err), -1);
	assert_int_equal(sniff_check(QCOW2_FORMAT_RAW, (const uint8_t *)"hello\n", 6, err, sizeof err), -1);
	assert_non_null(strstr(err, "looks like text;"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_signatures),
		cmocka_unit_test(test_html_and_text),
		cmocka_unit_test(test_disks),
		cmocka_unit_test(test_check),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
