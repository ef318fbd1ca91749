/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * shellcode — the text envswitch hands to shells: words quoted for sh, csh
 * or fish, the code of --apply (module unload/load and the ENVSWITCH_LOADED
 * record, on one line so csh's eval "`...`" takes it too) and the login
 * snippet of --init. Builds strings; no I/O.
 */
#ifndef ENVSW_SHELLCODE_H
#define ENVSW_SHELLCODE_H

#include "plan.h"

enum envsw_shell { ENVSW_SH, ENVSW_CSH, ENVSW_FISH };

/* sh, bash, zsh, ksh, dash -> SH; csh, tcsh -> CSH; fish. 0, or -1 if unknown. */
int envsw_shell_parse(const char *name, enum envsw_shell *sh);

/* S as one word for SHELL. Caller frees. NULL if the shell cannot carry it (csh: control characters). */
char *envsw_quote(enum envsw_shell sh, const char *s);

/* The code that carries out PLAN, ending in a newline. Caller frees. */
char *envsw_apply_code(enum envsw_shell sh, const struct envsw_plan *plan);

/*
 * The login snippet for SHELLNAME: when EXE is executable, the module command
 * is defined and SYSCONF or the user file is not empty, evaluate
 * "EXE [--config SYSCONF] --apply SHELLNAME". CONFIG_ARG says whether to pass
 * --config. NULL if a path cannot be quoted for that shell.
 */
char *envsw_init_snippet(const char *shellname, const char *exe, const char *sysconf, int config_arg);

#endif
