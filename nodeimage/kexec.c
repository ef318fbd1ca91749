/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * kexec — the hostname and the kexec steps of nodeimage, in a child process
 * whose mount namespace holds the written filesystems (rootfs).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/kexec.h>
#include <linux/reboot.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bootentry.h"
#include "hostname.h"
#include "image.h"
#include "kexec.h"
#include "log.h"
#include "rootfs.h"
#include "xalloc.h"

#define fail(...) (snprintf(err, errlen, __VA_ARGS__), -1)
#define CMDLINE_MAX 2048 /* x86's COMMAND_LINE_SIZE, with its NUL */
#define CONFIG_MAX (1 << 20)              /* grub.cfg, loader.conf, a BLS entry, fstab: each */
#define BLS_TOTAL_MAX (4 << 20)           /* the entry files of one loader/entries, together */
#define INITRD_MAX ((off_t)1 << 30)       /* the initrds of the entry, together (joined in memory) */

int kexec_check(const struct kexec_opts *k, const char *target, char *err, size_t errlen)
{
	struct stat st;
	if (!k->kexec && (k->dry_run || k->append))
		return fail("%s: only with --kexec", k->dry_run ? "-n" : "--append");
	/* a file holds no system this machine runs: booting its kernel here is a mistake (-n shows it) */
	if (k->kexec && !k->dry_run && (stat(target, &st) < 0 || !S_ISBLK(st.st_mode)))
		return fail("%s: --kexec boots the system written to a disk: not a block device (-n prints what "
			    "it would load)", target);
	if (k->append && strlen(k->append) >= CMDLINE_MAX / 2)
		return fail("--append: too long (the whole command line must stay under %d bytes)", CMDLINE_MAX);
	if (k->append && strchr(k->append, '\n'))
		return fail("--append: no newlines, please");
	const char *h = k->hostname;
	if (h && !hostname_valid(h))
		return fail("--hostname %s: not a host name (labels of letters, digits and '-', at most 64)", h);
	return 0;
}

/* --- --hostname --------------------------------------------------------------------- */

