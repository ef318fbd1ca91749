/* SPDX-License-Identifier: BSD-3-Clause */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "flist.h"
#include "log.h"
#include "xalloc.h"

const char *imgs_type_name(int type)
{
	switch (type) {
	case IMGS_REG: return "file";
	case IMGS_DIR: return "directory";
	case IMGS_LNK: return "symlink";
	case IMGS_CHR: return "character device";
	case IMGS_BLK: return "block device";
	case IMGS_FIFO: return "fifo";
	case IMGS_SOCK: return "socket";
	}
	return "unknown";
}

int imgs_type_of_mode(mode_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG: return IMGS_REG;
	case S_IFDIR: return IMGS_DIR;
	case S_IFLNK: return IMGS_LNK;
	case S_IFCHR: return IMGS_CHR;
	case S_IFBLK: return IMGS_BLK;
	case S_IFIFO: return IMGS_FIFO;
	case S_IFSOCK: return IMGS_SOCK;
	}
	return 0;
}

mode_t imgs_mode_of_type(int type)
{
	static const mode_t m[] = { 0, S_IFREG, S_IFDIR, S_IFLNK, S_IFCHR, S_IFBLK, S_IFIFO, S_IFSOCK };
	return type > 0 && type <= IMGS_SOCK ? m[type] : 0;
}

int imgs_path_cmp(const char *a, const char *b)
{
	int ra = strcmp(a, ".") == 0, rb = strcmp(b, ".") == 0;
	if (ra || rb)
		return rb - ra;
	return strcmp(a, b);
}

void imgs_entry_from_stat(struct imgs_entry *e, const struct stat *st)
{
	e->type = (uint8_t)imgs_type_of_mode(st->st_mode);
	e->mode = st->st_mode & 07777;
	e->uid = st->st_uid;
	e->gid = st->st_gid;
	e->size = e->type == IMGS_REG ? (uint64_t)st->st_size : 0;
	e->mtime_sec = st->st_mtim.tv_sec;
	e->mtime_nsec = (uint32_t)st->st_mtim.tv_nsec;
	e->rdev = (e->type == IMGS_CHR || e->type == IMGS_BLK) ? (uint64_t)st->st_rdev : 0;
	e->link_to = IMGS_NOLINK;
	e->dev = st->st_dev;
	e->ino = st->st_ino;
	e->nlink = st->st_nlink;
}

void imgs_xattrs_free(struct imgs_xattr *xs, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		free(xs[i].name);
		free(xs[i].value);
	}
	free(xs);
}

void imgs_entry_free(struct imgs_entry *e)
{
	free(e->path);
	free(e->target);
	imgs_xattrs_free(e->xattrs, e->nxattrs);
	memset(e, 0, sizeof *e);
}

void imgs_flist_free(struct imgs_flist *list)
{
	for (size_t i = 0; i < list->n; i++)
		imgs_entry_free(&list->e[i]);
	free(list->e);
	memset(list, 0, sizeof *list);
}

void imgs_flist_push(struct imgs_flist *list, const struct imgs_entry *e)
{
	if (list->n == list->cap) {
		list->cap = list->cap ? list->cap * 2 : 256;
		list->e = xreallocarray(list->e, list->cap, sizeof *list->e);
	}
	list->e[list->n++] = *e;
}

