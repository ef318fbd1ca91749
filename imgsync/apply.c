/* SPDX-License-Identifier: BSD-3-Clause */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "apply.h"
#include "fsutil.h"
#include "log.h"
#include "xalloc.h"

int imgs_dirs_open(struct imgs_dirs *d, const char *root, int create)
{
	memset(d, 0, sizeof *d);
	d->rootfd = d->curfd = -1;
	if (create && mkdir(root, 0755) < 0 && errno != EEXIST)
		return -1;
	d->rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (d->rootfd < 0)
		return -1;
	struct stat st;
	if (fstat(d->rootfd, &st) < 0) {
		close(d->rootfd);
		d->rootfd = -1;
		return -1;
	}
	d->rootdev = st.st_dev;
	return 0;
}

void imgs_dirs_close(struct imgs_dirs *d)
{
	if (d->curfd >= 0)
		close(d->curfd);
	if (d->rootfd >= 0)
		close(d->rootfd);
	free(d->cur);
	memset(d, 0, sizeof *d);
	d->rootfd = d->curfd = -1;
}

int imgs_dirs_parent(struct imgs_dirs *d, const char *path, const char **base)
{
	const char *slash = strrchr(path, '/');
	if (!slash) {
		*base = path;
		return d->rootfd;
	}
	*base = slash + 1;
	size_t n = (size_t)(slash - path);
	if (d->cur && strlen(d->cur) == n && memcmp(d->cur, path, n) == 0) {
		if (d->curfd >= 0)
			return d->curfd;
	}
	if (d->curfd >= 0)
		close(d->curfd);
	free(d->cur);
	d->cur = xstrndup(path, n);
	d->curfd = fs_open_beneath(d->rootfd, d->cur, O_RDONLY | O_DIRECTORY, 0);
	if (d->curfd < 0)
		return -1;
	struct stat st;
	if (fstat(d->curfd, &st) < 0 || st.st_dev != d->rootdev) {
		close(d->curfd);
		d->curfd = -1;
		errno = EXDEV;
		return -1;
	}
	return d->curfd;
}

void imgs_have_read(int dirfd, const char *name, int want_sum, struct imgs_have *h)
{
	memset(h, 0, sizeof *h);
	int r = name ? fstatat(dirfd, name, &h->st, AT_SYMLINK_NOFOLLOW) : fstat(dirfd, &h->st);
	if (r < 0)
		return;
	h->exists = 1;
	imgs_read_xattrs(dirfd, name, &h->xs, &h->nx);
	if (S_ISLNK(h->st.st_mode)) {
		char buf[4096];
		ssize_t n = readlinkat(dirfd, name, buf, sizeof buf - 1);
		h->target = xstrndup(buf, n > 0 ? (size_t)n : 0);
	}
	if (want_sum && S_ISREG(h->st.st_mode)) {
		int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		if (fd >= 0 && imgs_checksum_fd(fd, h->sum) == 0)
			h->has_sum = 1;
		if (fd >= 0)
			close(fd);
	}
}

void imgs_have_free(struct imgs_have *h)
{
	imgs_xattrs_free(h->xs, h->nx);
	free(h->target);
	memset(h, 0, sizeof *h);
}

struct named {
	char *name;
	unsigned char type;
};

static int named_cmp(const void *a, const void *b)
{
	return strcmp(((const struct named *)a)->name, ((const struct named *)b)->name);
}

