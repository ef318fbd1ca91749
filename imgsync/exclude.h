/*
 * exclude — which paths of an image imgsync leaves alone. Patterns are
 * fnmatch(3) globs anchored at the image root ("/etc/hostname", "/home/x*",
 * "/var/log/[a-z]?.gz"), one per line in a file like SystemImager's
 * updateclient.local.exclude ('#' comments, blank lines ignored); a pattern
 * ending in '/' matches directories only. A matching directory is skipped
 * with everything below it. The contents of /proc, /sys, /dev, /run and /tmp
 * are always excluded. Pure: parsing takes a buffer; only imgs_excl_load reads.
 */
#ifndef IMGSYNC_EXCLUDE_H
#define IMGSYNC_EXCLUDE_H

#include <stddef.h>

struct imgs_excl {
	char **pats;   /* normalised: leading '/', trailing '/' kept for dir-only */
	size_t n, cap;
	size_t nbuiltin;
};

/* Start with the built-in patterns. */
void imgs_excl_init(struct imgs_excl *ex);
void imgs_excl_free(struct imgs_excl *ex);
/* Add one pattern (blank lines and comments ignored). Returns 1 if added. */
int imgs_excl_add(struct imgs_excl *ex, const char *pat);
/* Add every line of TEXT. Returns the number of patterns added. */
size_t imgs_excl_parse(struct imgs_excl *ex, const char *text, size_t len);
/* Read a pattern file. 0, or -1 with errno. */
int imgs_excl_load(struct imgs_excl *ex, const char *path);
/* Does RELPATH ("etc/hostname", never "." ) match? IS_DIR for dir-only patterns. */
int imgs_excl_match(const struct imgs_excl *ex, const char *relpath, int is_dir);

#endif
