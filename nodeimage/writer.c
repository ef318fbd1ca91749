/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * writer — sparse files behind a temporary name, zeroed ranges on block
 * devices, busy-device checks, read-back SHA-256.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/fs.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "fail.h"
#include "fsutil.h"
#include "log.h"
#include "writer.h"
#include "xalloc.h"

#define BLOCK 4096u
#define WIPE_BYTES (1u << 20)
#define IOBUF (4u << 20)
#define WRITEBACK_EVERY (32u << 20)

struct writer {
	char *path;
	int fd;
	int blockdev;
	dev_t rdev;
	uint64_t size;      /* image size */
	uint64_t dev_size;  /* device size (block devices) */
	uint64_t written;
	uint64_t unflushed;  /* bytes written since writeback was last started */
	struct fs_tmpfile tmp;
};

static const uint8_t zeros[BLOCK];

int writer_is_blockdev(const struct writer *w)
{
	return w->blockdev;
}

dev_t writer_rdev(const struct writer *w)
{
	return w->rdev;
}

uint64_t writer_bytes_written(const struct writer *w)
{
	return w->written;
}

/* --- is the device in use? -------------------------------------------------- */

static int mounted(dev_t dev, char *why, size_t whylen)
{
	FILE *fp = fopen("/proc/self/mountinfo", "re");
	if (!fp)
		return 0;
	char *line = NULL;
	size_t cap = 0;
	int found = 0;
	while (!found && getline(&line, &cap, fp) > 0) {
		unsigned ma, mi;
		char mnt[512];
		if (sscanf(line, "%*u %*u %u:%u %*s %511s", &ma, &mi, mnt) == 3 && makedev(ma, mi) == dev) {
			snprintf(why, whylen, "mounted on %s", mnt);
			found = 1;
		}
	}
	free(line);
	fclose(fp);
	return found;
}

static int swapped(dev_t dev, char *why, size_t whylen)
{
	FILE *fp = fopen("/proc/swaps", "re");
	if (!fp)
		return 0;
	char path[512];
	int found = 0;
	if (fscanf(fp, "%*[^\n]\n") < 0) {
		fclose(fp);
		return 0;
	}
	while (!found && fscanf(fp, "%511s %*[^\n]\n", path) == 1) {
		struct stat st;
		if (stat(path, &st) == 0 && S_ISBLK(st.st_mode) && st.st_rdev == dev) {
			snprintf(why, whylen, "used as swap (%s)", path);
			found = 1;
		}
	}
	fclose(fp);
	return found;
}

static int held(const char *sysdir, char *why, size_t whylen)
{
	char *p = xasprintf("%s/holders", sysdir);
	DIR *d = opendir(p);
	free(p);
	if (!d)
		return 0;
	struct dirent *e;
	int found = 0;
	while (!found && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(why, whylen, "held by %s", e->d_name);
		found = 1;
	}
	closedir(d);
	return found;
}

static int dev_busy(dev_t dev, const char *sysdir, char *why, size_t whylen)
{
	return mounted(dev, why, whylen) || swapped(dev, why, whylen) || held(sysdir, why, whylen);
}

int writer_device_busy(dev_t dev, char *why, size_t whylen)
{
	char *sys = xasprintf("/sys/dev/block/%u:%u", major(dev), minor(dev));
	int busy = dev_busy(dev, sys, why, whylen);
	DIR *d = busy ? NULL : opendir(sys);
	struct dirent *e;
	while (d && !busy && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char *devfile = xasprintf("%s/%s/dev", sys, e->d_name);
		char *part = xasprintf("%s/%s/partition", sys, e->d_name);
		unsigned ma, mi;
		FILE *fp = access(part, F_OK) == 0 ? fopen(devfile, "re") : NULL;
		if (fp && fscanf(fp, "%u:%u", &ma, &mi) == 2) {
			char *psys = xasprintf("%s/%s", sys, e->d_name);
			char pwhy[600];
			if (dev_busy(makedev(ma, mi), psys, pwhy, sizeof pwhy)) {
				snprintf(why, whylen, "partition %s is %s", e->d_name, pwhy);
				busy = 1;
			}
			free(psys);
		}
		if (fp)
			fclose(fp);
		free(devfile);
		free(part);
	}
	if (d)
		closedir(d);
	free(sys);
	return busy;
}

/* --- opening ---------------------------------------------------------------- */

static int wipe_device(struct writer *w, char *err, size_t errlen)
{
	uint64_t head = w->dev_size < WIPE_BYTES ? w->dev_size : WIPE_BYTES;
	if (writer_zero(w, 0, head, err, errlen) < 0)
		return -1;
	return writer_zero(w, w->dev_size - head, head, err, errlen);
}

