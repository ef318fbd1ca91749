/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * foldnames — names on standard input, one a line, folded by nodeset_fold()
 * onto standard output: the test of folding against ClusterShell's
 * "nodeset -f" feeds both the same lines.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nodefold.h"
#include "xalloc.h"

int main(void)
{
	char **names = NULL, *line = NULL;
	size_t n = 0, cap = 0;
	ssize_t len;
	while ((len = getline(&line, &cap, stdin)) > 0) {
		if (line[len - 1] == '\n')
			line[--len] = '\0';
		if (len == 0)
			continue;
		names = xgrowarray(names, n, sizeof *names);
		names[n++] = xstrdup(line);
	}
	char *folded = nodeset_fold(names, n);
	puts(folded);
	free(folded);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(line);
	return 0;
}
