/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * run — run an external tool (debootstrap, dnf, zypper, chroot) from an argv
 * array with fork/exec: no shell ever parses a command line built here.
 */
#ifndef MKCHROOT_RUN_H
#define MKCHROOT_RUN_H

#include <stdio.h>

/* Print ARGV as one line, each word shell-quoted when it needs it. */
void mkc_argv_print(FILE *out, char *const argv[]);

/*
 * Run ARGV (argv[0] looked up in PATH), wait for it. With DRY_RUN, print it
 * on stdout and return 0. Returns the exit status, 128+signal, or 127 when
 * it could not be started.
 */
int mkc_run(char *const argv[], int dry_run);

#endif
