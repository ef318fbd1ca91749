/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sethost — make a name this machine's hostname: sethostname(2) now and
 * /etc/hostname (or another file) for the next boot, written atomically.
 * If the file cannot be written the old hostname is put back, so the two
 * never disagree because of us.
 */
#ifndef LLDPNAME_SETHOST_H
#define LLDPNAME_SETHOST_H

#include <stddef.h>

/* 0, or -1 with the problem in ERR. */
int lldpn_set_hostname(const char *name, const char *file, char *err, size_t errlen);

#endif
