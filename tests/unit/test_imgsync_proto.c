/* SPDX-License-Identifier: BSD-3-Clause */
/* imgsync wire protocol: round trips, validation of everything a peer sends, itemize lines. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "../../imgsync/compare.h"
#include "../../imgsync/proto.h"
#include "../../imgsync/zcache.h"

static struct imgs_entry mk(const char *path, int type)
{
	struct imgs_entry e = { 0 };
	e.path = (char *)path;
	e.type = (uint8_t)type;
	e.mode = type == IMGS_DIR ? 0755 : 0644;
	e.link_to = IMGS_NOLINK;
	e.mtime_sec = 1700000000;
	e.mtime_nsec = 123456789;
	e.target = type == IMGS_LNK ? (char *)"target" : NULL;
	return e;
}

/* Encode E (after PREV) and decode it back. */
static int roundtrip2(const struct imgs_entry *prev, const struct imgs_entry *e, struct imgs_entry *out, char *err,
		      size_t errlen)
{
	struct imgs_wbuf b = { 0 };
	imgs_enc_entry(&b, prev, e);
	struct imgs_rbuf r = { b.p, b.len, 0, 0 };
	int rc = imgs_dec_entry(&r, prev, out, err, errlen);
	if (rc == 0)
		assert_int_equal(r.off, b.len);
	imgs_wbuf_free(&b);
	return rc;
}

static int roundtrip(const struct imgs_entry *e, struct imgs_entry *out, char *err, size_t errlen)
{
	return roundtrip2(NULL, e, out, err, errlen);
}

static void test_list_compression(void **state)
{
	(void)state;
	struct imgs_flist l = { 0 };
	const char *paths[] = { ".", "usr", "usr/share", "usr/share/doc", "usr/share/doc/a", "usr/share/doc/b" };
	for (size_t i = 0; i < 6; i++) {
		struct imgs_entry e = mk(paths[i], i < 4 ? IMGS_DIR : IMGS_REG);
		e.path = strdup(paths[i]);
		e.target = NULL;
		if (i == 5)
			e.link_to = 4;
		imgs_flist_push(&l, &e);
	}
	struct imgs_wbuf b = { 0 };
	imgs_enc_list(&b, &l);
	assert_true(b.len < 6 * 24); /* prefixes and repeated fields are not sent again */
	uint8_t type;
	const unsigned char *body;
	size_t len, used;
	char err[256];
	assert_int_equal(imgs_frame_parse(b.p, b.len, &type, &body, &len, &used, err, sizeof err), 1);
	assert_int_equal(type, IMGS_M_ENTRY);
	struct imgs_rbuf r = { body, len, 0, 0 };
	struct imgs_flist got = { 0 };
	while (r.off < len) {
		struct imgs_entry e;
		assert_int_equal(imgs_dec_entry(&r, got.n ? &got.e[got.n - 1] : NULL, &e, err, sizeof err), 0);
		assert_int_equal(imgs_flist_accept(&got, &e, err, sizeof err), 0);
		imgs_flist_push(&got, &e);
	}
	assert_int_equal(got.n, 6);
	assert_string_equal(got.e[5].path, "usr/share/doc/b");
	assert_int_equal(got.e[5].link_to, 4);
	assert_int_equal(got.e[5].mtime_nsec, 123456789);
	/* a prefix longer than the previous path is refused */
	struct imgs_wbuf bad = { 0 };
	imgs_put_varint(&bad, 0);
	imgs_put_varint(&bad, 99);
	struct imgs_rbuf rb = { bad.p, bad.len, 0, 0 };
	struct imgs_entry e;
	assert_int_equal(imgs_dec_entry(&rb, &got.e[0], &e, err, sizeof err), -1);
	imgs_wbuf_free(&bad);
	imgs_wbuf_free(&b);
	imgs_flist_free(&got);
	imgs_flist_free(&l);
}

static void test_entry_roundtrip(void **state)
{
	(void)state;
	struct imgs_xattr xs[2] = { { (char *)"security.capability", (unsigned char *)"\1\0\0\2", 4 },
				    { (char *)"user.color", (unsigned char *)"blue", 4 } };
	struct imgs_entry e = mk("usr/bin/ping", IMGS_REG), d;
	e.size = 1ull << 40;
	e.uid = 12345;
	e.gid = 23456;
	e.mode = 04755;
	e.nxattrs = 2;
	e.xattrs = xs;
	e.has_sum = 1;
	memset(e.sum, 0xab, sizeof e.sum);
	char err[256];
	assert_int_equal(roundtrip(&e, &d, err, sizeof err), 0);
	assert_string_equal(d.path, "usr/bin/ping");
	assert_int_equal(d.size, 1ull << 40);
	assert_int_equal(d.mode, 04755);
	assert_int_equal(d.uid, 12345);
	assert_int_equal(d.mtime_nsec, 123456789);
	assert_int_equal(d.nxattrs, 2);
	assert_string_equal(d.xattrs[0].name, "security.capability");
	assert_memory_equal(d.xattrs[1].value, "blue", 4);
	assert_true(d.has_sum);
	assert_memory_equal(d.sum, e.sum, sizeof e.sum);
	imgs_entry_free(&d);

	struct imgs_entry l = mk("lib/x", IMGS_LNK);
	assert_int_equal(roundtrip(&l, &d, err, sizeof err), 0);
	assert_string_equal(d.target, "target");
	imgs_entry_free(&d);
}