long imgs_flist_find(const struct imgs_flist *list, const char *path)
{
	size_t lo = 0, hi = list->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = imgs_path_cmp(list->e[mid].path, path);
		if (c == 0)
			return (long)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static int xattr_cmp(const void *a, const void *b)
{
	return strcmp(((const struct imgs_xattr *)a)->name, ((const struct imgs_xattr *)b)->name);
}

/* Path through /proc/self/fd that reaches NAME in DIRFD without following NAME. */
static void fd_path(char *buf, size_t len, int dirfd, const char *name)
{
	if (name)
		snprintf(buf, len, "/proc/self/fd/%d/%s", dirfd, name);
	else
		snprintf(buf, len, "/proc/self/fd/%d", dirfd);
}

int imgs_read_xattrs(int dirfd, const char *name, struct imgs_xattr **xsp, uint32_t *np)
{
	*xsp = NULL;
	*np = 0;
	size_t plen = 32 + (name ? strlen(name) : 0);
	char *path = xmalloc(plen);
	fd_path(path, plen, dirfd, name);
	char *names = NULL;
	ssize_t len;
	for (;;) {
		len = name ? llistxattr(path, NULL, 0) : flistxattr(dirfd, NULL, 0);
		if (len <= 0)
			break;
		names = xrealloc(names, (size_t)len);
		ssize_t got = name ? llistxattr(path, names, (size_t)len) : flistxattr(dirfd, names, (size_t)len);
		if (got >= 0 || errno != ERANGE) {
			len = got;
			break;
		}
	}
	if (len < 0) {
		int e = errno;
		free(names);
		free(path);
		if (e == ENOTSUP || e == EOPNOTSUPP)
			return 0;
		errno = e;
		return -1;
	}
	struct imgs_xattr *xs = NULL;
	uint32_t n = 0;
	for (ssize_t off = 0; off < len;) {
		const char *xn = names + off;
		off += (ssize_t)strlen(xn) + 1;
		ssize_t vl;
		unsigned char *val = NULL;
		for (;;) {
			vl = name ? lgetxattr(path, xn, NULL, 0) : fgetxattr(dirfd, xn, NULL, 0);
			if (vl < 0)
				break;
			val = xrealloc(val, (size_t)vl + 1);
			ssize_t got = name ? lgetxattr(path, xn, val, (size_t)vl) : fgetxattr(dirfd, xn, val, (size_t)vl);
			if (got >= 0 || errno != ERANGE) {
				vl = got;
				break;
			}
		}
		if (vl < 0) {
			free(val);
			continue; /* vanished meanwhile */
		}
		xs = xgrowarray(xs, n, sizeof *xs);
		xs[n].name = xstrdup(xn);
		xs[n].value = val;
		xs[n].len = (uint32_t)vl;
		n++;
	}
	free(names);
	free(path);
	if (n > 1)
		qsort(xs, n, sizeof *xs, xattr_cmp);
	*xsp = xs;
	*np = n;
	return 0;
}

static int is_acl(const char *name)
{
	return strncmp(name, "system.posix_acl_", 17) == 0;
}

int imgs_xattrs_equal(const struct imgs_xattr *a, uint32_t na, const struct imgs_xattr *b, uint32_t nb,
		      int acl_only)
{
	uint32_t i = 0, j = 0;
	for (;;) {
		while (i < na && is_acl(a[i].name) != acl_only)
			i++;
		while (j < nb && is_acl(b[j].name) != acl_only)
			j++;
		if (i == na || j == nb)
			return i == na && j == nb;
		if (strcmp(a[i].name, b[j].name) != 0 || a[i].len != b[j].len ||
		    memcmp(a[i].value, b[j].value, a[i].len) != 0)
			return 0;
		i++;
		j++;
	}
}

int imgs_checksum_fd(int fd, unsigned char sum[IMGS_SUMLEN])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	if (!ctx || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(ctx);
		errno = ENOMEM;
		return -1;
	}
	size_t cap = 1 << 18;
	unsigned char *buf = xmalloc(cap);
	off_t off = 0;
	int rc = 0;
	for (;;) {
		ssize_t n = pread(fd, buf, cap, off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = -1;
			break;
		}
		if (n == 0)
			break;
		EVP_DigestUpdate(ctx, buf, (size_t)n);
		off += n;
	}
	unsigned int len = 0;
	if (rc == 0)
		EVP_DigestFinal_ex(ctx, sum, &len);
	int e = errno;
	EVP_MD_CTX_free(ctx);
	free(buf);
	errno = e;
	return rc;
}

/* --- the walk ------------------------------------------------------------ */

struct walk {
	struct imgs_flist *list;
	const struct exclude *ex;
	int checksum;
	dev_t rootdev;
};

static char *join_rel(const char *dir, const char *name)
{
	if (strcmp(dir, ".") == 0)
		return xstrdup(name);
	return xasprintf("%s/%s", dir, name);
}

