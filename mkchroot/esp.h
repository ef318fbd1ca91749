/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * esp — the EFI system partition of a disk image made by mkchroot --disk:
 * GRUB for UEFI, built by grub-mkimage -O x86_64-efi from the head's
 * grub-efi-amd64-bin with an early config that finds the root by its
 * filesystem UUID and reads its /boot/grub/grub.cfg, at the removable-media
 * path \EFI\BOOT\BOOTX64.EFI (firmware starts it with no boot entry in its
 * NVRAM). The FAT is made as a file (mkfs.vfat) and filled with mtools: no
 * loop device, no mount. The plan is the commands; mkc_esp_make runs them.
 */
#ifndef MKCHROOT_ESP_H
#define MKCHROOT_ESP_H

#include "diskplan.h"

#define MKC_GRUB_EFI_DIR "/usr/lib/grub/x86_64-efi"
#define MKC_ESP_LOADER "\\EFI\\BOOT\\BOOTX64.EFI"

enum { MKC_ESP_MKFS, MKC_ESP_GRUB, MKC_ESP_COPY, MKC_ESP_NSTEPS };

struct mkc_esp_plan {
	char *early_cfg;                /* the config grub-mkimage embeds */
	char **argv[MKC_ESP_NSTEPS];    /* mkfs.vfat, grub-mkimage, mcopy: NULL-terminated */
};

/* The ESP of disk plan P, built in the work directory DIR (DIR/esp.img). Free with mkc_esp_plan_free. */
void mkc_esp_plan(const char *dir, const struct mkc_disk_plan *p, struct mkc_esp_plan *e);
void mkc_esp_plan_free(struct mkc_esp_plan *e);

/* How a command is run: ARGV, stdin from the file IN or nothing; its exit status (said if not 0). */
typedef int (*mkc_esp_runner)(char *const argv[], const char *in);

/*
 * DIR/esp.img, made and filled. Two builds are the same bytes: the volume id
 * from the seed, mkfs.vfat --invariant, and mtools dates what it writes
 * SOURCE_DATE_EPOCH when that is set. 0; 1 a local error (said); 2 a tool failed.
 */
int mkc_esp_make(const char *dir, const struct mkc_disk_plan *p, mkc_esp_runner run);

/* Remove what mkc_esp_make leaves in DIR but esp.img (the caller places and removes it). */
void mkc_esp_clean(const char *dir);

#endif