static void test_entry_refused(void **state)
{
	(void)state;
	const char *bad[] = { "../x", "/etc/passwd", "a/../b", "a/./b", "a//b", "a/", "", "..", NULL };
	char err[256];
	for (int i = 0; bad[i]; i++) {
		struct imgs_entry e = mk(bad[i], IMGS_REG), d;
		assert_int_equal(roundtrip(&e, &d, err, sizeof err), -1);
	}
	struct imgs_entry e = mk("f", IMGS_REG), d;
	e.mode = 010644; /* type bits are not mode bits */
	assert_int_equal(roundtrip(&e, &d, err, sizeof err), -1);
	e = mk("f", IMGS_DIR);
	e.size = 5;
	assert_int_equal(roundtrip(&e, &d, err, sizeof err), -1);
	e = mk("f", IMGS_REG);
	e.mtime_nsec = 1000000000;
	assert_int_equal(roundtrip(&e, &d, err, sizeof err), -1);
	e = mk("f", IMGS_REG);
	e.target = (char *)"x"; /* a target on a non-symlink */
	assert_int_equal(roundtrip(&e, &d, err, sizeof err), -1);
	struct imgs_xattr xs[2] = { { (char *)"user.b", (unsigned char *)"1", 1 }, { (char *)"user.a", (unsigned char *)"2", 1 } };
	e = mk("f", IMGS_REG);
	e.nxattrs = 2;
	e.xattrs = xs;
	assert_int_equal(roundtrip(&e, &d, err, sizeof err), -1);
	assert_non_null(strstr(err, "sorted"));
}

static void push(struct imgs_flist *l, const char *path, int type, uint32_t link_to, int want)
{
	struct imgs_entry e = mk(path, type);
	e.link_to = link_to;
	char err[256];
	int rc = imgs_flist_accept(l, &e, err, sizeof err);
	assert_int_equal(rc, want);
	if (rc == 0) {
		e.path = strdup(path);
		e.target = e.target ? strdup(e.target) : NULL;
		imgs_flist_push(l, &e);
	}
}

static void test_list_rules(void **state)
{
	(void)state;
	struct imgs_flist l = { 0 };
	push(&l, "etc", IMGS_DIR, IMGS_NOLINK, -1);  /* the root comes first */
	push(&l, ".", IMGS_DIR, IMGS_NOLINK, 0);
	push(&l, ".", IMGS_DIR, IMGS_NOLINK, -1);    /* only once */
	push(&l, "a", IMGS_REG, IMGS_NOLINK, 0);
	push(&l, "a/b", IMGS_REG, IMGS_NOLINK, -1);  /* parent is a file */
	push(&l, "etc", IMGS_DIR, IMGS_NOLINK, 0);
	push(&l, "b", IMGS_REG, IMGS_NOLINK, -1);    /* out of order */
	push(&l, "etc/h2", IMGS_REG, 1, 0);          /* hard link to "a" */
	push(&l, "etc/h3", IMGS_REG, 3, -1);         /* to a follower */
	push(&l, "etc/h4", IMGS_LNK, 1, -1);         /* to another type */
	push(&l, "etc/h5", IMGS_REG, 9, -1);         /* to a later entry */
	push(&l, "ln", IMGS_LNK, IMGS_NOLINK, 0);
	push(&l, "ln/x", IMGS_REG, IMGS_NOLINK, -1); /* through a symlink */
	push(&l, "z/x", IMGS_REG, IMGS_NOLINK, -1);  /* parent not listed */
	assert_int_equal(l.n, 5);
	assert_int_equal(imgs_flist_find(&l, "etc"), 2);
	assert_int_equal(imgs_flist_find(&l, "nope"), -1);
	imgs_flist_free(&l);
}

