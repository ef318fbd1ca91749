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
/* The longest pattern (with its leading '/'): what a peer accepts in HELLO. */
#define IMGS_EXCL_PAT_MAX 4095

/*
 * Add one pattern (blank lines and comments ignored). 1 if added, 0 if
 * ignored or already there, -1 if longer than IMGS_EXCL_PAT_MAX.
 */
int imgs_excl_add(struct imgs_excl *ex, const char *pat);
/*
 * Add every line of TEXT; NAME names it in messages. The number of patterns
 * added, or -1 with ERR ("NAME:LINE: problem") at the first bad line (a NUL
 * byte, or a pattern that is too long).
 */
long imgs_excl_parse(struct imgs_excl *ex, const char *text, size_t len, const char *name, char *err,
		     size_t errlen);
/* Read a pattern file. 0, or -1 with ERR ("PATH: reason" or a bad line) and errno. */
int imgs_excl_load(struct imgs_excl *ex, const char *path, char *err, size_t errlen);
/* Does RELPATH ("etc/hostname", never "." ) match? IS_DIR for dir-only patterns. */
int imgs_excl_match(const struct imgs_excl *ex, const char *relpath, int is_dir);

#endif
