/* SPDX-License-Identifier: BSD-3-Clause */
/* libFuzzer target: ~/.ssh/config parsing and host lookup (lib/sshconfig). */
#include <stdint.h>
#include <stdlib.h>

#include "sshconfig.h"

static void count(const struct sshconfig_entry *e, void *arg)
{
	(void)e;
	++*(size_t *)arg;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sshconfig cfg;
	char err[512];
	if (size > 8192)
		return 0;
	if (sshconfig_parse((const char *)data, size, "fuzz", &cfg, err, sizeof err) < 0)
		return 0;
	static const char *const hosts[] = {"node01", "x", "", "a.b.c"};
	for (size_t i = 0; i < 4; i++) {
		struct sshconfig_host h;
		sshconfig_lookup(&cfg, hosts[i], &h);
		if (h.identity_file)
			free(sshconfig_expand(h.identity_file, "/home/u", hosts[i], h.user));
		if (h.proxy_command)
			free(sshconfig_expand_command(h.proxy_command, hosts[i], h.hostname, h.port, h.user,
						      err, sizeof err));
		size_t n = 0;
		sshconfig_unsupported(&cfg, hosts[i], count, &n);
	}
	sshconfig_free(&cfg);
	return 0;
}
