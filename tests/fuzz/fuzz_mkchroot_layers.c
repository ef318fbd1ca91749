/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: image archive metadata (mkchroot/layers.c): docker-save
 * manifest.json, OCI index and manifest, entry names and whiteouts. Whatever
 * the input, a layer path or whiteout target never leaves the root.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../mkchroot/layers.h"

static void check_rel(const char *p)
{
	if (p[0] == '/' || strcmp(p, "..") == 0 || strncmp(p, "../", 3) == 0 || strstr(p, "/../") ||
	    (strlen(p) >= 3 && strcmp(p + strlen(p) - 3, "/..") == 0))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[512];
	const char *text = (const char *)data;
	struct mkc_strv l = { 0 };
	if (mkc_layer_docker_manifest(text, size, &l, err, sizeof err) == 0)
		for (size_t i = 0; i < l.n; i++)
			check_rel(l.v[i]);
	mkc_strv_free(&l);
	if (mkc_layer_oci_manifest(text, size, &l, err, sizeof err) == 0)
		for (size_t i = 0; i < l.n; i++)
			check_rel(l.v[i]);
	mkc_strv_free(&l);
	char *blob;
	if (mkc_layer_oci_index(text, size, &blob, err, sizeof err) == 0)
		check_rel(blob);
	free(blob);

	char *name = strndup(text, size); /* an entry name: up to the first NUL */
	char *rel = mkc_layer_path_clean(name);
	if (rel) {
		check_rel(rel);
		char *target;
		if (mkc_layer_whiteout(rel, &target) != MKC_WH_NONE)
			check_rel(target);
		else if (target)
			abort();
		free(target);
	}
	free(rel);
	free(name);
	return 0;
}
