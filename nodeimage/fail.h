/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fail — nodeimage's error return. In a function with ERR and ERRLEN,
 * "return fail("%s: %s", path, strerror(errno));" writes the message for
 * the caller and gives -1.
 */
#ifndef NODEIMAGE_FAIL_H
#define NODEIMAGE_FAIL_H

#include <stdio.h>

#define fail(...) (snprintf(err, errlen, __VA_ARGS__), -1)

#endif
