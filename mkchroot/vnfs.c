/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vnfs — VNFS image writer (see vnfs.h).
 */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "fsutil.h"
#include "log.h"
#include "progress.h"
#include "tree.h"
#include "vnfs.h"

/* cpio newc stores sizes in 8 hex digits */
#define MKC_NEWC_LIMIT ((int64_t)1 << 32)

int mkc_vnfs_format_parse(const char *s)
{
	if (strcmp(s, "newc") == 0 || strcmp(s, "cpio") == 0)
		return MKC_VNFS_NEWC;
	if (strcmp(s, "pax") == 0 || strcmp(s, "tar") == 0)
		return MKC_VNFS_PAX;
	return -1;
}

int mkc_vnfs_compress_parse(const char *s)
{
	static const struct { const char *name; int c; } names[] = {
		{ "none", MKC_VNFS_NONE }, { "gzip", MKC_VNFS_GZIP }, { "gz", MKC_VNFS_GZIP },
		{ "zstd", MKC_VNFS_ZSTD }, { "zst", MKC_VNFS_ZSTD }, { "xz", MKC_VNFS_XZ },
	};
	for (size_t i = 0; i < sizeof names / sizeof *names; i++)
		if (strcmp(s, names[i].name) == 0)
			return names[i].c;
	return -1;
}

const char *mkc_vnfs_format_name(enum mkc_vnfs_format f)
{
	return f == MKC_VNFS_PAX ? "pax" : f == MKC_VNFS_NEWC ? "newc" : "auto";
}

