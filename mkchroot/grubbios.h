/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * grubbios — put GRUB for BIOS on a GPT disk image as grub-install would,
 * without a device to install to: core.img (from grub-mkimage -O i386-pc)
 * goes into the BIOS boot partition with the block list of its first
 * sector (diskboot.img) pointing at the rest, and boot.img's code goes into
 * the MBR pointing at core.img. Pure buffer code; the caller writes.
 */
#ifndef MKCHROOT_GRUBBIOS_H
#define MKCHROOT_GRUBBIOS_H

#include <stddef.h>
#include <stdint.h>

/*
 * Patch CORE (LEN bytes, padded by the caller to whole sectors) to load
 * itself from SECTOR on; MAX: the sectors there are for it. 0, or -1 with
 * the reason in ERR.
 */
int mkc_grub_core_patch(unsigned char *core, size_t len, uint64_t sector, uint64_t max, char *err, size_t errlen);

/*
 * Put BOOT (boot.img, 512 bytes) into MBR (the disk's first sector, its
 * partition table and signature kept), loading core.img from SECTOR.
 */
void mkc_grub_mbr(unsigned char mbr[512], const unsigned char boot[512], uint64_t sector);

#endif
