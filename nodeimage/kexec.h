/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * kexec — after the image is written: --hostname into the written root's
 * /etc/hostname, and --kexec, the written system's kernel loaded with
 * kexec_file_load(2) (found by bootentry) and started without going
 * through the firmware. The written filesystems are mounted only in a
 * child process's private mount namespace: read-write for the hostname
 * first, then read-only to find and read the kernel.
 */
#ifndef NODEIMAGE_KEXEC_H
#define NODEIMAGE_KEXEC_H

#include <stddef.h>
#include <stdio.h>

/* Exit status: the image is written and synced, but --kexec cannot boot it. */
enum { KEXEC_EXIT = 6 };

struct kexec_opts {
	int kexec;            /* --kexec */
	int dry_run;          /* -n: print what --kexec would load, load nothing */
	char *append;         /* --append ARGS, or NULL */
	char *hostname;       /* --hostname NAME, or NULL */
};

/* Before any work: do the options make sense for TARGET? 0, or -1 with ERR. */
int kexec_check(const struct kexec_opts *k, const char *target, char *err, size_t errlen);

/*
 * On TARGET (a device or an image file) just written: write the hostname,
 * then find the boot entry and load it (with -n: print it on OUT). What is
 * loaded is also printed on OUT unless -q. Returns 0, 4 (the hostname could
 * not be written) or KEXEC_EXIT, with ERR.
 */
int kexec_prepare(const char *target, const struct kexec_opts *k, FILE *out, char *err, size_t errlen);

/* Sync and start the loaded kernel. Returns only if that failed: KEXEC_EXIT with ERR. */
int kexec_execute(char *err, size_t errlen);

#endif
