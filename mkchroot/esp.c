/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * esp — the EFI system partition of mkchroot --disk (see esp.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "esp.h"
#include "fsutil.h"
#include "log.h"
#include "xalloc.h"

/* What the loader needs to find the root on GPT/ext4, read grub.cfg there and boot Linux, on a serial console too. */
static const char *const modules[] = { "part_gpt", "ext2",   "search", "search_fs_uuid", "normal",
				       "configfile", "linux", "serial", "terminal", "echo", "test", "efi_gop" };

/* The staged tree mcopy -s copies: DIR/esp/EFI/BOOT/BOOTX64.EFI. Deepest first, for removing. */
static const char *const staged[] = { "esp/EFI/BOOT/BOOTX64.EFI", "esp/EFI/BOOT", "esp/EFI", "esp" };

static char **argv_of(const char *const *words, size_t n)
{
	char **v = xcalloc(n + 1, sizeof *v);
	for (size_t i = 0; i < n; i++)
		v[i] = xstrdup(words[i]);
	return v;
}

void mkc_esp_plan(const char *dir, const struct mkc_disk_plan *p, struct mkc_esp_plan *e)
{
	char *img = xasprintf("%s/esp.img", dir), *cfg = xasprintf("%s/efi.cfg", dir);
	char *loader = xasprintf("%s/%s", dir, staged[0]), *tree = xasprintf("%s/%s", dir, staged[2]);
	char *kib = xasprintf("%ju", (uintmax_t)(p->part[MKC_PART_ESP].sectors / 2));
	e->early_cfg = xasprintf("search --no-floppy --fs-uuid --set=root %s\n"
				 "set prefix=($root)/boot/grub\n"
				 "configfile ($root)/boot/grub/grub.cfg\n",
				 p->fs_uuid);
	const char *mkfs[] = { "mkfs.vfat", "-C", "--invariant", "-F", "32", "-n", "ESP", "-i", p->esp_serial, img, kib };
	e->argv[MKC_ESP_MKFS] = argv_of(mkfs, sizeof mkfs / sizeof *mkfs);
	const char *grub[] = { "grub-mkimage", "-O", "x86_64-efi", "-d", MKC_GRUB_EFI_DIR, "-o", loader, "-c", cfg,
			       "-p", "/boot/grub" };
	size_t ng = sizeof grub / sizeof *grub, nm = sizeof modules / sizeof *modules;
	char **g = xcalloc(ng + nm + 1, sizeof *g);
	for (size_t i = 0; i < ng + nm; i++)
		g[i] = xstrdup(i < ng ? grub[i] : modules[i - ng]);
	e->argv[MKC_ESP_GRUB] = g;
	const char *copy[] = { "mcopy", "-s", "-i", img, tree, "::/" };
	e->argv[MKC_ESP_COPY] = argv_of(copy, sizeof copy / sizeof *copy);
	free(img);
	free(cfg);
	free(loader);
	free(tree);
	free(kib);
}

void mkc_esp_plan_free(struct mkc_esp_plan *e)
{
	for (size_t i = 0; i < MKC_ESP_NSTEPS; i++) {
		for (char **a = e->argv[i]; a && *a; a++)
			free(*a);
		free(e->argv[i]);
		e->argv[i] = NULL;
	}
	free(e->early_cfg);
	e->early_cfg = NULL;
}

/* DIR/esp/EFI/BOOT, and the early config in DIR/efi.cfg. */
static int stage(const char *dir, const struct mkc_esp_plan *e)
{
	char *cfg = xasprintf("%s/efi.cfg", dir);
	int rc = fs_atomic_write(cfg, e->early_cfg, strlen(e->early_cfg), 0644);
	if (rc < 0)
		warnmsg_errno("%s", cfg);
	for (size_t i = sizeof staged / sizeof *staged - 1; rc == 0 && i > 0; i--) {
		char *p = xasprintf("%s/%s", dir, staged[i]);
		rc = mkdir(p, 0755);
		if (rc < 0)
			warnmsg_errno("%s", p);
		free(p);
	}
	free(cfg);
	return rc;
}

int mkc_esp_make(const char *dir, const struct mkc_disk_plan *p, mkc_esp_runner run)
{
	struct mkc_esp_plan e;
	mkc_esp_plan(dir, p, &e);
	int rc = stage(dir, &e) < 0 ? 1 : 0;
	rc = rc ? rc : run(e.argv[MKC_ESP_MKFS], NULL) ? 2 : 0;
	rc = rc ? rc : run(e.argv[MKC_ESP_GRUB], NULL) ? 2 : 0;
	rc = rc ? rc : run(e.argv[MKC_ESP_COPY], NULL) ? 2 : 0;
	mkc_esp_plan_free(&e);
	return rc;
}

void mkc_esp_clean(const char *dir)
{
	char *cfg = xasprintf("%s/efi.cfg", dir);
	unlink(cfg);
	free(cfg);
	for (size_t i = 0; i < sizeof staged / sizeof *staged; i++) {
		char *p = xasprintf("%s/%s", dir, staged[i]);
		remove(p);
		free(p);
	}
}
