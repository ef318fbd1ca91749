/* SPDX-License-Identifier: BSD-3-Clause */
/* relaynet — connects with a deadline, the listener's handshake step by step. See relaynet.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "relaynet.h"

static void set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);
	if (fl >= 0)
		fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

static int bind_src(int fd, int family, const char *src)
{
	struct addrinfo hints = { .ai_family = family, .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_NUMERICHOST | AI_PASSIVE }, *ai;
	if (getaddrinfo(src, "0", &hints, &ai) != 0) {
		errno = EADDRNOTAVAIL;
		return -1;
	}
	int rc = bind(fd, ai->ai_addr, ai->ai_addrlen);
	freeaddrinfo(ai);
	return rc;
}

int relay_connect_start(const char *host, const char *port, const char *src)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICHOST }, *ai;
	if (getaddrinfo(host, port, &hints, &ai) != 0) {
		errno = EINVAL;
		return -1;
	}
	int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	int rc = fd < 0 ? -1 : 0;
	if (rc == 0 && src && *src)
		rc = bind_src(fd, ai->ai_family, src);
	if (rc == 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) < 0 && errno != EINPROGRESS)
		rc = -1;
	freeaddrinfo(ai);
	if (rc < 0) {
		int saved = errno;
		if (fd >= 0)
			close(fd);
		errno = saved;
		return -1;
	}
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	return fd;
}

int relay_connect_wait(int fd, int timeout_ms, int (*cancelled)(void *), void *arg)
{
	for (int left = timeout_ms; left > 0;) {
		int slice = left < 100 ? left : 100;
		struct pollfd p = { fd, POLLOUT, 0 };
		int pr = poll(&p, 1, slice);
		if (pr < 0 && errno != EINTR)
			return -1;
		if (pr > 0) {
			int e = 0;
			socklen_t el = sizeof e;
			if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &el) < 0)
				return -1;
			errno = e;
			return e ? -1 : 0;
		}
		if (pr == 0)
			left -= slice;
		if (cancelled && cancelled(arg)) {
			errno = ECANCELED;
			return -1;
		}
	}
	errno = ETIMEDOUT;
	return -1;
}

int relay_route_src(const char *host, char *out, size_t outlen)
{
	struct addrinfo hints = { .ai_socktype = SOCK_DGRAM, .ai_flags = AI_NUMERICHOST }, *ai;
	if (getaddrinfo(host, "9", &hints, &ai) != 0)
		return -1;
	int fd = socket(ai->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, 0), rc = -1;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof ss;
	if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) == 0 &&
	    getsockname(fd, (struct sockaddr *)&ss, &sl) == 0) {
		relay_addr_str((struct sockaddr *)&ss, sl, out, outlen);
		rc = *out ? 0 : -1;
	}
	if (fd >= 0)
		close(fd);
	freeaddrinfo(ai);
	return rc;
}

int relay_addr_norm(const char *addr, char *out, size_t outlen)
{
	unsigned char a[sizeof(struct in6_addr)];
	if (inet_pton(AF_INET, addr, a) == 1)
		return inet_ntop(AF_INET, a, out, (socklen_t)outlen) ? 0 : -1;
	if (inet_pton(AF_INET6, addr, a) == 1)
		return inet_ntop(AF_INET6, a, out, (socklen_t)outlen) ? 0 : -1;
	return -1;
}

void relay_addr_str(const struct sockaddr *sa, socklen_t len, char *out, size_t outlen)
{
	if (getnameinfo(sa, len, out, (socklen_t)outlen, NULL, 0, NI_NUMERICHOST) != 0)
		snprintf(out, outlen, "%s", "");
}

/* ---- the listener's handshake -------------------------------------------- */

enum { SHAKE_CHAL, SHAKE_HELLO, SHAKE_RESUME, SHAKE_DONE };

int relay_shake_begin(struct relay_shake *h, int fd, char *err, size_t errlen)
{
	memset(h, 0, sizeof *h);
	h->fd = fd;
	set_nonblock(fd);
	if (relay_challenge_new(h->chal) < 0) {
		snprintf(err, errlen, "cannot draw a challenge");
		return -1;
	}
	return 0;
}

short relay_shake_events(const struct relay_shake *h)
{
	return h->state == SHAKE_HELLO ? POLLIN : POLLOUT;
}

/* Write or read the rest of BUF (LEN bytes, h->off done): 1 all, 0 would block, -1 failed. */
static int move(struct relay_shake *h, unsigned char *buf, size_t len, int out)
{
	while (h->off < len) {
		ssize_t n = out ? write(h->fd, buf + h->off, len - h->off) : read(h->fd, buf + h->off, len - h->off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return 0;
		if (n <= 0) {
			if (n == 0)
				errno = ECONNRESET;
			return -1;
		}
		h->off += (size_t)n;
	}
	h->off = 0;
	return 1;
}

int relay_shake_step(struct relay_shake *h, const struct relay_key *k, uint32_t entry, uint64_t off,
		     int *refused, char *err, size_t errlen)
{
	*refused = 0;
	for (;;) {
		int rc;
		switch (h->state) {
		case SHAKE_CHAL:
			rc = move(h, h->chal, sizeof h->chal, 1);
			break;
		case SHAKE_HELLO:
			rc = move(h, h->buf, RELAY_MAC_LEN, 0);
			if (rc > 0 && relay_hello_check(k, h->chal, h->buf) < 0) {
				*refused = 1;
				snprintf(err, errlen, "peer does not hold the transfer key");
				return -1;
			}
			if (rc > 0) /* the answer says what the listener holds now */
				relay_resume(k, h->chal, entry, off, h->buf);
			break;
		case SHAKE_RESUME:
			rc = move(h, h->buf, RELAY_RESUME_LEN, 1);
			break;
		default:
			return 1;
		}
		if (rc < 0) {
			snprintf(err, errlen, "handshake: %s", strerror(errno));
			return -1;
		}
		if (rc == 0)
			return 0;
		h->state++;
	}
}
