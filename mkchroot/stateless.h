/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * stateless — make a built root fit to boot many nodes at once: an fstab
 * with proc, sysfs, devpts and tmpfs mounts, the root password locked, an
 * empty /etc/machine-id (systemd makes one at boot), and no host ssh keys,
 * persistent net rules or hostname. Every path is opened beneath the root,
 * so symlinks in the root can never make it touch the host.
 */
#ifndef MKCHROOT_STATELESS_H
#define MKCHROOT_STATELESS_H

#include <stddef.h>

/* The fstab written into the root. */
extern const char mkc_stateless_fstab[];

/*
 * The shadow file TEXT with root's password locked ("!" in front, "!*" if
 * none). Caller frees. Lines other than root's are kept byte for byte.
 */
char *mkc_shadow_lock_root(const char *text, size_t len, size_t *outlen);

/* Apply every step to ROOT. 0, or -1 after messages. */
int mkc_stateless(const char *root);

#endif
