/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bootentry — which kernel, initrd and command line a written system boots,
 * from its boot configuration, as buffers (no I/O): Boot Loader
 * Specification entries (the default one), else the default entry of
 * grub.cfg, else the newest vmlinuz-VERSION with its initrd. Paths are as
 * the configuration gives them, relative to the filesystem that holds it.
 * Control characters are dropped from titles and command lines: what the
 * image says reaches a console.
 */
#ifndef NODEIMAGE_BOOTENTRY_H
#define NODEIMAGE_BOOTENTRY_H

#include <stddef.h>

struct boot_entry {
	char *title;    /* the entry's title, or NULL */
	char *kernel;   /* path of the kernel */
	char **initrd;  /* NINITRD paths, loaded one after the other */
	size_t ninitrd;
	char *cmdline;  /* never NULL; may be empty */
};

void boot_entry_free(struct boot_entry *e);

/* One BLS entry file: 0, or -1 with ERR when it names no kernel. E is overwritten, not freed. */
int bootentry_parse_bls(const char *buf, size_t len, struct boot_entry *e, char *err, size_t errlen);

struct bls_file {
	const char *name; /* file name in loader/entries */
	const char *buf;
	size_t len;
};

/* Does a BLS entry file have this NAME (*.conf)? Other files in loader/entries are not read. */
int bootentry_is_bls_name(const char *name);

/*
 * The default of N entry files: the first whose name matches loader.conf's
 * "default" glob (CONF may be NULL), else the one with the highest version
 * (entries without one come after, by file name). Files not named *.conf,
 * or without a kernel, do not count; among several that match the glob the
 * same order picks. 0 and E filled, or -1 with ERR.
 */
int bootentry_pick_bls(const struct bls_file *files, size_t n, const char *conf, size_t conflen,
		       struct boot_entry *e, char *err, size_t errlen);

/*
 * grub.cfg: the entry "set default=" names (index, title or id, "A>B" into
 * submenus; a variable counts as 0), else the first. Words holding an
 * unexpanded $variable are left out of the command line. 0 or -1 with ERR.
 */
int bootentry_parse_grub(const char *buf, size_t len, struct boot_entry *e, char *err, size_t errlen);

/*
 * The newest of the N file NAMES of one directory that are vmlinuz-VERSION,
 * with initrd.img-VERSION, initramfs-VERSION.img or initrd-VERSION when one
 * is among them; paths are DIR (ending in '/') + name. Command line empty.
 * 0 or -1 with ERR.
 */
int bootentry_pick_vmlinuz(const char *const *names, size_t n, const char *dir, struct boot_entry *e, char *err,
			   size_t errlen);

/* S for a message: each control character (below 0x20, and 0x7f) as '?'. Allocated. */
char *bootentry_visible(const char *s);

/* Debian's version order (dpkg): <0, 0, >0 as A sorts before, with or after B. */
int bootentry_vercmp(const char *a, const char *b);

/* The device fstab mounts on "/" (as "UUID=...", "/dev/sda2"...), allocated, or NULL. */
char *bootentry_fstab_root(const char *buf, size_t len);

#endif
