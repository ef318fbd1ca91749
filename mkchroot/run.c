/*
 * run — fork/exec of external tools (see run.h).
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "run.h"
#include "shquote.h"

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
	fflush(stdout);
	fflush(stderr);
	/* like system(3): Ctrl-C stops the tool, and we live on to clean up after it */
	struct sigaction ign = { .sa_handler = SIG_IGN }, old_int, old_quit;
	sigemptyset(&ign.sa_mask);
	sigaction(SIGINT, &ign, &old_int);
	sigaction(SIGQUIT, &ign, &old_quit);
	pid_t pid = fork();
	if (pid == 0) {
		sigaction(SIGINT, &old_int, NULL);
		sigaction(SIGQUIT, &old_quit, NULL);
		execvp(argv[0], argv);
		warnmsg_errno("%s", argv[0]);
		_exit(127);
	}
	int status = 127 << 8;
	if (pid < 0)
		warnmsg_errno("fork");
	while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGQUIT, &old_quit, NULL);
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}
