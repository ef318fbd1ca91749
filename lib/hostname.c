/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * hostname — host name validity. See hostname.h.
 */
#include <ctype.h>
#include <string.h>

#include "hostname.h"

int hostname_valid(const char *s)
{
	size_t len = strlen(s), label = 0;
	if (len == 0 || len > 64)
		return 0;
	for (size_t i = 0; i <= len; i++) {
		if (s[i] == '.' || s[i] == '\0') {
			if (label == 0 || s[i - 1] == '-')
				return 0;
			label = 0;
		} else if (isalnum((unsigned char)s[i]) || (s[i] == '-' && label > 0)) {
			label++;
		} else {
			return 0;
		}
	}
	return 1;
}
