/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * goldenssh — golden copies of a running host: `tar` runs on the host over
 * an ssh exec channel (lib/ssh) and its stream is unpacked into the root as
 * it arrives (unpack.h), with the exclusion patterns applied on both sides.
 */
#ifndef MKCHROOT_GOLDENSSH_H
#define MKCHROOT_GOLDENSSH_H

#include "excl.h"
#include "template.h"

/* Split "[USER@]HOST[:PATH]": *USER may be NULL, *PATH defaults to "/". Caller frees all three. */
void mkc_golden_parse_source(const char *source, char **user, char **host, char **path);

/* The remote tar command for PATH with the patterns of EXCL, each word shell-quoted. Caller frees. */
char *mkc_golden_tar_command(const char *path, const struct exclude *excl);

/* Copy [USER@]HOST[:PATH] into ROOT. 0, or -1 after a message. */
int mkc_golden_remote(const char *source, const char *root, const struct exclude *excl);

#endif
