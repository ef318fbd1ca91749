/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * run — fork/exec of external tools (see run.h).
 */
#include <stdlib.h>

#include "log.h"
#include "run.h"
#include "shquote.h"
#include "spawn.h"

void mkc_argv_print(FILE *out, char *const argv[])
{
	char *line = sh_join(argv, (size_t)-1, SH_PLAIN);
	fprintf(out, "%s\n", line);
	free(line);
}

int mkc_run(char *const argv[], int dry_run)
{
	if (dry_run) {
		mkc_argv_print(stdout, argv);
		return 0;
	}
	if (log_verbosity() >= LOG_VERBOSE) {
		fprintf(stderr, "%s: running: ", log_progname());
		mkc_argv_print(stderr, argv);
	}
	return spawn_run(argv);
}
