/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * shquote — words for a POSIX shell: the one quoting rule for command lines
 * sent to a remote shell (ssh exec, a gateway's cexec) and for commands
 * printed for the user to read or paste. A word is put in single quotes,
 * a quote inside it written '\'' ; nothing else is special inside '...'.
 */
#ifndef CT_SHQUOTE_H
#define CT_SHQUOTE_H

#include <stddef.h>

#include "bytebuf.h"

/* SH_PLAIN: leave a word made of plain characters (letters, digits, -_./=:,+@%) unquoted. */
enum { SH_ALWAYS = 0, SH_PLAIN = 1 };

/* S as one single-quoted word ("it's" -> 'it'\''s'). Caller frees. */
char *sh_quote(const char *s);
/* Append S to B as one word (quoted as FLAGS says). */
void sh_quote_add(struct bytebuf *b, const char *s, int flags);
/* The first ARGC words of ARGV (all up to the NULL when ARGC is (size_t)-1), each quoted, joined by spaces. Caller frees. */
char *sh_join(char *const argv[], size_t argc, int flags);

#endif
