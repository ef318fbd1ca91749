/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * layers — layer names, whiteouts and image manifests (see layers.h).
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "layers.h"
#include "log.h"
#include "xalloc.h"

#define WH_PREFIX ".wh."
#define WH_OPAQUE ".wh..wh..opq"

char *mkc_layer_path_clean(const char *name)
{
	size_t n = strlen(name);
	char *out = xmalloc(n + 1);
	size_t o = 0;
	const char *p = name;
	while (*p) {
		while (*p == '/')
			p++;
		size_t len = strcspn(p, "/");
		if (len == 0)
			break;
		if (len == 2 && p[0] == '.' && p[1] == '.') {
			free(out);
			return NULL;
		}
		if (!(len == 1 && p[0] == '.')) {
			if (o)
				out[o++] = '/';
			memcpy(out + o, p, len);
			o += len;
		}
		p += len;
	}
	out[o] = '\0';
	return out;
}

static const char *base_of(const char *rel)
{
	const char *s = strrchr(rel, '/');
	return s ? s + 1 : rel;
}

int mkc_layer_is_whiteout(const char *rel)
{
	return strncmp(base_of(rel), WH_PREFIX, strlen(WH_PREFIX)) == 0;
}

enum mkc_whiteout mkc_layer_whiteout(const char *rel, char **target)
{
	*target = NULL;
	const char *base = base_of(rel);
	if (strncmp(base, WH_PREFIX, strlen(WH_PREFIX)) != 0)
		return MKC_WH_NONE;
	size_t dirlen = base == rel ? 0 : (size_t)(base - rel - 1);
	if (strcmp(base, WH_OPAQUE) == 0) {
		*target = xstrndup(rel, dirlen);
		return MKC_WH_OPAQUE;
	}
	const char *victim = base + strlen(WH_PREFIX);
	if (*victim == '\0' || strcmp(victim, ".") == 0 || strcmp(victim, "..") == 0)
		return MKC_WH_NONE;
	*target = dirlen ? xasprintf("%.*s/%s", (int)dirlen, rel, victim) : xstrdup(victim);
	return MKC_WH_FILE;
}

static json_t *parse_json(const char *text, size_t len, char *err, size_t errlen)
{
	json_error_t je;
	json_t *j = json_loadb(text, len, 0, &je);
	if (!j)
		snprintf(err, errlen, "line %d: %s", je.line, je.text);
	return j;
}

/* A docker Layers[] element: a path inside the archive, cleaned; NULL if unusable. */
static char *layer_path(json_t *l)
{
	const char *p = json_string_value(l);
	char *c = p ? mkc_layer_path_clean(p) : NULL;
	if (c && !*c) {
		free(c);
		c = NULL;
	}
	return c;
}

/* "sha256:HEX" of an OCI descriptor -> "blobs/sha256/HEX", NULL if not of that form. */
static char *digest_path(json_t *desc)
{
	const char *d = json_string_value(json_object_get(desc, "digest"));
	if (!d)
		return NULL;
	const char *colon = strchr(d, ':');
	if (!colon || colon == d || !colon[1] || strchr(d, '/') || strstr(d, ".."))
		return NULL;
	return xasprintf("blobs/%.*s/%s", (int)(colon - d), d, colon + 1);
}

/* Add every element of the array LS (named KEY in messages) as a path made by CONV. 0 or -1. */
static int add_layers(json_t *ls, const char *key, char *(*conv)(json_t *), struct mkc_strv *layers, char *err,
		      size_t errlen)
{
	if (!json_is_array(ls)) {
		snprintf(err, errlen, "no %s list", key);
		return -1;
	}
	size_t i;
	json_t *l;
	json_array_foreach(ls, i, l) {
		char *p = conv(l);
		if (!p) {
			snprintf(err, errlen, "%s[%zu]: not a usable layer", key, i);
			return -1;
		}
		mkc_strv_add(layers, p);
		free(p);
	}
	return 0;
}

int mkc_layer_docker_manifest(const char *text, size_t len, struct mkc_strv *layers, char *err, size_t errlen)
{
	json_t *j = parse_json(text, len, err, errlen);
	if (!j)
		return -1;
	json_t *img = json_is_array(j) ? json_array_get(j, 0) : NULL;
	int rc = add_layers(img ? json_object_get(img, "Layers") : NULL, "Layers", layer_path, layers, err, errlen);
	json_decref(j);
	return rc;
}

int mkc_layer_oci_index(const char *text, size_t len, char **blob, char *err, size_t errlen)
{
	*blob = NULL;
	json_t *j = parse_json(text, len, err, errlen);
	if (!j)
		return -1;
	json_t *m = json_array_get(json_object_get(j, "manifests"), 0);
	*blob = m ? digest_path(m) : NULL;
	json_decref(j);
	if (!*blob) {
		snprintf(err, errlen, "no manifest digest in manifests[0]");
		return -1;
	}
	return 0;
}

int mkc_layer_oci_manifest(const char *text, size_t len, struct mkc_strv *layers, char *err, size_t errlen)
{
	json_t *j = parse_json(text, len, err, errlen);
	if (!j)
		return -1;
	int rc = add_layers(json_object_get(j, "layers"), "layers", digest_path, layers, err, errlen);
	json_decref(j);
	return rc;
}
