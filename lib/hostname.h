/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * hostname — the one rule for a node's host name, wherever a tool sets one
 * (lldpname --set, nodeimage --hostname): dot-separated labels of letters,
 * digits and '-', no label empty or starting or ending with '-', at most 64
 * characters in all (HOST_NAME_MAX).
 */
#ifndef CT_HOSTNAME_H
#define CT_HOSTNAME_H

/* 1 if S is a valid host name, else 0. */
int hostname_valid(const char *s);

#endif
