/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: ClusterShell's group configuration (lib/clushconf,
 * lib/clushyaml) and upcall substitution (lib/upcall). The input is a
 * groups.conf text, a NUL, then a YAML group file; each section's upcalls
 * are substituted with a hostile group name.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "clushconf.h"
#include "clushyaml.h"
#include "upcall.h"

static void count(void *arg, const char *source, const char *group, const char *nodes, int line)
{
	(void)source, (void)group, (void)nodes, (void)line;
	(*(size_t *)arg)++;
}

static void substitute(const struct clushconf *c)
{
	static const char *const ups[] = {"map", "all", "list", "reverse"};
	struct upcall_var vars[] = {{"GROUP", "a'b\"$(x)`\\"}, {"NODE", "n1"}, {"SOURCE", "s"}, {"CFGDIR", "/d"}};
	for (size_t i = 0; i < c->n; i++)
		for (size_t u = 0; u < 4; u++) {
			const char *t = clushconf_get(&c->sec[i], ups[u]);
			if (t)
				free(upcall_command(t, vars, 4));
		}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[512];
	if (size > 16384)
		return 0;
	char *text = malloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';
	size_t conflen = strlen(text);
	struct clushconf *c = clushconf_parse(text, "fuzz.conf", err, sizeof err);
	if (c) {
		substitute(c);
		char **v;
		size_t n;
		const struct clushconf_section *m = clushconf_section(c, "Main");
		const char *dirs = m ? clushconf_get(m, "autodir") : NULL;
		if (dirs && clushconf_split(dirs, "/cfg", &v, &n, err, sizeof err) == 0) {
			for (size_t i = 0; i < n; i++)
				free(v[i]);
			free(v);
		}
		clushconf_free(c);
	}
	if (conflen < size) {
		size_t groups = 0;
		clushyaml_parse(text + conflen + 1, size - conflen - 1, "fuzz.yaml", count, &groups, err, sizeof err);
	}
	free(text);
	return 0;
}
