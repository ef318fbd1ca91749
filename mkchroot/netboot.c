/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * netboot — network boot files in a docroot (see netboot.h).
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fsutil.h"
#include "kcmdline.h"
#include "log.h"
#include "netboot.h"
#include "xalloc.h"

/* A kernel bigger than this is not one. */
#define MKC_KERNEL_MAX ((size_t)256 << 20)

static int is_kernel(const struct dirent *de)
{
	return strncmp(de->d_name, "vmlinuz-", 8) == 0 && de->d_name[8] && !strpbrk(de->d_name, "\n\r");
}

/* The version of ROOT's newest /boot/vmlinuz-VERSION (caller frees), or NULL after a message. */
static char *newest_kernel(const char *root)
{
	char *boot = xasprintf("%s/boot", root);
	struct dirent **list;
	int n = scandir(boot, &list, is_kernel, versionsort);
	char *version = n > 0 ? xstrdup(list[n - 1]->d_name + 8) : NULL;
	for (int i = 0; i < n; i++)
		free(list[i]);
	if (n >= 0)
		free(list);
	if (!version)
		warnmsg("%s: no kernel to boot (no vmlinuz-*): add one to the template's packages "
			"(linux-image-amd64 on Debian, kernel on EL)", boot);
	free(boot);
	return version;
}

char *mkc_netboot_script(const char *version, const char *cmdline)
{
	return xasprintf("#!ipxe\n"
			 "# Written by mkchroot --netboot: kernel %s and its root as a VNFS initramfs.\n"
			 "# The files are named relative to this script's URL: serve the folder anywhere.\n"
			 "echo mkchroot netboot: kernel %s, VNFS image " MKC_NETBOOT_IMAGE "\n"
			 "kernel " MKC_NETBOOT_KERNEL " %s\n"
			 "initrd " MKC_NETBOOT_IMAGE "\n"
			 "boot\n",
			 version, version, cmdline);
}

/* DIR/NAME, the kernel ROOT/boot/vmlinuz-VERSION copied (world-readable: a web server serves it). */
static int copy_kernel(const char *dir, const char *root, const char *version)
{
	char *src = xasprintf("%s/boot/vmlinuz-%s", root, version);
	char *dst = xasprintf("%s/" MKC_NETBOOT_KERNEL, dir);
	size_t len;
	char *data = fs_read_file(src, MKC_KERNEL_MAX, &len);
	int rc = 0;
	if (!data) {
		warnmsg_errno("%s", src);
		rc = 1;
	} else if (fs_atomic_write(dst, data, len, 0644) < 0) {
		warnmsg_errno("%s", dst);
		rc = 1;
	}
	free(data);
	free(src);
	free(dst);
	return rc;
}

static int write_script(const char *dir, const char *script)
{
	char *dst = xasprintf("%s/" MKC_NETBOOT_SCRIPT, dir);
	int rc = 0;
	if (fs_atomic_write(dst, script, strlen(script), 0644) < 0) {
		warnmsg_errno("%s", dst);
		rc = 1;
	}
	free(dst);
	return rc;
}

/* DIR exists as a folder, or is made (its parent must exist). */
static int make_dir(const char *dir)
{
	struct stat sb;
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		warnmsg_errno("%s", dir);
		return -1;
	}
	if (stat(dir, &sb) < 0 || !S_ISDIR(sb.st_mode)) {
		warnmsg("%s: not a directory", dir);
		return -1;
	}
	return 0;
}

/* The script's command line: --cmdline, else the root's etc/kernel/cmdline (a template's cmdline =), else the default. */
static int command_line(const struct mkc_netboot_opts *o, struct mkc_netboot_result *r)
{
	char err[256], *own = NULL;
	if (!o->cmdline && mkc_kcmdline_read(o->root, &own, err, sizeof err) < 0) {
		warnmsg("%s (or give --cmdline)", err);
		return 1;
	}
	const char *options = o->cmdline ? o->cmdline : own ? own : MKC_NETBOOT_CMDLINE;
	r->cmdline = xasprintf("initrd=" MKC_NETBOOT_IMAGE "%s%s", *options ? " " : "", options);
	free(own);
	return 0;
}

static void plan(const struct mkc_netboot_opts *o, const struct mkc_netboot_result *r)
{
	printf("%s/" MKC_NETBOOT_KERNEL ": %s/boot/vmlinuz-%s\n", o->dir, o->root, r->kernel_version);
	printf("%s/" MKC_NETBOOT_IMAGE ": %s packed as a VNFS initramfs (%s, %s)\n", o->dir, o->root,
	       mkc_vnfs_format_name(o->vnfs->format), mkc_vnfs_compress_name(o->vnfs->compress));
	printf("%s/" MKC_NETBOOT_SCRIPT ": kernel " MKC_NETBOOT_KERNEL " %s\n", o->dir, r->cmdline);
}

int mkc_netboot_make(const struct mkc_netboot_opts *o, struct mkc_netboot_result *r)
{
	struct stat sb;
	if (stat(o->root, &sb) < 0) {
		warnmsg_errno("%s", o->root);
		return 1;
	}
	if (!S_ISDIR(sb.st_mode)) {
		warnmsg("%s: not a directory", o->root);
		return 1;
	}
	r->kernel_version = newest_kernel(o->root);
	if (!r->kernel_version || command_line(o, r) != 0)
		return 1;
	if (o->dry_run) {
		plan(o, r);
		return 0;
	}
	if (make_dir(o->dir) < 0)
		return 1;
	/* the image first: packing is what fails (a file too large, an unreadable one), and then nothing changed */
	char *image = xasprintf("%s/" MKC_NETBOOT_IMAGE, o->dir);
	int rc = mkc_vnfs_pack(image, o->root, o->vnfs, &r->image);
	free(image);
	if (rc != 0 || copy_kernel(o->dir, o->root, r->kernel_version) != 0)
		return 1;
	char *script = mkc_netboot_script(r->kernel_version, r->cmdline);
	rc = write_script(o->dir, script);
	free(script);
	if (rc == 0)
		verbose("%s: " MKC_NETBOOT_SCRIPT " boots kernel %s with %s", o->dir, r->kernel_version, r->cmdline);
	return rc;
}

void mkc_netboot_result_free(struct mkc_netboot_result *r)
{
	free(r->kernel_version);
	free(r->cmdline);
}
