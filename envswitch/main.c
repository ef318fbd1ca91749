/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * envswitch — persistent per-user and system module choices for future
 * shells (env-switcher's model): "envswitch mpi = openmpi-4.1" makes every
 * new login shell load mpi/openmpi-4.1 through Environment Modules or Lmod.
 */
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "actions.h"
#include "cli.h"
#include "log.h"
#include "xalloc.h"

enum mode { M_NONE, M_SET, M_SHOW, M_LIST, M_RM, M_INIT, M_APPLY };

static char *user_file(void)
{
	const char *home = getenv("HOME");
	if (!home || !*home) {
		struct passwd *pw = getpwuid(getuid());
		home = pw ? pw->pw_dir : NULL;
	}
	return home ? xasprintf("%s/.envswitch.conf", home) : NULL;
}

/* The positional words: "TAG", "TAG = NAME", "TAG=NAME" or "TAG= NAME". */
static int split_words(const char **words, char **tag, char **name)
{
	size_t len = 1;
	for (size_t i = 0; words && words[i]; i++)
		len += strlen(words[i]);
	char *all = xcalloc(1, len);
	for (size_t i = 0; words && words[i]; i++)
		strcat(all, words[i]);
	char *eq = strchr(all, '=');
	*name = NULL;
	if (eq) {
		*eq = '\0';
		*name = xstrdup(eq + 1);
	}
	*tag = all[0] ? all : NULL;
	if (!*tag)
		free(all);
	return eq ? 1 : 0;
}

int main(int argc, char **argv)
{
	int system = 0, user = 0, show = 0, list = 0, rm = 0, quiet = 0, verbosity = 0;
	char *init_shell = NULL, *apply_shell = NULL, *config = NULL;
	struct envsw_ctx c = {0};
	struct poptOption opts[] = {
		{"system", 0, POPT_ARG_NONE, &system, 0, "set or remove the system default (the system file)", NULL},
		{"user", 0, POPT_ARG_NONE, &user, 0, "remove the user's own setting (default)", NULL},
		{"show", 0, POPT_ARG_NONE, &show, 0, "print the choice in force for TAG, or for every tag", NULL},
		{"list", 0, POPT_ARG_NONE, &list, 0, "print each tag with the names MODULEPATH offers and the current choice",
		 NULL},
		{"rm", 0, POPT_ARG_NONE, &rm, 0, "remove the setting of TAG (user file; --system: system file)", NULL},
		{"force", 0, POPT_ARG_NONE, &c.force, 0, "save a name even if no modulefile provides it", NULL},
		{"init", 0, POPT_ARG_STRING, &init_shell, 0, "print the login snippet for SHELL (for /etc/profile.d)",
		 "sh|bash|zsh|csh|tcsh|fish"},
		{"apply", 0, POPT_ARG_STRING, &apply_shell, 0,
		 "print code that switches the current shell: eval \"$(envswitch --apply bash)\"", "SHELL"},
		{"config", 'c', POPT_ARG_STRING, &config, 0, "system file (default: $ENVSWITCH_CONF or " SYSCONFDIR
		 "/envswitch.conf)", "FILE"},
		{"json", 0, POPT_ARG_NONE, &c.json, 0, "--show and --list as one JSON object", NULL},
		{"quiet", 'q', POPT_ARG_NONE, &quiet, 0, "only errors on stderr", NULL},
		{"verbose", 'v', POPT_ARG_NONE, &verbosity, 0, "say what was done", NULL},
		CLI_VERSION_OPTION,
		POPT_AUTOHELP POPT_TABLEEND};

	log_init(argv[0]);
	struct cli cl;
	cli_begin(&cl, "envswitch", argc, argv, opts, "[OPTIONS] [TAG [= NAME]]", CLI_JSON_FAILURES | CLI_ARGS_ANYWHERE);
	while (cli_next(&cl) > 0)
		;
	log_set_verbosity(quiet ? LOG_QUIET : verbosity ? LOG_VERBOSE : LOG_NORMAL);

	size_t nargs;
	char **args = cli_args(&cl, &nargs);
	char *tag, *name;
	int set = split_words((const char **)args, &tag, &name);
	cli_args_free(args, nargs);
	enum mode m = M_NONE;
	int modes = !!set + !!show + !!list + !!rm + !!init_shell + !!apply_shell;
	if (modes > 1)
		cli_usage_error(&cl, "give one of TAG = NAME, --show, --list, --rm, --init, --apply");
	m = set ? M_SET : show ? M_SHOW : list ? M_LIST : rm ? M_RM : init_shell ? M_INIT : apply_shell ? M_APPLY
	  : tag ? M_SHOW : M_NONE;
	if (m == M_NONE)
		cli_usage_error(&cl, "nothing to do: give TAG = NAME, --show, --list, --rm, --init SHELL or --apply SHELL");
	if ((m == M_SET || m == M_RM) && (!tag || (m == M_SET && !*name)))
		cli_usage_error(&cl, m == M_SET ? "usage: envswitch TAG = NAME [--system]" : "usage: envswitch TAG --rm");
	if (tag && (m == M_LIST || m == M_INIT || m == M_APPLY))
		cli_usage_error(&cl, "--list, --init and --apply take no TAG");
	if (system && user)
		cli_usage_error(&cl, "--system and --user exclude each other");
	if (c.json && m != M_SHOW && m != M_LIST)
		cli_usage_error(&cl, "--json goes with --show and --list");
	cli_end(&cl);

	c.sysconf = cli_config_path(config, "ENVSWITCH_CONF", SYSCONFDIR "/envswitch.conf", &c.sysconf_given);
	char *uf = user_file();
	c.userconf = uf;

	int status = 1;
	switch (m) {
	case M_SET:
		status = envsw_cmd_set(&c, tag, name, system);
		break;
	case M_RM:
		status = envsw_cmd_rm(&c, tag, system);
		break;
	case M_SHOW:
		status = envsw_cmd_show(&c, tag);
		break;
	case M_LIST:
		status = envsw_cmd_list(&c);
		break;
	case M_INIT:
		status = envsw_cmd_init(&c, init_shell);
		break;
	case M_APPLY:
		status = envsw_cmd_apply(&c, apply_shell);
		break;
	case M_NONE:
		break;
	}
	free(uf);
	free(tag);
	free(name);
	free(init_shell);
	free(apply_shell);
	free(config);
	return status;
}
