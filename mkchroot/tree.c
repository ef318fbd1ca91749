/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tree — sorted, reproducible walk of a directory tree into a libarchive
 * writer (see tree.h).
 */
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "tree.h"
#include "xalloc.h"

/* (dev, ino) of files with several links -> the inode number they get */
struct ino_map {
	struct ino_slot { dev_t dev; ino_t ino; int64_t id; } *slots;
	size_t cap, used;
};

struct walk {
	struct archive *out;
	struct archive *disk; /* archive_read_disk, to fill entries from files */
	struct archive_entry_linkresolver *links;
	const struct mkc_tree_opts *o;
	struct mkc_tree_stats *st;
	const char *root;
	dev_t root_dev;
	struct ino_map map;
	int64_t next_ino;
	char buf[256 * 1024];
};

static size_t ino_hash(dev_t d, ino_t i, size_t cap)
{
	uint64_t h = ((uint64_t)d * 0x9e3779b97f4a7c15ULL) ^ ((uint64_t)i * 0xc2b2ae3d27d4eb4fULL);
	return (size_t)(h ^ (h >> 29)) & (cap - 1);
}

static int64_t ino_lookup(struct walk *w, dev_t d, ino_t i)
{
	struct ino_map *m = &w->map;
	if (2 * (m->used + 1) > m->cap) {
		struct ino_map n = { .cap = m->cap ? m->cap * 2 : 256 };
		n.slots = xcalloc(n.cap, sizeof *n.slots);
		for (size_t k = 0; k < m->cap; k++) {
			if (m->slots[k].id == 0)
				continue;
			size_t h = ino_hash(m->slots[k].dev, m->slots[k].ino, n.cap);
			while (n.slots[h].id)
				h = (h + 1) & (n.cap - 1);
			n.slots[h] = m->slots[k];
		}
		n.used = m->used;
		free(m->slots);
		*m = n;
	}
	size_t h = ino_hash(d, i, m->cap);
	while (m->slots[h].id) {
		if (m->slots[h].dev == d && m->slots[h].ino == i)
			return m->slots[h].id;
		h = (h + 1) & (m->cap - 1);
	}
	m->slots[h] = (struct ino_slot){ d, i, ++w->next_ino };
	m->used++;
	return m->slots[h].id;
}

static int copy_data(struct walk *w, struct archive_entry *e)
{
	const char *src = archive_entry_sourcepath(e);
	int fd = open(src, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		warnmsg_errno("%s", src);
		return -1;
	}
	int64_t left = archive_entry_size(e);
	while (left > 0) {
		size_t want = left < (int64_t)sizeof w->buf ? (size_t)left : sizeof w->buf;
		ssize_t n = read(fd, w->buf, want);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n < 0)
				warnmsg_errno("%s", src);
			else
				warnmsg("%s: file shrank while being read", src);
			close(fd);
			return -1;
		}
		if (archive_write_data(w->out, w->buf, (size_t)n) != n) {
			warnmsg("%s: %s", archive_entry_pathname(e), archive_error_string(w->out));
			close(fd);
			return -1;
		}
		left -= n;
		if (w->o->on_data)
			w->o->on_data((uint64_t)n, w->o->on_data_arg);
	}
	close(fd);
	return 0;
}

static int write_entry(struct walk *w, struct archive_entry *e)
{
	int r = archive_write_header(w->out, e);
	if (r == ARCHIVE_WARN)
		warnmsg("%s: %s", archive_entry_pathname(e), archive_error_string(w->out));
	else if (r != ARCHIVE_OK) {
		warnmsg("%s: %s", archive_entry_pathname(e), archive_error_string(w->out));
		return -1;
	}
	if (archive_entry_size(e) > 0 && archive_entry_filetype(e) == AE_IFREG && copy_data(w, e) < 0)
		return -1;
	r = archive_write_finish_entry(w->out);
	if (r < ARCHIVE_WARN) {
		warnmsg("%s: %s", archive_entry_pathname(e), archive_error_string(w->out));
		return -1;
	}
	w->st->entries++;
	return 0;
}