static void test_hello_and_small_messages(void **state)
{
	(void)state;
	char *ex[] = { "/etc/hostname", "/var/log/*" };
	struct imgs_wbuf b = { 0 };
	imgs_enc_hello(&b, IMGS_F_CHECKSUM | IMGS_F_ITEMIZE, 0, ex, 2);
	struct imgs_hello h;
	char err[256];
	assert_int_equal(imgs_dec_hello(b.p + 5, b.len - 5, &h, err, sizeof err), 0);
	assert_int_equal(h.flags, IMGS_F_CHECKSUM | IMGS_F_ITEMIZE);
	assert_int_equal(h.nexcl, 2);
	assert_string_equal(h.excl[1], "/var/log/*");
	imgs_hello_free(&h);
	b.p[5] ^= 1; /* magic */
	assert_int_equal(imgs_dec_hello(b.p + 5, b.len - 5, &h, err, sizeof err), -1);
	b.len = 0;
	/* --max-delete and --force travel; the limit only with its flag */
	imgs_enc_hello(&b, IMGS_F_FORCE | IMGS_F_MAX_DELETE, 12345678901ull, ex, 1);
	assert_int_equal(imgs_dec_hello(b.p + 5, b.len - 5, &h, err, sizeof err), 0);
	assert_int_equal(h.flags, IMGS_F_FORCE | IMGS_F_MAX_DELETE);
	assert_int_equal(h.max_delete, 12345678901ull);
	assert_int_equal(h.nexcl, 1);
	imgs_hello_free(&h);
	assert_int_equal(imgs_dec_hello(b.p + 5, b.len - 5 - 4, &h, err, sizeof err), -1); /* cut short */
	b.len = 0;
	imgs_enc_hello(&b, 0, 99, ex, 1);
	assert_int_equal(imgs_dec_hello(b.p + 5, b.len - 5, &h, err, sizeof err), 0);
	assert_int_equal(h.max_delete, 0);
	imgs_hello_free(&h);
	b.len = 0;

	struct imgs_summary s = { 1, 2, 3, 4, 5, 6, 7, 8, 9 }, t;
	imgs_enc_summary(&b, &s);
	assert_int_equal(imgs_dec_summary(b.p + 5, b.len - 5, &t), 0);
	assert_memory_equal(&s, &t, sizeof s);
	b.len = 0;

	imgs_enc_data(&b, 7, 4096, "abc", 3);
	uint32_t idx;
	uint64_t off;
	const unsigned char *data;
	size_t dlen;
	assert_int_equal(imgs_dec_data(b.p + 5, b.len - 5, &idx, &off, &data, &dlen), 0);
	assert_int_equal(idx, 7);
	assert_int_equal(off, 4096);
	assert_int_equal(dlen, 3);
	b.len = 0;

	imgs_enc_text(&b, IMGS_M_ITEM, "a\tline\x1b[31m");
	char *text = imgs_dec_text(b.p + 5, b.len - 5);
	assert_string_equal(text, "a\tline?[31m"); /* no terminal escapes from a peer */
	free(text);
	imgs_wbuf_free(&b);
}

static void test_frames(void **state)
{
	(void)state;
	uint8_t type;
	const unsigned char *body;
	size_t len, used;
	char err[128];
	const unsigned char partial[] = { 0, 0, 0, 5, IMGS_M_DONE };
	assert_int_equal(imgs_frame_parse(partial, sizeof partial, &type, &body, &len, &used, err, sizeof err), 0);
	const unsigned char huge[] = { 0x7f, 0, 0, 0, IMGS_M_DONE };
	assert_int_equal(imgs_frame_parse(huge, sizeof huge, &type, &body, &len, &used, err, sizeof err), -1);
	const unsigned char unknown[] = { 0, 0, 0, 1, 99 };
	assert_int_equal(imgs_frame_parse(unknown, sizeof unknown, &type, &body, &len, &used, err, sizeof err), -1);
	const unsigned char empty[] = { 0, 0, 0, 0 };
	assert_int_equal(imgs_frame_parse(empty, sizeof empty, &type, &body, &len, &used, err, sizeof err), -1);
}

