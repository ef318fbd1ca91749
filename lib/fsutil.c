/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fsutil.h"
#include "log.h"
#include "xalloc.h"

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}

/*
 * Temporary files being written. SIGINT, SIGTERM or SIGHUP at their default
 * action would leave them behind: while one exists, a handler unlinks them
 * and dies of the signal as before. Installed only over the default action,
 * so a tool's own handlers (fanout's) keep precedence.
 */
#define LIVE_TMP_SLOTS 16
static struct {
	volatile sig_atomic_t used;
	int dirfd;
	char name[NAME_MAX + 1];
} live_tmp[LIVE_TMP_SLOTS];

static void on_fatal_signal(int sig)
{
	for (int i = 0; i < LIVE_TMP_SLOTS; i++)
		if (live_tmp[i].used)
			unlinkat(live_tmp[i].dirfd, live_tmp[i].name, 0);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void live_tmp_add(const struct fs_tmpfile *t)
{
	static int installed;
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
	if (!installed) {
		installed = 1;
		for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++) {
			struct sigaction old, sa = {.sa_handler = on_fatal_signal};
			if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler == SIG_DFL)
				sigaction(sigs[i], &sa, NULL);
		}
	}
	if (strlen(t->tmp_name) > NAME_MAX)
		return;
	for (int i = 0; i < LIVE_TMP_SLOTS; i++)
		if (!live_tmp[i].used) {
			live_tmp[i].dirfd = t->dirfd;
			strcpy(live_tmp[i].name, t->tmp_name);
			live_tmp[i].used = 1;
			return;
		}
}

static void live_tmp_remove(const struct fs_tmpfile *t)
{
	for (int i = 0; t->tmp_name && i < LIVE_TMP_SLOTS; i++)
		if (live_tmp[i].used && live_tmp[i].dirfd == t->dirfd && !strcmp(live_tmp[i].name, t->tmp_name))
			live_tmp[i].used = 0;
}

