/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * golden — the golden backend: copy a directory tree, or a running host over
 * ssh, into a new root with the exclusion patterns (excl.h), keeping owners,
 * modes, mtimes, hard links, xattrs and ACLs, and never crossing into other
 * filesystems (/proc, /sys, /dev and the like stay empty mount points).
 * SOURCE is a local PATH (it starts with '/' or '.'), or [USER@]HOST[:PATH]
 * (PATH defaults to /): then `tar` runs on the host over an ssh exec
 * channel and its stream is unpacked here.
 */
#ifndef MKCHROOT_GOLDEN_H
#define MKCHROOT_GOLDEN_H

#include "excl.h"

/* Is SOURCE a local path (rather than a host)? */
int mkc_golden_is_local(const char *source);

/* Copy SOURCE into ROOT. 0, or -1 after a message. */
int mkc_golden_copy(const char *source, const char *root, const struct exclude *excl);

#endif
