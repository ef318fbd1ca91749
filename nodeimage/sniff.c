/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sniff — magic numbers, then HTML and text by their bytes.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "sniff.h"

struct magic {
	size_t off, len;
	const char *bytes;
	enum sniff_kind kind;
};

/* Signatures at the start of a file: checked first. */
static const struct magic signatures[] = {
	{ 0, 4, "QFI\xfb", SNIFF_QCOW2 },
	{ 0, 2, "\x1f\x8b", SNIFF_GZIP },
	{ 0, 6, "\xfd" "7zXZ\0", SNIFF_XZ },
	{ 0, 4, "\x28\xb5\x2f\xfd", SNIFF_ZSTD },
	{ 0, 3, "BZh", SNIFF_BZIP2 },
	{ 0, 4, "XFSB", SNIFF_FS },
};

/* Two bytes deep inside a disk or filesystem: checked only if the body is not text. */
static const struct magic layouts[] = {
	{ 1080, 2, "\x53\xef", SNIFF_FS }, /* ext2/3/4 superblock */
	{ 510, 2, "\x55\xaa", SNIFF_DISK }, /* MBR, or GPT's protective MBR */
};

#define NELEM(a) (sizeof(a) / sizeof *(a))

static int is_magic(const struct magic *m, const uint8_t *buf, size_t len)
{
	return len >= m->off + m->len && memcmp(buf + m->off, m->bytes, m->len) == 0;
}

/* No NUL and no control bytes but the usual whitespace, backspace and escape. */
static int is_text(const uint8_t *buf, size_t len)
{
	static const char allowed[] = "\t\n\v\f\r\b\x1b";
	for (size_t i = 0; i < len; i++)
		if (buf[i] == 0x7f || (buf[i] < 0x20 && !memchr(allowed, buf[i], sizeof allowed - 1)))
			return 0;
	return 1;
}

/* Does BUF contain the lower-case WORD, in any case? */
static int has_word(const uint8_t *buf, size_t len, const char *word)
{
	size_t n = strlen(word);
	for (size_t i = 0; i + n <= len; i++) {
		size_t j = 0;
		while (j < n && tolower(buf[i + j]) == word[j])
			j++;
		if (j == n)
			return 1;
	}
	return 0;
}

/* Text that opens with a tag (after a byte order mark and blanks) and has an HTML one. */
static int is_html(const uint8_t *buf, size_t len)
{
	static const char *const tags[] = { "<!doctype html", "<html", "<head", "<body", "<title" };
	size_t i = len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
	while (i < len && isspace(buf[i]))
		i++;
	if (i == len || buf[i] != '<')
		return 0;
	for (size_t t = 0; t < NELEM(tags); t++)
		if (has_word(buf + i, len - i, tags[t]))
			return 1;
	return 0;
}

enum sniff_kind sniff(const uint8_t *buf, size_t len)
{
	if (len == 0)
		return SNIFF_EMPTY;
	if (len > SNIFF_PROBE)
		len = SNIFF_PROBE;
	for (size_t i = 0; i < NELEM(signatures); i++)
		if (is_magic(&signatures[i], buf, len))
			return signatures[i].kind;
	if (is_text(buf, len))
		return is_html(buf, len) ? SNIFF_HTML : SNIFF_TEXT;
	for (size_t i = 0; i < NELEM(layouts); i++)
		if (is_magic(&layouts[i], buf, len))
			return layouts[i].kind;
	return SNIFF_UNKNOWN;
}

const char *sniff_name(enum sniff_kind kind)
{
	switch (kind) {
	case SNIFF_EMPTY: return "an empty file";
	case SNIFF_QCOW2: return "a qcow2 image";
	case SNIFF_GZIP: return "gzip-compressed data";
	case SNIFF_XZ: return "xz-compressed data";
	case SNIFF_ZSTD: return "zstd-compressed data";
	case SNIFF_BZIP2: return "bzip2-compressed data";
	case SNIFF_HTML: return "an HTML page";
	case SNIFF_TEXT: return "text";
	case SNIFF_DISK: return "a raw disk image (boot sector)";
	case SNIFF_FS: return "a raw filesystem image";
	default: return "unknown data";
	}
}

/* What to do about KIND when WANT was asked for: a hint, or "" . */
static const char *hint(enum qcow2_format want, enum sniff_kind kind)
{
	switch (kind) {
	case SNIFF_QCOW2: return " (give --format qcow2)";
	case SNIFF_DISK:
	case SNIFF_FS: return want == QCOW2_FORMAT_QCOW2 ? " (give --format raw)" : "";
	case SNIFF_GZIP:
	case SNIFF_XZ:
	case SNIFF_ZSTD:
	case SNIFF_BZIP2: return " (decompress it first)";
	case SNIFF_HTML: return " (an error page?)";
	default: return "";
	}
}

int sniff_check(enum qcow2_format want, const uint8_t *buf, size_t len, char *err, size_t errlen)
{
	enum sniff_kind kind = sniff(buf, len);
	int ok = want == QCOW2_FORMAT_QCOW2 ? kind == SNIFF_QCOW2
					   : kind == SNIFF_DISK || kind == SNIFF_FS || kind == SNIFF_UNKNOWN;
	if (ok)
		return 0;
	snprintf(err, errlen, "not a %s image: it looks like %s%s; nothing written",
		 want == QCOW2_FORMAT_QCOW2 ? "qcow2" : "raw", sniff_name(kind), hint(want, kind));
	return -1;
}
