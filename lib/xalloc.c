/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * xalloc — allocation that cannot fail. See xalloc.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "xalloc.h"

static void *oom(void *p)
{
	if (!p)
		die(1, "out of memory");
	return p;
}

void *xmalloc(size_t n) { return oom(malloc(n ? n : 1)); }
void *xcalloc(size_t n, size_t size) { return oom(calloc(n ? n : 1, size ? size : 1)); }
void *xrealloc(void *p, size_t n) { return oom(realloc(p, n ? n : 1)); }
void *xreallocarray(void *p, size_t n, size_t size)
{
	return oom(reallocarray(p, n ? n : 1, size ? size : 1));
}

void *xgrowarray(void *p, size_t n, size_t size)
{
	if (n == 0 || (n & (n - 1)) == 0)
		return xreallocarray(p, n ? 2 * n : 1, size);
	return p;
}
char *xstrdup(const char *s) { return oom(strdup(s)); }
char *xstrndup(const char *s, size_t n) { return oom(strndup(s, n)); }

char *xjoin(char *const *v, size_t n, const char *sep)
{
	size_t len = 1, seplen = strlen(sep);
	for (size_t i = 0; i < n; i++)
		len += strlen(v[i]) + seplen;
	char *s = xmalloc(len), *p = s;
	for (size_t i = 0; i < n; i++)
		p = stpcpy(i ? stpcpy(p, sep) : p, v[i]);
	*p = '\0';
	return s;
}

char *xasprintf(const char *fmt, ...)
{
	char *s;
	va_list ap;
	va_start(ap, fmt);
	int n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		die(1, "out of memory");
	return s;
}
