/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cutserve — a tiny HTTP/1.1 file server on 127.0.0.1 for nodeimage's
 * resume test: answers HEAD and GET (with one "Range: bytes=A-B"), and
 * drops the connection after CUT body bytes in each of the first CUTS GET
 * answers. Serves forever, one connection at a time. With "noranges" it
 * ignores Range headers and always sends the whole file.
 *   cutserve PORTFILE FILE CUT CUTS [noranges]
 * PORTFILE receives the port chosen by the kernel.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

static int file_fd;
static uint64_t file_size, cut_bytes;
static int cuts_left, no_ranges;

static int send_all(int s, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = send(s, p, n, MSG_NOSIGNAL);
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Body bytes [A, B]; stop after CUT bytes if LIMIT. -1 when the connection must close. */
static int send_body(int s, uint64_t a, uint64_t b, int limit)
{
	char buf[65536];
	uint64_t sent = 0;
	while (a <= b) {
		size_t n = b - a + 1 < sizeof buf ? (size_t)(b - a + 1) : sizeof buf;
		if (limit && sent + n > cut_bytes)
			n = (size_t)(cut_bytes - sent);
		ssize_t r = n ? pread(file_fd, buf, n, (off_t)a) : 0;
		if (r <= 0 || send_all(s, buf, (size_t)r) < 0)
			return -1;
		a += (uint64_t)r;
		sent += (uint64_t)r;
		if (limit && sent >= cut_bytes)
			return -1;
	}
	return 0;
}

/* One request in REQ; returns -1 when the connection is to be closed. */
static int answer(int s, const char *req)
{
	int head = strncmp(req, "HEAD ", 5) == 0;
	uint64_t a = 0, b = file_size ? file_size - 1 : 0;
	int ranged = 0;
	const char *r = strcasestr(req, "\r\nRange: bytes=");
	if (r && !no_ranges && sscanf(r + 15, "%" SCNu64 "-%" SCNu64, &a, &b) == 2 && a <= b && b < file_size)
		ranged = 1;
	else
		a = 0, b = file_size ? file_size - 1 : 0;
	char hdr[512];
	int n;
	if (ranged)
		n = snprintf(hdr, sizeof hdr, "HTTP/1.1 206 Partial Content\r\nAccept-Ranges: bytes\r\n"
			     "Content-Range: bytes %" PRIu64 "-%" PRIu64 "/%" PRIu64 "\r\nContent-Length: %" PRIu64 "\r\n\r\n",
			     a, b, file_size, b - a + 1);
	else
		n = snprintf(hdr, sizeof hdr, "HTTP/1.1 200 OK\r\n%sContent-Length: %" PRIu64 "\r\n\r\n",
			     no_ranges ? "" : "Accept-Ranges: bytes\r\n", file_size);
	if (send_all(s, hdr, (size_t)n) < 0)
		return -1;
	if (head || file_size == 0)
		return 0;
	int limit = cuts_left > 0 && b - a + 1 > cut_bytes;
	if (limit)
		cuts_left--;
	return send_body(s, a, b, limit);
}

static void serve(int s)
{
	char req[8192];
	size_t len = 0;
	for (;;) {
		ssize_t r = recv(s, req + len, sizeof req - 1 - len, 0);
		if (r <= 0)
			return;
		len += (size_t)r;
		req[len] = 0;
		char *end;
		while ((end = strstr(req, "\r\n\r\n"))) {
			end += 4;
			if (answer(s, req) < 0)
				return;
			len -= (size_t)(end - req);
			memmove(req, end, len + 1);
		}
		if (len == sizeof req - 1)
			return;
	}
}

int main(int argc, char **argv)
{
	if (argc != 5 && !(argc == 6 && strcmp(argv[5], "noranges") == 0)) {
		fprintf(stderr, "usage: cutserve PORTFILE FILE CUT CUTS [noranges]\n");
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	file_fd = open(argv[2], O_RDONLY);
	struct stat st;
	if (file_fd < 0 || fstat(file_fd, &st) < 0) {
		perror(argv[2]);
		return 1;
	}
	file_size = (uint64_t)st.st_size;
	cut_bytes = strtoull(argv[3], NULL, 10);
	cuts_left = atoi(argv[4]);
	no_ranges = argc == 6;
	int l = socket(AF_INET, SOCK_STREAM, 0), one = 1;
	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t sl = sizeof sa;
	if (bind(l, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(l, 16) < 0 ||
	    getsockname(l, (struct sockaddr *)&sa, &sl) < 0) {
		perror("cutserve: listen");
		return 1;
	}
	FILE *pf = fopen(argv[1], "w");
	if (!pf)
		return 1;
	fprintf(pf, "%u\n", ntohs(sa.sin_port));
	fclose(pf);
	for (;;) {
		int s = accept(l, NULL, NULL);
		if (s < 0)
			continue;
		serve(s);
		close(s);
	}
}
