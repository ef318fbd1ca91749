/* SPDX-License-Identifier: BSD-3-Clause */
/* relayctl — the control language of the chain: see relayctl.h. */
#include <string.h>

#include "relayctl.h"

static const struct {
	enum relayctl kind;
	const char *word;
	int words; /* after the keyword */
	int rest;  /* the last word is the rest of the line (a message) */
} lines[] = {
	{ RCTL_START, RELAYCTL_START, 4, 0 },
	{ RCTL_FROM, RELAYCTL_FROM, 1, 0 },
	{ RCTL_NEXT, RELAYCTL_NEXT, 2, 0 },
	{ RCTL_LAST, RELAYCTL_LAST, 0, 0 },
	{ RCTL_QUIT, RELAYCTL_QUIT, 0, 0 },
	{ RCTL_READY, RELAYCTL_READY, 2, 0 },
	{ RCTL_OK, RELAYCTL_OK, 1, 0 },
	{ RCTL_SKIP, RELAYCTL_SKIP, 1, 0 },
	{ RCTL_ERR, RELAYCTL_ERR, 2, 1 },
	{ RCTL_END, RELAYCTL_END, 0, 0 },
	{ RCTL_LINKED, RELAYCTL_LINKED, 2, 0 },
	{ RCTL_STALLED, RELAYCTL_STALLED, 0, 0 },
	{ RCTL_FAIL_DOWN, RELAYCTL_FAIL " " RELAYCTL_DOWN, 3, 1 },
	{ RCTL_FAIL, RELAYCTL_FAIL, 1, 1 },
	{ RCTL_REFUSED, RELAYCTL_REFUSED, 2, 1 },
	{ RCTL_CLOSED, RELAYCTL_CLOSED, 2, 1 },
};

/* Split S into exactly WANT words (the last the rest of the line if REST). */
static int split(char *s, char **w, int want, int rest)
{
	int n = 0;
	while (n < want) {
		while (*s == ' ')
			s++;
		if (!*s)
			return -1;
		w[n++] = s;
		if (rest && n == want)
			return 0;
		s += strcspn(s, " ");
		if (*s)
			*s++ = '\0';
	}
	while (*s == ' ')
		s++;
	return *s ? -1 : 0;
}

enum relayctl relayctl_parse(char *line, char **w, int maxw, int *nw)
{
	*nw = 0;
	for (size_t i = 0; i < sizeof lines / sizeof *lines; i++) {
		size_t len = strlen(lines[i].word);
		if (strncmp(line, lines[i].word, len) != 0 || (line[len] && line[len] != ' '))
			continue;
		if (lines[i].words > maxw || split(line + len, w, lines[i].words, lines[i].rest) < 0)
			return RCTL_UNKNOWN;
		*nw = lines[i].words;
		return lines[i].kind;
	}
	return RCTL_UNKNOWN;
}
