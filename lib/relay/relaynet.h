/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * relaynet — the relays' sockets with a deadline each: a connect that
 * gives up after a while (or when asked to), and the listener's half of
 * the handshake as a state machine that a poll loop drives without ever
 * blocking on a peer (relay.h says what the handshake proves).
 */
#ifndef CT_RELAYNET_H
#define CT_RELAYNET_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "relay.h"

/*
 * Start a non-blocking connect to HOST:PORT (numeric), from the address SRC
 * unless SRC is NULL or empty. The socket (non-blocking, TCP_NODELAY), or
 * -1 with errno.
 */
int relay_connect_start(const char *host, const char *port, const char *src);
/*
 * Wait for that connect to finish: at most TIMEOUT_MS, asking CANCELLED(ARG)
 * (may be NULL) every 100 ms whether to give up. 0, or -1 with errno
 * (ETIMEDOUT, ECANCELED, or why the connect failed).
 */
int relay_connect_wait(int fd, int timeout_ms, int (*cancelled)(void *), void *arg);

/* The address this host sends from to reach HOST (numeric) into OUT; -1 if there is no route. No packet is sent. */
int relay_route_src(const char *host, char *out, size_t outlen);
/* The numeric form of address ADDR ("127.000.0.1" -> "127.0.0.1") in OUT; -1 if not an address. */
int relay_addr_norm(const char *addr, char *out, size_t outlen);
/* The numeric address of SA in OUT ("" if none). */
void relay_addr_str(const struct sockaddr *sa, socklen_t len, char *out, size_t outlen);

/* The listener's handshake with one peer: challenge out, HELLO in, RESUME out. */
struct relay_shake {
	int fd;                 /* non-blocking */
	int state;
	unsigned char chal[RELAY_CHAL_LEN];
	unsigned char buf[RELAY_RESUME_LEN]; /* HELLO being read, then RESUME being written */
	size_t off;
};

/* Begin on FD (made non-blocking): draws the challenge. 0, or -1 with ERR. */
int relay_shake_begin(struct relay_shake *h, int fd, char *err, size_t errlen);
/* The poll events the handshake waits for. */
short relay_shake_events(const struct relay_shake *h);
/*
 * Move on as far as the socket allows. The RESUME answer says the listener
 * holds everything before (ENTRY, OFF). 1 done (the peer holds the key),
 * 0 not yet, -1 failed with ERR (the peer left, or does not hold the key:
 * *REFUSED is then set).
 */
int relay_shake_step(struct relay_shake *h, const struct relay_key *k, uint32_t entry, uint64_t off,
		     int *refused, char *err, size_t errlen);

#endif
