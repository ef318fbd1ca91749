/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: what envswitch reads from others — .modulerc/.modulerc.lua
 * text found in MODULEPATH (envswitch/modpath), settings files (envswitch/choice)
 * and the LOADEDMODULES / ENVSWITCH_LOADED values of the environment
 * (envswitch/plan), and the shell code made from them (envswitch/shellcode).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../envswitch/choice.h"
#include "../../envswitch/modpath.h"
#include "../../envswitch/plan.h"
#include "../../envswitch/shellcode.h"
#include "inifile.h"
#include "log.h"
#include "xalloc.h"

static void check_names(struct envsw_avail *a)
{
	for (size_t i = 0; i < a->n; i++)
		if (!envsw_name_is_valid(a->names[i]))
			abort(); /* only valid module names come out of a scan */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = xstrndup((const char *)data, size);
	struct envsw_avail a = {0};
	envsw_modulerc_parse(&a, "mpi", (const char *)data, size);
	envsw_avail_has(&a, "mpi/x");
	check_names(&a);
	envsw_avail_free(&a);

	char err[512];
	struct ini *ini = ini_parse((const char *)data, size, "fuzz", err, sizeof err);
	struct envsw_choices c = {0};
	if (ini && envsw_choices_add(&c, ini, "fuzz", ENVSW_USER, err, sizeof err) == 0) {
		struct envsw_want *w = calloc(c.n + 1, sizeof *w);
		for (size_t i = 0; i < c.n; i++) {
			w[i].tag = c.v[i].tag;
			const char *name = envsw_choice_effective(&c.v[i], NULL);
			w[i].module = strcmp(name, ENVSW_NONE) == 0 ? NULL : name;
		}
		/* the same bytes as the old record and as the list of loaded modules */
		struct envsw_plan p;
		envsw_plan_make(&p, w, c.n, text, text);
		for (int sh = ENVSW_SH; sh <= ENVSW_FISH; sh++)
			free(envsw_apply_code((enum envsw_shell)sh, &p));
		envsw_plan_free(&p);
		free(w);
	}
	envsw_choices_free(&c);
	ini_free(ini);
	for (int sh = ENVSW_SH; sh <= ENVSW_FISH; sh++)
		free(envsw_quote((enum envsw_shell)sh, text));
	free(text);
	return 0;
}
