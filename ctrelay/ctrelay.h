/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctrelay — one link of cpush's broadcast chain (lib/relay/relayctl.h is the
 * control language). One poll loop (main.c) over: the control lines on
 * stdin; the listening socket and the connections still in their handshake,
 * each with a deadline (upstream.c); the established upstream, whose frames
 * are checked, landed and queued for the successor (main.c); the successor,
 * reached and fed by a child process while it catches up (downstream.c).
 */
#ifndef CTRELAY_CTRELAY_H
#define CTRELAY_CTRELAY_H

#include <netinet/in.h>
#include <poll.h>
#include <sys/types.h>

#include "relayctl.h"
#include "relayio.h"
#include "relaynet.h"

#define QUEUE_HIGH (8u << 20) /* stop reading upstream above this many queued bytes */

/* A connection in its handshake. */
struct pending {
	struct relay_shake h; /* h.fd -1: a free slot */
	double deadline;
	int announced;        /* from the announced predecessor (else held, silent, until it is) */
	char addr[INET6_ADDRSTRLEN];
};

struct relay {
	struct relay_key key;
	struct relay_sink sink;
	char tag[32];
	char addr[INET6_ADDRSTRLEN];  /* listening on (connections out leave from it); "" any */
	char from[INET6_ADDRSTRLEN];  /* the announced predecessor; "" none announced yet */
	int lfd, up, down;
	struct pending pend[RELAY_PENDING_MAX];
	unsigned char *frame;  /* upstream frame being read */
	size_t got;
	unsigned char *plain;
	unsigned char *q;      /* frames to forward downstream */
	size_t qoff, qlen, qcap;
	char down_host[INET6_ADDRSTRLEN], down_port[8];
	pid_t feeder;          /* child re-feeding the successor (down is not written meanwhile), 0 */
	int feedpipe;          /* its report, -1 */
	uint32_t skip_entry;   /* the successor already holds everything before (entry, off) */
	uint64_t skip_off;
	int end_said;
	double last_out;       /* downstream last took bytes (or had none to take) */
	int stall_said;
	char ctl[8192];
	size_t ctllen;
};

/* A report line on stdout (lib/relay/relayctl.h). */
void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* upstream.c */
void up_accept(struct relay *r, double now);
void up_announce(struct relay *r, const char *addr);
void up_pending_step(struct relay *r, int i, short revents);
void up_expire(struct relay *r, double now);
double up_next_deadline(const struct relay *r);
void up_close_all(struct relay *r);
/* Which pending slot a new connection takes: a free one; when all are taken and it comes from the
 * announced address, the oldest one that does not (else the oldest); -1: the new one is closed. */
int pending_slot(const struct pending *p, int n, int announced);

/* downstream.c */
void down_next(struct relay *r, const char *host, const char *port);
void down_last(struct relay *r);
void down_fed(struct relay *r);
void down_drop(struct relay *r);

#endif
