/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * unpack — archives and image layers into a node root (see unpack.h).
 */
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsutil.h"
#include "layers.h"
#include "log.h"
#include "unpack.h"
#include "xalloc.h"

#define MKC_JSON_MAX (4u << 20)

int mkc_unpack_begin(struct mkc_unpack *u, const char *root, const struct exclude *excl)
{
	memset(u, 0, sizeof *u);
	u->excl = excl;
	u->oldcwd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	u->rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (u->rootfd < 0 || u->oldcwd < 0 || fchdir(u->rootfd) < 0) {
		warnmsg_errno("%s", root);
		if (u->rootfd >= 0)
			close(u->rootfd);
		if (u->oldcwd >= 0)
			close(u->oldcwd);
		return -1;
	}
	u->disk = archive_write_disk_new();
	archive_write_disk_set_options(u->disk, ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_OWNER |
							ARCHIVE_EXTRACT_ACL | ARCHIVE_EXTRACT_XATTR |
							ARCHIVE_EXTRACT_SECURE_SYMLINKS | ARCHIVE_EXTRACT_SECURE_NODOTDOT |
							ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS | ARCHIVE_EXTRACT_UNLINK |
							ARCHIVE_EXTRACT_SPARSE);
	return 0;
}

void mkc_unpack_end(struct mkc_unpack *u)
{
	if (u->disk) {
		archive_write_close(u->disk);
		archive_write_free(u->disk);
	}
	if (u->oldcwd >= 0 && fchdir(u->oldcwd) < 0)
		warnmsg_errno("fchdir");
	if (u->oldcwd >= 0)
		close(u->oldcwd);
	if (u->rootfd >= 0)
		close(u->rootfd);
	memset(u, 0, sizeof *u);
	u->rootfd = u->oldcwd = -1;
}

void mkc_unpack_root_meta(struct mkc_unpack *u, int64_t uid, int64_t gid, mode_t perm)
{
	if (fchown(u->rootfd, (uid_t)uid, (gid_t)gid) < 0 || fchmod(u->rootfd, perm & 07777) < 0)
		warnmsg_errno("the root's owner or mode");
}

