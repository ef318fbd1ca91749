/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * plan — what switching the current shell takes: which modules to unload,
 * which to load, and the new record of what envswitch loaded (the
 * ENVSWITCH_LOADED variable, "TAG=MODULE TAG=MODULE"). Works from the wanted
 * module per tag, the old record and the module system's own list of loaded
 * modules (LOADEDMODULES, kept by Environment Modules and Lmod alike); it
 * does no I/O. A module is loaded when LOADEDMODULES holds it or one of its
 * versions ("gcc" is loaded when "gcc/12" is).
 */
#ifndef ENVSW_PLAN_H
#define ENVSW_PLAN_H

#include <stddef.h>

struct envsw_want {
	const char *tag;
	const char *module; /* NULL: "none", load nothing for this tag */
};

struct envsw_plan {
	char **unload;
	size_t n_unload;
	char **load;
	size_t n_load;
	char *record; /* new ENVSWITCH_LOADED value, "" when nothing is loaded by envswitch */
};

/*
 * For each wanted tag: unload the module the old record names for it if it
 * differs and is loaded, and any loaded TAG/... module other than the wanted
 * one; load the wanted module unless it is loaded. Tags of the old record that
 * are no longer wanted at all get their module unloaded. OLD_RECORD and
 * LOADED may be NULL (LOADED NULL: nothing counts as loaded).
 */
void envsw_plan_make(struct envsw_plan *p, const struct envsw_want *want, size_t n, const char *old_record,
		     const char *loaded);
void envsw_plan_free(struct envsw_plan *p);

#endif
