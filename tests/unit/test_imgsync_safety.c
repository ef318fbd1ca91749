/* SPDX-License-Identifier: BSD-3-Clause */
/* imgsync safety: image plausibility, the deletion count behind --max-delete, the destination's parent. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../imgsync/safety.h"

/* A list from "PATH TYPE" words in path order, TYPE d, f or l; "m" is a directory on another device (2, not 1). */
static void build(struct imgs_flist *l, const char *const *spec)
{
	memset(l, 0, sizeof *l);
	for (; *spec; spec++) {
		struct imgs_entry e = { 0 };
		const char *sp = strchr(*spec, ' ');
		e.path = strndup(*spec, (size_t)(sp - *spec));
		e.type = sp[1] == 'f' ? IMGS_REG : sp[1] == 'l' ? IMGS_LNK : IMGS_DIR;
		e.dev = sp[1] == 'm' ? 2 : 1;
		e.link_to = IMGS_NOLINK;
		imgs_flist_push(l, &e);
	}
}

static void test_image_check(void **state)
{
	(void)state;
	char err[300];
	struct imgs_flist l;
	build(&l, (const char *const[]){ ". d", NULL });
	assert_int_equal(imgs_image_check(&l, "/srv/img", err, sizeof err), -1);
	assert_string_equal(err, "/srv/img: the image is empty (syncing it would delete everything at the "
				 "destination); refused, --force overrides");
	imgs_flist_free(&l);
	build(&l, (const char *const[]){ ". d", "boot d", "etc f", "home d", NULL });
	assert_int_equal(imgs_image_check(&l, NULL, err, sizeof err), -1);
	assert_string_equal(err, "the image has neither etc/ nor usr/: it does not look like a root filesystem; "
				 "refused, --force overrides");
	imgs_flist_free(&l);
	build(&l, (const char *const[]){ ". d", "etc d", NULL });
	assert_int_equal(imgs_image_check(&l, "x", err, sizeof err), 0);
	imgs_flist_free(&l);
	build(&l, (const char *const[]){ ". d", "bin l", "usr d", "usr/bin d", NULL });
	assert_int_equal(imgs_image_check(&l, "x", err, sizeof err), 0);
	imgs_flist_free(&l);
}

static void test_deletions(void **state)
{
	(void)state;
	struct imgs_flist img, have;
	build(&img, (const char *const[]){ ". d", "a d", "a/keep f", "b f", "c d", "etc d", NULL });
	/* a/gone goes; b (a directory, a file in the image) goes with its 2 entries; c (a file) is
	   replaced by a directory; "a-x" sorts between "a" and "a/..." and goes; mnt is a mount point */
	build(&have, (const char *const[]){ ". d", "a d", "a-x f", "a/gone f", "a/keep f", "b d", "b/1 f",
					   "b/2 d", "b/2/3 f", "c f", "etc d", "mnt m", "old d", "old/x f", NULL });
	assert_int_equal(imgs_deletions(&img, &have, 1, 0), 1 + 1 + 4 + 1 + 2);
	/* --no-delete: only what a type change replaces */
	assert_int_equal(imgs_deletions(&img, &have, 1, 1), 4 + 1);
	/* nothing to delete when the destination is the image */
	assert_int_equal(imgs_deletions(&img, &img, 1, 0), 0);
	imgs_flist_free(&have);
	/* an empty destination */
	build(&have, (const char *const[]){ ". d", NULL });
	assert_int_equal(imgs_deletions(&img, &have, 1, 0), 0);
	imgs_flist_free(&have);
	imgs_flist_free(&img);
}

static void test_root_creatable(void **state)
{
	(void)state;
	char err[600], tmp[] = "/tmp/test_safety.XXXXXX";
	assert_non_null(mkdtemp(tmp));
	char *sub = NULL, *deep = NULL, *file = NULL;
	assert_true(asprintf(&sub, "%s/new", tmp) > 0);
	assert_true(asprintf(&deep, "%s/no/new/", tmp) > 0);
	assert_true(asprintf(&file, "%s/f/new", tmp) > 0);
	assert_int_equal(imgs_root_creatable(sub, err, sizeof err), 0);
	assert_int_equal(imgs_root_creatable("relative", err, sizeof err), 0);
	assert_int_equal(imgs_root_creatable("/new", err, sizeof err), 0);
	assert_int_equal(imgs_root_creatable(deep, err, sizeof err), -1);
	char *want = NULL;
	assert_true(asprintf(&want, "%s: parent directory %s/no: No such file or directory (only the last "
				    "component of a destination is created)", deep, tmp) > 0);
	assert_string_equal(err, want);
	char *f = NULL;
	assert_true(asprintf(&f, "%s/f", tmp) > 0);
	fclose(fopen(f, "w"));
	assert_int_equal(imgs_root_creatable(file, err, sizeof err), -1);
	assert_non_null(strstr(err, "/f: not a directory"));
	unlink(f);
	rmdir(tmp);
	free(f);
	free(want);
	free(sub);
	free(deep);
	free(file);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_image_check),
		cmocka_unit_test(test_deletions),
		cmocka_unit_test(test_root_creatable),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
