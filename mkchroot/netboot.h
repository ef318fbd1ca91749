/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * netboot — fill an HTTP (or TFTP) docroot for network boot: the root's
 * newest kernel (vmlinuz), the root packed as a VNFS initramfs (initrd.img)
 * and an iPXE script (boot.ipxe) that names both relative to its own URL,
 * so the directory boots nodes wherever it is served. Each file is written
 * under a temporary name and renamed into place: the image, the kernel, then
 * the script; a failed pack leaves the folder as it was.
 */
#ifndef MKCHROOT_NETBOOT_H
#define MKCHROOT_NETBOOT_H

#include "vnfs.h"

#define MKC_NETBOOT_KERNEL "vmlinuz"
#define MKC_NETBOOT_IMAGE "initrd.img"
#define MKC_NETBOOT_SCRIPT "boot.ipxe"
/* The kernel command line without --cmdline: a stateless node (systemd from the image, DHCP). */
#define MKC_NETBOOT_CMDLINE "rdinit=/sbin/init ip=dhcp"

struct mkc_netboot_opts {
	const char *dir;     /* the docroot, made if missing (not its parents) */
	const char *root;    /* the tree to boot */
	const char *cmdline; /* NULL: root's etc/kernel/cmdline, else MKC_NETBOOT_CMDLINE */
	int dry_run;         /* say what would be written, write nothing */
	const struct mkc_vnfs_opts *vnfs;
};

/* What was (or, with dry_run, would be) written, for -v and --json. */
struct mkc_netboot_result {
	char *kernel_version;
	char *cmdline; /* the whole line the script gives the kernel */
	struct mkc_vnfs_stats image;
};

/* The iPXE script for kernel VERSION and CMDLINE (caller frees). */
char *mkc_netboot_script(const char *version, const char *cmdline);

/* Write DIR's three files from ROOT. 0, or 1 after a message. */
int mkc_netboot_make(const struct mkc_netboot_opts *o, struct mkc_netboot_result *r);
void mkc_netboot_result_free(struct mkc_netboot_result *r);

#endif
