/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * jsonl — the one --json writer: one compact JSON object per line, keys in
 * the order they were set, never failing on bytes that are not UTF-8.
 *
 * Two schemas (clustertools-json(7)):
 *   per node (cexec, cpush, cget, imgsync):
 *     node, cluster, ok, exit, signal, error, seconds, then the tool's fields;
 *   single result (nodeimage, lldpname, envswitch, mkchroot):
 *     ok, exit, error, then the tool's fields.
 *
 * Text that is not valid UTF-8 is written with each bad byte replaced by
 * U+FFFD, and the exact bytes are added as KEY_base64 (standard base64), so
 * nothing is lost and a reader that needs the bytes can get them back.
 */
#ifndef CT_JSONL_H
#define CT_JSONL_H

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>

/* Set KEY to LEN bytes at P (UTF-8 safe, see above). */
void jsonl_set_bytes(json_t *o, const char *key, const char *p, size_t len);
/* Set KEY to the string S, or null when S is NULL (UTF-8 safe). */
void jsonl_set_str(json_t *o, const char *key, const char *s);

/*
 * The head of a per-node object. EXIT < 0: null; SIGNAL, ERROR NULL: null;
 * SECONDS rounded to milliseconds.
 */
json_t *jsonl_node(const char *node, const char *cluster, int ok, int exit, const char *signal,
		   const char *error, double seconds);
/* The head of a single-result object: ok is EXIT == 0; ERROR NULL: null. */
json_t *jsonl_result(int exit, const char *error);
/* A usage failure as that single result on stdout (lib/cli, CLI_JSON_FAILURES). */
void jsonl_failure(const char *msg);

/* Write O as one line on OUT, flush, release O. */
void jsonl_emit(FILE *out, json_t *o);

/* Base64 of LEN bytes (RFC 4648, padded), NUL-terminated. Caller frees. */
char *jsonl_base64(const unsigned char *p, size_t len);

#endif
