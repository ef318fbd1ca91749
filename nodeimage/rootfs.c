/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rootfs — mount the filesystems of a written disk in a private mount
 * namespace, one directory each on a tmpfs that hides /tmp from nobody else.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/loop.h>
#include <linux/openat2.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rootfs.h"
#include "spawn.h"
#include "writer.h"
#include "xalloc.h"

#define fail(...) (snprintf(err, errlen, __VA_ARGS__), -1)
#define MAX_FS 64
#define TOP "/tmp" /* covered by a tmpfs in our own namespace */

struct rootfs {
	char *dev[MAX_FS];
	int num[MAX_FS];   /* partition number, for the order */
	int fd[MAX_FS];    /* directory fd while mounted, else -1 */
	size_t n;
	int loop;          /* a loop device we attached (detached on last close), or -1 */
};

int rootfs_openat(int root, const char *path, int flags)
{
	struct open_how how = { .flags = (unsigned)(flags | O_CLOEXEC),
				.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV };
	while (*path == '/')
		path++;
	return (int)syscall(SYS_openat2, root, *path ? path : ".", &how, sizeof how);
}

static const char *file_type(mode_t m)
{
	return S_ISDIR(m) ? "a directory" : S_ISFIFO(m) ? "a FIFO" : S_ISCHR(m) ? "a character device"
	     : S_ISBLK(m) ? "a block device" : S_ISSOCK(m) ? "a socket" : "of an unknown type";
}

int rootfs_open_file(int root, const char *path, struct stat *st, char *why, size_t whylen)
{
	/* O_NONBLOCK: opening a FIFO would wait for a writer that never comes */
	int fd = rootfs_openat(root, path, O_RDONLY | O_NONBLOCK | O_NOCTTY);
	int e = errno;
	if (fd >= 0 && fstat(fd, st) == 0) {
		if (S_ISREG(st->st_mode))
			return fd;
		snprintf(why, whylen, "not a regular file (%s)", file_type(st->st_mode));
		e = EINVAL;
	} else {
		e = fd >= 0 ? errno : e;
		snprintf(why, whylen, "%s", strerror(e));
	}
	if (fd >= 0)
		close(fd);
	errno = e;
	return -1;
}

int rootfs_read(int root, const char *path, size_t max, char **buf, size_t *len, char *why, size_t whylen)
{
	struct stat st;
	int fd = rootfs_open_file(root, path, &st, why, whylen);
	if (fd < 0)
		return -1;
	if ((size_t)st.st_size > max) {
		close(fd);
		snprintf(why, whylen, "larger than %zu KiB", max >> 10);
		errno = EFBIG;
		return -1;
	}
	char *b = xmalloc((size_t)st.st_size + 1);
	size_t got = 0;
	ssize_t n;
	while (got < (size_t)st.st_size && (n = read(fd, b + got, (size_t)st.st_size - got)) > 0)
		got += (size_t)n;
	close(fd);
	b[got] = 0;
	*buf = b;
	if (len)
		*len = got;
	return 0;
}

static int has_file(int root, const char *path)
{
	int fd = rootfs_openat(root, path, O_PATH);
	if (fd >= 0)
		close(fd);
	return fd >= 0;
}

int rootfs_is_root(int root)
{
	return has_file(root, "etc/fstab") || has_file(root, "etc/os-release");
}

/* Wait up to 5 s for device node PATH (udev or devtmpfs makes it). */
static int wait_node(const char *path)
{
	for (int i = 0; i < 50; i++) {
		if (access(path, F_OK) == 0)
			return 0;
		usleep(100000);
	}
	return -1;
}

static void add_fs(struct rootfs *r, const char *dev, int num)
{
	size_t i = r->n++;
	while (i > 0 && r->num[i - 1] > num) { /* keep table order */
		r->dev[i] = r->dev[i - 1];
		r->num[i] = r->num[i - 1];
		i--;
	}
	r->dev[i] = xstrdup(dev);
	r->num[i] = num;
}