char **imgs_dir_names(int fd, size_t *np, unsigned char **types)
{
	*np = 0;
	if (types)
		*types = NULL;
	int dfd = dup(fd);
	DIR *dir = dfd >= 0 ? fdopendir(dfd) : NULL;
	if (!dir) {
		if (dfd >= 0)
			close(dfd);
		return NULL;
	}
	rewinddir(dir);
	struct named *v = NULL;
	size_t n = 0;
	struct dirent *de;
	while ((de = readdir(dir)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		v = xgrowarray(v, n, sizeof *v);
		v[n++] = (struct named){ xstrdup(de->d_name), de->d_type };
	}
	closedir(dir);
	if (n > 1)
		qsort(v, n, sizeof *v, named_cmp);
	char **names = n ? xcalloc(n, sizeof *names) : NULL;
	if (types && n)
		*types = xmalloc(n);
	for (size_t i = 0; i < n; i++) {
		names[i] = v[i].name;
		if (types)
			(*types)[i] = v[i].type;
	}
	free(v);
	*np = n;
	return names;
}

int imgs_rm_rf(int dirfd, const char *name, const char *relpath, dev_t rootdev, int dry,
	       imgs_del_cb cb, void *arg)
{
	struct stat st;
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : -1;
	int rc = 0;
	if (S_ISDIR(st.st_mode)) {
		if (st.st_dev != rootdev) {
			warnmsg("%s: another filesystem is mounted here; left alone", relpath);
			return -1;
		}
		int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0) {
			warnmsg_errno("%s", relpath);
			return -1;
		}
		size_t n;
		char **names = imgs_dir_names(fd, &n, NULL);
		for (size_t i = 0; i < n; i++) {
			char *sub = xasprintf("%s/%s", relpath, names[i]);
			if (imgs_rm_rf(fd, names[i], sub, rootdev, dry, cb, arg) < 0)
				rc = -1;
			free(sub);
			free(names[i]);
		}
		free(names);
		close(fd);
	}
	if (cb)
		cb(arg, relpath, S_ISDIR(st.st_mode));
	if (!dry && rc == 0 && unlinkat(dirfd, name, S_ISDIR(st.st_mode) ? AT_REMOVEDIR : 0) < 0) {
		warnmsg_errno("%s: delete", relpath);
		rc = -1;
	}
	return rc;
}

static char *proc_path(int dirfd, const char *name)
{
	return name ? xasprintf("/proc/self/fd/%d/%s", dirfd, name) : xasprintf("/proc/self/fd/%d", dirfd);
}

/* Make PATH's xattrs those of E: set every listed one, remove the others in H. */
static int sync_xattrs(const char *path, int fd, const struct imgs_entry *e, const struct imgs_have *h,
		       int force)
{
	int rc = 0;
	for (uint32_t i = 0; i < e->nxattrs; i++) {
		const struct imgs_xattr *x = &e->xattrs[i];
		int same = 0;
		for (uint32_t j = 0; h && !force && j < h->nx; j++)
			if (strcmp(h->xs[j].name, x->name) == 0)
				same = h->xs[j].len == x->len && memcmp(h->xs[j].value, x->value, x->len) == 0;
		if (same)
			continue;
		int r = fd >= 0 ? fsetxattr(fd, x->name, x->value, x->len, 0)
				: lsetxattr(path, x->name, x->value, x->len, 0);
		if (r < 0)
			rc = -1;
	}
	for (uint32_t j = 0; h && j < h->nx; j++) {
		int keep = 0;
		for (uint32_t i = 0; i < e->nxattrs && !keep; i++)
			keep = strcmp(h->xs[j].name, e->xattrs[i].name) == 0;
		if (!keep && (fd >= 0 ? fremovexattr(fd, h->xs[j].name) : lremovexattr(path, h->xs[j].name)) < 0 &&
		    errno != ENODATA)
			rc = -1;
	}
	return rc;
}

static struct timespec mtime_of(const struct imgs_entry *e)
{
	return (struct timespec){ .tv_sec = (time_t)e->mtime_sec, .tv_nsec = e->mtime_nsec };
}

int imgs_set_meta(int dirfd, const char *name, const struct imgs_entry *e, const struct imgs_have *h,
		  int skip_mtime)
{
	int rc = 0, chowned = 0;
	int lnk = e->type == IMGS_LNK;
	const char *at = name ? name : "";
	int atflags = name ? AT_SYMLINK_NOFOLLOW : AT_EMPTY_PATH;
	if (!h || h->st.st_uid != e->uid || h->st.st_gid != e->gid) {
		if (fchownat(dirfd, at, e->uid, e->gid, atflags) < 0)
			rc = -1;
		chowned = 1;
	}
	/* chown clears set-id bits and file capabilities: set mode and xattrs after it */
	if (!lnk && (!h || chowned || (h->st.st_mode & 07777) != e->mode)) {
		if ((name ? fchmodat(dirfd, name, e->mode, 0) : fchmod(dirfd, e->mode)) < 0)
			rc = -1;
	}
	if (!h || chowned || !imgs_xattrs_equal(h->xs, h->nx, e->xattrs, e->nxattrs, 0) ||
	    !imgs_xattrs_equal(h->xs, h->nx, e->xattrs, e->nxattrs, 1)) {
		char *path = proc_path(dirfd, name);
		if (sync_xattrs(path, name ? -1 : dirfd, e, h, chowned) < 0 && (!lnk || e->nxattrs))
			rc = -1;
		free(path);
	}
	if (!skip_mtime) {
		struct timespec ts[2] = { mtime_of(e), mtime_of(e) };
		if ((name ? utimensat(dirfd, name, ts, AT_SYMLINK_NOFOLLOW) : futimens(dirfd, ts)) < 0)
			rc = -1;
	}
	return rc;
}