const char *mkc_vnfs_compress_name(enum mkc_vnfs_compress c)
{
	static const char *const names[] = { [MKC_VNFS_ZAUTO] = "auto", [MKC_VNFS_NONE] = "none",
					      [MKC_VNFS_GZIP] = "gzip", [MKC_VNFS_ZSTD] = "zstd", [MKC_VNFS_XZ] = "xz" };
	return names[c];
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

void mkc_vnfs_from_name(const char *output, enum mkc_vnfs_format *f, enum mkc_vnfs_compress *c)
{
	if (*c == MKC_VNFS_ZAUTO) {
		if (ends_with(output, ".gz") || ends_with(output, ".tgz"))
			*c = MKC_VNFS_GZIP;
		else if (ends_with(output, ".zst") || ends_with(output, ".zstd"))
			*c = MKC_VNFS_ZSTD;
		else if (ends_with(output, ".xz") || ends_with(output, ".txz"))
			*c = MKC_VNFS_XZ;
		else if (ends_with(output, ".cpio") || ends_with(output, ".tar"))
			*c = MKC_VNFS_NONE;
		else
			*c = MKC_VNFS_GZIP;
	}
	if (*f == MKC_VNFS_AUTO)
		*f = strstr(output, ".tar") || ends_with(output, ".tgz") || ends_with(output, ".txz") ? MKC_VNFS_PAX
											       : MKC_VNFS_NEWC;
}

static int set_option(struct archive *a, const char *module, const char *key, const char *value)
{
	int r = archive_write_set_filter_option(a, module, key, value);
	if (r == ARCHIVE_WARN || r == ARCHIVE_FAILED) {
		debug("%s:%s is not supported by this libarchive", module, key);
		return 0;
	}
	if (r != ARCHIVE_OK) {
		warnmsg("%s:%s=%s: %s", module, key, value, archive_error_string(a));
		return -1;
	}
	return 0;
}

/* A writer for the chosen format and filter. NULL after a message. */
static struct archive *new_writer(const struct mkc_vnfs_opts *o)
{
	struct archive *a = archive_write_new();
	const char *module = NULL;
	int r = o->format == MKC_VNFS_NEWC ? archive_write_set_format_cpio_newc(a)
					   : archive_write_set_format_pax_restricted(a);
	char num[32];
	switch (o->compress) {
	case MKC_VNFS_GZIP: r = r ? r : archive_write_add_filter_gzip(a); module = "gzip"; break;
	case MKC_VNFS_ZSTD: r = r ? r : archive_write_add_filter_zstd(a); module = "zstd"; break;
	case MKC_VNFS_XZ: r = r ? r : archive_write_add_filter_xz(a); module = "xz"; break;
	default: break;
	}
	if (r != ARCHIVE_OK) {
		warnmsg("%s", archive_error_string(a));
		archive_write_free(a);
		return NULL;
	}
	int ok = 0;
	if (module && o->level > 0) {
		snprintf(num, sizeof num, "%d", o->level);
		ok |= set_option(a, module, "compression-level", num);
	}
	if (o->compress == MKC_VNFS_GZIP)
		ok |= set_option(a, module, "timestamp", NULL); /* no time in the gzip header */
	if (o->compress == MKC_VNFS_ZSTD || o->compress == MKC_VNFS_XZ) {
		long n = o->threads > 0 ? o->threads : sysconf(_SC_NPROCESSORS_ONLN);
		snprintf(num, sizeof num, "%ld", n > 0 ? n : 1);
		ok |= set_option(a, module, "threads", num);
	}
	archive_write_set_bytes_in_last_block(a, 1);
	if (ok < 0) {
		archive_write_free(a);
		return NULL;
	}
	return a;
}

/* The packing line: bytes of the tree read, of its total size. */
struct meter {
	struct progress *line;
	uint64_t done;
};

static void on_data(uint64_t bytes, void *arg)
{
	struct meter *m = arg;
	m->done += bytes;
	progress_update(m->line, m->done);
}

/* A packing line for ROOT on a terminal (not with -q); NULL otherwise. */
static struct progress *meter_start(const char *root, const struct mkc_vnfs_opts *o)
{
	if (!progress_wanted(log_verbosity() <= LOG_QUIET))
		return NULL;
	struct progress *p = progress_start("packing", mkc_tree_size(root, o->excl), STDERR_FILENO);
	progress_hook_log(p);
	return p;
}

int mkc_vnfs_pack(const char *output, const char *root, const struct mkc_vnfs_opts *o, struct mkc_vnfs_stats *out)
{
	struct stat rs;
	if (stat(root, &rs) < 0) {
		warnmsg_errno("%s", root);
		return 1;
	}
	if (!S_ISDIR(rs.st_mode)) {
		warnmsg("%s: not a directory", root);
		return 1;
	}
	struct archive *a = new_writer(o);
	if (!a)
		return 1;
	struct fs_tmpfile t;
	if (fs_tmp_open(AT_FDCWD, output, 0644, &t) < 0) {
		warnmsg_errno("%s", output);
		archive_write_free(a);
		return 1;
	}
	struct stat ts;
	fstat(t.fd, &ts);
	struct mkc_tree_opts to = {
		.excl = o->excl,
		.link_format = o->format == MKC_VNFS_NEWC ? ARCHIVE_FORMAT_CPIO_SVR4_NOCRC : ARCHIVE_FORMAT_TAR_PAX_RESTRICTED,
		.max_file_size = o->format == MKC_VNFS_NEWC ? MKC_NEWC_LIMIT : 0,
		.format_name = o->format == MKC_VNFS_NEWC ? "cpio newc" : "pax tar",
		.clamp = o->clamp,
		.clamp_time = o->clamp_time,
		.skip_dev = ts.st_dev,
		.skip_ino = ts.st_ino,
		.verbose_list = log_verbosity() >= LOG_DEBUG,
		.on_data = on_data,
	};
	struct meter m = { meter_start(root, o), 0 };
	to.on_data_arg = &m;
	struct mkc_tree_stats st = { 0 };
	double t0 = now_monotonic();
	int rc = 1;
	if (archive_write_open_fd(a, t.fd) != ARCHIVE_OK)
		warnmsg("%s: %s", output, archive_error_string(a));
	else if (mkc_tree_write(a, root, &to, &st) == 0) {
		progress_update_note(m.line, m.done, "compressing the rest");
		if (archive_write_close(a) != ARCHIVE_OK)
			warnmsg("%s: %s", output, archive_error_string(a));
		else
			rc = 0;
	}
	archive_write_free(a);
	progress_end(m.line);
	if (rc == 0 && fs_tmp_commit(&t) < 0) {
		warnmsg_errno("%s", output);
		rc = 1;
	}
	if (rc != 0) {
		fs_tmp_abort(&t);
		warnmsg("%s: not written", output);
		return rc;
	}
	struct stat os;
	stat(output, &os);
	struct mkc_vnfs_stats done = {
		.files = st.entries, .bytes_in = st.bytes, .excluded = st.excluded, .bytes = (intmax_t)os.st_size,
		.seconds = now_monotonic() - t0,
	};
	verbose("%s: %ju entries, %ju bytes in files, %ju excluded, %jd bytes written in %.2f s", output, done.files,
		done.bytes_in, done.excluded, done.bytes, done.seconds);
	if (out)
		*out = done;
	return 0;
}
