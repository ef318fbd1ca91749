/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * grubbios — GRUB's i386-pc boot sectors patched in place (see grubbios.h).
 * The offsets are GRUB 2's (include/grub/i386/pc/boot.h): they have not
 * moved since 2.00.
 */
#include <stdio.h>
#include <string.h>

#include "grubbios.h"

#define BOOT_KERNEL_SECTOR 0x5c    /* boot.img: where core.img starts, 8 bytes */
#define BOOT_BOOT_DRIVE 0x64       /* 0xff: the drive the BIOS booted from */
#define BOOT_DRIVE_CHECK 0x66      /* a jump that misdetects some disks as floppies: nop it */
#define BOOT_CODE_END 0x1b8        /* the MBR from here on is the partition table */
#define CORE_BLOCKLIST 0x1f4       /* diskboot.img: start (8), length (2), segment (2) */
#define CORE_SEGMENT 0x820

static void put_le(unsigned char *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++, v >>= 8)
		p[i] = (unsigned char)(v & 0xff);
}

int mkc_grub_core_patch(unsigned char *core, size_t len, uint64_t sector, uint64_t max, char *err, size_t errlen)
{
	size_t n = (len + 511) / 512;
	if (len < 512) {
		snprintf(err, errlen, "core.img: %zu bytes, not even one sector", len);
		return -1;
	}
	if (n > max || n - 1 > 0xffff) {
		snprintf(err, errlen, "core.img: %zu sectors, more than the %ju of the BIOS boot partition", n,
			 (uintmax_t)max);
		return -1;
	}
	put_le(core + CORE_BLOCKLIST, sector + 1, 8);
	put_le(core + CORE_BLOCKLIST + 8, n - 1, 2);
	put_le(core + CORE_BLOCKLIST + 10, CORE_SEGMENT, 2);
	return 0;
}

void mkc_grub_mbr(unsigned char mbr[512], const unsigned char boot[512], uint64_t sector)
{
	memcpy(mbr, boot, BOOT_CODE_END);
	put_le(mbr + BOOT_KERNEL_SECTOR, sector, 8);
	mbr[BOOT_BOOT_DRIVE] = 0xff;
	mbr[BOOT_DRIVE_CHECK] = 0x90;
	mbr[BOOT_DRIVE_CHECK + 1] = 0x90;
}