/* Fill target, xattrs and sum of E, which is NAME in DIRFD (NULL: DIRFD itself). */
static void fill_entry(struct walk *w, struct imgs_entry *e, int dirfd, const char *name)
{
	if (e->type == IMGS_LNK) {
		char buf[4096];
		ssize_t n = readlinkat(dirfd, name, buf, sizeof buf - 1);
		if (n < 0) {
			warnmsg_errno("%s: readlink", e->path);
			n = 0;
		}
		e->target = xstrndup(buf, (size_t)n);
	}
	if (imgs_read_xattrs(dirfd, name, &e->xattrs, &e->nxattrs) < 0)
		warnmsg_errno("%s: xattrs", e->path);
	if (w->checksum && e->type == IMGS_REG) {
		int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0 || imgs_checksum_fd(fd, e->sum) < 0)
			warnmsg_errno("%s: checksum", e->path);
		else
			e->has_sum = 1;
		if (fd >= 0)
			close(fd);
	}
}

static void walk_dir(struct walk *w, int dirfd, const char *rel)
{
	int dfd = dup(dirfd);
	DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
	if (!d) {
		warnmsg_errno("%s: opendir", rel);
		if (dfd >= 0)
			close(dfd);
		return;
	}
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		const char *name = de->d_name;
		if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
			continue;
		struct stat st;
		char *path = join_rel(rel, name);
		if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			warnmsg_errno("%s", path);
			free(path);
			continue;
		}
		if (exclude_match(w->ex, path, S_ISDIR(st.st_mode))) {
			free(path);
			continue;
		}
		struct imgs_entry e = { 0 };
		imgs_entry_from_stat(&e, &st);
		e.path = path;
		fill_entry(w, &e, dirfd, name);
		imgs_flist_push(w->list, &e);
		if (S_ISDIR(st.st_mode) && st.st_dev == w->rootdev) {
			int sub = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub < 0) {
				warnmsg_errno("%s", path);
				continue;
			}
			walk_dir(w, sub, path);
			close(sub);
		}
	}
	closedir(d);
}

static int entry_sort_cmp(const void *a, const void *b)
{
	return imgs_path_cmp(((const struct imgs_entry *)a)->path, ((const struct imgs_entry *)b)->path);
}

struct ino_ref {
	dev_t dev;
	ino_t ino;
	size_t idx;
};

static int ino_cmp(const void *a, const void *b)
{
	const struct ino_ref *x = a, *y = b;
	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Point every later path of a hard-link group at its first path. */
static void link_groups(struct imgs_flist *list)
{
	struct ino_ref *refs = NULL;
	size_t n = 0;
	for (size_t i = 0; i < list->n; i++) {
		struct imgs_entry *e = &list->e[i];
		if (e->type == IMGS_DIR || e->nlink < 2)
			continue;
		refs = xgrowarray(refs, n, sizeof *refs);
		refs[n++] = (struct ino_ref){ e->dev, e->ino, i };
	}
	if (n > 1)
		qsort(refs, n, sizeof *refs, ino_cmp);
	for (size_t i = 1; i < n; i++) {
		size_t lead = i;
		while (lead > 0 && refs[lead - 1].dev == refs[i].dev && refs[lead - 1].ino == refs[i].ino)
			lead--;
		if (lead != i)
			list->e[refs[i].idx].link_to = (uint32_t)refs[lead].idx;
	}
	free(refs);
}

int imgs_flist_walk(const char *root, const struct exclude *ex, int checksum,
		    struct imgs_flist *list, char *err, size_t errlen)
{
	memset(list, 0, sizeof *list);
	int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0) {
		snprintf(err, errlen, "%s: %s", root, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	struct walk w = { list, ex, checksum, st.st_dev };
	struct imgs_entry e = { 0 };
	imgs_entry_from_stat(&e, &st);
	e.path = xstrdup(".");
	fill_entry(&w, &e, fd, NULL);
	imgs_flist_push(list, &e);
	walk_dir(&w, fd, ".");
	close(fd);
	qsort(list->e, list->n, sizeof *list->e, entry_sort_cmp);
	link_groups(list);
	return 0;
}
