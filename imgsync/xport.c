/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fsutil.h"
#include "log.h"
#include "spawn.h"
#include "xalloc.h"
#include "xport.h"

#define FLUSH_AT (256u << 10)

static ssize_t fd_read(struct imgs_xport *x, void *buf, size_t n)
{
	for (;;) {
		ssize_t r = read(x->rfd, buf, n);
		if (r < 0 && errno == EINTR)
			continue;
		return r;
	}
}

static int fd_write(struct imgs_xport *x, const void *buf, size_t n)
{
	return fs_write_all(x->wfd, buf, n);
}

void imgs_xport_init_fds(struct imgs_xport *x, const char *name, int rfd, int wfd)
{
	memset(x, 0, sizeof *x);
	x->name = xstrdup(name);
	x->rfd = rfd;
	x->wfd = wfd;
	x->read = fd_read;
	x->write = fd_write;
}

int imgs_xport_spawn(struct imgs_xport *x, const char *name, const char *path, char *const argv[])
{
	struct spawn_opts o = { .path = path, .in = SPAWN_PIPE, .out = SPAWN_PIPE };
	struct spawn s;
	if (spawn_start(&s, argv, &o) < 0)
		return -1;
	imgs_xport_init_fds(x, name, s.out, s.in);
	x->pid = s.pid;
	return 0;
}

int imgs_xport_close(struct imgs_xport *x)
{
	int status = 0;
	if (x->close)
		status = x->close(x);
	x->close = NULL;
	if (x->rfd >= 0)
		close(x->rfd);
	if (x->wfd >= 0 && x->wfd != x->rfd)
		close(x->wfd);
	x->rfd = x->wfd = -1;
	if (x->pid > 0) {
		status = spawn_wait(x->pid);
		x->pid = 0;
	}
	imgs_wbuf_free(&x->out);
	free(x->in);
	free(x->name);
	x->in = NULL;
	x->name = NULL;
	return status;
}

int imgs_xport_flush(struct imgs_xport *x)
{
	if (x->out.len == 0)
		return 0;
	if (x->write(x, x->out.p, x->out.len) < 0) {
		snprintf(x->err, sizeof x->err, "write: %s", strerror(errno));
		x->out.len = 0;
		return -1;
	}
	x->bytes_out += x->out.len;
	x->out.len = 0;
	return 0;
}

int imgs_xport_queue(struct imgs_xport *x, struct imgs_wbuf *b)
{
	if (x->out.len == 0 && b->len >= FLUSH_AT) {
		if (x->write(x, b->p, b->len) < 0) {
			snprintf(x->err, sizeof x->err, "write: %s", strerror(errno));
			b->len = 0;
			return -1;
		}
		x->bytes_out += b->len;
		b->len = 0;
		return 0;
	}
	imgs_put_bytes(&x->out, b->p, b->len);
	b->len = 0;
	return x->out.len >= FLUSH_AT ? imgs_xport_flush(x) : 0;
}

void imgs_xport_send_error(struct imgs_xport *x, const char *msg)
{
	struct imgs_wbuf b = { 0 };
	imgs_enc_text(&b, IMGS_M_ERROR, msg);
	imgs_xport_queue(x, &b);
	imgs_xport_flush(x);
	imgs_wbuf_free(&b);
}

int imgs_xport_recv(struct imgs_xport *x, uint8_t *type, const unsigned char **body, size_t *len)
{
	if (imgs_xport_flush(x) < 0)
		return -1;
	for (;;) {
		size_t used;
		int r = imgs_frame_parse(x->in + x->in_off, x->in_len - x->in_off, type, body, len, &used,
					 x->err, sizeof x->err);
		if (r < 0)
			return -1;
		if (r > 0) {
			x->in_off += used;
			return 1;
		}
		/* need more: compact, grow, read */
		if (x->in_off > 0) {
			memmove(x->in, x->in + x->in_off, x->in_len - x->in_off);
			x->in_len -= x->in_off;
			x->in_off = 0;
		}
		if (x->in_cap - x->in_len < 65536) {
			x->in_cap = x->in_cap ? x->in_cap * 2 : (1u << 20);
			if (x->in_cap > 2 * IMGS_FRAME_MAX + 65536)
				x->in_cap = 2 * IMGS_FRAME_MAX + 65536;
			x->in = xrealloc(x->in, x->in_cap);
		}
		ssize_t n = x->read(x, x->in + x->in_len, x->in_cap - x->in_len);
		if (n < 0) {
			snprintf(x->err, sizeof x->err, "read: %s", strerror(errno));
			return -1;
		}
		if (n == 0) {
			if (x->in_len == 0)
				return 0;
			snprintf(x->err, sizeof x->err, "connection closed in the middle of a message");
			return -1;
		}
		x->bytes_in += (uint64_t)n;
		x->in_len += (size_t)n;
	}
}
