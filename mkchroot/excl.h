/*
 * excl — path exclusion patterns for golden copies and VNFS packs.
 * A pattern starting with '/' is anchored at the image root and matched
 * against the whole path with fnmatch(FNM_PATHNAME) ("/tmp/ *" keeps /tmp
 * but drops what is in it); any other pattern is matched against the last
 * component anywhere ("*.pyc"). An excluded directory is skipped whole.
 */
#ifndef MKCHROOT_EXCL_H
#define MKCHROOT_EXCL_H

#include "template.h"

struct mkc_excl {
	struct mkc_strv pats;
};

/* Patterns every golden copy leaves out: /proc, /sys, /dev, /run, /tmp contents and the like. */
extern const char *const mkc_excl_golden_defaults[];

void mkc_excl_add(struct mkc_excl *x, const char *pattern);
/* Add the patterns of TEXT: one a line, '#' comments and blank lines skipped. */
void mkc_excl_add_text(struct mkc_excl *x, const char *text);
/* Add the lines of PATH; a missing file adds nothing. 0, or -1 with errno. */
int mkc_excl_add_file(struct mkc_excl *x, const char *path);
/* Is REL (relative to the root, no leading '/') excluded? */
int mkc_excl_match(const struct mkc_excl *x, const char *rel);
void mkc_excl_free(struct mkc_excl *x);

#endif
