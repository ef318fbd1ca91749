/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * shquote — POSIX shell words (see shquote.h).
 */
#include <stdlib.h>
#include <string.h>

#include "shquote.h"

static int plain_word(const char *s)
{
	static const char plain[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,+@%";
	return *s != '\0' && s[strspn(s, plain)] == '\0';
}

void sh_quote_add(struct bytebuf *b, const char *s, int flags)
{
	if ((flags & SH_PLAIN) && plain_word(s)) {
		bytebuf_add(b, s, strlen(s));
		return;
	}
	bytebuf_add(b, "'", 1);
	for (const char *q; (q = strchr(s, '\'')) != NULL; s = q + 1) {
		bytebuf_add(b, s, (size_t)(q - s));
		bytebuf_add(b, "'\\''", 4);
	}
	bytebuf_add(b, s, strlen(s));
	bytebuf_add(b, "'", 1);
}

char *sh_quote(const char *s)
{
	struct bytebuf b = { 0 };
	sh_quote_add(&b, s, SH_ALWAYS);
	return b.p;
}

char *sh_join(char *const argv[], size_t argc, int flags)
{
	struct bytebuf b = { 0 };
	bytebuf_add(&b, "", 0);
	for (size_t i = 0; i < argc && argv[i]; i++) {
		if (i)
			bytebuf_add(&b, " ", 1);
		sh_quote_add(&b, argv[i], flags);
	}
	return b.p;
}
