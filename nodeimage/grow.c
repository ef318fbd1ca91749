/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * grow — partition and filesystem growth through sfdisk, resize2fs and
 * xfs_growfs (in a private mount namespace).
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fail.h"
#include "fsutil.h"
#include "grow.h"
#include "log.h"
#include "spawn.h"
#include "writer.h"
#include "xalloc.h"

const char *grow_fs_type(const unsigned char *buf, size_t len)
{
	if (len >= 1082 && buf[1080] == 0x53 && buf[1081] == 0xef)
		return "ext4";
	if (len >= 4 && memcmp(buf, "XFSB", 4) == 0)
		return "xfs";
	return NULL;
}

/*
 * Run ARGV with INPUT (or nothing) on stdin. With OUT, stdout is captured
 * (caller frees), else it goes to stderr (or /dev/null when QUIET). Returns
 * the exit status, or -1 if it could not run.
 */
static int run(char *const argv[], const char *input, char **out, int quiet)
{
	struct spawn_opts o = {
		.in = SPAWN_PIPE,
		.out = out ? SPAWN_PIPE : quiet ? SPAWN_NULL : SPAWN_STDERR,
		.err = quiet ? SPAWN_NULL : SPAWN_INHERIT,
	};
	struct spawn s;
	if (spawn_start(&s, argv, &o) < 0)
		return -1;
	if (input && fs_write_all(s.in, input, strlen(input)) < 0)
		warnmsg_errno("%s: stdin", argv[0]);
	close(s.in);
	s.in = -1;
	if (out)
		*out = fs_read_fd(s.out, SIZE_MAX, NULL);
	int st = spawn_finish(&s);
	return st < 0 ? -1 : spawn_exit_code(st);
}

/* The node and number of the partition that ends last, from sfdisk --json. */
static int last_partition(const char *dev, char **node, int *num, int *gpt, char *err, size_t errlen)
{
	char *out = NULL;
	char *argv[] = { "sfdisk", "--json", (char *)dev, NULL };
	if (run(argv, NULL, &out, 1) != 0) {
		free(out);
		return fail("%s: sfdisk --json found no partition table", dev);
	}
	json_error_t je;
	json_t *root = json_loads(out, 0, &je);
	free(out);
	json_t *pt = json_object_get(root, "partitiontable");
	json_t *parts = json_object_get(pt, "partitions");
	json_int_t best = -1;
	size_t i;
	json_t *p;
	*node = NULL;
	json_array_foreach(parts, i, p) {
		json_int_t end = json_integer_value(json_object_get(p, "start")) +
				 json_integer_value(json_object_get(p, "size"));
		const char *n = json_string_value(json_object_get(p, "node"));
		if (n && end > best) {
			best = end;
			free(*node);
			*node = xstrdup(n);
		}
	}
	const char *label = json_string_value(json_object_get(pt, "label"));
	*gpt = label && strcmp(label, "gpt") == 0;
	json_decref(root);
	if (!*node)
		return fail("%s: no partition to grow", dev);
	const char *d = *node + strlen(*node);
	while (d > *node && d[-1] >= '0' && d[-1] <= '9')
		d--;
	*num = atoi(d);
	return 0;
}