static void test_compare_itemize(void **state)
{
	(void)state;
	struct imgs_entry e = mk("etc/motd", IMGS_REG);
	e.size = 10;
	struct imgs_have h = { 0 };
	struct imgs_cmp c;
	imgs_compare(&e, &h, 0, &c);
	char *s = imgs_itemize(&e, &c, NULL);
	assert_string_equal(s, ">f+++++++++ etc/motd");
	free(s);

	h.exists = 1;
	h.st.st_mode = S_IFREG | 0600;
	h.st.st_size = 10;
	h.st.st_uid = 1;
	h.st.st_mtim.tv_sec = e.mtime_sec;
	h.st.st_mtim.tv_nsec = e.mtime_nsec;
	imgs_compare(&e, &h, 0, &c);
	assert_false(c.content);
	s = imgs_itemize(&e, &c, NULL);
	assert_string_equal(s, ".f...po.... etc/motd");
	free(s);

	h.st.st_mtim.tv_nsec = 1; /* nanoseconds count */
	imgs_compare(&e, &h, 0, &c);
	assert_true(c.content);

	h.st.st_mode = S_IFDIR | 0755;
	imgs_compare(&e, &h, 0, &c);
	assert_true(c.create && c.replace);

	struct imgs_entry d = mk("var", IMGS_DIR);
	h.st.st_uid = 0;
	h.st.st_mtim.tv_sec = 0;
	imgs_compare(&d, &h, 0, &c);
	s = imgs_itemize(&d, &c, NULL);
	assert_string_equal(s, ".d..t...... var/");
	free(s);
	s = imgs_itemize_delete("old", 1);
	assert_string_equal(s, "*deleting   old/");
	free(s);
}

/* ZDATA: compressed once, shared from the cache, refused when it lies about its size */
static void test_zdata_and_zcache(void **state)
{
	(void)state;
	static unsigned char text[IMGS_CHUNK], noise[4096], out[IMGS_CHUNK];
	for (size_t i = 0; i < sizeof text; i++)
		text[i] = (unsigned char)"node image line\n"[i % 16];
	uint32_t x = 1;
	for (size_t i = 0; i < sizeof noise; i++)
		noise[i] = (unsigned char)((x = x * 1103515245u + 12345u) >> 24);
	struct imgs_zcache *zc = imgs_zcache_new(1024); /* a few compressed chunks */
	struct imgs_wbuf b = { 0 }, again = { 0 };
	size_t rawlen = 0, len;
	uint32_t idx;
	uint64_t off;

	assert_int_equal(imgs_zcache_frame(zc, &b, 3, 0, &rawlen), 0);
	imgs_zcache_add_frame(zc, &b, 3, 0, text, sizeof text);
	assert_int_equal(b.p[4], IMGS_M_ZDATA);
	assert_true(b.len < sizeof text / 10);
	assert_int_equal(imgs_dec_zdata(b.p + 5, b.len - 5, &idx, &off, out, &len), 0);
	assert_int_equal(idx, 3);
	assert_int_equal(off, 0);
	assert_int_equal(len, sizeof text);
	assert_memory_equal(out, text, sizeof text);
	/* the next receiver gets the same frame without compressing */
	assert_int_equal(imgs_zcache_frame(zc, &again, 3, 0, &rawlen), 1);
	assert_int_equal(rawlen, sizeof text);
	assert_int_equal(again.len, b.len);
	assert_memory_equal(again.p, b.p, b.len);

	/* a raw length that is not what the frame holds, or over a chunk: refused */
	size_t at_rawlen = 5 + 4 + 8;
	b.p[at_rawlen + 3] ^= 1;
	assert_int_equal(imgs_dec_zdata(b.p + 5, b.len - 5, &idx, &off, out, &len), -1);
	b.p[at_rawlen + 3] ^= 1;
	b.p[at_rawlen + 1] = 0x7f;
	assert_int_equal(imgs_dec_zdata(b.p + 5, b.len - 5, &idx, &off, out, &len), -1);
	assert_int_equal(imgs_dec_zdata(again.p + 5, again.len - 6, &idx, &off, out, &len), -1);

	/* noise goes as DATA, and is remembered as such */
	b.len = 0;
	imgs_zcache_add_frame(zc, &b, 4, 0, noise, sizeof noise);
	assert_int_equal(b.p[4], IMGS_M_DATA);
	assert_int_equal(imgs_zcache_frame(zc, &b, 4, 0, &rawlen), -1);

	/* over the budget the oldest chunk goes */
	for (uint64_t k = 1; k <= 64; k++) {
		b.len = 0;
		imgs_zcache_add_frame(zc, &b, 3, k * IMGS_CHUNK, text, sizeof text);
	}
	assert_int_equal(imgs_zcache_frame(zc, &b, 3, 0, &rawlen), 0);
	assert_int_equal(imgs_zcache_frame(zc, &b, 3, 64 * IMGS_CHUNK, &rawlen), 1);
	imgs_wbuf_free(&b);
	imgs_wbuf_free(&again);
	imgs_zcache_free(zc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_entry_roundtrip),
		cmocka_unit_test(test_entry_refused),
		cmocka_unit_test(test_list_rules),
		cmocka_unit_test(test_list_compression),
		cmocka_unit_test(test_hello_and_small_messages),
		cmocka_unit_test(test_frames),
		cmocka_unit_test(test_compare_itemize),
		cmocka_unit_test(test_zdata_and_zcache),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
