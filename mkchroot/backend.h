/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * backend — the commands that build a root with a package manager:
 * debootstrap (--variant=minbase), dnf --installroot and zypper --root, as
 * argv arrays built from the template and the options. Building the argv is
 * separate from running it, so tests (and -n) can see what would run.
 */
#ifndef MKCHROOT_BACKEND_H
#define MKCHROOT_BACKEND_H

#include "template.h"

struct mkc_build {
	const struct mkc_template *t;
	const char *root;
	const char *mirror;           /* --mirror: replaces the template's mirrors */
	const struct mkc_strv *packages; /* --packages: added to the template's */
	int nogpg;                    /* -g */
	const char *cache_dir;        /* --cache DIR: debootstrap --cache-dir */
};

/* One command line per entry; free with mkc_cmds_free. */
struct mkc_cmds {
	struct mkc_strv *cmd;
	size_t n;
};

/* "$releasever", "$basearch" and "$arch" in URL replaced. Caller frees. */
char *mkc_expand_url(const char *url, const char *release, const char *arch);

/* The commands for a debootstrap, dnf or zypper build. 0, or -1 with ERR. */
int mkc_backend_commands(const struct mkc_build *b, struct mkc_cmds *out, char *err, size_t errlen);
void mkc_cmds_free(struct mkc_cmds *c);

#endif