/* Read the superblock area of PART and name its filesystem; waits up to 5 s for the node. */
static const char *probe_fs(const char *part)
{
	unsigned char buf[4096];
	int fd = -1;
	for (int i = 0; i < 50 && fd < 0; i++) {
		fd = open(part, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			usleep(100000);
	}
	if (fd < 0)
		return NULL;
	ssize_t n = pread(fd, buf, sizeof buf, 0);
	close(fd);
	return n > 0 ? grow_fs_type(buf, (size_t)n) : NULL;
}

static int grow_ext(const char *part, int quiet, char *err, size_t errlen)
{
	char *fsck[] = { "e2fsck", "-f", "-p", (char *)part, NULL };
	int st = run(fsck, NULL, NULL, quiet);
	if (st < 0 || st > 1)
		return fail("%s: e2fsck -f -p failed (status %d); partition grown, filesystem not", part, st);
	char *resize[] = { "resize2fs", (char *)part, NULL };
	if ((st = run(resize, NULL, NULL, quiet)) != 0)
		return fail("%s: resize2fs failed (status %d); partition grown, filesystem not", part, st);
	return 0;
}

/* In the child: mount PART on DIR in a mount namespace of its own, xfs_growfs, unmount. */
static int xfs_grow_private(const char *part, const char *dir, int quiet, char *err, size_t errlen)
{
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return fail("%s: cannot make a private mount namespace: %s; partition grown, filesystem not", part,
			    strerror(errno));
	/* nouuid: a running system may have a filesystem from the same image mounted */
	if (mount(part, dir, "xfs", MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME, "nouuid") < 0)
		return fail("%s: cannot mount the XFS to grow it: %s; partition grown, filesystem not", part,
			    strerror(errno));
	char *argv[] = { "xfs_growfs", (char *)dir, NULL };
	int st = run(argv, NULL, NULL, quiet);
	int rc = st == 0 ? 0 : fail("%s: xfs_growfs failed (status %d); partition grown, filesystem not", part, st);
	if (umount(dir) < 0 && rc == 0)
		rc = fail("%s: cannot unmount it after xfs_growfs: %s", part, strerror(errno));
	return rc;
}

/*
 * xfs_growfs grows only a mounted XFS. A child process mounts it in a mount
 * namespace of its own, so no other process sees the mount and it cannot
 * outlive the child; its message comes back through a pipe.
 */
static int grow_xfs(const char *part, int quiet, char *err, size_t errlen)
{
	char dir[] = "/tmp/nodeimage.XXXXXX";
	int msg[2];
	if (!mkdtemp(dir))
		return fail("cannot make a mount point: %s", strerror(errno));
	if (pipe2(msg, O_CLOEXEC) < 0) {
		rmdir(dir);
		return fail("pipe: %s", strerror(errno));
	}
	fflush(NULL);
	pid_t pid = fork();
	int fork_errno = errno;
	if (pid == 0) {
		close(msg[0]);
		int rc = xfs_grow_private(part, dir, quiet, err, errlen);
		if (rc < 0 && write(msg[1], err, strlen(err)) < 0)
			_exit(2);
		_exit(rc < 0);
	}
	close(msg[1]);
	ssize_t n = pid < 0 ? -1 : read(msg[0], err, errlen - 1);
	close(msg[0]);
	int st = pid > 0 ? spawn_wait(pid) : -1;
	rmdir(dir);
	if (pid < 0)
		return fail("fork: %s", strerror(fork_errno));
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	if (n > 0) {
		err[n] = 0;
		return -1;
	}
	return fail("%s: the process growing the XFS failed (status %d)", part, st);
}

/*
 * Make the kernel see the new partition size: BLKRRPART, then partx (BLKPG,
 * which also works where the kernel cannot parse the table itself).
 */
static void tell_kernel(const char *dev, const char *node, int quiet)
{
	char *update[] = { "partx", "-u", (char *)dev, NULL };
	char *add[] = { "partx", "-a", (char *)dev, NULL };
	writer_reread_partitions(dev);
	run(update, NULL, NULL, quiet);
	if (access(node, F_OK) < 0)
		run(add, NULL, NULL, 1);
}

int grow_disk(const char *dev, int quiet, char *err, size_t errlen)
{
	char *node = NULL, num[16];
	int n, gpt;
	if (last_partition(dev, &node, &n, &gpt, err, errlen) < 0)
		return -1;
	snprintf(num, sizeof num, "%d", n);
	int rc = 0, st;
	char *relocate[] = { "sfdisk", "--relocate", "gpt-bak-std", (char *)dev, NULL };
	char *resize[] = { "sfdisk", "--no-reread", "-N", num, (char *)dev, NULL };
	if (gpt && (st = run(relocate, NULL, NULL, quiet)) != 0)
		rc = fail("%s: sfdisk --relocate gpt-bak-std failed (status %d)", dev, st);
	else if ((st = run(resize, ", +\n", NULL, quiet)) != 0)
		rc = fail("%s: sfdisk could not grow partition %d (status %d)", dev, n, st);
	else
		tell_kernel(dev, node, quiet);
	if (rc == 0) {
		const char *fs = probe_fs(node);
		if (access(node, F_OK) < 0)
			rc = fail("%s: partition %d grown, but %s did not appear", dev, n, node);
		else if (!fs)
			warnmsg("%s: partition grown; no ext4 or XFS filesystem on it to grow", node);
		else if (strcmp(fs, "xfs") == 0)
			rc = grow_xfs(node, quiet, err, errlen);
		else
			rc = grow_ext(node, quiet, err, errlen);
	}
	free(node);
	return rc;
}
