/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bytebuf — the growable buffer of bytebuf.h: doubles its allocation when
 * an append does not fit, so appends are amortised O(1).
 */
#include <stdlib.h>
#include <string.h>

#include "bytebuf.h"
#include "log.h"
#include "xalloc.h"

void bytebuf_add(struct bytebuf *b, const char *p, size_t len)
{
	if (b->len + len + 1 > b->cap) {
		b->cap = (b->len + len + 1) * 2;
		b->p = xrealloc(b->p, b->cap);
	}
	memcpy(b->p + b->len, p, len);
	b->len += len;
	b->p[b->len] = '\0';
}

void bytebuf_free(struct bytebuf *b)
{
	free(b->p);
	memset(b, 0, sizeof *b);
}
