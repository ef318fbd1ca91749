/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * exclude — which paths a copy leaves out: the one pattern dialect of
 * imgsync and mkchroot, rsync's exclude rules. Paths are relative to the
 * root of the transfer (the image or the tree), without a leading '/'.
 *
 * A pattern is matched against a path as follows:
 *  - '*' matches any run of characters but '/'; '**' any run, '/'
 *    included; '?' one character but '/'; '[...]' one character of a class
 *    ("[a-z_]", "[!0-9]" or "[^0-9]" negated), never '/'; '\' makes the
 *    next character literal.
 *  - A pattern that starts with '/' is anchored at the root of the
 *    transfer: "/etc/hostname" is that file only, "/etc/ssh/ssh_host_*"
 *    the host keys in /etc/ssh only (a directory and a star, like "/tmp/"
 *    and "*", leaves the directory in and what it holds out).
 *  - A pattern without '/' (a trailing '/' aside) and without '**'
 *    matches the last component of a path, at any depth: "*.pyc", "core",
 *    "lost+found/".
 *  - Any other pattern matches the end of the path, starting at a
 *    component: "cache/apt" matches var/cache/apt and cache/apt, not
 *    var/xcache/apt.
 *  - A pattern that ends in '/' matches directories only.
 *  - An excluded directory is left out with everything in it.
 * In a pattern file every line is a pattern; blank lines and lines that
 * start with '#' are skipped, and blanks around a pattern dropped. "/" alone
 * is ignored (the root is never excluded) and "//x" is "/x".
 */
#ifndef CT_EXCLUDE_H
#define CT_EXCLUDE_H

#include <stddef.h>

/* The longest pattern: what imgsync's peer accepts. */
#define EXCLUDE_PAT_MAX 4095

struct exclude_rule;

/* A zeroed struct is an empty list. */
struct exclude {
	char **pats;                 /* the patterns as added (what imgsync sends its peer) */
	struct exclude_rule *rules;  /* the same, ready to match */
	size_t n;
};

/*
 * Add one pattern (trimmed; "//x" is "/x"). 1 if added; 0 if blank, a
 * comment, "/" or already there; -1 if longer than EXCLUDE_PAT_MAX.
 */
int exclude_add(struct exclude *ex, const char *pattern);
/*
 * Add every line of TEXT; NAME names it in messages. The number of patterns
 * added, or -1 with ERR ("NAME:LINE: problem") at the first bad line (a NUL
 * byte, or a pattern that is too long).
 */
long exclude_parse(struct exclude *ex, const char *text, size_t len, const char *name, char *err,
		   size_t errlen);
/* Add the lines of the file PATH. 0, or -1 with ERR ("PATH: reason" or a bad line) and errno. */
int exclude_load(struct exclude *ex, const char *path, char *err, size_t errlen);
/* Does a pattern match REL ("etc/hostname", never "" or "/x")? IS_DIR: REL is a directory. */
int exclude_match(const struct exclude *ex, const char *rel, int is_dir);
/* The same, or a directory above REL is excluded: for a stream of paths rather than a walk. */
int exclude_match_path(const struct exclude *ex, const char *rel, int is_dir);
void exclude_free(struct exclude *ex);

#endif
