/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * xport — a framed, buffered message channel between a sender and a
 * receiver over a pair of file descriptors (a socketpair to a forked server,
 * the pipes of an ssh process) or any other byte stream behind the read and
 * write hooks (an ssh exec channel). Counts the bytes that cross it.
 */
#ifndef IMGSYNC_XPORT_H
#define IMGSYNC_XPORT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "proto.h"

struct imgs_meter;

struct imgs_xport {
	char *name;           /* peer name for messages ("local", node name) */
	int rfd, wfd;
	pid_t pid;            /* spawned peer process, or 0 */
	/* byte stream hooks; default: read(2)/write(2) on rfd/wfd */
	ssize_t (*read)(struct imgs_xport *x, void *buf, size_t n);
	int (*write)(struct imgs_xport *x, const void *buf, size_t n);
	int (*close)(struct imgs_xport *x);  /* NULL: close fds, wait for pid */
	void *ctx;
	struct imgs_wbuf out;  /* frames waiting to be written */
	unsigned char *in;
	size_t in_len, in_off, in_cap;
	uint64_t bytes_in, bytes_out;
	struct imgs_meter *meter;   /* the client's progress line, or NULL */
	int zdata;             /* the sender compresses DATA chunks (hello flag COMPRESS) */
	char err[256];
};

void imgs_xport_init_fds(struct imgs_xport *x, const char *name, int rfd, int wfd);
/* Run PATH (NULL: ARGV[0] from PATH) with its stdin/stdout connected to X. 0 or -1. */
int imgs_xport_spawn(struct imgs_xport *x, const char *name, const char *path, char *const argv[]);
/* Close the descriptors and wait for a spawned peer: its wait status, or 0. */
int imgs_xport_close(struct imgs_xport *x);

/* Queue the frames in B (cleared) and write them once enough is queued. 0 or -1. */
int imgs_xport_queue(struct imgs_xport *x, struct imgs_wbuf *b);
int imgs_xport_flush(struct imgs_xport *x);
/*
 * Next frame: 1 with TYPE and BODY (valid until the next call), 0 at a clean
 * end of stream, -1 on error or a bad frame (x->err says which).
 */
int imgs_xport_recv(struct imgs_xport *x, uint8_t *type, const unsigned char **body, size_t *len);
/* Send an ERROR message (best effort). */
void imgs_xport_send_error(struct imgs_xport *x, const char *msg);

#endif
