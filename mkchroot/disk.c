/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * disk — mkchroot --disk (see disk.h).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "disk.h"
#include "diskplan.h"
#include "kcmdline.h"
#include "esp.h"
#include "diskrun.h"
#include "diskseed.h"
#include "disksum.h"
#include "ext4times.h"
#include "fsutil.h"
#include "grubbios.h"
#include "log.h"
#include "mounted.h"
#include "spawn.h"
#include "xalloc.h"

#define GRUB_PC_DIR "/usr/lib/grub/i386-pc"
#define CORE_MAX (1u << 20) /* the BIOS boot partition */

/* A signal that asks the tool to stop: checked between steps (the child tools die of it themselves). */
static volatile sig_atomic_t stop_signal;

static void on_stop(int sig)
{
	stop_signal = sig;
}

static void catch_stop_signals(void)
{
	struct sigaction sa = { .sa_handler = on_stop };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

/* The newest kernel under ROOT/boot, its version (caller frees) and initrd path in /boot (or NULL). */
struct kernel {
	char *version, *initrd;
};

static int verscmp(const void *a, const void *b)
{
	return strverscmp(*(char *const *)a, *(char *const *)b);
}

static int find_kernel(const char *root, struct kernel *k)
{
	char *boot = xasprintf("%s/boot", root);
	DIR *d = opendir(boot);
	char **v = NULL;
	size_t n = 0;
	struct dirent *de;
	while (d && (de = readdir(d)))
		if (strncmp(de->d_name, "vmlinuz-", 8) == 0 && de->d_name[8] && !strpbrk(de->d_name, "\"\n")) {
			v = xgrowarray(v, n, sizeof *v);
			v[n++] = xstrdup(de->d_name + 8);
		}
	if (d)
		closedir(d);
	k->version = k->initrd = NULL;
	if (n) {
		qsort(v, n, sizeof *v, verscmp);
		k->version = v[n - 1];
		const char *fmts[] = { "initrd.img-%s", "initramfs-%s.img", "initrd-%s" };
		for (size_t i = 0; i < 3 && !k->initrd; i++) {
			char *name = xasprintf(fmts[i], k->version);
			char *path = xasprintf("%s/%s", boot, name);
			if (access(path, R_OK) == 0)
				k->initrd = xasprintf("/boot/%s", name);
			free(name);
			free(path);
		}
		for (size_t i = 0; i + 1 < n; i++)
			free(v[i]);
	}
	free(v);
	free(boot);
	return n ? 0 : -1;
}

/* Blocks and inodes of the tree below DIRFD (taken), not crossing into other filesystems. */
static void usage_dir(int dirfd, dev_t dev, struct mkc_tree_usage *u)
{
	DIR *d = fdopendir(dirfd);
	if (!d) {
		close(dirfd);
		return;
	}
	struct dirent *de;
	while ((de = readdir(d))) {
		struct stat sb;
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0 ||
		    fstatat(dirfd, de->d_name, &sb, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		u->inodes++;
		if (S_ISREG(sb.st_mode))
			u->blocks += ((uint64_t)sb.st_size + 4095) / 4096;
		else if (S_ISLNK(sb.st_mode) && sb.st_size >= 60) /* shorter ones live in the inode */
			u->blocks++;
		if (!S_ISDIR(sb.st_mode))
			continue;
		u->blocks += sb.st_size > 4096 ? ((uint64_t)sb.st_size + 4095) / 4096 : 1;
		int fd = sb.st_dev == dev ? openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) : -1;
		if (fd >= 0)
			usage_dir(fd, dev, u);
	}
	closedir(d);
}

/* A program in PATH, as spawn will look for it: 0 if found. */
static int have_prog(const char *name)
{
	const char *env = getenv("PATH");
	char *path = xstrdup(env ? env : "/usr/bin:/bin");
	int found = 0;
	for (char *save = NULL, *dir = strtok_r(path, ":", &save); dir && !found; dir = strtok_r(NULL, ":", &save)) {
		char *p = xasprintf("%s/%s", dir, name);
		found = access(p, X_OK) == 0;
		free(p);
	}
	free(path);
	return found ? 0 : -1;
}

/* Every tool the image needs, or a message naming the Debian package of each missing one. */
static int check_tools(const struct mkc_disk_opts *o)
{
	static const struct { const char *prog, *pkg; } tools[] = {
		{ "mkfs.ext4", "e2fsprogs" },  { "debugfs", "e2fsprogs" },       { "sfdisk", "fdisk" },
		{ "mkfs.vfat", "dosfstools" }, { "grub-mkimage", "grub-common" }, { "qemu-img", "qemu-utils" },
		{ "mcopy", "mtools" },
	};
	int rc = 0;
	for (size_t i = 0; i < sizeof tools / sizeof *tools; i++) {
		if (o->raw && strcmp(tools[i].prog, "qemu-img") == 0)
			continue;
		if (have_prog(tools[i].prog) < 0) {
			warnmsg("--disk needs %s, not in PATH: install the Debian package %s", tools[i].prog, tools[i].pkg);
			rc = -1;
		}
	}
	if (access(GRUB_PC_DIR "/boot.img", R_OK) < 0) {
		warnmsg("--disk needs GRUB for BIOS (%s/boot.img): install the Debian package grub-pc-bin", GRUB_PC_DIR);
		rc = -1;
	}
	if (access(MKC_GRUB_EFI_DIR "/linux.mod", R_OK) < 0) {
		warnmsg("--disk needs GRUB for UEFI (%s/linux.mod): install the Debian package grub-efi-amd64-bin",
			MKC_GRUB_EFI_DIR);
		rc = -1;
	}
	return rc;
}

/* The work: files in a directory beside OUT, removed at the end. */
struct work {
	const struct mkc_disk_opts *o;
	struct mkc_disk_plan plan;
	struct kernel k;
	char *dir;
	char *options;       /* the kernel command line */
	char *raw_path;      /* DIR/disk.raw */
	char *seed;          /* --uuid-seed, or the tree's (diskseed.h) */
	uint64_t tree_bytes; /* what mkfs.ext4 -d will copy */
	char sha256[65];     /* with --sha256: of disk.raw */
};

static char *wpath(const struct work *w, const char *name)
{
	return xasprintf("%s/%s", w->dir, name);
}

static int put_file(const struct work *w, const char *name, const char *text)
{
	char *p = wpath(w, name);
	int rc = fs_atomic_write(p, text, strlen(text), 0644);
	if (rc < 0)
		warnmsg_errno("%s", p);
	free(p);
	return rc;
}

/* Run ARGV, its stdin from the file IN (or /dev/null), STEP's line on a terminal; its exit code. */
static int run(char *const argv[], const char *in, const struct mkc_disk_step *step)
{
	if (stop_signal)
		return 128 + stop_signal;
	return mkc_disk_run(argv, in, step);
}

static char *grub_cfg(const struct work *w)
{
	return xasprintf("# written by mkchroot --disk\n"
			 "set default=0\nset timeout=1\n"
			 "serial --unit=0 --speed=115200\nterminal_input console serial\nterminal_output console serial\n"
			 "menuentry 'Linux %s' --id mkchroot {\n"
			 "\tsearch --no-floppy --fs-uuid --set=root %s\n"
			 "\tlinux /boot/vmlinuz-%s %s\n"
			 "%s%s%s"
			 "}\n",
			 w->k.version, w->plan.fs_uuid, w->k.version, w->options, w->k.initrd ? "\tinitrd " : "",
			 w->k.initrd ? w->k.initrd : "", w->k.initrd ? "\n" : "");
}

static char *bls_entry(const struct work *w)
{
	return xasprintf("title Linux %s\nversion %s\nlinux /boot/vmlinuz-%s\n%s%s%soptions %s\n", w->k.version,
			 w->k.version, w->k.version, w->k.initrd ? "initrd " : "", w->k.initrd ? w->k.initrd : "",
			 w->k.initrd ? "\n" : "", w->options);
}

/* Does PATH (absolute, in the image) exist in the tree, without following a last symlink? */
static int in_tree(const struct work *w, const char *path)
{
	struct stat sb;
	char *p = xasprintf("%s%s", w->o->root, path);
	int rc = lstat(p, &sb) == 0;
	free(p);
	return rc;
}

/* debugfs commands: put the work file NAME at PATH in the image (replacing what is there). */
static void cmd_put(const struct work *w, FILE *f, const char *name, const char *path)
{
	if (in_tree(w, path))
		fprintf(f, "rm \"%s\"\n", path);
	fprintf(f, "write \"%s/%s\" \"%s\"\n", w->dir, name, path);
}

static void cmd_mkdirs(const struct work *w, FILE *f, const char *const *dirs)
{
	for (size_t i = 0; dirs[i]; i++)
		if (!in_tree(w, dirs[i]))
			fprintf(f, "mkdir %s\n", dirs[i]);
}

/* The stateless steps, as commands: no machine identity, no host keys, no random seed. */
static void cmd_stateless(const struct work *w, FILE *f)
{
	static const char *const gone[] = { "/var/lib/systemd/random-seed", "/var/lib/dbus/machine-id", NULL };
	char *ssh = xasprintf("%s/etc/ssh", w->o->root);
	DIR *d = opendir(ssh);
	struct dirent *de;
	while (d && (de = readdir(d)))
		if (strncmp(de->d_name, "ssh_host_", 9) == 0 && !strpbrk(de->d_name, "\"\n"))
			fprintf(f, "rm \"/etc/ssh/%s\"\n", de->d_name);
	if (d)
		closedir(d);
	free(ssh);
	for (size_t i = 0; gone[i]; i++) {
		struct stat sb;
		char *p = xasprintf("%s%s", w->o->root, gone[i]);
		if (lstat(p, &sb) == 0 && !S_ISLNK(sb.st_mode)) /* dbus' is usually a link to /etc/machine-id */
			fprintf(f, "rm \"%s\"\n", gone[i]);
		free(p);
	}
	cmd_put(w, f, "machine-id", "/etc/machine-id");
	fprintf(f, "set_inode_field /etc/machine-id mode 0100444\n");
}

/* The files and the debugfs script that adjust the root filesystem. */
static int write_adjustments(const struct work *w)
{
	static const char *const dirs[] = { "/etc", "/boot/grub", "/boot/loader", "/boot/loader/entries", NULL };
	char *fstab = xasprintf("# written by mkchroot --disk\nUUID=%s / ext4 errors=remount-ro 0 1\n", w->plan.fs_uuid);
	char *cfg = grub_cfg(w), *bls = bls_entry(w);
	int rc = put_file(w, "fstab", fstab) | put_file(w, "grub.cfg", cfg) | put_file(w, "bls.conf", bls) |
		 put_file(w, "machine-id", "");
	free(fstab);
	free(cfg);
	free(bls);
	char *p = wpath(w, "debugfs.cmd");
	FILE *f = rc == 0 ? fopen(p, "we") : NULL;
	if (!f) {
		warnmsg_errno("%s", p);
		free(p);
		return -1;
	}
	cmd_mkdirs(w, f, dirs);
	cmd_put(w, f, "fstab", "/etc/fstab");
	cmd_put(w, f, "grub.cfg", "/boot/grub/grub.cfg");
	char *entry = xasprintf("/boot/loader/entries/mkchroot-%s.conf", w->k.version);
	cmd_put(w, f, "bls.conf", entry);
	free(entry);
	if (!w->o->no_stateless)
		cmd_stateless(w, f);
	if (fclose(f) != 0) {
		warnmsg_errno("%s", p);
		rc = -1;
	}
	free(p);
	return rc;
}

/* A file of BYTES (sparse) in the work directory. */
static int sized_file(const struct work *w, const char *name, uint64_t bytes)
{
	char *p = wpath(w, name);
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	int rc = fd < 0 || ftruncate(fd, (off_t)bytes) < 0 ? -1 : 0;
	if (rc < 0)
		warnmsg_errno("%s", p);
	if (fd >= 0)
		close(fd);
	free(p);
	return rc;
}

/* debugfs says what failed only on stderr: any line there but its banner is an error. */
static int run_debugfs(const struct work *w)
{
	char *cmd = wpath(w, "debugfs.cmd"), *log = wpath(w, "debugfs.log");
	char *img = xasprintf("%s/disk.raw?offset=%ju", w->dir,
			      (uintmax_t)(w->plan.part[MKC_PART_ROOT].start * MKC_SECTOR));
	int rc = 2;
	int fd = open(log, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		warnmsg_errno("%s", log);
		rc = 1;
	} else {
		char *argv[] = { "debugfs", "-w", "-f", cmd, img, NULL };
		struct spawn_opts so = { .in = SPAWN_NULL, .out = SPAWN_NULL, .err = SPAWN_FD, .fd = fd };
		struct spawn s;
		verbose("running debugfs -w -f %s %s", cmd, img);
		if (spawn_start(&s, argv, &so) == 0 && spawn_exit_code(spawn_wait(s.pid)) == 0) {
			size_t len;
			char *text = fs_read_fd(fd, 1 << 20, &len), *line, *save = NULL;
			rc = 0;
			for (line = text ? strtok_r(text, "\n", &save) : NULL; line; line = strtok_r(NULL, "\n", &save))
				if (strncmp(line, "debugfs ", 8) != 0) {
					warnmsg("debugfs on the root filesystem: %s", line);
					rc = 2;
				}
			free(text);
		} else {
			warnmsg("debugfs failed on the root filesystem");
		}
		close(fd);
	}
	free(cmd);
	free(img);
	free(log);
	return rc;
}

/* Under SOURCE_DATE_EPOCH: the inode times mkfs.ext4 -d copied from the tree, clamped. */
static int clamp_times(const struct work *w)
{
	if (!w->o->clamp)
		return 0;
	char *raw = wpath(w, "disk.raw"), err[256];
	int fd = open(raw, O_RDWR | O_CLOEXEC);
	long n = fd < 0 ? -1 : mkc_ext4_clamp_times(fd, w->plan.part[MKC_PART_ROOT].start * MKC_SECTOR, w->o->clamp_time,
						    err, sizeof err);
	if (fd < 0)
		warnmsg_errno("%s", raw);
	else if (n < 0)
		warnmsg("the root filesystem's inode times: %s", err);
	else
		verbose("SOURCE_DATE_EPOCH: the times of %ld inodes clamped to %jd", n, (intmax_t)w->o->clamp_time);
	if (fd >= 0)
		close(fd);
	free(raw);
	return n < 0 ? 1 : 0;
}

/* The root filesystem, made in place in the partitioned disk.raw (mke2fs' offset), then adjusted. */
static int make_root(const struct work *w)
{
	const struct mkc_disk_part *r = &w->plan.part[MKC_PART_ROOT];
	char *img = wpath(w, "disk.raw"), inodes[32], ext[160], blocks[32];
	snprintf(inodes, sizeof inodes, "%ju", (uintmax_t)w->plan.inodes);
	snprintf(blocks, sizeof blocks, "%ju", (uintmax_t)(r->sectors * MKC_SECTOR / 4096));
	snprintf(ext, sizeof ext, "offset=%ju,nodiscard,root_owner=0:0,hash_seed=%s", (uintmax_t)(r->start * MKC_SECTOR),
		 w->plan.fs_uuid);
	char *argv[] = { "mkfs.ext4", "-q", "-F", "-b", "4096", "-I", "256", "-m", "0", "-N", inodes, "-U",
			 (char *)w->plan.fs_uuid, "-L", "root", "-E", ext, "-d", (char *)w->o->root, img, blocks, NULL };
	struct mkc_disk_step step = { "root filesystem", img, w->tree_bytes };
	int rc = run(argv, NULL, &step) ? 2 : 0;
	free(img);
	rc = rc ? rc : run_debugfs(w);
	return rc ? rc : clamp_times(w);
}

/* run, for the ESP's short steps: no progress line */
static int run_quiet(char *const argv[], const char *in)
{
	return run(argv, in, NULL);
}

/* root=UUID=... ro, then --cmdline's options or else the root's etc/kernel/cmdline. 0, or 1 (said). */
static int boot_options(struct work *w)
{
	char err[512], *own = NULL;
	const char *extra = w->o->cmdline;
	if (extra && mkc_kcmdline_check(extra, err, sizeof err) < 0) {
		warnmsg("--cmdline: %s", err);
		return 1;
	}
	if (!extra && mkc_kcmdline_read(w->o->root, &own, err, sizeof err) < 0) {
		warnmsg("%s (or give --cmdline)", err);
		return 1;
	}
	extra = extra ? extra : own;
	w->options = xasprintf("root=UUID=%s ro%s%s", w->plan.fs_uuid, extra && *extra ? " " : "", extra ? extra : "");
	free(own);
	return 0;
}

static int make_esp(const struct work *w)
{
	return mkc_esp_make(w->dir, &w->plan, run_quiet);
}

/* GRUB's core.img for BIOS: finds the root by its UUID, reads /boot/grub/grub.cfg there. */
static int make_core(const struct work *w)
{
	char *early = xasprintf("search.fs_uuid %s root\nset prefix=($root)/boot/grub\n", w->plan.fs_uuid);
	int rc = put_file(w, "early.cfg", early);
	free(early);
	if (rc < 0)
		return 1;
	char *cfg = wpath(w, "early.cfg"), *core = wpath(w, "core.img");
	char *argv[] = { "grub-mkimage", "-O", "i386-pc", "-d", GRUB_PC_DIR, "-o", core, "-c", cfg, "-p", "/boot/grub",
			 "biosdisk", "part_gpt", "ext2", "search", "search_fs_uuid", "normal", "linux", "configfile",
			 "serial", "terminal", "echo", "test", NULL };
	rc = run(argv, NULL, NULL) ? 2 : 0;
	free(cfg);
	free(core);
	return rc;
}

/* Copy the file NAME into the disk image at sector AT, leaving its zero MiBs as holes. */
static int place(const struct work *w, int disk, const char *name, uint64_t at)
{
	char *p = wpath(w, name);
	int fd = open(p, O_RDONLY | O_CLOEXEC);
	char *buf = xmalloc(MKC_MIB), *zero = xcalloc(1, MKC_MIB);
	int rc = fd < 0 ? -1 : 0;
	for (off_t off = 0; rc == 0;) {
		ssize_t n = read(fd, buf, MKC_MIB);
		if (n <= 0) {
			rc = n < 0 ? -1 : 0;
			break;
		}
		if (memcmp(buf, zero, (size_t)n) != 0 && pwrite(disk, buf, (size_t)n, (off_t)(at * MKC_SECTOR) + off) != n)
			rc = -1;
		off += n;
	}
	if (rc < 0)
		warnmsg_errno("%s into the disk image", p);
	if (fd >= 0)
		close(fd);
	free(buf);
	free(zero);
	free(p);
	return rc;
}

/* core.img into the BIOS boot partition, boot.img's code into the MBR. */
static int place_grub(const struct work *w, int disk)
{
	uint64_t at = w->plan.part[MKC_PART_BIOS].start;
	char *p = wpath(w, "core.img"), err[256];
	size_t len, blen;
	unsigned char *core = (unsigned char *)fs_read_file(p, CORE_MAX, &len);
	unsigned char *boot = (unsigned char *)fs_read_file(GRUB_PC_DIR "/boot.img", 512, &blen);
	unsigned char mbr[512];
	int rc = -1;
	if (!core || !boot || blen != 512)
		warnmsg_errno("%s", !core ? p : GRUB_PC_DIR "/boot.img");
	else if (mkc_grub_core_patch(core, len, at, w->plan.part[MKC_PART_BIOS].sectors, err, sizeof err) < 0)
		warnmsg("%s", err);
	else if (pwrite(disk, core, len, (off_t)(at * MKC_SECTOR)) != (ssize_t)len || pread(disk, mbr, 512, 0) != 512)
		warnmsg_errno("the disk image");
	else {
		mkc_grub_mbr(mbr, boot, at);
		rc = pwrite(disk, mbr, 512, 0) == 512 ? 0 : -1;
		if (rc < 0)
			warnmsg_errno("the disk image's MBR");
	}
	free(core);
	free(boot);
	free(p);
	return rc;
}

/* disk.raw, its partition table written. */
static int make_table(const struct work *w)
{
	char *text = mkc_disk_sfdisk_script(&w->plan);
	int bad = sized_file(w, "disk.raw", w->plan.bytes) < 0 || put_file(w, "sfdisk.txt", text) < 0;
	free(text);
	if (bad)
		return 1;
	char *raw = wpath(w, "disk.raw"), *script = wpath(w, "sfdisk.txt");
	char *argv[] = { "sfdisk", "-q", "--no-reread", "--no-tell-kernel", raw, NULL };
	int rc = run(argv, script, NULL) ? 2 : 0;
	free(raw);
	free(script);
	return rc;
}

/* The ESP and GRUB into disk.raw. */
static int assemble(const struct work *w)
{
	char *raw = wpath(w, "disk.raw");
	int disk = open(raw, O_RDWR | O_CLOEXEC), rc = 0;
	if (disk < 0) {
		warnmsg_errno("%s", raw);
		rc = 1;
	} else if (place(w, disk, "esp.img", w->plan.part[MKC_PART_ESP].start) < 0 || place_grub(w, disk) < 0) {
		rc = 1;
	}
	if (disk >= 0)
		close(disk);
	free(raw);
	return rc;
}

/* OUT.sha256's name (caller frees). */
static char *sum_name(const char *out)
{
	return xasprintf("%s.sha256", out);
}

/* With --sha256: disk.raw's digest, into the work file disk.sha256. */
static int make_sum(struct work *w)
{
	if (!w->o->sha256)
		return 0;
	if (stop_signal || mkc_disk_sha256(w->raw_path, w->sha256) < 0)
		return 1;
	char *line = xasprintf("%s\n", w->sha256);
	int rc = put_file(w, "disk.sha256", line) < 0 ? 1 : 0;
	free(line);
	return rc;
}

/* The work file NAME renamed to DEST, after an fsync. */
static int put_in_place(const struct work *w, const char *name, const char *dest)
{
	char *p = wpath(w, name);
	int fd = open(p, O_RDONLY | O_CLOEXEC), rc = 0;
	if (fd < 0 || fsync(fd) < 0 || stop_signal || rename(p, dest) < 0) {
		if (!stop_signal)
			warnmsg_errno("%s", dest);
		rc = 1;
	}
	if (fd >= 0)
		close(fd);
	free(p);
	return rc;
}

/* The finished image (disk.raw, or converted to qcow2) renamed to OUT, then its digest to OUT.sha256. */
static int finish(const struct work *w)
{
	char *qcow = wpath(w, "disk.qcow2");
	int rc = 0;
	if (!w->o->raw) {
		char *argv[] = { "qemu-img", "convert", "-q", "-c", "-f", "raw", "-O", "qcow2", w->raw_path, qcow, NULL };
		struct mkc_disk_step step = { "qcow2", qcow, 0 };
		rc = run(argv, NULL, &step) ? 2 : 0;
	}
	free(qcow);
	rc = rc ? rc : put_in_place(w, w->o->raw ? "disk.raw" : "disk.qcow2", w->o->output);
	char *sum = sum_name(w->o->output);
	if (rc == 0 && w->o->sha256) {
		rc = put_in_place(w, "disk.sha256", sum);
		if (rc == 0 && w->o->digest)
			memcpy(w->o->digest, w->sha256, sizeof w->sha256);
	}
	else if (rc == 0 && unlink(sum) == 0) /* the digest of an image --force replaced */
		verbose("%s: removed, it was the replaced image's", sum);
	free(sum);
	return rc;
}

static void remove_work(struct work *w)
{
	static const char *const files[] = { "fstab", "grub.cfg", "bls.conf", "machine-id", "debugfs.cmd",
					     "debugfs.log", "esp.img", "early.cfg", "core.img",
					     "sfdisk.txt", "disk.raw", "disk.qcow2", "disk.sha256", NULL };
	for (size_t i = 0; files[i]; i++) {
		char *p = wpath(w, files[i]);
		unlink(p);
		free(p);
	}
	mkc_esp_clean(w->dir);
	if (rmdir(w->dir) < 0)
		warnmsg_errno("%s", w->dir);
}

static void print_plan(const struct work *w)
{
	const struct mkc_disk_plan *p = &w->plan;
	printf("disk %s: %s, %ju MiB, GPT %s\n", w->o->output, w->o->raw ? "raw" : "qcow2",
	       (uintmax_t)(p->bytes / MKC_MIB), p->disk_uuid);
	for (size_t i = 0; i < MKC_NPARTS; i++)
		printf("  partition %zu %-4s start %ju, %ju MiB, %s\n", i + 1, p->part[i].name,
		       (uintmax_t)p->part[i].start, (uintmax_t)(p->part[i].sectors * MKC_SECTOR / MKC_MIB),
		       i == MKC_PART_ROOT  ? "ext4"
		       : i == MKC_PART_ESP ? "FAT32, GRUB for UEFI at " MKC_ESP_LOADER
					   : "GRUB core.img for BIOS");
	printf("  root filesystem UUID %s, %ju inodes, at least %ju MiB for the tree\n", p->fs_uuid,
	       (uintmax_t)p->inodes, (uintmax_t)(p->root_min / MKC_MIB));
	printf("  boot entry: /boot/vmlinuz-%s%s%s %s\n", w->k.version, w->k.initrd ? ", " : "",
	       w->k.initrd ? w->k.initrd : "", w->options);
	printf("  stateless steps: %s\n", w->o->no_stateless ? "no (--no-stateless)" : "yes");
	printf("  UUIDs from seed %s\n", w->seed);
	if (w->o->clamp)
		printf("  times at most SOURCE_DATE_EPOCH %jd\n", (intmax_t)w->o->clamp_time);
	if (w->o->sha256)
		printf("  digest to %s.sha256\n", w->o->output);
}

/* Is OUT's directory ROOT or below it? mkfs.ext4 -d would pack the work files into themselves. */
static int out_in_root(const char *out, const char *root)
{
	const char *slash = strrchr(out, '/');
	char *dir = slash ? xstrndup(out, slash == out ? 1 : (size_t)(slash - out)) : xstrdup(".");
	char *d = realpath(dir, NULL), *r = realpath(root, NULL);
	size_t n = r ? strlen(r) : 0;
	int in = d && r && strncmp(d, r, n) == 0 && (d[n] == '/' || d[n] == '\0' || n == 1);
	free(dir);
	free(d);
	free(r);
	return in;
}

/* OUT is a block device: --disk writes a file, nodeimage writes devices; a mounted one is said so first. */
static void refuse_device(const char *out, dev_t dev)
{
	char where[512];
	if (mkc_dev_mounted(dev, where, sizeof where))
		warnmsg("%s: a block device in use, mounted (itself or a partition of it) on %s: not written", out, where);
	else
		warnmsg("%s: a block device: --disk writes an image file (nodeimage writes it to a device)", out);
}

/* --sha256 and OUT.sha256 there already: 1 after a message unless --force replaces a regular file. */
static int refuse_existing_sum(const struct mkc_disk_opts *o)
{
	struct stat sb;
	char *sum = sum_name(o->output);
	int bad = lstat(sum, &sb) == 0 && (!S_ISREG(sb.st_mode) || !o->force);
	if (bad)
		warnmsg("%s: %s", sum, S_ISREG(sb.st_mode) ? "exists (--force replaces it)" : "not a regular file");
	free(sum);
	return bad;
}

/* What is checked before anything is written: ROOT, OUT, the kernel, the size. */
static int prepare(struct work *w)
{
	const struct mkc_disk_opts *o = w->o;
	struct stat sb;
	int fd = open(o->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &sb) < 0) {
		warnmsg_errno("%s", o->root);
		if (fd >= 0)
			close(fd);
		return 1;
	}
	if (out_in_root(o->output, o->root) || strpbrk(o->output, "\"\n")) {
		close(fd);
		warnmsg("%s: %s", o->output, strpbrk(o->output, "\"\n") ? "a name with a quote or a newline is not taken"
								     : "inside the tree it would pack");
		return 1;
	}
	if (stat(o->output, &sb) == 0 && S_ISBLK(sb.st_mode)) {
		close(fd);
		refuse_device(o->output, sb.st_rdev);
		return 1;
	}
	if (lstat(o->output, &sb) == 0 && (!S_ISREG(sb.st_mode) || !o->force)) {
		close(fd);
		warnmsg("%s: %s", o->output, S_ISREG(sb.st_mode) ? "exists (--force replaces it)" : "not a regular file");
		return 1;
	}
	if (o->sha256 && refuse_existing_sum(o)) {
		close(fd);
		return 1;
	}
	if (find_kernel(o->root, &w->k) < 0) {
		close(fd);
		warnmsg("%s: no kernel to boot (no /boot/vmlinuz-*): add one to the template's packages "
			"(packages = linux-image-amd64 on Debian), or --packages", o->root);
		return 1;
	}
	struct mkc_tree_usage u = { 0, 1 };
	fstat(fd, &sb);
	usage_dir(fd, sb.st_dev, &u);
	w->tree_bytes = u.blocks * 4096;
	w->seed = o->seed ? xstrdup(o->seed) : mkc_disk_tree_seed(o->root);
	if (!w->seed)
		return 1;
	char err[256];
	int rc = mkc_disk_plan(&u, o->size, o->free_bytes, w->seed, &w->plan, err, sizeof err);
	if (rc < 0) {
		warnmsg("%s: %s", o->root, err);
		return 1;
	}
	return boot_options(w);
}

