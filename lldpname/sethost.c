/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fsutil.h"
#include "log.h"
#include "neighbor.h"
#include "sethost.h"
#include "xalloc.h"

int lldpn_set_hostname(const char *name, const char *file, char *err, size_t errlen)
{
	char old[HOST_NAME_MAX + 1] = "";
	if (gethostname(old, sizeof old) < 0)
		return lldpn_err(err, errlen, "gethostname: %s", strerror(errno));
	old[HOST_NAME_MAX] = '\0';
	if (sethostname(name, strlen(name)) < 0)
		return lldpn_err(err, errlen, "sethostname %s: %s", name, strerror(errno));
	char *text = xasprintf("%s\n", name);
	int rc = fs_atomic_write(file, text, strlen(text), 0644);
	int e = errno;
	free(text);
	if (rc < 0) {
		if (sethostname(old, strlen(old)) < 0)
			warnmsg_errno("cannot put the hostname back to %s", old);
		return lldpn_err(err, errlen, "%s: %s (hostname left as %s)", file, strerror(e), old);
	}
	verbose("hostname set to %s, %s written", name, file);
	return 0;
}
