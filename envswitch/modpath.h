/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * modpath — which module names MODULEPATH offers, as Environment Modules
 * and Lmod see them: Tcl modulefiles (first bytes "#%Module"), Lmod's
 * NAME.lua files, every directory holding modules (a name that loads its
 * default version), and the aliases and symbolic versions declared in
 * .modulerc, .version and .modulerc.lua files. Hidden names (a component
 * starting with '.') are left out. Also the quick check the login path
 * uses, a few stat(2) calls, and the rule that maps TAG and NAME to a module.
 */
#ifndef ENVSW_MODPATH_H
#define ENVSW_MODPATH_H

#include <stddef.h>

/* A sorted set of full module names ("mpi/openmpi-4.1"). */
struct envsw_avail {
	char **names;
	size_t n, cap;
	int sorted;
};

/* Scan every directory of MODULEPATH (colon separated); missing ones are skipped. */
void envsw_avail_scan(struct envsw_avail *a, const char *modulepath);
void envsw_avail_add(struct envsw_avail *a, const char *name);
int envsw_avail_has(struct envsw_avail *a, const char *name);
/* Names directly or deeper below PREFIX + "/", without that prefix, in order; caller frees the array only. */
const char **envsw_avail_under(struct envsw_avail *a, const char *prefix, size_t *n);
/* Top-level names that hold other modules (candidate tags), in order. Caller frees the array only. */
const char **envsw_avail_dirs(struct envsw_avail *a, size_t *n);
void envsw_avail_free(struct envsw_avail *a);

/*
 * Add what a .modulerc/.version (Tcl: module-alias, module-version) or
 * .modulerc.lua (module_alias, module_version) text declares. DIR is the
 * module directory the file is in, relative to the MODULEPATH entry ("" at
 * the top); names starting with '/' are relative to DIR.
 */
void envsw_modulerc_parse(struct envsw_avail *a, const char *dir, const char *text, size_t len);

/* Does MODULE exist as a modulefile, NAME.lua or directory in MODULEPATH? (stat only) */
int envsw_module_exists(const char *modulepath, const char *module);

/*
 * The module that TAG = NAME loads: NAME itself if it holds a '/'; else
 * TAG/NAME if EXISTS says so; else NAME if EXISTS says so; else TAG/NAME.
 * Caller frees.
 */
char *envsw_resolve(const char *tag, const char *name, int (*exists)(const char *module, void *arg), void *arg);

#endif