/* The kernel's partitions of block device RDEV, from sysfs. */
static void list_partitions(struct rootfs *r, dev_t rdev)
{
	char path[128];
	snprintf(path, sizeof path, "/sys/dev/block/%u:%u", major(rdev), minor(rdev));
	DIR *d = opendir(path);
	struct dirent *de;
	while (d && (de = readdir(d)) && r->n < MAX_FS) {
		char file[512], num[16] = "";
		snprintf(file, sizeof file, "%s/%s/partition", path, de->d_name);
		int fd = open(file, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		ssize_t k = read(fd, num, sizeof num - 1);
		close(fd);
		snprintf(file, sizeof file, "/dev/%s", de->d_name);
		if (k > 0 && wait_node(file) == 0)
			add_fs(r, file, atoi(num));
	}
	if (d)
		closedir(d);
}

/* partx OP DEV: the kernel's partitions through BLKPG (-a add, -d delete), as the table says. */
static void partx(const char *op, const char *dev)
{
	char *argv[] = { "partx", (char *)op, (char *)dev, NULL };
	struct spawn_opts so = { .out = SPAWN_NULL, .err = SPAWN_NULL };
	struct spawn s;
	if (spawn_start(&s, argv, &so) == 0)
		spawn_finish(&s);
}

/*
 * The partitions of block device DEV (RDEV), as the table just written says:
 * the kernel re-reads it; where it cannot (a loop device without partition
 * scanning), the partitions it still has from an earlier image are dropped;
 * where it found none (no parser for the table), partx adds them.
 */
static void partitions(struct rootfs *r, const char *dev, dev_t rdev)
{
	if (writer_reread_partitions(dev) < 0)
		partx("-d", dev);
	list_partitions(r, rdev);
	if (r->n == 0) {
		partx("-a", dev);
		list_partitions(r, rdev);
	}
}

/* Attach TARGET to a free loop device that scans partitions; its rdev, or -1 with ERR. */
static int attach_loop(struct rootfs *r, const char *target, dev_t *rdev, char *err, size_t errlen)
{
	int ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
	int back = open(target, O_RDWR | O_CLOEXEC);
	if (ctl < 0 || back < 0) {
		int e = errno;
		if (ctl >= 0)
			close(ctl);
		if (back >= 0)
			close(back);
		return fail("%s: cannot attach a loop device: %s", target, strerror(e));
	}
	struct loop_config c = { .fd = (unsigned)back, .info.lo_flags = LO_FLAGS_PARTSCAN | LO_FLAGS_AUTOCLEAR };
	int rc = -1;
	for (int tries = 0; tries < 10 && rc < 0; tries++) { /* another process may take it first */
		char name[32];
		int n = ioctl(ctl, LOOP_CTL_GET_FREE);
		snprintf(name, sizeof name, "/dev/loop%d", n);
		if (n < 0 || wait_node(name) < 0 || (r->loop = open(name, O_RDWR | O_CLOEXEC)) < 0)
			break;
		struct stat st;
		if (ioctl(r->loop, LOOP_CONFIGURE, &c) == 0 && fstat(r->loop, &st) == 0) {
			*rdev = st.st_rdev;
			rc = 0;
		} else {
			close(r->loop);
			r->loop = -1;
		}
	}
	int e = errno;
	close(back);
	close(ctl);
	return rc == 0 ? 0 : fail("%s: cannot attach a loop device: %s", target, strerror(e));
}

/* The candidates: the device's partitions, else a loop device's, else the whole target. */
static int find_filesystems(struct rootfs *r, const char *target, char *err, size_t errlen)
{
	struct stat st;
	if (stat(target, &st) < 0)
		return fail("%s: %s", target, strerror(errno));
	if (S_ISBLK(st.st_mode)) {
		partitions(r, target, st.st_rdev);
		if (r->n == 0)
			add_fs(r, target, 0);
		return 0;
	}
	if (!S_ISREG(st.st_mode))
		return fail("%s: not a block device or a file", target);
	dev_t loop;
	char name[64];
	if (attach_loop(r, target, &loop, err, errlen) < 0)
		return -1;
	snprintf(name, sizeof name, "/dev/loop%u", minor(loop));
	partitions(r, name, loop);
	if (r->n == 0)
		add_fs(r, name, 0);
	return 0;
}

int rootfs_open(const char *target, struct rootfs **rp, char *err, size_t errlen)
{
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return fail("cannot make a private mount namespace: %s", strerror(errno));
	struct rootfs *r = xcalloc(1, sizeof *r);
	r->loop = -1;
	for (size_t i = 0; i < MAX_FS; i++)
		r->fd[i] = -1;
	if (find_filesystems(r, target, err, errlen) < 0) { /* before the tmpfs hides a target in /tmp */
		rootfs_close(r);
		return -1;
	}
	if (mount("nodeimage", TOP, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=700,size=1m") < 0) {
		snprintf(err, errlen, "cannot mount a tmpfs on %s: %s", TOP, strerror(errno));
		rootfs_close(r);
		return -1;
	}
	*rp = r;
	return 0;
}

size_t rootfs_count(const struct rootfs *r)
{
	return r->n;
}

const char *rootfs_device(const struct rootfs *r, size_t i)
{
	return r->dev[i];
}

int rootfs_mount(struct rootfs *r, size_t i, int rw)
{
	static const char *const types[] = { "ext4", "xfs", "btrfs", "vfat" };
	char dir[64];
	if (r->fd[i] >= 0)
		return r->fd[i];
	snprintf(dir, sizeof dir, TOP "/%zu", i);
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return -1;
	unsigned long flags = MS_NOSUID | MS_NODEV | MS_NOEXEC | (rw ? 0 : MS_RDONLY);
	for (size_t t = 0; t < sizeof types / sizeof *types; t++) {
		int xfs = strcmp(types[t], "xfs") == 0;
		if (rw && strcmp(types[t], "vfat") == 0)
			break;
		/* nouuid: the running system may have mounted a filesystem from the same image */
		if (mount(r->dev[i], dir, types[t], flags, xfs ? (rw ? "nouuid" : "nouuid,norecovery") : NULL) == 0) {
			r->fd[i] = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			if (r->fd[i] < 0)
				umount(dir);
			return r->fd[i];
		}
	}
	return -1;
}

int rootfs_umount(struct rootfs *r, size_t i)
{
	char dir[64];
	if (r->fd[i] < 0)
		return 0;
	snprintf(dir, sizeof dir, TOP "/%zu", i);
	syncfs(r->fd[i]);
	close(r->fd[i]);
	r->fd[i] = -1;
	return umount(dir);
}

void rootfs_close(struct rootfs *r)
{
	for (size_t i = 0; i < r->n; i++) {
		rootfs_umount(r, i);
		free(r->dev[i]);
	}
	if (r->loop >= 0)
		close(r->loop);
	free(r);
}
