/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fetch — byte ranges of one image, from an HTTP(S) server, a file:// URL
 * or a local path. HTTP uses libcurl on one reused connection: a HEAD for
 * the size, then one range request per call. A transfer that breaks is
 * resumed from the first byte not yet delivered, up to RETRIES times. A
 * server that ignores ranges is read once, whole, into an unlinked spool
 * file, and every later range comes from there.
 */
#ifndef NODEIMAGE_FETCH_H
#define NODEIMAGE_FETCH_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

struct fetch_opts {
	int retries;          /* extra attempts per range after a failure */
	long connect_timeout; /* seconds */
	long stall_timeout;   /* seconds without a byte before a transfer is retried */
	const volatile sig_atomic_t *stop; /* if set and nonzero (a signal came): give up at once, no retry */
};

struct fetch_stats {
	uint64_t requests; /* HTTP requests made (HEAD included) */
	uint64_t bytes;    /* body bytes received */
	uint64_t resumed;  /* transfers resumed after a failure */
	int spooled;       /* server had no ranges: image went through a spool file */
};

struct fetch;

/*
 * Sink for streamed bytes: DATA holds LEN bytes that start at image offset
 * OFF. Returns 0 to go on, -1 to stop the transfer (its own error).
 */
typedef int (*fetch_sink)(void *arg, uint64_t off, const uint8_t *data, size_t len);

/*
 * Is SOURCE something fetch reads: an http://, https:// or file:// URL, or
 * a local path? 0, or -1 with ERR naming the unsupported scheme.
 */
int fetch_check_source(const char *source, char *err, size_t errlen);
/* A fetch for SOURCE, not yet opened: its stats read zero until fetch_open(). */
struct fetch *fetch_new(const char *source, const struct fetch_opts *opts);
/* Open the source and learn its size. 0, or -1 with a message in ERR (the stats keep the requests made). */
int fetch_open(struct fetch *f, char *err, size_t errlen);
uint64_t fetch_size(const struct fetch *f);
const struct fetch_stats *fetch_stats(const struct fetch *f);

/* Read exactly LEN bytes at OFF into BUF. 0, or -1 with ERR (download error). */
int fetch_read(struct fetch *f, uint64_t off, void *buf, size_t len, char *err, size_t errlen);

/*
 * Stream the LEN bytes at OFF to SINK, in order, each byte once even across
 * retries. 0; -1 with ERR for a download error; -2 if SINK stopped it.
 */
int fetch_stream(struct fetch *f, uint64_t off, uint64_t len, fetch_sink sink, void *arg, char *err,
		 size_t errlen);

void fetch_close(struct fetch *f);

#endif