static int open_device(struct writer *w, const struct stat *st, int wipe, char *err, size_t errlen)
{
	char why[700];
	w->blockdev = 1;
	w->rdev = st->st_rdev;
	if (writer_device_busy(st->st_rdev, why, sizeof why))
		return fail("%s: refusing to write: it is %s", w->path, why);
	w->fd = open(w->path, O_RDWR | O_EXCL | O_CLOEXEC);
	if (w->fd < 0)
		return fail("%s: %s%s", w->path, strerror(errno),
			    errno == EBUSY ? " (the device is in use)" : "");
	if (ioctl(w->fd, BLKGETSIZE64, &w->dev_size) < 0)
		return fail("%s: cannot get the device size: %s", w->path, strerror(errno));
	if (w->size > w->dev_size)
		return fail("%s: image is %" PRIu64 " bytes but the device holds only %" PRIu64, w->path, w->size,
			    w->dev_size);
	return wipe ? wipe_device(w, err, errlen) : 0;
}

static int open_file(struct writer *w, char *err, size_t errlen)
{
	if (fs_tmp_open(AT_FDCWD, w->path, 0644, &w->tmp) < 0)
		return fail("%s: cannot create a temporary file beside it: %s", w->path, strerror(errno));
	w->fd = w->tmp.fd;
	if (ftruncate(w->fd, (off_t)w->size) < 0)
		return fail("%s: cannot size the file to %" PRIu64 " bytes: %s", w->path, w->size, strerror(errno));
	return 0;
}

struct writer *writer_open(const char *path, uint64_t size, int wipe, char *err, size_t errlen)
{
	struct writer *w = xcalloc(1, sizeof *w);
	w->path = xstrdup(path);
	w->fd = -1;
	w->tmp.fd = -1;
	w->size = size;
	struct stat st;
	int r;
	if (stat(path, &st) == 0 && S_ISBLK(st.st_mode))
		r = open_device(w, &st, wipe, err, errlen);
	else if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
		r = fail("%s: not a block device or a regular file", path);
	else
		r = open_file(w, err, errlen);
	if (r < 0) {
		writer_abort(w);
		return NULL;
	}
	return w;
}

/* --- writing ---------------------------------------------------------------- */

