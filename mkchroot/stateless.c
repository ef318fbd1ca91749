/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * stateless — post steps for a stateless node root (see stateless.h).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsutil.h"
#include "log.h"
#include "stateless.h"
#include "xalloc.h"

const char mkc_stateless_fstab[] =
	"# stateless node root, written by mkchroot\n"
	"tmpfs   /dev/shm  tmpfs   defaults              0 0\n"
	"devpts  /dev/pts  devpts  gid=5,mode=620        0 0\n"
	"sysfs   /sys      sysfs   defaults              0 0\n"
	"proc    /proc     proc    defaults              0 0\n"
	"tmpfs   /tmp      tmpfs   defaults,nosuid,nodev 0 0\n";

char *mkc_shadow_lock_root(const char *text, size_t len, size_t *outlen)
{
	char *out = xmalloc(2 * len + 3);
	size_t o = 0;
	for (size_t i = 0; i < len;) {
		const char *line = text + i;
		const char *nl = memchr(line, '\n', len - i);
		size_t n = nl ? (size_t)(nl - line) + 1 : len - i;
		i += n;
		if (n < 5 || memcmp(line, "root:", 5) != 0) {
			memcpy(out + o, line, n);
			o += n;
			continue;
		}
		const char *pw = line + 5, *end = line + n;
		size_t pwlen = 0;
		while (pw + pwlen < end && pw[pwlen] != ':' && pw[pwlen] != '\n')
			pwlen++;
		memcpy(out + o, "root:", 5);
		o += 5;
		if (pwlen == 0 || (pwlen == 1 && pw[0] == '*')) {
			memcpy(out + o, "!*", 2);
			o += 2;
		} else {
			if (pw[0] != '!')
				out[o++] = '!';
			memcpy(out + o, pw, pwlen);
			o += pwlen;
		}
		size_t rest = (size_t)(end - (pw + pwlen));
		memcpy(out + o, pw + pwlen, rest);
		o += rest;
	}
	out[o] = '\0';
	*outlen = o;
	return out;
}

/* Remove REL under ROOTFD if it is there (never through a symlink). */
static int remove_beneath(int rootfd, const char *rel)
{
	const char *slash = strrchr(rel, '/');
	char *dir = xstrndup(rel, (size_t)(slash - rel));
	int dfd = fs_open_beneath(rootfd, dir, O_RDONLY | O_DIRECTORY, 0);
	free(dir);
	if (dfd < 0)
		return errno == ENOENT ? 0 : -1;
	int rc = unlinkat(dfd, slash + 1, 0);
	close(dfd);
	return rc < 0 && errno != ENOENT ? -1 : 0;
}

static int lock_root(int rootfd)
{
	int fd = fs_open_beneath(rootfd, "etc/shadow", O_RDONLY, 0);
	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	struct stat sb;
	char *text = NULL;
	int rc = -1;
	if (fstat(fd, &sb) == 0 && sb.st_size < (1 << 24)) {
		text = xmalloc((size_t)sb.st_size + 1);
		ssize_t n = read(fd, text, (size_t)sb.st_size);
		if (n == sb.st_size) {
			size_t len;
			char *out = mkc_shadow_lock_root(text, (size_t)n, &len);
			rc = fs_write_beneath(rootfd, "etc/shadow", out, len, sb.st_mode & 07777, sb.st_uid, sb.st_gid);
			free(out);
		}
	}
	free(text);
	close(fd);
	return rc;
}

/* Every etc/ssh/ssh_host_* file. */
static int remove_host_keys(int rootfd)
{
	int dfd = fs_open_beneath(rootfd, "etc/ssh", O_RDONLY | O_DIRECTORY, 0);
	if (dfd < 0)
		return errno == ENOENT ? 0 : -1;
	DIR *d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return -1;
	}
	int rc = 0;
	struct dirent *de;
	while ((de = readdir(d)))
		if (strncmp(de->d_name, "ssh_host_", 9) == 0 && unlinkat(dirfd(d), de->d_name, 0) < 0)
			rc = -1;
	closedir(d);
	return rc;
}

int mkc_stateless(const char *root)
{
	int rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0) {
		warnmsg_errno("%s", root);
		return -1;
	}
	static const char *const gone[] = {
		"etc/hostname", "etc/udev/rules.d/70-persistent-net.rules",
		"etc/udev/rules.d/75-persistent-net-generator.rules", "var/lib/dbus/machine-id",
		"var/lib/systemd/random-seed", NULL,
	};
	int rc = 0;
	struct { const char *what; int ok; } steps[] = {
		{ "etc/fstab", fs_write_beneath(rootfd, "etc/fstab", mkc_stateless_fstab, strlen(mkc_stateless_fstab), 0644, 0, 0) },
		{ "etc/machine-id", fs_write_beneath(rootfd, "etc/machine-id", "", 0, 0444, 0, 0) },
		{ "etc/shadow", lock_root(rootfd) },
		{ "etc/ssh/ssh_host_*", remove_host_keys(rootfd) },
	};
	for (size_t i = 0; i < sizeof steps / sizeof *steps; i++)
		if (steps[i].ok < 0) {
			warnmsg_errno("%s/%s", root, steps[i].what);
			rc = -1;
		}
	for (size_t i = 0; gone[i]; i++) {
		struct stat sb;
		/* dbus' machine-id is usually a symlink to /etc/machine-id: keep that */
		if (fstatat(rootfd, gone[i], &sb, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(sb.st_mode) &&
		    strstr(gone[i], "machine-id"))
			continue;
		if (remove_beneath(rootfd, gone[i]) < 0) {
			warnmsg_errno("%s/%s", root, gone[i]);
			rc = -1;
		}
	}
	close(rootfd);
	return rc;
}
