/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * silent_listener ADDRESS PORT — a TCP server that accepts connections and
 * never says anything (a hung sshd), for tests of connect timeouts. Prints
 * "ready PORT" once listening (PORT 0: one the kernel picks), then
 * "connection" for each connection accepted, in order; runs until killed.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: silent_listener ADDRESS PORT\n");
		return 1;
	}
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((unsigned short)atoi(argv[2]))};
	if (inet_pton(AF_INET, argv[1], &sa.sin_addr) != 1) {
		fprintf(stderr, "silent_listener: bad address %s\n", argv[1]);
		return 1;
	}
	int s = socket(AF_INET, SOCK_STREAM, 0), one = 1;
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (s < 0 || bind(s, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(s, 1024) < 0) {
		perror("silent_listener");
		return 1;
	}
	socklen_t len = sizeof sa;
	getsockname(s, (struct sockaddr *)&sa, &len);
	printf("ready %u\n", ntohs(sa.sin_port));
	fflush(stdout);
	for (;;) {
		if (accept(s, NULL, NULL) < 0) /* keep every connection open, never write */
			continue;
		printf("connection\n");
		fflush(stdout);
	}
}
