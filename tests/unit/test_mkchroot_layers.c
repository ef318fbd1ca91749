/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests for mkchroot's layer names, whiteouts, image manifests and exclude patterns. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "../../mkchroot/excl.h"
#include "../../mkchroot/layers.h"

static void test_path_clean(void **state)
{
	(void)state;
	const struct { const char *in, *out; } cases[] = {
		{ "etc/motd", "etc/motd" }, { "./etc/motd", "etc/motd" }, { "/etc//motd/", "etc/motd" },
		{ "./", "" },               { ".", "" },                  { "a/./b", "a/b" },
		{ "..", NULL },             { "../x", NULL },             { "a/../../x", NULL },
		{ "a/..b", "a/..b" },       { "...", "..." },             { "", "" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char *c = mkc_layer_path_clean(cases[i].in);
		if (cases[i].out)
			assert_string_equal(c, cases[i].out);
		else
			assert_null(c);
		free(c);
	}
}

static void test_whiteouts(void **state)
{
	(void)state;
	char *t;
	assert_int_equal(mkc_layer_whiteout("etc/.wh.motd", &t), MKC_WH_FILE);
	assert_string_equal(t, "etc/motd");
	free(t);
	assert_int_equal(mkc_layer_whiteout(".wh.top", &t), MKC_WH_FILE);
	assert_string_equal(t, "top");
	free(t);
	assert_int_equal(mkc_layer_whiteout("usr/lib/.wh..wh..opq", &t), MKC_WH_OPAQUE);
	assert_string_equal(t, "usr/lib");
	free(t);
	assert_int_equal(mkc_layer_whiteout(".wh..wh..opq", &t), MKC_WH_OPAQUE);
	assert_string_equal(t, "");
	free(t);
	assert_int_equal(mkc_layer_whiteout("etc/motd", &t), MKC_WH_NONE);
	assert_null(t);
	assert_int_equal(mkc_layer_whiteout("etc/.wh..", &t), MKC_WH_NONE);
	assert_null(t);
	assert_int_equal(mkc_layer_whiteout("etc/.wh.", &t), MKC_WH_NONE);
	assert_null(t);
	assert_int_equal(mkc_layer_whiteout("etc/.wh.x/y", &t), MKC_WH_NONE);
	assert_true(mkc_layer_is_whiteout("a/.wh.b"));
	assert_false(mkc_layer_is_whiteout("a/.whb"));
}

static void test_docker_manifest(void **state)
{
	(void)state;
	char err[256];
	struct mkc_strv l = { 0 };
	const char *j = "[{\"Config\":\"c.json\",\"RepoTags\":[\"x:1\"],\"Layers\":[\"a/layer.tar\",\"./b/layer.tar\"]},"
			"{\"Layers\":[\"ignored\"]}]";
	assert_int_equal(mkc_layer_docker_manifest(j, strlen(j), &l, err, sizeof err), 0);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[0], "a/layer.tar");
	assert_string_equal(l.v[1], "b/layer.tar");
	mkc_strv_free(&l);
	const char *bad[] = { "[]", "{}", "[{\"Layers\":\"x\"}]", "[{\"Layers\":[1]}]", "[{\"Layers\":[\"../x\"]}]",
			      "not json", "[{\"Layers\":[\"\"]}]" };
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		assert_int_equal(mkc_layer_docker_manifest(bad[i], strlen(bad[i]), &l, err, sizeof err), -1);
		mkc_strv_free(&l);
	}
}

static void test_oci(void **state)
{
	(void)state;
	char err[256], *blob;
	const char *idx = "{\"schemaVersion\":2,\"manifests\":[{\"digest\":\"sha256:abc\"}]}";
	assert_int_equal(mkc_layer_oci_index(idx, strlen(idx), &blob, err, sizeof err), 0);
	assert_string_equal(blob, "blobs/sha256/abc");
	free(blob);
	const char *bad = "{\"manifests\":[{\"digest\":\"sha256:../../etc\"}]}";
	assert_int_equal(mkc_layer_oci_index(bad, strlen(bad), &blob, err, sizeof err), -1);
	assert_null(blob);
	struct mkc_strv l = { 0 };
	const char *m = "{\"layers\":[{\"digest\":\"sha256:11\"},{\"digest\":\"sha512:22\"}]}";
	assert_int_equal(mkc_layer_oci_manifest(m, strlen(m), &l, err, sizeof err), 0);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[1], "blobs/sha512/22");
	mkc_strv_free(&l);
	const char *m2 = "{\"layers\":[{\"digest\":\"nocolon\"}]}";
	assert_int_equal(mkc_layer_oci_manifest(m2, strlen(m2), &l, err, sizeof err), -1);
	mkc_strv_free(&l);
}

static void test_golden_excludes(void **state)
{
	(void)state;
	struct exclude x = { 0 };
	for (size_t i = 0; mkc_excl_golden_defaults[i]; i++)
		exclude_add(&x, mkc_excl_golden_defaults[i]);
	assert_true(exclude_match(&x, "proc/1", 1));
	assert_false(exclude_match(&x, "proc", 1));
	assert_true(exclude_match(&x, "dev/null", 0));
	assert_true(exclude_match(&x, "etc/ssh/ssh_host_rsa_key", 0));
	assert_false(exclude_match(&x, "etc/ssh/sshd_config", 0));
	assert_false(exclude_match(&x, "usr/bin/ls", 0));
	exclude_free(&x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_path_clean),
		cmocka_unit_test(test_whiteouts),
		cmocka_unit_test(test_docker_manifest),
		cmocka_unit_test(test_oci),
		cmocka_unit_test(test_golden_excludes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
