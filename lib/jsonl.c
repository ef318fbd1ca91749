/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * jsonl — JSON lines with a UTF-8-safe string rule. See jsonl.h.
 */
#include <math.h>
#include <string.h>
#include <stdlib.h>

#include "bytebuf.h"
#include "jsonl.h"
#include "xalloc.h"

/* Length of the valid UTF-8 sequence at P (at most LEFT bytes), or 0. */
static size_t utf8_seq(const unsigned char *p, size_t left)
{
	unsigned char c = p[0];
	size_t len;
	unsigned min;
	unsigned cp;
	if (c < 0x80)
		return 1;
	if ((c & 0xe0) == 0xc0)
		len = 2, min = 0x80, cp = c & 0x1f;
	else if ((c & 0xf0) == 0xe0)
		len = 3, min = 0x800, cp = c & 0x0f;
	else if ((c & 0xf8) == 0xf0)
		len = 4, min = 0x10000, cp = c & 0x07;
	else
		return 0;
	if (len > left)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

char *jsonl_base64(const unsigned char *p, size_t len)
{
	static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char *out = xmalloc((len + 2) / 3 * 4 + 1), *q = out;
	for (size_t i = 0; i < len; i += 3) {
		unsigned v = (unsigned)p[i] << 16 | (i + 1 < len ? (unsigned)p[i + 1] << 8 : 0) |
			     (i + 2 < len ? p[i + 2] : 0);
		*q++ = abc[v >> 18 & 63];
		*q++ = abc[v >> 12 & 63];
		*q++ = i + 1 < len ? abc[v >> 6 & 63] : '=';
		*q++ = i + 2 < len ? abc[v & 63] : '=';
	}
	*q = '\0';
	return out;
}

/* Is every byte of P part of a valid UTF-8 sequence? */
static int utf8_valid(const unsigned char *p, size_t len)
{
	for (size_t i = 0, l; i < len; i += l)
		if (!(l = p[i] ? utf8_seq(p + i, len - i) : 1))
			return 0;
	return 1;
}

void jsonl_set_bytes(json_t *o, const char *key, const char *p, size_t len)
{
	const unsigned char *u = (const unsigned char *)(p ? p : "");
	if (utf8_valid(u, len)) { /* the usual case: no copy */
		json_object_set_new(o, key, json_stringn((const char *)u, len));
		return;
	}
	struct bytebuf b = {0};
	for (size_t i = 0; i < len;) {
		size_t l = u[i] ? utf8_seq(u + i, len - i) : 1;
		if (l) {
			bytebuf_add(&b, (const char *)u + i, l);
			i += l;
		} else {
			bytebuf_add(&b, "\xef\xbf\xbd", 3);
			i++;
		}
	}
	json_object_set_new(o, key, json_stringn(b.p ? b.p : "", b.len));
	bytebuf_free(&b);
	char *k = xasprintf("%s_base64", key), *v = jsonl_base64(u, len);
	json_object_set_new(o, k, json_string(v));
	free(k);
	free(v);
}

void jsonl_set_str(json_t *o, const char *key, const char *s)
{
	if (s)
		jsonl_set_bytes(o, key, s, strlen(s));
	else
		json_object_set_new(o, key, json_null());
}

json_t *jsonl_node(const char *node, const char *cluster, int ok, int exit, const char *signal,
		   const char *error, double seconds)
{
	json_t *o = json_object();
	jsonl_set_str(o, "node", node);
	jsonl_set_str(o, "cluster", cluster);
	json_object_set_new(o, "ok", json_boolean(ok));
	json_object_set_new(o, "exit", exit >= 0 ? json_integer(exit) : json_null());
	jsonl_set_str(o, "signal", signal);
	jsonl_set_str(o, "error", error);
	json_object_set_new(o, "seconds", json_real(round(seconds * 1000) / 1000));
	return o;
}

json_t *jsonl_result(int exit, const char *error)
{
	json_t *o = json_object();
	json_object_set_new(o, "ok", json_boolean(exit == 0));
	json_object_set_new(o, "exit", json_integer(exit));
	jsonl_set_str(o, "error", error);
	return o;
}

void jsonl_emit(FILE *out, json_t *o)
{
	char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));
	if (s) {
		fputs(s, out);
		fputc('\n', out);
	} else {
		fputs("{\"ok\":false,\"exit\":1,\"error\":\"internal error: JSON encoding failed\"}\n", out);
	}
	fflush(out);
	free(s);
	json_decref(o);
}

void jsonl_failure(const char *msg)
{
	jsonl_emit(stdout, jsonl_result(1, msg));
}