static int pwrite_all(struct writer *w, const uint8_t *buf, size_t len, uint64_t off, char *err, size_t errlen)
{
	while (len > 0) {
		ssize_t n = pwrite(w->fd, buf, len, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return fail("%s: write at offset %" PRIu64 ": %s", w->path, off,
				    n < 0 ? strerror(errno) : "no progress");
		buf += n;
		len -= (size_t)n;
		off += (uint64_t)n;
		w->written += (uint64_t)n;
		w->unflushed += (uint64_t)n;
	}
	/* start writeback as we go, so the final flush overlaps the download */
	if (w->unflushed >= WRITEBACK_EVERY) {
		sync_file_range(w->fd, 0, 0, SYNC_FILE_RANGE_WRITE);
		w->unflushed = 0;
	}
	return 0;
}

static int in_range(struct writer *w, uint64_t off, uint64_t len)
{
	uint64_t end = w->blockdev ? w->dev_size : w->size;
	return off <= end && len <= end - off;
}

static int is_zero(const uint8_t *p, size_t n)
{
	return n == 0 || (p[0] == 0 && memcmp(p, p + 1, n - 1) == 0);
}

int writer_zero(struct writer *w, uint64_t off, uint64_t len, char *err, size_t errlen)
{
	if (!in_range(w, off, len))
		return fail("%s: zeroing %" PRIu64 "+%" PRIu64 " would go past the end", w->path, off, len);
	if (!w->blockdev || len == 0)
		return 0; /* a fresh sparse file already reads as zero */
	uint64_t a = (off + 511) & ~511ull, b = (off + len) & ~511ull;
	if (a < b) {
		uint64_t range[2] = { a, b - a };
		if (ioctl(w->fd, BLKZEROOUT, range) == 0) {
			if (a > off && pwrite_all(w, zeros, a - off, off, err, errlen) < 0)
				return -1;
			return off + len > b ? pwrite_all(w, zeros, off + len - b, b, err, errlen) : 0;
		}
	}
	while (len > 0) { /* no BLKZEROOUT: write zeros */
		size_t n = len < BLOCK ? (size_t)len : BLOCK;
		if (pwrite_all(w, zeros, n, off, err, errlen) < 0)
			return -1;
		off += n;
		len -= n;
	}
	return 0;
}

int writer_write(struct writer *w, uint64_t off, const void *buf, size_t len, char *err, size_t errlen)
{
	if (!in_range(w, off, len))
		return fail("%s: write %" PRIu64 "+%zu would go past the end of the image", w->path, off, len);
	if (w->blockdev)
		return pwrite_all(w, buf, len, off, err, errlen);
	/* files: leave all-zero 4 KiB blocks as holes, write the rest in runs */
	const uint8_t *p = buf;
	size_t i = 0, run = 0;
	while (i < len) {
		size_t n = BLOCK - (size_t)((off + i) % BLOCK);
		if (n > len - i)
			n = len - i;
		if (is_zero(p + i, n)) {
			if (i > run && pwrite_all(w, p + run, i - run, off + run, err, errlen) < 0)
				return -1;
			run = i + n;
		}
		i += n;
	}
	return i > run ? pwrite_all(w, p + run, i - run, off + run, err, errlen) : 0;
}

/* --- verification and the end --------------------------------------------- */

static int hash_range(struct writer *w, int fd, EVP_MD_CTX *ctx, uint8_t *buf, uint64_t off, uint64_t end,
		      char *err, size_t errlen)
{
	while (off < end) {
		size_t n = end - off < IOBUF ? (size_t)(end - off) : IOBUF;
		ssize_t r = pread(fd, buf, n, (off_t)off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return fail("%s: read back at offset %" PRIu64 ": %s", w->path, off,
				    r < 0 ? strerror(errno) : "short file");
		EVP_DigestUpdate(ctx, buf, (size_t)r);
		off += (uint64_t)r;
	}
	return 0;
}

static void hash_zeros(EVP_MD_CTX *ctx, uint64_t len)
{
	for (; len > 0; len -= len < BLOCK ? len : BLOCK)
		EVP_DigestUpdate(ctx, zeros, len < BLOCK ? len : BLOCK);
}

int writer_sha256(struct writer *w, uint8_t out[32], char *err, size_t errlen)
{
	/* the temporary file is open write-only: read it through /proc */
	char *self = xasprintf("/proc/self/fd/%d", w->fd);
	int fd = w->blockdev ? w->fd : open(self, O_RDONLY | O_CLOEXEC);
	free(self);
	if (fd < 0)
		return fail("%s: cannot read the written file back: %s", w->path, strerror(errno));
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	uint8_t *buf = xmalloc(IOBUF);
	int rc = EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1 ? 0 : fail("SHA-256 unavailable");
	uint64_t off = 0;
	while (rc == 0 && off < w->size) {
		/* files: holes hash as zeros without being read */
		off_t data = w->blockdev ? (off_t)off : lseek(fd, (off_t)off, SEEK_DATA);
		uint64_t d = data < 0 || (uint64_t)data > w->size ? w->size : (uint64_t)data;
		hash_zeros(ctx, d - off);
		off_t hole = w->blockdev ? (off_t)w->size : lseek(fd, (off_t)d, SEEK_HOLE);
		uint64_t h = hole < 0 || (uint64_t)hole > w->size ? w->size : (uint64_t)hole;
		rc = hash_range(w, fd, ctx, buf, d, h, err, errlen);
		off = h;
	}
	unsigned int n = 32;
	if (rc == 0)
		EVP_DigestFinal_ex(ctx, out, &n);
	EVP_MD_CTX_free(ctx);
	free(buf);
	if (fd != w->fd)
		close(fd);
	return rc;
}

int writer_reread_partitions(const char *dev)
{
	int fd = open(dev, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int r = ioctl(fd, BLKRRPART);
	close(fd);
	return r;
}

static void writer_free(struct writer *w)
{
	free(w->path);
	free(w);
}

int writer_commit(struct writer *w, char *err, size_t errlen)
{
	int rc = 0;
	if (w->blockdev) {
		if (fsync(w->fd) < 0)
			rc = fail("%s: flush: %s", w->path, strerror(errno));
		close(w->fd);
		if (rc == 0)
			writer_reread_partitions(w->path);
	} else if (fs_tmp_commit(&w->tmp) < 0) {
		rc = fail("%s: cannot put the file in place: %s", w->path, strerror(errno));
	}
	writer_free(w);
	return rc;
}

void writer_abort(struct writer *w)
{
	if (!w)
		return;
	if (w->tmp.tmp_name)
		fs_tmp_abort(&w->tmp);
	else if (w->fd >= 0)
		close(w->fd);
	writer_free(w);
}
