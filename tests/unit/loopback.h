/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * loopback — real peers on 127.0.0.1 for the unit tests of the ssh layer:
 * a port that refuses (bound, never listening) and one that accepts and
 * never says a word (listening, never accepting). The socket stays open
 * until the test closes it, so no other process can take the port.
 */
#ifndef TESTS_UNIT_LOOPBACK_H
#define TESTS_UNIT_LOOPBACK_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

/* A socket on 127.0.0.1, listening if LISTEN; its port in *PORT. The fd, or -1. */
static int loopback_socket(int listen_too, int *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof a;
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) < 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &len) < 0 || (listen_too && listen(fd, 8) < 0)) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	*port = ntohs(a.sin_port);
	return fd;
}

#endif
