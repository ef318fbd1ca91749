/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * layers — the pure rules of container image layers: entry names cleaned to
 * safe relative paths, whiteout names (".wh.NAME" deletes NAME below,
 * ".wh..wh..opq" hides everything the lower layers put in its directory),
 * and the layer list of a `docker save` manifest.json or an OCI
 * index.json/manifest. Bytes in, results out; no I/O.
 */
#ifndef MKCHROOT_LAYERS_H
#define MKCHROOT_LAYERS_H

#include <stddef.h>

#include "template.h"

/*
 * Clean an archive entry name into a relative path: leading "/" and "./"
 * and "." components dropped, "//" folded. Returns a new string ("" for the
 * root itself), or NULL if a ".." component would leave the root.
 */
char *mkc_layer_path_clean(const char *name);

enum mkc_whiteout { MKC_WH_NONE = 0, MKC_WH_FILE, MKC_WH_OPAQUE };

/*
 * Classify the cleaned path REL. For MKC_WH_FILE *TARGET is the path to
 * delete, for MKC_WH_OPAQUE the directory to empty ("" for the root);
 * caller frees. A whiteout of "." or ".." is MKC_WH_NONE with no target
 * (the caller skips the entry).
 */
enum mkc_whiteout mkc_layer_whiteout(const char *rel, char **target);
/* Is REL a whiteout name at all (to be skipped when extracting)? */
int mkc_layer_is_whiteout(const char *rel);

/*
 * Layer paths from `docker save`'s manifest.json (the first image). Adds
 * cleaned paths to LAYERS. 0, or -1 with ERR.
 */
int mkc_layer_docker_manifest(const char *json, size_t len, struct mkc_strv *layers, char *err, size_t errlen);

/*
 * OCI: the blob path ("blobs/sha256/HEX") of the first manifest named by
 * index.json, or of each layer named by that manifest. 0, or -1 with ERR.
 */
int mkc_layer_oci_index(const char *json, size_t len, char **manifest_blob, char *err, size_t errlen);
int mkc_layer_oci_manifest(const char *json, size_t len, struct mkc_strv *layers, char *err, size_t errlen);

#endif