/* Hand E to the link resolver and write whatever it gives back. Takes E. */
static int emit(struct walk *w, struct archive_entry *e)
{
	struct archive_entry *spare = NULL;
	archive_entry_linkify(w->links, &e, &spare);
	int rc = 0;
	while (e) {
		if (rc == 0)
			rc = write_entry(w, e);
		archive_entry_free(e);
		e = spare;
		spare = NULL;
	}
	return rc;
}

/* Write the entries the resolver still holds; with RC != 0 only free them. */
static int flush_links(struct walk *w, int rc)
{
	for (;;) {
		struct archive_entry *e = NULL, *spare = NULL;
		archive_entry_linkify(w->links, &e, &spare);
		if (!e)
			break;
		if (rc == 0)
			rc = write_entry(w, e);
		archive_entry_free(e);
	}
	return rc;
}

static struct archive_entry *make_entry(struct walk *w, int dirfd, const char *name, const char *rel,
					const struct stat *sb)
{
	struct archive_entry *e = archive_entry_new();
	char *abs = xasprintf("%s/%s", w->root, rel);
	archive_entry_copy_sourcepath(e, abs);
	archive_entry_copy_pathname(e, abs);
	int fd = -1;
	if (S_ISREG(sb->st_mode) || S_ISDIR(sb->st_mode))
		fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	int r = archive_read_disk_entry_from_file(w->disk, e, fd, sb);
	if (fd >= 0)
		close(fd);
	if (r < ARCHIVE_WARN) {
		warnmsg("%s: %s", abs, archive_error_string(w->disk));
		free(abs);
		archive_entry_free(e);
		return NULL;
	}
	free(abs);
	archive_entry_copy_pathname(e, rel);
	archive_entry_sparse_clear(e);
	archive_entry_unset_atime(e);
	archive_entry_unset_ctime(e);
	archive_entry_unset_birthtime(e);
	archive_entry_copy_uname(e, NULL);
	archive_entry_copy_gname(e, NULL);
	if (w->o->clamp && archive_entry_mtime(e) >= w->o->clamp_time)
		archive_entry_set_mtime(e, w->o->clamp_time, 0);
	archive_entry_set_dev(e, 0);
	if (!S_ISDIR(sb->st_mode) && sb->st_nlink > 1)
		archive_entry_set_ino64(e, ino_lookup(w, sb->st_dev, sb->st_ino));
	else
		archive_entry_set_ino64(e, ++w->next_ino);
	return e;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in DIRFD, sorted; NULL-terminated. */
static char **sorted_names(int dirfd, const char *rel, size_t *np)
{
	int fd = dup(dirfd);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		if (fd >= 0)
			close(fd);
		warnmsg_errno("%s", *rel ? rel : ".");
		return NULL;
	}
	size_t n = 0, cap = 16;
	char **names = xmalloc(cap * sizeof *names);
	struct dirent *de;
	while ((de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (n + 1 == cap)
			names = xreallocarray(names, cap *= 2, sizeof *names);
		names[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof *names, by_name);
	names[n] = NULL;
	*np = n;
	return names;
}

static int walk_dir(struct walk *w, int dirfd, const char *prefix);

static int walk_one(struct walk *w, int dirfd, const char *name, const char *rel)
{
	struct stat sb;
	if (fstatat(dirfd, name, &sb, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno == ENOENT)
			return 0; /* vanished during the walk */
		warnmsg_errno("%s/%s", w->root, rel);
		return -1;
	}
	if (sb.st_dev == w->o->skip_dev && sb.st_ino == w->o->skip_ino && S_ISREG(sb.st_mode))
		return 0;
	if (w->o->excl && exclude_match(w->o->excl, rel, S_ISDIR(sb.st_mode))) {
		w->st->excluded++;
		return 0;
	}
	if (S_ISSOCK(sb.st_mode))
		return 0;
	if (S_ISREG(sb.st_mode) && w->o->max_file_size > 0 && sb.st_size >= w->o->max_file_size) {
		warnmsg("%s/%s: %jd bytes is too large for %s (limit %jd bytes); use another format", w->root, rel,
			(intmax_t)sb.st_size, w->o->format_name, (intmax_t)w->o->max_file_size - 1);
		return -1;
	}
	if (w->o->verbose_list)
		fprintf(stderr, "%s\n", rel);
	struct archive_entry *e = make_entry(w, dirfd, name, rel, &sb);
	if (!e || emit(w, e) < 0)
		return -1;
	if (S_ISREG(sb.st_mode))
		w->st->bytes += (uint64_t)sb.st_size;
	if (!S_ISDIR(sb.st_mode) || sb.st_dev != w->root_dev)
		return 0; /* another filesystem: keep the mount point, empty */
	int sub = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (sub < 0) {
		warnmsg_errno("%s/%s", w->root, rel);
		return -1;
	}
	int rc = walk_dir(w, sub, rel);
	close(sub);
	return rc;
}

static int walk_dir(struct walk *w, int dirfd, const char *prefix)
{
	size_t n;
	char **names = sorted_names(dirfd, prefix, &n);
	if (!names)
		return -1;
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		if (rc == 0) {
			char *rel = *prefix ? xasprintf("%s/%s", prefix, names[i]) : xstrdup(names[i]);
			rc = walk_one(w, dirfd, names[i], rel);
			free(rel);
		}
		free(names[i]);
	}
	free(names);
	return rc;
}

int mkc_tree_write(struct archive *out, const char *root, const struct mkc_tree_opts *o,
		   struct mkc_tree_stats *st)
{
	struct walk *w = xcalloc(1, sizeof *w);
	w->out = out;
	w->o = o;
	w->st = st;
	w->root = root;
	int rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct stat sb;
	if (rootfd < 0 || fstat(rootfd, &sb) < 0) {
		warnmsg_errno("%s", root);
		if (rootfd >= 0)
			close(rootfd);
		free(w);
		return -1;
	}
	w->root_dev = sb.st_dev;
	w->disk = archive_read_disk_new();
	archive_read_disk_set_symlink_physical(w->disk);
	w->links = archive_entry_linkresolver_new();
	archive_entry_linkresolver_set_strategy(w->links, o->link_format);
	int rc = walk_dir(w, rootfd, "");
	/* drain the resolver even after an error: freeing it with entries still in it double-frees (libarchive 3.6) */
	rc = flush_links(w, rc);
	close(rootfd);
	archive_entry_linkresolver_free(w->links);
	archive_read_free(w->disk);
	free(w->map.slots);
	free(w);
	return rc;
}

/* mkc_tree_size below DIRFD (taken) at REL. */
static uint64_t size_dir(int dirfd, const char *rel, dev_t dev, const struct exclude *excl)
{
	DIR *d = fdopendir(dirfd);
	if (!d) {
		close(dirfd);
		return 0;
	}
	uint64_t total = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		struct stat sb;
		if (fstatat(dirfd, de->d_name, &sb, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		char *sub = *rel ? xasprintf("%s/%s", rel, de->d_name) : xstrdup(de->d_name);
		if (excl && exclude_match(excl, sub, S_ISDIR(sb.st_mode))) {
			free(sub);
			continue;
		}
		if (S_ISREG(sb.st_mode))
			total += (uint64_t)sb.st_size;
		if (S_ISDIR(sb.st_mode) && sb.st_dev == dev) {
			int fd = openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (fd >= 0)
				total += size_dir(fd, sub, dev, excl);
		}
		free(sub);
	}
	closedir(d);
	return total;
}

uint64_t mkc_tree_size(const char *root, const struct exclude *excl)
{
	int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct stat sb;
	if (fd < 0 || fstat(fd, &sb) < 0) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	return size_dir(fd, "", sb.st_dev, excl);
}
