/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * upstream — who may feed this relay. A connection is accepted into one of
 * RELAY_PENDING_MAX slots with a deadline of RELAY_HANDSHAKE_MS in all; one
 * from an address other than the announced predecessor is held silent (its
 * announcement may still be on its way) and closed at its deadline; the
 * handshake runs a step at a time as the socket allows, so a peer that
 * trickles bytes holds only its slot, never the loop. A connection that
 * proves the key replaces the established upstream (the chain was re-routed).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "clock.h"
#include "ctrelay.h"

static int is_announced(const struct relay *r, const char *addr)
{
	return !r->from[0] || strcmp(r->from, addr) == 0;
}

static void drop_pending(struct relay *r, int i, const char *why)
{
	struct pending *p = &r->pend[i];
	if (why)
		say(RELAYCTL_CLOSED " %s %s", p->addr[0] ? p->addr : "?", why);
	close(p->h.fd);
	p->h.fd = -1;
}

void up_accept(struct relay *r, double now)
{
	for (int k = 0; k < 16; k++) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof ss;
		int fd = accept4(r->lfd, (struct sockaddr *)&ss, &sl, SOCK_CLOEXEC | SOCK_NONBLOCK);
		if (fd < 0)
			return;
		char addr[INET6_ADDRSTRLEN], err[256];
		relay_addr_str((struct sockaddr *)&ss, sl, addr, sizeof addr);
		int announced = is_announced(r, addr);
		int i = pending_slot(r->pend, RELAY_PENDING_MAX, announced);
		if (i < 0) {
			say(RELAYCTL_CLOSED " %s too many connections in their handshake", addr);
			close(fd);
			continue;
		}
		if (r->pend[i].h.fd >= 0)
			drop_pending(r, i, "too many connections in their handshake");
		struct pending *p = &r->pend[i];
		if (relay_shake_begin(&p->h, fd, err, sizeof err) < 0) {
			say(RELAYCTL_FAIL " %s", err);
			close(fd);
			p->h.fd = -1;
			continue;
		}
		p->deadline = now + RELAY_HANDSHAKE_MS / 1000.0;
		p->announced = announced;
		snprintf(p->addr, sizeof p->addr, "%s", addr);
	}
}

/* "from ADDR": held connections from it may go on; those from the old predecessor are dropped. */
void up_announce(struct relay *r, const char *addr)
{
	if (relay_addr_norm(addr, r->from, sizeof r->from) < 0) {
		snprintf(r->from, sizeof r->from, "%s", addr); /* matches nothing a peer can have */
		say(RELAYCTL_FAIL " from %s: not a numeric address", addr);
	}
	for (int i = 0; i < RELAY_PENDING_MAX; i++) {
		struct pending *p = &r->pend[i];
		if (p->h.fd < 0)
			continue;
		int was = p->announced;
		p->announced = is_announced(r, p->addr);
		if (was && !p->announced)
			drop_pending(r, i, "no longer the announced predecessor");
	}
}

static void promote(struct relay *r, int i)
{
	struct pending *p = &r->pend[i];
	if (r->up >= 0)
		close(r->up);
	r->up = p->h.fd;
	r->got = 0;
	p->h.fd = -1;
}

void up_pending_step(struct relay *r, int i, short revents)
{
	struct pending *p = &r->pend[i];
	if (p->h.fd < 0 || !p->announced || !revents)
		return;
	char err[256];
	int refused; /* a wrong key is reported like any other drop: "refused" is for content only */
	int rc = relay_shake_step(&p->h, &r->key, r->sink.have_entry, r->sink.have_off, &refused, err, sizeof err);
	if (rc > 0)
		promote(r, i);
	else if (rc < 0)
		drop_pending(r, i, err);
}

void up_expire(struct relay *r, double now)
{
	char why[64];
	for (int i = 0; i < RELAY_PENDING_MAX; i++) {
		struct pending *p = &r->pend[i];
		if (p->h.fd < 0 || now < p->deadline)
			continue;
		snprintf(why, sizeof why, "handshake not done in %d ms", RELAY_HANDSHAKE_MS);
		drop_pending(r, i, p->announced ? why : "not the announced predecessor");
	}
}

double up_next_deadline(const struct relay *r)
{
	double d = 0;
	for (int i = 0; i < RELAY_PENDING_MAX; i++)
		if (r->pend[i].h.fd >= 0 && (!d || r->pend[i].deadline < d))
			d = r->pend[i].deadline;
	return d;
}

void up_close_all(struct relay *r)
{
	for (int i = 0; i < RELAY_PENDING_MAX; i++)
		if (r->pend[i].h.fd >= 0)
			drop_pending(r, i, NULL);
	if (r->up >= 0)
		close(r->up);
	r->up = -1;
}
