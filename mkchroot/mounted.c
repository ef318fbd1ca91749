/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mounted — mounted block devices (see mounted.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "fsutil.h"
#include "mounted.h"
#include "xalloc.h"

/* The whole disk a partition MAJ:MIN belongs to, from sysfs; the device itself if it is not a partition. */
static dev_t whole_disk(unsigned maj, unsigned min)
{
	char *part = xasprintf("/sys/dev/block/%u:%u/partition", maj, min);
	char *parent = xasprintf("/sys/dev/block/%u:%u/../dev", maj, min);
	dev_t d = makedev(maj, min);
	size_t len;
	char *text = access(part, F_OK) == 0 ? fs_read_file(parent, 64, &len) : NULL;
	unsigned pmaj, pmin;
	if (text && sscanf(text, "%u:%u", &pmaj, &pmin) == 2)
		d = makedev(pmaj, pmin);
	free(text);
	free(part);
	free(parent);
	return d;
}

int mkc_dev_mounted(dev_t dev, char *where, size_t len)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char *line = NULL;
	size_t cap = 0;
	int found = 0;
	while (f && !found && getline(&line, &cap, f) > 0) {
		unsigned maj, min;
		char point[4096];
		if (sscanf(line, "%*u %*u %u:%u %*s %4095s", &maj, &min, point) != 3 || maj == 0)
			continue;
		if (makedev(maj, min) == dev || whole_disk(maj, min) == dev) {
			snprintf(where, len, "%s", point); /* mountinfo's octal escapes left as they are */
			found = 1;
		}
	}
	free(line);
	if (f)
		fclose(f);
	return found;
}
