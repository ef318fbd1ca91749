/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * xalloc — allocation that cannot fail: on out-of-memory the tool says so
 * and exits with status 1. Also the one amortised array growth (xgrowarray).
 */
#ifndef CT_XALLOC_H
#define CT_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
void *xreallocarray(void *p, size_t n, size_t size);
/*
 * Make room for element N in array P that holds N elements of SIZE bytes and
 * only ever grows by appending: capacity doubles at powers of two, so N
 * appends cost O(N) (no capacity field needed).
 */
void *xgrowarray(void *p, size_t n, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* The N strings of V joined by SEP ("" for N = 0). */
char *xjoin(char *const *v, size_t n, const char *sep);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
