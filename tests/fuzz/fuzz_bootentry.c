/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: nodeimage's boot entry finder. The input is read as a
 * grub.cfg, as one BLS entry, as an fstab, as a list of file names (one a
 * line) and as BLS entry files (split at NUL bytes, the first a loader.conf);
 * whatever comes out must name a kernel and have a command line.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../nodeimage/bootentry.h"

static void check(int rc, struct boot_entry *e)
{
	if (rc == 0 && (!e->kernel || !e->cmdline || (e->ninitrd && !e->initrd)))
		abort();
	if (rc == 0)
		boot_entry_free(e);
}

/* Split a copy of DATA at SEP into a NULL-free array of pieces. */
static size_t split(char *s, size_t size, char sep, char **v, size_t max)
{
	size_t n = 0, start = 0;
	for (size_t i = 0; i <= size && n < max; i++)
		if (i == size || s[i] == sep) {
			s[i] = 0;
			v[n++] = s + start;
			start = i + 1;
		}
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	char err[256], *v[64];
	struct boot_entry e;
	check(bootentry_parse_grub(buf, size, &e, err, sizeof err), &e);
	check(bootentry_parse_bls(buf, size, &e, err, sizeof err), &e);
	free(bootentry_fstab_root(buf, size));

	char *copy = malloc(size + 1);
	memcpy(copy, data, size);
	size_t n = split(copy, size, '\n', v, 64);
	check(bootentry_pick_vmlinuz((const char *const *)v, n, "/boot/", &e, err, sizeof err), &e);
	if (n >= 2)
		bootentry_vercmp(v[0], v[1]);

	memcpy(copy, data, size);
	n = split(copy, size, 0, v, 64);
	struct bls_file files[32];
	size_t nf = 0;
	for (size_t i = 1; i + 1 < n && nf < 32; i += 2)
		files[nf++] = (struct bls_file){ v[i], v[i + 1], strlen(v[i + 1]) };
	check(bootentry_pick_bls(files, nf, v[0], strlen(v[0]), &e, err, sizeof err), &e);
	free(copy);
	return 0;
}
