/* SPDX-License-Identifier: BSD-3-Clause */
/* imgsync file list walk, excludes, librsync signature/delta/patch and the sparse writer. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../imgsync/delta.h"
#include "../../imgsync/excl.h"
#include "../../imgsync/flist.h"

static void test_exclude_builtins(void **state)
{
	(void)state;
	struct exclude ex;
	imgs_excl_init(&ex);
	assert_true(exclude_match(&ex, "proc/1", 1));
	assert_false(exclude_match(&ex, "proc", 1));
	assert_true(exclude_match(&ex, "tmp/x", 0));
	assert_false(exclude_match(&ex, "srv/tmp/x", 0));
	exclude_free(&ex);
}

static char *mktree(void)
{
	char tmpl[] = "/tmp/test_imgsync.XXXXXX";
	char *dir = strdup(mkdtemp(tmpl));
	char cmd[1024];
	snprintf(cmd, sizeof cmd,
		 "cd %s && mkdir -p a/b proc skip && echo hi > a/f && ln a/f a/g && ln -s f a/l && "
		 "mkfifo a/p && echo k > proc/k && echo s > skip/s && touch -d '2001-02-03 04:05:06.5' a/f && "
		 "truncate -s 10M a/sparse",
		 dir);
	assert_int_equal(system(cmd), 0);
	return dir;
}

static void rmtree(char *dir)
{
	char cmd[1024];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
	free(dir);
}

static void test_walk(void **state)
{
	(void)state;
	char *dir = mktree();
	struct exclude ex;
	imgs_excl_init(&ex);
	exclude_add(&ex, "/skip");
	struct imgs_flist l;
	char err[256];
	assert_int_equal(imgs_flist_walk(dir, &ex, 1, &l, err, sizeof err), 0);
	const char *want[] = { ".", "a", "a/b", "a/f", "a/g", "a/l", "a/p", "a/sparse", "proc" };
	assert_int_equal(l.n, sizeof want / sizeof want[0]);
	for (size_t i = 0; i < l.n; i++)
		assert_string_equal(l.e[i].path, want[i]);
	long f = imgs_flist_find(&l, "a/f"), g = imgs_flist_find(&l, "a/g");
	assert_int_equal(l.e[g].link_to, (uint32_t)f);
	assert_int_equal(l.e[f].link_to, IMGS_NOLINK);
	assert_int_equal(l.e[f].mtime_nsec, 500000000);
	assert_true(l.e[f].has_sum);
	assert_string_equal(l.e[imgs_flist_find(&l, "a/l")].target, "f");
	assert_int_equal(l.e[imgs_flist_find(&l, "a/p")].type, IMGS_FIFO);
	assert_int_equal(l.e[imgs_flist_find(&l, "a/sparse")].size, 10 << 20);
	imgs_flist_free(&l);
	exclude_free(&ex);
	assert_int_equal(imgs_flist_walk("/nonexistent/x", &ex, 0, &l, err, sizeof err), -1);
	assert_non_null(strstr(err, "/nonexistent/x"));
	rmtree(dir);
}

/* Write LEN bytes of a pattern; CHANGE bytes at AT differ when MUTATE. */
static int pattern_file(size_t len, size_t at, size_t change, int mutate)
{
	FILE *f = tmpfile();
	assert_non_null(f);
	unsigned x = 12345;
	for (size_t i = 0; i < len; i++) {
		x = x * 1103515245 + 12345;
		int c = (int)(x >> 16) & 255;
		if (mutate && i >= at && i < at + change)
			c ^= 0x5a;
		fputc(c, f);
	}
	fflush(f);
	int fd = dup(fileno(f));
	fclose(f);
	return fd;
}

static void test_delta_roundtrip(void **state)
{
	(void)state;
	size_t len = 3 << 20;
	int oldfd = pattern_file(len, 0, 0, 0), newfd = pattern_file(len, len / 2, 4096, 1);
	char err[256];
	struct imgs_wbuf sig = { 0 };
	assert_int_equal(imgs_sig_fd(oldfd, len, &sig, err, sizeof err), 0);
	assert_true(sig.len > 0 && sig.len < len / 10);
	FILE *df = tmpfile();
	int dfd = fileno(df);
	assert_int_equal(imgs_delta_fd(sig.p, sig.len, newfd, dfd, err, sizeof err), 0);
	off_t dlen = lseek(dfd, 0, SEEK_END);
	assert_true(dlen > 4096 && dlen < 200000);

	FILE *of = tmpfile();
	struct imgs_sparse out = { fileno(of), 0, len };
	struct imgs_patch *p = imgs_patch_new(oldfd, &out);
	unsigned char buf[1000];
	for (off_t off = 0; off < dlen; off += (off_t)sizeof buf) {
		ssize_t n = pread(dfd, buf, sizeof buf, off);
		assert_int_equal(imgs_patch_feed(p, buf, (size_t)n, 0, err, sizeof err), 0);
	}
	assert_int_equal(imgs_patch_feed(p, NULL, 0, 1, err, sizeof err), 0);
	assert_true(imgs_patch_done(p));
	assert_int_equal(out.off, len);
	imgs_patch_free(p);

	unsigned char *a = malloc(len), *b = malloc(len);
	assert_int_equal(pread(newfd, a, len, 0), (ssize_t)len);
	assert_int_equal(pread(fileno(of), b, len, 0), (ssize_t)len);
	assert_memory_equal(a, b, len);
	free(a);
	free(b);

	/* a delta that is garbage is refused */
	of = freopen(NULL, "w+", of);
	out = (struct imgs_sparse){ fileno(of), 0, len };
	p = imgs_patch_new(oldfd, &out);
	assert_int_equal(imgs_patch_feed(p, "garbage!", 8, 1, err, sizeof err), -1);
	imgs_patch_free(p);
	assert_int_equal(imgs_delta_fd((const unsigned char *)"xx", 2, newfd, dfd, err, sizeof err), -1);

	imgs_wbuf_free(&sig);
	fclose(df);
	fclose(of);
	close(oldfd);
	close(newfd);
}

static void test_sparse_writer(void **state)
{
	(void)state;
	FILE *f = tmpfile();
	struct imgs_sparse s = { fileno(f), 0, 64 << 20 };
	unsigned char *zero = calloc(1, 1 << 20);
	for (int i = 0; i < 32; i++)
		assert_int_equal(imgs_sparse_write(&s, zero, 1 << 20), 0);
	assert_int_equal(imgs_sparse_write(&s, "x", 1), 0);
	assert_int_equal(imgs_sparse_finish(&s, (32 << 20) + 1), 0);
	struct stat st;
	assert_int_equal(fstat(fileno(f), &st), 0);
	assert_int_equal(st.st_size, (32 << 20) + 1);
	assert_true(st.st_blocks * 512 < (1 << 20));
	s.off = 64 << 20;
	assert_int_equal(imgs_sparse_write(&s, "y", 1), -1); /* past the limit */
	free(zero);
	fclose(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exclude_builtins),
		cmocka_unit_test(test_walk),
		cmocka_unit_test(test_delta_roundtrip),
		cmocka_unit_test(test_sparse_writer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
