/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * excl — mkchroot's exclusion defaults and pattern files (see excl.h).
 */
#include <errno.h>

#include "excl.h"

const char *const mkc_excl_golden_defaults[] = {
	"/proc/*", "/sys/*", "/dev/*", "/run/*", "/tmp/*", "/var/tmp/*", "/mnt/*", "/media/*",
	"/lost+found", "/var/cache/apt/archives/*.deb", "/var/cache/dnf/*", "/var/cache/zypp/*",
	"/var/lib/dhcp/*", "/var/log/*.log", "/var/log/journal/*", "/etc/ssh/ssh_host_*",
	"/swapfile", NULL,
};

int mkc_excl_add_file(struct exclude *x, const char *path)
{
	char err[512];
	if (exclude_load(x, path, err, sizeof err) < 0)
		return errno == ENOENT ? 0 : -1;
	return 0;
}
