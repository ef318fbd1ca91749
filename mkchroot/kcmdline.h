/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * kcmdline — the kernel options a root's images boot with. A template's
 * "cmdline =" is written into the root it builds as etc/kernel/cmdline (the
 * file kernel-install and systemd-boot read); --disk takes it from there when
 * --cmdline is not given, without its root=, ro and rw words (--disk writes
 * root=UUID=... ro itself). Options go into grub.cfg and a BLS entry, so
 * what GRUB's script or either file's syntax would read otherwise is refused.
 */
#ifndef MKCHROOT_KCMDLINE_H
#define MKCHROOT_KCMDLINE_H

#include <stddef.h>

#define MKC_KCMDLINE_FILE "etc/kernel/cmdline"

/* 0 if OPTIONS may go into a boot entry, else -1 with ERR naming the character. */
int mkc_kcmdline_check(const char *options, char *err, size_t errlen);

/* OPTIONS written to ROOT/etc/kernel/cmdline (never through a symlink). 0, or -1 with errno. */
int mkc_kcmdline_write(const char *root, const char *options);

/*
 * The options in ROOT/etc/kernel/cmdline (its first line, words root=..., ro
 * and rw dropped) into *OUT (caller frees; NULL when the root has no such
 * file). 0, or -1 with ERR (unreadable, or a character mkc_kcmdline_check refuses).
 */
int mkc_kcmdline_read(const char *root, char **out, char *err, size_t errlen);

#endif