/* rm -r NAME in DIRFD (only what is in it with CONTENTS_ONLY), never leaving the filesystem. */
static int rm_at(int dirfd, const char *name, int contents_only, dev_t dev)
{
	struct stat sb;
	if (fstatat(dirfd, name, &sb, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISDIR(sb.st_mode))
		return unlinkat(dirfd, name, 0) < 0 && errno != ENOENT ? -1 : 0;
	if (sb.st_dev != dev) {
		errno = EXDEV;
		return -1;
	}
	int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	int rc = 0;
	struct dirent *de;
	while (rc == 0 && (de = readdir(d))) {
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			rc = rm_at(fd, de->d_name, 0, dev);
	}
	closedir(d);
	if (rc == 0 && !contents_only && unlinkat(dirfd, name, AT_REMOVEDIR) < 0)
		rc = -1;
	return rc;
}

int mkc_unpack_remove(struct mkc_unpack *u, const char *rel, int contents_only)
{
	struct stat rs;
	fstat(u->rootfd, &rs);
	const char *slash = strrchr(rel, '/');
	char *parent = slash ? xstrndup(rel, (size_t)(slash - rel)) : NULL;
	const char *name = slash ? slash + 1 : rel;
	int pfd = parent ? fs_open_beneath(u->rootfd, parent, O_RDONLY | O_DIRECTORY, 0) : dup(u->rootfd);
	int rc = 0;
	if (pfd < 0) {
		if (errno != ENOENT) {
			warnmsg_errno("cannot remove /%s", rel);
			rc = -1;
		}
	} else {
		rc = rm_at(pfd, *name ? name : ".", contents_only || !*name, rs.st_dev);
		if (rc < 0)
			warnmsg_errno("cannot remove /%s", rel);
		close(pfd);
	}
	free(parent);
	return rc;
}

int mkc_unpack_whiteouts(struct mkc_unpack *u, struct archive *in, const char *what)
{
	struct archive_entry *e;
	int r, rc = 0;
	while ((r = archive_read_next_header(in, &e)) == ARCHIVE_OK) {
		char *rel = mkc_layer_path_clean(archive_entry_pathname(e));
		char *target = NULL;
		enum mkc_whiteout wh = rel ? mkc_layer_whiteout(rel, &target) : MKC_WH_NONE;
		if (wh != MKC_WH_NONE) {
			debug("%s: whiteout %s", what, rel);
			if (mkc_unpack_remove(u, target, wh == MKC_WH_OPAQUE) < 0)
				rc = -1;
		}
		free(target);
		free(rel);
	}
	if (r != ARCHIVE_EOF) {
		warnmsg("%s: %s", what, archive_error_string(in));
		rc = -1;
	}
	return rc;
}

static int copy_data(struct mkc_unpack *u, struct archive *in, const char *what, const char *rel)
{
	const void *buf;
	size_t size;
	int64_t off;
	int r;
	while ((r = archive_read_data_block(in, &buf, &size, &off)) == ARCHIVE_OK) {
		if (archive_write_data_block(u->disk, buf, size, off) < ARCHIVE_WARN) {
			warnmsg("%s: /%s: %s", what, rel, archive_error_string(u->disk));
			return -1;
		}
	}
	if (r != ARCHIVE_EOF) {
		warnmsg("%s: /%s: %s", what, rel, archive_error_string(in));
		return -1;
	}
	return 0;
}

/* In a layer a file replaces a directory of a lower layer. */
static void replace_dir(struct mkc_unpack *u, struct archive_entry *e, const char *rel)
{
	struct stat sb;
	if (archive_entry_filetype(e) != AE_IFDIR && fstatat(u->rootfd, rel, &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISDIR(sb.st_mode))
		mkc_unpack_remove(u, rel, 0);
}

/* Clean the names of E in place. 0, or -1 if it must be skipped. */
static int clean_names(struct archive_entry *e, char **relp, const char *what)
{
	const char *name = archive_entry_pathname(e);
	char *rel = mkc_layer_path_clean(name ? name : "");
	if (!rel) {
		warnmsg("%s: %s: leaves the root; skipped", what, name);
		return -1;
	}
	const char *hl = archive_entry_hardlink(e);
	if (hl) {
		char *h = mkc_layer_path_clean(hl);
		if (!h || !*h) {
			warnmsg("%s: %s: hard link to %s leaves the root; skipped", what, name, hl);
			free(h);
			free(rel);
			return -1;
		}
		archive_entry_copy_hardlink(e, h);
		free(h);
	}
	archive_entry_copy_pathname(e, rel);
	*relp = rel;
	return 0;
}

int mkc_unpack_stream(struct mkc_unpack *u, struct archive *in, const char *what, int layer)
{
	struct archive_entry *e;
	int r, rc = 0;
	while ((r = archive_read_next_header(in, &e)) == ARCHIVE_OK || r == ARCHIVE_WARN) {
		char *rel = NULL;
		if (clean_names(e, &rel, what) < 0) {
			u->skipped++;
			rc = -1;
			continue;
		}
		if (!*rel && archive_entry_filetype(e) == AE_IFDIR) /* "./": the root's own owner and mode */
			mkc_unpack_root_meta(u, archive_entry_uid(e), archive_entry_gid(e), archive_entry_perm(e));
		if (!*rel || (layer && mkc_layer_is_whiteout(rel)) || (u->excl && exclude_match_path(u->excl, rel, archive_entry_filetype(e) == AE_IFDIR))) {
			free(rel);
			continue;
		}
		if (layer)
			replace_dir(u, e, rel);
		r = archive_write_header(u->disk, e);
		if (r < ARCHIVE_WARN) {
			warnmsg("%s: /%s: %s", what, rel, archive_error_string(u->disk));
			rc = -1;
		} else {
			if (r == ARCHIVE_WARN)
				warnmsg("%s: /%s: %s", what, rel, archive_error_string(u->disk));
			if (archive_entry_size(e) > 0 && copy_data(u, in, what, rel) < 0)
				rc = -1;
			if (archive_write_finish_entry(u->disk) < ARCHIVE_WARN) {
				warnmsg("%s: /%s: %s", what, rel, archive_error_string(u->disk));
				rc = -1;
			}
			u->entries++;
		}
		free(rel);
	}
	if (r != ARCHIVE_EOF) {
		warnmsg("%s: %s", what, archive_error_string(in));
		rc = -1;
	}
	return rc;
}

/* --- reading an archive, or one member of it as an archive ------------- */

struct member {
	struct archive *outer;
	char buf[64 * 1024];
};

static la_ssize_t member_read(struct archive *a, void *cd, const void **buf)
{
	(void)a;
	struct member *m = cd;
	*buf = m->buf;
	return archive_read_data(m->outer, m->buf, sizeof m->buf);
}

static struct archive *reader_new(void)
{
	struct archive *a = archive_read_new();
	archive_read_support_filter_all(a);
	archive_read_support_format_all(a);
	return a;
}

static struct archive *open_file(const char *file)
{
	struct archive *a = reader_new();
	if (archive_read_open_filename(a, file, 64 * 1024) != ARCHIVE_OK) {
		warnmsg("%s: %s", file, archive_error_string(a));
		archive_read_free(a);
		return NULL;
	}
	return a;
}

/* Position OUTER at member NAME. 0, or -1 (not found or broken). */
static int seek_member(struct archive *outer, const char *file, const char *name)
{
	struct archive_entry *e;
	int r;
	while ((r = archive_read_next_header(outer, &e)) == ARCHIVE_OK) {
		char *rel = mkc_layer_path_clean(archive_entry_pathname(e));
		int found = rel && strcmp(rel, name) == 0;
		free(rel);
		if (found)
			return 0;
	}
	if (r == ARCHIVE_EOF)
		warnmsg("%s: no member %s", file, name);
	else
		warnmsg("%s: %s", file, archive_error_string(outer));
	return -1;
}

/* An archive reader over member NAME of FILE; close both with close_member. */
static struct archive *open_member(const char *file, const char *name, struct member **mp)
{
	struct archive *outer = open_file(file);
	if (!outer)
		return NULL;
	if (seek_member(outer, file, name) < 0) {
		archive_read_free(outer);
		return NULL;
	}
	struct member *m = xcalloc(1, sizeof *m);
	m->outer = outer;
	struct archive *in = reader_new();
	if (archive_read_open(in, m, NULL, member_read, NULL) != ARCHIVE_OK) {
		warnmsg("%s: %s: %s", file, name, archive_error_string(in));
		archive_read_free(in);
		archive_read_free(outer);
		free(m);
		return NULL;
	}
	*mp = m;
	return in;
}

static void close_member(struct archive *in, struct member *m)
{
	archive_read_free(in);
	archive_read_free(m->outer);
	free(m);
}

/* The bytes of member NAME (at most MKC_JSON_MAX). NULL after a message. */
static char *read_member(const char *file, const char *name, size_t *lenp)
{
	struct archive *a = open_file(file);
	if (!a)
		return NULL;
	char *buf = NULL;
	if (seek_member(a, file, name) == 0) {
		size_t cap = 8192, len = 0;
		buf = xmalloc(cap);
		la_ssize_t n;
		while ((n = archive_read_data(a, buf + len, cap - len)) > 0) {
			len += (size_t)n;
			if (len == cap) {
				if (cap >= MKC_JSON_MAX) {
					warnmsg("%s: %s is too large", file, name);
					n = -1;
					break;
				}
				buf = xrealloc(buf, cap *= 2);
			}
		}
		if (n < 0) {
			free(buf);
			buf = NULL;
		} else {
			*lenp = len;
		}
	}
	archive_read_free(a);
	return buf;
}

enum image_kind { IMAGE_ROOTFS, IMAGE_DOCKER, IMAGE_OCI };

static int detect_kind(const char *file, enum image_kind *kind)
{
	struct archive *a = open_file(file);
	if (!a)
		return -1;
	int manifest = 0, index = 0, layout = 0, r;
	struct archive_entry *e;
	while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		char *rel = mkc_layer_path_clean(archive_entry_pathname(e));
		if (rel) {
			manifest |= strcmp(rel, "manifest.json") == 0;
			index |= strcmp(rel, "index.json") == 0;
			layout |= strcmp(rel, "oci-layout") == 0;
		}
		free(rel);
	}
	if (r != ARCHIVE_EOF)
		warnmsg("%s: %s", file, archive_error_string(a));
	archive_read_free(a);
	*kind = manifest ? IMAGE_DOCKER : index && layout ? IMAGE_OCI : IMAGE_ROOTFS;
	return r == ARCHIVE_EOF ? 0 : -1;
}

static int image_layers(const char *file, enum image_kind kind, struct mkc_strv *layers)
{
	char err[512];
	size_t len;
	char *json = read_member(file, kind == IMAGE_DOCKER ? "manifest.json" : "index.json", &len);
	if (!json)
		return -1;
	int rc;
	if (kind == IMAGE_DOCKER) {
		rc = mkc_layer_docker_manifest(json, len, layers, err, sizeof err);
		if (rc < 0)
			warnmsg("%s: manifest.json: %s", file, err);
	} else {
		char *blob = NULL;
		rc = mkc_layer_oci_index(json, len, &blob, err, sizeof err);
		if (rc < 0)
			warnmsg("%s: index.json: %s", file, err);
		free(json);
		json = rc < 0 ? NULL : read_member(file, blob, &len);
		rc = json ? mkc_layer_oci_manifest(json, len, layers, err, sizeof err) : -1;
		if (json && rc < 0)
			warnmsg("%s: %s: %s", file, blob, err);
		free(blob);
	}
	free(json);
	return rc;
}

static int apply_layer(struct mkc_unpack *u, const char *file, const char *layer)
{
	char *what = xasprintf("%s: %s", file, layer);
	struct member *m;
	struct archive *in = open_member(file, layer, &m);
	int rc = -1;
	if (in) {
		rc = mkc_unpack_whiteouts(u, in, what);
		close_member(in, m);
	}
	if (rc == 0 && (in = open_member(file, layer, &m))) {
		rc = mkc_unpack_stream(u, in, what, 1);
		close_member(in, m);
	}
	free(what);
	return rc;
}

int mkc_unpack_file(const char *file, const char *root, const struct exclude *excl)
{
	enum image_kind kind;
	if (detect_kind(file, &kind) < 0)
		return -1;
	struct mkc_strv layers = { 0 };
	if (kind != IMAGE_ROOTFS && image_layers(file, kind, &layers) < 0)
		return -1;
	char *abs = realpath(file, NULL);
	struct mkc_unpack u;
	int rc = abs ? mkc_unpack_begin(&u, root, excl) : -1;
	if (!abs)
		warnmsg_errno("%s", file);
	if (rc == 0) {
		if (kind == IMAGE_ROOTFS) {
			struct archive *a = open_file(abs);
			rc = a ? mkc_unpack_stream(&u, a, file, 0) : -1;
			if (a)
				archive_read_free(a);
		}
		for (size_t i = 0; rc == 0 && i < layers.n; i++) {
			verbose("%s: layer %zu/%zu: %s", file, i + 1, layers.n, layers.v[i]);
			rc = apply_layer(&u, abs, layers.v[i]);
		}
		verbose("%s: %lu entries written", file, u.entries);
		mkc_unpack_end(&u);
	}
	free(abs);
	mkc_strv_free(&layers);
	return rc;
}