/* Replace etc/hostname below ROOT with NAME, durably. */
static int put_hostname(int root, const char *dev, const char *name, char *err, size_t errlen)
{
	int etc = rootfs_openat(root, "etc", O_RDONLY | O_DIRECTORY);
	if (etc < 0)
		return fail("%s: /etc: %s", dev, strerror(errno));
	unlinkat(etc, ".hostname.nodeimage", 0); /* O_EXCL: never open what the image has there (a FIFO blocks) */
	int fd = openat(etc, ".hostname.nodeimage", O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	int ok = fd >= 0 && dprintf(fd, "%s\n", name) > 0 && fsync(fd) == 0;
	int e = errno;
	if (fd >= 0)
		close(fd);
	if (ok && renameat(etc, ".hostname.nodeimage", etc, "hostname") < 0)
		ok = 0, e = errno;
	if (!ok)
		unlinkat(etc, ".hostname.nodeimage", 0);
	fsync(etc);
	close(etc);
	return ok ? 0 : fail("%s: cannot write /etc/hostname: %s", dev, strerror(e));
}

/* Mount each filesystem read-write until one is a root; write the name there. */
static int set_hostname(struct rootfs *r, const char *target, const char *name, char *err, size_t errlen)
{
	for (size_t i = 0; i < rootfs_count(r); i++) {
		int root = rootfs_mount(r, i, 1);
		if (root < 0)
			continue;
		int found = rootfs_is_root(root);
		int rc = found ? put_hostname(root, rootfs_device(r, i), name, err, errlen) : 0;
		if (rootfs_umount(r, i) < 0 && rc == 0 && found)
			rc = fail("%s: cannot unmount after writing /etc/hostname: %s", rootfs_device(r, i),
				  strerror(errno));
		if (found)
			return rc;
	}
	return fail("%s: no filesystem with an /etc/fstab or /etc/os-release to write the hostname to", target);
}

/* --- finding the boot entry ---------------------------------------------------------- */

struct found {
	struct boot_entry e;
	size_t fs;        /* the filesystem the paths are relative to */
	char what[160];   /* where the entry came from */
};

/* Nothing at that path (errno after rootfs_open_file): look elsewhere. Anything else there is an error. */
#define ABSENT(e) ((e) == ENOENT || (e) == ENOTDIR)

/* "DEV:/PATH: WHY" in ERR, control characters of PATH shown as '?'; -1. */
static int file_error(char *err, size_t errlen, const char *dev, const char *path, const char *why)
{
	char *shown = bootentry_visible(path + strspn(path, "/"));
	snprintf(err, errlen, "%s:/%s: %s", dev, shown, why);
	free(shown);
	return -1;
}

/* The *.conf files in WHERE (open as DIR) on DEV, at most BLS_TOTAL_MAX bytes together. 0 or -1 with ERR. */
static int read_entries(int root, const char *dev, const char *where, DIR *dir, struct bls_file **files, size_t *n,
			char *err, size_t errlen)
{
	struct dirent *de;
	size_t total = 0;
	while ((de = readdir(dir)) && *n < 1024) {
		char path[512], why[128], *buf;
		size_t len;
		if (de->d_name[0] == '.' || !bootentry_is_bls_name(de->d_name))
			continue;
		snprintf(path, sizeof path, "%s/%s", where, de->d_name);
		if (rootfs_read(root, path, CONFIG_MAX, &buf, &len, why, sizeof why) < 0) {
			if (ABSENT(errno))
				continue;
			return file_error(err, errlen, dev, path, why);
		}
		*files = xgrowarray(*files, *n, sizeof **files);
		(*files)[(*n)++] = (struct bls_file){ xstrdup(de->d_name), buf, len };
		if ((total += len) > BLS_TOTAL_MAX)
			return file_error(err, errlen, dev, path, "the entry files there come to more than 4 MiB together");
	}
	return 0;
}

/* The ways to find an entry: 0 found (in F), 1 none here, -1 with ERR (a file there that must not be read). */
static int from_bls(struct rootfs *r, size_t fs, int root, struct found *f, char *err, size_t errlen)
{
	static const char *const dirs[][2] = { { "loader/entries", "loader/loader.conf" },
					       { "boot/loader/entries", "boot/loader/loader.conf" } };
	const char *dev = rootfs_device(r, fs);
	for (size_t d = 0; d < 2; d++) {
		int dfd = rootfs_openat(root, dirs[d][0], O_RDONLY | O_DIRECTORY);
		DIR *dir = dfd < 0 ? NULL : fdopendir(dfd);
		if (!dir) {
			if (dfd >= 0)
				close(dfd);
			continue;
		}
		struct bls_file *files = NULL;
		size_t n = 0, clen = 0;
		char *conf = NULL, why[128];
		int rc = read_entries(root, dev, dirs[d][0], dir, &files, &n, err, errlen);
		closedir(dir);
		if (rc == 0 && rootfs_read(root, dirs[d][1], CONFIG_MAX, &conf, &clen, why, sizeof why) < 0 &&
		    !ABSENT(errno))
			rc = file_error(err, errlen, dev, dirs[d][1], why);
		if (rc == 0 && bootentry_pick_bls(files, n, conf, clen, &f->e, why, sizeof why) == 0)
			snprintf(f->what, sizeof f->what, "BLS entry in /%s on %s", dirs[d][0], dev);
		else if (rc == 0)
			rc = 1;
		for (size_t i = 0; i < n; i++) {
			free((char *)files[i].name);
			free((char *)files[i].buf);
		}
		free(files);
		free(conf);
		if (rc <= 0)
			return rc;
	}
	return 1;
}

static int from_grub(struct rootfs *r, size_t fs, int root, struct found *f, char *err, size_t errlen)
{
	static const char *const cfgs[] = { "boot/grub/grub.cfg", "grub/grub.cfg", "boot/grub2/grub.cfg",
					    "grub2/grub.cfg" };
	for (size_t c = 0; c < sizeof cfgs / sizeof *cfgs; c++) {
		size_t len;
		char *buf, why[128];
		if (rootfs_read(root, cfgs[c], CONFIG_MAX, &buf, &len, why, sizeof why) < 0) {
			if (ABSENT(errno))
				continue;
			return file_error(err, errlen, rootfs_device(r, fs), cfgs[c], why);
		}
		int rc = bootentry_parse_grub(buf, len, &f->e, why, sizeof why);
		free(buf);
		if (rc == 0) {
			snprintf(f->what, sizeof f->what, "/%s on %s", cfgs[c], rootfs_device(r, fs));
			return 0;
		}
	}
	return 1;
}

static int from_names(struct rootfs *r, size_t fs, int root, struct found *f, char *err, size_t errlen)
{
	static const char *const dirs[] = { "boot", "" };
	(void)err, (void)errlen; /* names only: nothing is opened */
	for (size_t d = 0; d < 2; d++) {
		int dfd = rootfs_openat(root, dirs[d], O_RDONLY | O_DIRECTORY);
		DIR *dir = dfd < 0 ? NULL : fdopendir(dfd);
		if (!dir) {
			if (dfd >= 0)
				close(dfd);
			continue;
		}
		char **names = NULL, why[128], prefix[8];
		size_t n = 0;
		struct dirent *de;
		while ((de = readdir(dir)) && n < 4096) {
			names = xgrowarray(names, n, sizeof *names);
			names[n++] = xstrdup(de->d_name);
		}
		closedir(dir);
		snprintf(prefix, sizeof prefix, "/%s%s", dirs[d], *dirs[d] ? "/" : "");
		int rc = bootentry_pick_vmlinuz((const char *const *)names, n, prefix, &f->e, why, sizeof why);
		for (size_t i = 0; i < n; i++)
			free(names[i]);
		free(names);
		if (rc == 0) {
			snprintf(f->what, sizeof f->what, "newest vmlinuz-* in %s on %s", prefix, rootfs_device(r, fs));
			return 0;
		}
	}
	return 1;
}

/* BLS entries on any filesystem, else grub.cfg, else kernel file names; F->fs stays mounted. As the ways. */
static int find_entry(struct rootfs *r, struct found *f, char *err, size_t errlen)
{
	int (*const ways[])(struct rootfs *, size_t, int, struct found *, char *, size_t) = { from_bls, from_grub,
											       from_names };
	for (size_t w = 0; w < sizeof ways / sizeof *ways; w++)
		for (size_t i = 0; i < rootfs_count(r); i++) {
			int root = rootfs_mount(r, i, 0);
			int rc = root < 0 ? 1 : ways[w](r, i, root, f, err, errlen);
			if (rc == 0)
				f->fs = i;
			if (rc <= 0)
				return rc;
		}
	return 1;
}

/* No command line in the entry: the root that the written fstab names. 0, or -1 with ERR. */
static int default_cmdline(struct rootfs *r, struct boot_entry *e, char *err, size_t errlen)
{
	for (size_t i = 0; i < rootfs_count(r) && !*e->cmdline; i++) {
		int root = rootfs_mount(r, i, 0);
		size_t len;
		char *fstab = NULL, why[128];
		if (root >= 0 && rootfs_read(root, "etc/fstab", CONFIG_MAX, &fstab, &len, why, sizeof why) < 0 &&
		    !ABSENT(errno))
			return file_error(err, errlen, rootfs_device(r, i), "etc/fstab", why);
		char *dev = fstab ? bootentry_fstab_root(fstab, len) : NULL;
		if (dev) {
			free(e->cmdline);
			e->cmdline = xasprintf("root=%s ro", dev);
		}
		free(dev);
		free(fstab);
	}
	return 0;
}

/* --- loading ---------------------------------------------------------------------------- */

/* Open PATH of the entry on DEV: as given, else below /boot (a BLS path relative to a /boot that is not separate). */
static int open_boot_file(int root, const char *dev, const char *path, struct stat *st, char *err, size_t errlen)
{
	char why[128], *alt = NULL;
	const char *named = path;
	int fd = rootfs_open_file(root, path, st, why, sizeof why);
	if (fd < 0 && errno == ENOENT) {
		alt = xasprintf("boot/%s", path + (*path == '/'));
		fd = rootfs_open_file(root, alt, st, why, sizeof why);
		named = fd < 0 && errno != ENOENT ? alt : path;
	}
	if (fd < 0)
		file_error(err, errlen, dev, named, why);
	free(alt);
	return fd;
}

/* Open the initrds of E into FDS, at most INITRD_MAX bytes together. 0, or -1 with ERR (FDS closed). */
static int open_initrds(int root, const char *dev, const struct boot_entry *e, int *fds, char *err, size_t errlen)
{
	off_t total = 0;
	for (size_t i = 0; i < e->ninitrd; i++) {
		struct stat st;
		fds[i] = open_boot_file(root, dev, e->initrd[i], &st, err, errlen);
		if (fds[i] >= 0 && (total += st.st_size) > INITRD_MAX) {
			file_error(err, errlen, dev, e->initrd[i], "the entry's initrds come to more than 1 GiB together");
			close(fds[i]);
			fds[i] = -1;
		}
		if (fds[i] < 0) {
			while (i-- > 0)
				close(fds[i]);
			return -1;
		}
	}
	return 0;
}

/* The initrds FDS of E one after the other in memory, as the kernel takes one: an fd, or -1 with ERR. */
static int join_initrds(const int *fds, const char *dev, const struct boot_entry *e, char *err, size_t errlen)
{
	int mem = memfd_create("initrd", MFD_CLOEXEC);
	if (mem < 0)
		return fail("memfd_create: %s", strerror(errno));
	for (size_t i = 0; i < e->ninitrd; i++) {
		char buf[1 << 16];
		ssize_t n;
		while ((n = read(fds[i], buf, sizeof buf)) > 0)
			if (write(mem, buf, (size_t)n) != n) {
				file_error(err, errlen, dev, e->initrd[i], strerror(errno));
				close(mem);
				return -1;
			}
	}
	return mem;
}

static const char *load_error(int e)
{
	switch (e) {
	case ENOSYS:
		return "this kernel has no kexec_file_load (built without CONFIG_KEXEC_FILE)";
	case EPERM:
		return "kexec is not permitted here (kernel lockdown, kernel.kexec_load_disabled, or no CAP_SYS_BOOT)";
	case ENOEXEC:
		return "the running kernel cannot load this kernel image (not a bzImage for this architecture, or "
		       "not signed where signatures are enforced)";
	case EKEYREJECTED:
		return "the kernel image's signature was rejected";
	case EBUSY:
		return "a kexec image is already being loaded";
	default:
		return strerror(e);
	}
}

static void print_entry(FILE *out, const struct found *f, const char *dev, const char *cmdline)
{
	char *shown = bootentry_visible(f->e.kernel);
	fprintf(out, "kernel %s:%s\n", dev, shown);
	free(shown);
	for (size_t i = 0; i < f->e.ninitrd; i++) {
		shown = bootentry_visible(f->e.initrd[i]);
		fprintf(out, "initrd %s:%s\n", dev, shown);
		free(shown);
	}
	fprintf(out, "cmdline %s\n", cmdline);
	fprintf(out, "entry %s%s%s%s\n", f->what, f->e.title ? " \"" : "", f->e.title ? f->e.title : "",
		f->e.title ? "\"" : "");
	fflush(out);
}

/* Open the kernel and initrds of F (regular files, initrds capped) and, unless DRY, load them. 0 or -1 with ERR. */
static int load(struct rootfs *r, const struct found *f, const char *cmdline, int dry, char *err, size_t errlen)
{
	int root = rootfs_mount(r, f->fs, 0);
	const char *dev = rootfs_device(r, f->fs);
	size_t n = f->e.ninitrd;
	struct stat st;
	int *fds = xcalloc(n + 1, sizeof *fds);
	int kfd = open_boot_file(root, dev, f->e.kernel, &st, err, errlen);
	if (kfd < 0 || open_initrds(root, dev, &f->e, fds, err, errlen) < 0) {
		if (kfd >= 0)
			close(kfd);
		free(fds);
		return -1;
	}
	int ifd = n == 1 ? fds[0] : -1, rc = 0;
	if (n > 1 && !dry && (ifd = join_initrds(fds, dev, &f->e, err, errlen)) < 0)
		rc = -1;
	for (size_t i = 0; n > 1 && i < n; i++)
		close(fds[i]);
	free(fds);
	if (rc == 0 && !dry) {
		sync(); /* the image and the hostname reach the disk even if loading hangs the machine */
		if (syscall(SYS_kexec_file_load, kfd, ifd, strlen(cmdline) + 1, cmdline,
			    ifd < 0 ? KEXEC_FILE_NO_INITRAMFS : 0) != 0) {
			const char *why = load_error(errno);
			char *shown = bootentry_visible(f->e.kernel);
			rc = fail("kexec_file_load %s: %s", shown, why);
			free(shown);
		}
	}
	close(kfd);
	if (ifd >= 0)
		close(ifd);
	return rc;
}

static int boot_written(struct rootfs *r, const char *target, const struct kexec_opts *k, FILE *out, char *err,
			size_t errlen)
{
	struct found f;
	memset(&f, 0, sizeof f);
	int found = find_entry(r, &f, err, errlen);
	if (found > 0)
		return fail("%s: no kernel to boot: no BLS entry (/loader/entries, /boot/loader/entries), no grub.cfg "
			    "entry, no /boot/vmlinuz-VERSION on any filesystem it holds", target);
	if (found < 0 || (!*f.e.cmdline && default_cmdline(r, &f.e, err, errlen) < 0)) {
		boot_entry_free(&f.e);
		return -1;
	}
	char *cmdline = xasprintf("%s%s%s", f.e.cmdline, *f.e.cmdline && k->append ? " " : "",
				  k->append ? k->append : "");
	int rc = 0;
	if (strlen(cmdline) >= CMDLINE_MAX)
		rc = fail("the command line is %zu bytes, more than the kernel takes (%d)", strlen(cmdline),
			  CMDLINE_MAX - 1);
	else if (k->dry_run || log_verbosity() > LOG_QUIET)
		print_entry(out, &f, rootfs_device(r, f.fs), cmdline);
	if (rc == 0) /* with -n too: what would be loaded must be there, and be files */
		rc = load(r, &f, cmdline, k->dry_run, err, errlen);
	free(cmdline);
	boot_entry_free(&f.e);
	return rc;
}

/* In the child: both steps; the exit status. */
static int prepare(const char *target, const struct kexec_opts *k, FILE *out, char *err, size_t errlen)
{
	struct rootfs *r;
	if (rootfs_open(target, &r, err, errlen) < 0)
		return k->hostname ? IMAGE_EXIT_WRITE : KEXEC_EXIT;
	int rc = 0;
	if (k->hostname && set_hostname(r, target, k->hostname, err, errlen) < 0)
		rc = IMAGE_EXIT_WRITE;
	else if (k->kexec && boot_written(r, target, k, out, err, errlen) < 0)
		rc = KEXEC_EXIT;
	rootfs_close(r);
	return rc;
}

int kexec_prepare(const char *target, const struct kexec_opts *k, FILE *out, char *err, size_t errlen)
{
	int msg[2];
	if (!k->kexec && !k->hostname)
		return 0;
	int status = k->hostname ? IMAGE_EXIT_WRITE : KEXEC_EXIT; /* when nothing could start */
	if (pipe2(msg, O_CLOEXEC) < 0) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		return status;
	}
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		close(msg[0]);
		int rc = prepare(target, k, out, err, errlen);
		fflush(NULL);
		if (rc && write(msg[1], err, strlen(err)) < 0)
			_exit(IMAGE_EXIT_WRITE);
		_exit(rc);
	}
	int fork_errno = errno;
	close(msg[1]);
	ssize_t n = pid < 0 ? -1 : read(msg[0], err, errlen - 1);
	close(msg[0]);
	int st = 0;
	if (pid < 0) {
		snprintf(err, errlen, "fork: %s", strerror(fork_errno));
		return status;
	}
	waitpid(pid, &st, 0);
	err[n > 0 ? n : 0] = 0;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	if (!err[0])
		snprintf(err, errlen, "%s: the process preparing --kexec/--hostname failed (status %d)", target, st);
	return WIFEXITED(st) && WEXITSTATUS(st) == IMAGE_EXIT_WRITE ? IMAGE_EXIT_WRITE : KEXEC_EXIT;
}

int kexec_execute(char *err, size_t errlen)
{
	sync();
	reboot(LINUX_REBOOT_CMD_KEXEC);
	snprintf(err, errlen, "reboot into the loaded kernel: %s", strerror(errno));
	return KEXEC_EXIT;
}
