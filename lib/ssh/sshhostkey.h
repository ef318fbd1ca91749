/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sshhostkey — lib/ssh's host key policy, for ssh.c: the server's key
 * checked against the user and global known_hosts files (read once per
 * process, under ssh_cache_lock), an unknown one appended under accept-new.
 */
#ifndef CT_SSHHOSTKEY_H
#define CT_SSHHOSTKEY_H

#include "ssh_internal.h"

/* Check the server's host key of C against known_hosts under C's policy: SSH_OK, or C failed. */
int ssh_check_hostkey(struct ssh_conn *c);
/* Free the known_hosts caches (at exit, before libssh2_exit). */
void ssh_hostkey_cache_free(void);

#endif