int imgs_set_meta_fd(int fd, const struct imgs_entry *e)
{
	int rc = 0;
	if (fchown(fd, e->uid, e->gid) < 0 || fchmod(fd, e->mode) < 0)
		rc = -1;
	if (sync_xattrs(NULL, fd, e, NULL, 1) < 0)
		rc = -1;
	struct timespec ts[2] = { mtime_of(e), mtime_of(e) };
	if (futimens(fd, ts) < 0)
		rc = -1;
	return rc;
}

static char *tmp_name(void)
{
	static unsigned long counter;
	return xasprintf(".imgsync.%ld.%lu.tmp", (long)getpid(), ++counter);
}

int imgs_make_node(int dirfd, const char *name, const struct imgs_entry *e)
{
	if (e->type == IMGS_DIR)
		return mkdirat(dirfd, name, 0700) < 0 && errno != EEXIST ? -1 : 0;
	char *tmp = tmp_name();
	int r;
	switch (e->type) {
	case IMGS_LNK:
		r = symlinkat(e->target, dirfd, tmp);
		break;
	case IMGS_CHR:
		r = mknodat(dirfd, tmp, S_IFCHR | 0600, (dev_t)e->rdev);
		break;
	case IMGS_BLK:
		r = mknodat(dirfd, tmp, S_IFBLK | 0600, (dev_t)e->rdev);
		break;
	case IMGS_FIFO:
		r = mknodat(dirfd, tmp, S_IFIFO | 0600, 0);
		break;
	case IMGS_SOCK:
		r = mknodat(dirfd, tmp, S_IFSOCK | 0600, 0);
		break;
	default:
		errno = EINVAL;
		r = -1;
	}
	if (r == 0) {
		r = imgs_set_meta(dirfd, tmp, e, NULL, 0);
		if (r == 0)
			r = renameat(dirfd, tmp, dirfd, name);
		if (r < 0) {
			int er = errno;
			unlinkat(dirfd, tmp, 0);
			errno = er;
		}
	}
	free(tmp);
	return r;
}

int imgs_make_link(int ldirfd, const char *leader, int dirfd, const char *name)
{
	char *tmp = tmp_name();
	int r = linkat(ldirfd, leader, dirfd, tmp, 0);
	if (r == 0 && (r = renameat(dirfd, tmp, dirfd, name)) < 0) {
		int er = errno;
		unlinkat(dirfd, tmp, 0);
		errno = er;
	}
	free(tmp);
	return r;
}

int imgs_tmp_file(int dirfd)
{
	return openat(dirfd, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
}

int imgs_tmp_commit(int fd, int dirfd, const char *name)
{
	char *tmp = NULL;
	char *proc = xasprintf("/proc/self/fd/%d", fd);
	/* a new name is linked in place at once; an existing one is replaced by rename */
	int r = linkat(AT_FDCWD, proc, dirfd, name, AT_SYMLINK_FOLLOW);
	if (r == 0 || errno != EEXIST)
		goto out;
	tmp = tmp_name();
	r = linkat(AT_FDCWD, proc, dirfd, tmp, AT_SYMLINK_FOLLOW);
	if (r == 0 && (r = renameat(dirfd, tmp, dirfd, name)) < 0) {
		int er = errno;
		unlinkat(dirfd, tmp, 0);
		errno = er;
	}
out:;
	int er = errno;
	close(fd);
	free(proc);
	free(tmp);
	errno = er;
	return r;
}
