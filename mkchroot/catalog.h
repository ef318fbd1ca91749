/*
 * catalog — the template folder: find NAME.conf in it, load a template with
 * its includes, and list every template with its description.
 */
#ifndef MKCHROOT_CATALOG_H
#define MKCHROOT_CATALOG_H

#include <stdio.h>

#include "template.h"

/* The template folder: DIR if given, else $MKCHROOT_TEMPLATES, else SYSCONFDIR/mkchroot.d. */
const char *mkc_catalog_dir(const char *dir);

/*
 * Load template NAME (or a file path, if NAME holds a '/') from DIR into T,
 * includes resolved in DIR, and check it. 0, or -1 with "FILE:LINE: ..." in ERR.
 */
int mkc_catalog_load(const char *dir, const char *name, struct mkc_template *t, char *err, size_t errlen);

/* Print "  NAME  description" for every DIR/NAME.conf, sorted. Returns how many. */
int mkc_catalog_list(const char *dir, FILE *out);

#endif
