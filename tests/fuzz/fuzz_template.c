/* SPDX-License-Identifier: BSD-3-Clause */
/* libFuzzer target: mkchroot template parsing (mkchroot/template.c) with includes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../mkchroot/template.h"

/* Any include re-parses the same bytes: exercises nesting and the depth limit. */
struct fz {
	const char *data;
	size_t size;
};

static int include_again(void *arg, const char *name, struct mkc_template *t, char *err, size_t errlen)
{
	struct fz *f = arg;
	(void)name;
	return mkc_template_parse(t, f->data, f->size, "inc.conf", include_again, arg, err, errlen);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[1024];
	struct fz f = { (const char *)data, size };
	struct mkc_template t = { 0 };
	if (mkc_template_parse(&t, f.data, size, "fuzz.conf", include_again, &f, err, sizeof err) == 0) {
		if (mkc_template_check(&t, "fuzz.conf", mkc_text_lines(f.data, size), err, sizeof err) == 0 &&
		    t.backend == MKC_BACKEND_NONE)
			abort(); /* check must refuse a template without a backend */
		for (size_t i = 0; i < t.packages.n; i++)
			if (t.packages.v[i][0] == '-' || t.packages.v[i][0] == '\0')
				abort(); /* no option-like or empty words reach an argv */
	} else if (strncmp(err, "fuzz.conf:", 10) != 0) {
		abort(); /* every error names the file */
	}
	mkc_template_free(&t);
	return 0;
}
