/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsutil.h"

static void test_safe_names(void **state)
{
	(void)state;
	assert_true(fs_name_is_safe("a"));
	assert_true(fs_name_is_safe("a/b/c"));
	assert_true(fs_name_is_safe("..a/b..")); /* only whole components count */
	assert_false(fs_name_is_safe(""));
	assert_false(fs_name_is_safe("/etc/passwd"));
	assert_false(fs_name_is_safe(".."));
	assert_false(fs_name_is_safe("../x"));
	assert_false(fs_name_is_safe("a/../../x"));
	assert_false(fs_name_is_safe("a//b"));
	assert_false(fs_name_is_safe("a/./b"));
	assert_false(fs_name_is_safe("a/"));
	char *j = fs_join_safe("/out/", "n1/f");
	assert_string_equal(j, "/out/n1/f");
	free(j);
	assert_null(fs_join_safe("/out", "../etc"));
	assert_int_equal(errno, EINVAL);
}

static void test_open_beneath_refuses_symlinks(void **state)
{
	(void)state;
	char dir[] = "/tmp/ct-fs.XXXXXX";
	assert_non_null(mkdtemp(dir));
	int dfd = open(dir, O_RDONLY | O_DIRECTORY);
	assert_true(dfd >= 0);
	assert_int_equal(symlinkat("/", dfd, "root"), 0);
	assert_int_equal(fs_open_beneath(dfd, "root/etc/passwd", O_RDONLY, 0), -1);
	assert_int_equal(fs_mkdirs_beneath(dfd, "root/x", 0755), -1);
	assert_int_equal(fs_mkdirs_beneath(dfd, "a/b/c", 0755), 0);
	int fd = fs_open_beneath(dfd, "a/b/c/f", O_WRONLY | O_CREAT, 0644);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(fs_open_beneath(dfd, "a/../../x", O_RDONLY, 0), -1);
	close(dfd);
	char cmd[64];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

static void test_atomic_write_and_abort(void **state)
{
	(void)state;
	char dir[] = "/tmp/ct-fs.XXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[64];
	snprintf(path, sizeof path, "%s/f", dir);
	assert_int_equal(fs_atomic_write(path, "hello", 5, 0640), 0);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0640);
	size_t len;
	char *s = fs_read_file(path, 100, &len);
	assert_string_equal(s, "hello");
	free(s);

	struct fs_tmpfile t;
	assert_int_equal(fs_tmp_open(AT_FDCWD, path, 0644, &t), 0);
	assert_int_equal(fs_write_all(t.fd, "partial", 7), 0);
	fs_tmp_abort(&t);
	s = fs_read_file(path, 100, &len);
	assert_string_equal(s, "hello"); /* the old file stands, no temp left */
	free(s);
	char cmd[80];
	snprintf(cmd, sizeof cmd, "test $(ls -A %s | wc -l) = 1", dir);
	assert_int_equal(system(cmd), 0);
	assert_null(fs_read_file(path, 3, &len));
	assert_int_equal(errno, EFBIG);
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_safe_names),
		cmocka_unit_test(test_open_beneath_refuses_symlinks),
		cmocka_unit_test(test_atomic_write_and_abort),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
