/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * imgsync_hostile — a deliberately hostile "imgsync --server --sender" for
 * tests/cli/imgsync.sh. Run through --rsh as "imgsync_hostile MODE HOST CMD";
 * reads the client's HELLO, then sends a file list that tries to escape the
 * destination, encoded here by hand (independently of imgsync's encoder):
 *   dotdot    an entry "../escape"
 *   absolute  an entry "/tmp/escape"
 *   symlink   a symlink "ln" -> TARGET (env HOSTILE_TARGET) then "ln/escape"
 *   dotdir    an entry "a/./b" style path
 *   unsorted  "b" then "a"
 *   badlink   a hard link to a later entry
 *   data      a valid list, then data for a file never requested
 * then the data any receiver would ask for. Exit 0.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static unsigned char buf[1 << 16];
static size_t len;

static void u8(unsigned v) { buf[len++] = (unsigned char)v; }
static void u32(uint32_t v) { u8(v >> 24); u8((v >> 16) & 255); u8((v >> 8) & 255); u8(v & 255); }
static void u64(uint64_t v) { u32((uint32_t)(v >> 32)); u32((uint32_t)v); }

static size_t begin(unsigned type)
{
	size_t at = len;
	u32(0);
	u8(type);
	return at;
}

static void end(size_t at)
{
	uint32_t n = (uint32_t)(len - at - 4);
	buf[at] = n >> 24, buf[at + 1] = (n >> 16) & 255, buf[at + 2] = (n >> 8) & 255, buf[at + 3] = n & 255;
}

enum { ENTRY = 2, LIST_END = 3, DATA = 7, FILE_END = 9, DONE = 10 };
enum { REG = 1, DIR = 2, LNK = 3 };

static void varint(uint64_t v)
{
	do {
		u8((v & 127) | (v > 127 ? 128 : 0));
		v >>= 7;
	} while (v);
}

static void vstr(const char *s)
{
	varint(strlen(s));
	memcpy(buf + len, s, strlen(s));
	len += strlen(s);
}

/* One ENTRY frame, one entry, every field given (no prefix sharing). */
static void entry(const char *path, int type, const char *target, uint64_t size, uint32_t link_to)
{
	size_t f = begin(ENTRY);
	varint((target ? 16 : 0) | (link_to != UINT32_MAX ? 128 : 0)); /* flags: target, link */
	varint(0);                                                      /* shared prefix */
	vstr(path);
	u8((unsigned)type);
	varint(type == DIR ? 0755 : 0644);
	varint(0), varint(0);               /* uid, gid */
	varint(size);
	varint(1600000000u << 1), varint(0); /* mtime (zigzag), ns */
	if (target)
		vstr(target);
	if (link_to != UINT32_MAX)
		varint(link_to);
	end(f);
}

static void flush_out(void)
{
	if (write(1, buf, len) != (ssize_t)len)
		exit(1);
	len = 0;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "dotdot";
	const char *target = getenv("HOSTILE_TARGET") ? getenv("HOSTILE_TARGET") : "/tmp";
	unsigned char in[65536];
	if (read(0, in, sizeof in) <= 0) /* the client's HELLO */
		return 1;
	uint32_t n = 1;
	entry(".", DIR, NULL, 0, UINT32_MAX);
	if (!strcmp(mode, "dotdot")) {
		entry("../escape", REG, NULL, 5, UINT32_MAX), n++;
	} else if (!strcmp(mode, "absolute")) {
		entry("/tmp/escape", REG, NULL, 5, UINT32_MAX), n++;
	} else if (!strcmp(mode, "symlink")) {
		entry("ln", LNK, target, 0, UINT32_MAX), n++;
		entry("ln/escape", REG, NULL, 5, UINT32_MAX), n++;
	} else if (!strcmp(mode, "dotdir")) {
		entry("a", DIR, NULL, 0, UINT32_MAX), n++;
		entry("a/./escape", REG, NULL, 5, UINT32_MAX), n++;
	} else if (!strcmp(mode, "unsorted")) {
		entry("b", REG, NULL, 5, UINT32_MAX), n++;
		entry("a", REG, NULL, 5, UINT32_MAX), n++;
	} else if (!strcmp(mode, "badlink")) {
		entry("a", REG, NULL, 5, 2), n++;
		entry("b", REG, NULL, 5, UINT32_MAX), n++;
	} else if (!strcmp(mode, "data")) {
		entry("a", REG, NULL, 5, UINT32_MAX), n++;
	}
	size_t f = begin(LIST_END);
	u32(n);
	end(f);
	flush_out();
	/* whatever was asked: send file 1's data, twice, and claim to be done */
	ssize_t r = read(0, in, sizeof in);
	(void)r;
	f = begin(DATA);
	u32(1), u64(0);
	memcpy(buf + len, "evil\n", 5), len += 5;
	end(f);
	f = begin(FILE_END);
	u32(1);
	end(f);
	f = begin(FILE_END);
	u32(1);
	end(f);
	f = begin(DONE);
	end(f);
	flush_out();
	while (read(0, in, sizeof in) > 0)
		;
	return 0;
}
