/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sshconfigload — ssh_config files from disk into a struct sshconfig
 * (sshconfig.h parses the bytes): the top files in order, Include followed
 * as ssh does.
 */
#ifndef CT_SSHCONFIGLOAD_H
#define CT_SSHCONFIGLOAD_H

#include <stddef.h>

#include "sshconfig.h"

/*
 * Load FILES (NULL-terminated, in order: ~/.ssh/config then
 * /etc/ssh/ssh_config) into CFG after what it holds. A missing top file is
 * skipped. Include (several words, globs, ~ for HOME) is followed where it
 * stands, its blocks guarded by the Host block it is in: relative names are
 * taken under INCDIRS[i] of the top file they come from (~/.ssh, /etc/ssh),
 * at most 16 deep; a file including one being read is an error (a cycle).
 * 0, or -1 with ERR "FILE:LINE: problem" (CFG then holds what was read).
 */
int sshconfig_load(struct sshconfig *cfg, const char *const *files, const char *const *incdirs,
		   const char *home, char *err, size_t errlen);

#endif
