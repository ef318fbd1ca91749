/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * actions — what each envswitch command does, from loaded settings to the
 * lines it prints: set, remove, show, list, apply and init. Each returns
 * the exit status (0 ok, 1 usage or local error).
 */
#ifndef ENVSW_ACTIONS_H
#define ENVSW_ACTIONS_H

struct envsw_ctx {
	const char *sysconf; /* the system file */
	const char *userconf; /* ~/.envswitch.conf; NULL without a home */
	int sysconf_given;   /* from --config or ENVSWITCH_CONF (passed on by --init) */
	int force;           /* --force: no MODULEPATH check */
	int json;
};

int envsw_cmd_set(const struct envsw_ctx *c, const char *tag, const char *name, int system);
int envsw_cmd_rm(const struct envsw_ctx *c, const char *tag, int system);
int envsw_cmd_show(const struct envsw_ctx *c, const char *tag);
int envsw_cmd_list(const struct envsw_ctx *c);
int envsw_cmd_apply(const struct envsw_ctx *c, const char *shell);
int envsw_cmd_init(const struct envsw_ctx *c, const char *shell);

#endif