int fs_tmp_open(int dirfd, const char *path, mode_t mode, struct fs_tmpfile *t)
{
	char *dir = dir_of(path);
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	memset(t, 0, sizeof *t);
	t->fd = t->dirfd = -1;
	if (*base == '\0') {
		free(dir);
		errno = EISDIR;
		return -1;
	}
	t->dirfd = openat(dirfd, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(dir);
	if (t->dirfd < 0)
		return -1;
	t->final_name = xstrdup(base);
	for (int tries = 0; tries < 100; tries++) {
		free(t->tmp_name);
		t->tmp_name = xasprintf(".%s.%ld.%08lx.tmp", base, (long)getpid(),
					(unsigned long)random());
		t->fd = openat(t->dirfd, t->tmp_name,
			       O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
		if (t->fd >= 0) {
			/* umask must not decide the final mode */
			if (fchmod(t->fd, mode) == 0) {
				live_tmp_add(t);
				return 0;
			}
			fs_tmp_abort(t);
			return -1;
		}
		if (errno != EEXIST)
			break;
	}
	int e = errno;
	fs_tmp_abort(t);
	errno = e;
	return -1;
}

int fs_tmp_commit(struct fs_tmpfile *t)
{
	if (fsync(t->fd) < 0 || close(t->fd) < 0) {
		int e = errno;
		t->fd = -1;
		fs_tmp_abort(t);
		errno = e;
		return -1;
	}
	t->fd = -1;
	if (renameat(t->dirfd, t->tmp_name, t->dirfd, t->final_name) < 0) {
		int e = errno;
		fs_tmp_abort(t);
		errno = e;
		return -1;
	}
	fsync(t->dirfd);
	live_tmp_remove(t);
	free(t->tmp_name);
	t->tmp_name = NULL;
	fs_tmp_abort(t);
	return 0;
}

void fs_tmp_abort(struct fs_tmpfile *t)
{
	int e = errno;
	if (t->fd >= 0)
		close(t->fd);
	if (t->tmp_name && t->dirfd >= 0)
		unlinkat(t->dirfd, t->tmp_name, 0);
	live_tmp_remove(t);
	if (t->dirfd >= 0)
		close(t->dirfd);
	free(t->tmp_name);
	free(t->final_name);
	memset(t, 0, sizeof *t);
	t->fd = t->dirfd = -1;
	errno = e;
}

int fs_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int fs_atomic_write(const char *path, const void *buf, size_t len, mode_t mode)
{
	struct fs_tmpfile t;
	if (fs_tmp_open(AT_FDCWD, path, mode, &t) < 0)
		return -1;
	if (fs_write_all(t.fd, buf, len) < 0) {
		fs_tmp_abort(&t);
		return -1;
	}
	return fs_tmp_commit(&t);
}

char *fs_read_fd(int fd, size_t max, size_t *lenp)
{
	size_t cap = 4096, len = 0;
	char *buf = xmalloc(cap + 1);
	for (;;) {
		if (len == cap) {
			if (cap >= max) {
				free(buf);
				errno = EFBIG;
				return NULL;
			}
			cap *= 2;
			buf = xrealloc(buf, cap + 1);
		}
		ssize_t n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;
			free(buf);
			errno = e;
			return NULL;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > max) {
		free(buf);
		errno = EFBIG;
		return NULL;
	}
	buf[len] = '\0';
	if (lenp)
		*lenp = len;
	return buf;
}

char *fs_read_file(const char *path, size_t max, size_t *lenp)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	char *buf = fs_read_fd(fd, max, lenp);
	int e = errno;
	close(fd);
	errno = e;
	return buf;
}

int fs_name_is_safe(const char *name)
{
	if (!name || *name == '\0' || *name == '/')
		return 0;
	const char *p = name;
	while (*p) {
		const char *end = strchr(p, '/');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			return 0;
		p += n;
		if (*p == '/')
			p++;
		if (end && *p == '\0')
			return 0; /* trailing slash: empty last component */
	}
	return 1;
}

char *fs_join_safe(const char *dir, const char *name)
{
	if (!fs_name_is_safe(name)) {
		errno = EINVAL;
		return NULL;
	}
	size_t dl = strlen(dir);
	if (dl > 0 && dir[dl - 1] == '/')
		return xasprintf("%s%s", dir, name);
	return xasprintf("%s/%s", dir, name);
}

int fs_open_beneath(int dirfd, const char *name, int flags, mode_t mode)
{
	struct open_how how = {
		.flags = (unsigned long long)(flags | O_CLOEXEC),
		.mode = (flags & (O_CREAT | O_TMPFILE)) ? mode : 0,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};
	if (!fs_name_is_safe(name)) {
		errno = EINVAL;
		return -1;
	}
	return (int)syscall(SYS_openat2, dirfd, name, &how, sizeof how);
}

int fs_mkdirs_beneath(int dirfd, const char *name, mode_t mode)
{
	if (!fs_name_is_safe(name)) {
		errno = EINVAL;
		return -1;
	}
	char *path = xstrdup(name);
	int rc = 0;
	for (char *p = path;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char saved = *p;
		*p = '\0';
		if (mkdirat(dirfd, path, mode) < 0 && errno != EEXIST) {
			rc = -1;
		} else {
			/* an existing component must be a real directory, not a symlink */
			int fd = fs_open_beneath(dirfd, path, O_RDONLY | O_DIRECTORY, 0);
			if (fd < 0)
				rc = -1;
			else
				close(fd);
		}
		*p = saved;
		if (rc < 0 || saved == '\0')
			break;
	}
	int e = errno;
	free(path);
	errno = e;
	return rc;
}

int fs_write_beneath(int rootfd, const char *rel, const void *buf, size_t len, mode_t mode, uid_t uid, gid_t gid)
{
	const char *slash = strrchr(rel, '/');
	char *dir = xstrndup(rel, (size_t)(slash - rel));
	if (fs_mkdirs_beneath(rootfd, dir, 0755) < 0) {
		free(dir);
		return -1;
	}
	int dfd = fs_open_beneath(rootfd, dir, O_RDONLY | O_DIRECTORY, 0);
	free(dir);
	if (dfd < 0)
		return -1;
	struct fs_tmpfile t;
	int rc = fs_tmp_open(dfd, slash + 1, mode, &t);
	close(dfd);
	if (rc < 0)
		return -1;
	if (fs_write_all(t.fd, buf, len) < 0 || (uid != (uid_t)-1 && fchown(t.fd, uid, gid) < 0) ||
	    fchmod(t.fd, mode) < 0) {
		fs_tmp_abort(&t);
		return -1;
	}
	return fs_tmp_commit(&t);
}