/* The work directory beside OUT: DIR/.NAME.XXXXXX, for mkdtemp. */
static char *work_template(const char *out)
{
	const char *slash = strrchr(out, '/');
	if (!slash)
		return xasprintf(".%s.XXXXXX", out);
	return xasprintf("%.*s/.%s.XXXXXX", (int)(slash - out), out, slash + 1);
}

/* The tools' environment: C collation (mkfs.ext4 -d orders each directory with alphasort), and under SOURCE_DATE_EPOCH e2fsprogs' clock. */
static void set_tool_env(const struct mkc_disk_opts *o)
{
	setenv("LC_ALL", "C", 1);
	if (o->clamp) {
		char t[32];
		snprintf(t, sizeof t, "%jd", (intmax_t)o->clamp_time);
		setenv("E2FSPROGS_FAKE_TIME", t, 1);
	}
}

static int build(struct work *w)
{
	char *tmpl = work_template(w->o->output);
	w->dir = mkdtemp(tmpl);
	if (!w->dir) {
		warnmsg_errno("a work directory beside %s", w->o->output);
		free(tmpl);
		return 1;
	}
	catch_stop_signals();
	set_tool_env(w->o);
	w->raw_path = wpath(w, "disk.raw");
	int rc = write_adjustments(w) < 0 ? 1 : 0;
	rc = rc ? rc : make_table(w);
	rc = rc ? rc : make_root(w);
	rc = rc ? rc : make_esp(w);
	rc = rc ? rc : make_core(w);
	rc = rc ? rc : assemble(w);
	rc = rc ? rc : make_sum(w);
	rc = rc ? rc : finish(w);
	remove_work(w);
	free(tmpl);
	if (stop_signal) {
		warnmsg("%s: interrupted, not written", w->o->output);
		return 1;
	}
	if (rc)
		warnmsg("%s: not written", w->o->output);
	return rc;
}

int mkc_disk_make(const struct mkc_disk_opts *o)
{
	struct work w = { .o = o };
	int rc = prepare(&w);
	if (rc == 0 && o->dry_run)
		print_plan(&w);
	else if (rc == 0 && check_tools(o) < 0)
		rc = 1;
	else if (rc == 0) {
		rc = build(&w);
		if (rc == 0)
			verbose("%s: %ju MiB disk, root filesystem %s", o->output, (uintmax_t)(w.plan.bytes / MKC_MIB),
				w.plan.fs_uuid);
	}
	free(w.k.version);
	free(w.k.initrd);
	free(w.options);
	free(w.seed);
	free(w.raw_path);
	return rc;
}
