/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <librsync.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "delta.h"
#include "fsutil.h"
#include "log.h"
#include "xalloc.h"

#define BLK 4096
#define IOBUF (256u << 10)

static int all_zero(const unsigned char *p, size_t n)
{
	return n == 0 || (p[0] == 0 && memcmp(p, p + 1, n - 1) == 0);
}

static int pwrite_all(int fd, const unsigned char *p, size_t n, uint64_t off)
{
	while (n > 0) {
		ssize_t w = pwrite(fd, p, n, (off_t)off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		p += w;
		n -= (size_t)w;
		off += (uint64_t)w;
	}
	return 0;
}

int imgs_sparse_write(struct imgs_sparse *s, const void *buf, size_t len)
{
	const unsigned char *p = buf;
	if (s->off > s->max || len > s->max - s->off) {
		errno = EFBIG;
		return -1;
	}
	while (len > 0) {
		size_t n = BLK - (size_t)(s->off % BLK);
		if (n > len)
			n = len;
		/* only whole blocks become holes; a partial one may hold old data */
		if (!(n == BLK && all_zero(p, n)) && pwrite_all(s->fd, p, n, s->off) < 0)
			return -1;
		p += n;
		len -= n;
		s->off += n;
	}
	return 0;
}

int imgs_sparse_finish(struct imgs_sparse *s, uint64_t size)
{
	return ftruncate(s->fd, (off_t)size);
}

/* Drive JOB over an input (memory or fd) into OUT (wbuf or fd). */
struct io {
	const unsigned char *mem;
	size_t memlen;
	int infd;
	struct imgs_wbuf *outbuf;
	int outfd;
};

/* librsync reports its errors to us; it does not print them. */
static void quiet_librsync(void)
{
	rs_trace_set_level(RS_LOG_CRIT);
}

static int drive(rs_job_t *job, struct io *io, char *err, size_t errlen)
{
	quiet_librsync();
	unsigned char *in = xmalloc(IOBUF), *out = xmalloc(IOBUF);
	rs_buffers_t b = { 0 };
	size_t memoff = 0;
	int rc = -1;
	for (;;) {
		if (b.avail_in == 0 && !b.eof_in) {
			if (io->mem) {
				size_t n = io->memlen - memoff < IOBUF ? io->memlen - memoff : IOBUF;
				b.next_in = (char *)io->mem + memoff;
				b.avail_in = n;
				memoff += n;
				b.eof_in = memoff == io->memlen;
			} else {
				ssize_t n = read(io->infd, in, IOBUF);
				if (n < 0 && errno == EINTR)
					continue;
				if (n < 0) {
					snprintf(err, errlen, "read: %s", strerror(errno));
					break;
				}
				b.next_in = (char *)in;
				b.avail_in = (size_t)n;
				b.eof_in = n == 0;
			}
		}
		b.next_out = (char *)out;
		b.avail_out = IOBUF;
		rs_result r = rs_job_iter(job, &b);
		size_t produced = IOBUF - b.avail_out;
		if (produced) {
			if (io->outbuf)
				imgs_put_bytes(io->outbuf, out, produced);
			else if (fs_write_all(io->outfd, out, produced) < 0) {
				snprintf(err, errlen, "write: %s", strerror(errno));
				break;
			}
		}
		if (r == RS_DONE) {
			rc = 0;
			break;
		}
		if (r != RS_BLOCKED) {
			snprintf(err, errlen, "librsync: %s", rs_strerror(r));
			break;
		}
	}
	free(in);
	free(out);
	return rc;
}

int imgs_sig_fd(int fd, uint64_t size, struct imgs_wbuf *out, char *err, size_t errlen)
{
	rs_magic_number magic = RS_BLAKE2_SIG_MAGIC;
	size_t block_len = 0, strong_len = 0;
	rs_result r = rs_sig_args((rs_long_t)size, &magic, &block_len, &strong_len);
	if (r != RS_DONE) {
		snprintf(err, errlen, "librsync: %s", rs_strerror(r));
		return -1;
	}
	if (lseek(fd, 0, SEEK_SET) < 0) {
		snprintf(err, errlen, "seek: %s", strerror(errno));
		return -1;
	}
	rs_job_t *job = rs_sig_begin(block_len, strong_len, magic);
	struct io io = { .infd = fd, .outbuf = out, .outfd = -1 };
	int rc = drive(job, &io, err, errlen);
	rs_job_free(job);
	return rc;
}

int imgs_delta_fd(const unsigned char *sig, size_t siglen, int newfd, int outfd, char *err, size_t errlen)
{
	rs_signature_t *sums = NULL;
	rs_job_t *job = rs_loadsig_begin(&sums);
	struct io io = { .mem = sig, .memlen = siglen, .infd = -1, .outfd = -1 };
	struct imgs_wbuf none = { 0 };
	io.outbuf = &none;
	int rc = siglen == 0 ? -1 : drive(job, &io, err, errlen);
	if (siglen == 0)
		snprintf(err, errlen, "empty signature");
	rs_job_free(job);
	imgs_wbuf_free(&none);
	if (rc < 0 || !sums) {
		if (sums)
			rs_free_sumset(sums);
		return -1;
	}
	rs_result r = rs_build_hash_table(sums);
	if (r != RS_DONE) {
		snprintf(err, errlen, "librsync: %s", rs_strerror(r));
		rs_free_sumset(sums);
		return -1;
	}
	if (lseek(newfd, 0, SEEK_SET) < 0) {
		snprintf(err, errlen, "seek: %s", strerror(errno));
		rs_free_sumset(sums);
		return -1;
	}
	job = rs_delta_begin(sums);
	struct io dio = { .infd = newfd, .outfd = outfd };
	rc = drive(job, &dio, err, errlen);
	rs_job_free(job);
	rs_free_sumset(sums);
	return rc;
}

struct imgs_patch {
	rs_job_t *job;
	int basisfd;
	struct imgs_sparse *out;
	unsigned char *buf;
	int done;
};

static rs_result copy_cb(void *arg, rs_long_t pos, size_t *len, void **buf)
{
	struct imgs_patch *p = arg;
	size_t got = 0;
	while (got < *len) {
		ssize_t n = pread(p->basisfd, (char *)*buf + got, *len - got, (off_t)pos + (off_t)got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return RS_IO_ERROR;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	if (got == 0 && *len > 0)
		return RS_INPUT_ENDED;
	*len = got;
	return RS_DONE;
}

struct imgs_patch *imgs_patch_new(int basisfd, struct imgs_sparse *out)
{
	quiet_librsync();
	struct imgs_patch *p = xcalloc(1, sizeof *p);
	p->basisfd = basisfd;
	p->out = out;
	p->buf = xmalloc(IOBUF);
	p->job = rs_patch_begin(copy_cb, p);
	return p;
}

int imgs_patch_feed(struct imgs_patch *p, const void *buf, size_t len, int eof, char *err, size_t errlen)
{
	if (p->done) {
		if (len == 0)
			return 0;
		snprintf(err, errlen, "delta continues after its end");
		return -1;
	}
	rs_buffers_t b = { .next_in = (char *)buf, .avail_in = len, .eof_in = eof };
	for (int stalls = 0;;) {
		b.next_out = (char *)p->buf;
		b.avail_out = IOBUF;
		rs_result r = rs_job_iter(p->job, &b);
		size_t produced = IOBUF - b.avail_out;
		if (produced && imgs_sparse_write(p->out, p->buf, produced) < 0) {
			snprintf(err, errlen, "write: %s", strerror(errno));
			return -1;
		}
		if (r == RS_DONE) {
			p->done = 1;
			return 0;
		}
		if (r != RS_BLOCKED) {
			snprintf(err, errlen, "bad delta: %s", rs_strerror(r));
			return -1;
		}
		if (b.avail_in == 0 && produced == 0) {
			if (!eof)
				return 0;
			if (++stalls > 3) {
				snprintf(err, errlen, "truncated delta");
				return -1;
			}
		}
	}
}

int imgs_patch_done(const struct imgs_patch *p)
{
	return p->done;
}

void imgs_patch_free(struct imgs_patch *p)
{
	if (!p)
		return;
	rs_job_free(p->job);
	free(p->buf);
	free(p);
}
