/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * catalog — the template folders: find NAME.conf in them, load a template
 * with its includes, and list every template with its description.
 * The folders are a search path, ':' between them: by default the local ones
 * (SYSCONFDIR/mkchroot.d) first, then the shipped ones (PKGDATADIR/mkchroot.d),
 * so a local file overrides a shipped one of the same name.
 */
#ifndef MKCHROOT_CATALOG_H
#define MKCHROOT_CATALOG_H

#include <stdio.h>

#include "template.h"

#define MKC_CATALOG_PATH SYSCONFDIR "/mkchroot.d:" PKGDATADIR "/mkchroot.d"

/* The template folders: DIRS if given, else $MKCHROOT_TEMPLATES, else MKC_CATALOG_PATH. */
const char *mkc_catalog_dir(const char *dirs);

/*
 * Load template NAME (or a file path, if NAME holds a '/') into T: the first
 * NAME.conf in DIRS, its includes looked up the same way (an include of its
 * own name: in the folders after its own). Then check it. 0, or -1 with
 * "FILE:LINE: ..." in ERR.
 */
int mkc_catalog_load(const char *dirs, const char *name, struct mkc_template *t, char *err, size_t errlen);

/* One template file found in the folders. */
struct mkc_catalog_entry {
	char *name;        /* without .conf */
	char *folder;
	int at;            /* the index of its folder in the search path */
	int overridden;    /* by one of the same name in an earlier folder */
	int broken;        /* then DESCRIPTION says why it does not load */
	char *description;
};

/*
 * Every NAME.conf in DIRS, sorted by name, then in folder order, into a new
 * array *E. Returns how many.
 */
size_t mkc_catalog_entries(const char *dirs, struct mkc_catalog_entry **e);
void mkc_catalog_entries_free(struct mkc_catalog_entry *e, size_t n);

/*
 * Print "  NAME  description" for every NAME.conf in DIRS, sorted; with more
 * than one folder, each line also says its folder, and a template hidden by
 * one of the same name in an earlier folder is listed as overridden.
 * Returns how many.
 */
int mkc_catalog_list(const char *dirs, FILE *out);

#endif
