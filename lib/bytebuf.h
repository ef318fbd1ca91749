/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bytebuf — a growable byte buffer that is always NUL-terminated (once
 * something was added), for output gathered piece by piece: a node's stdout
 * and stderr, a gateway's result lines. A zeroed struct is an empty buffer.
 */
#ifndef CT_BYTEBUF_H
#define CT_BYTEBUF_H

#include <stddef.h>

struct bytebuf {
	char *p;           /* NULL until the first bytebuf_add() */
	size_t len, cap;   /* bytes held (without the NUL), bytes allocated */
};

/* Append LEN bytes at P (may hold NUL bytes); p[len] stays '\0'. */
void bytebuf_add(struct bytebuf *b, const char *p, size_t len);
/* Free the bytes; B is an empty buffer again. */
void bytebuf_free(struct bytebuf *b);

#endif
