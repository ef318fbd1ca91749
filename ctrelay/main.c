/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctrelay — one link of cpush's broadcast chain, run on a node by cpush over
 * SSH. Needs only libc and libcrypto.
 *
 *   ctrelay -V               "ctrelay VERSION proto N" (cpush checks it)
 *   ctrelay [--remove-self]  control on stdin, reports on stdout
 *
 * Control lines from cpush (stdin):
 *   start SECRET PUBKEY TAG ADDR  transfer key, the head's public signing key
 *                            (both hex), temp-name tag, address to listen on
 *   next ADDR PORT           (re)connect downstream; re-feed it from what it holds
 *   last                     no successor
 *   quit                     leave (so does end of stdin, SIGTERM, SIGHUP)
 * Reports (stdout): "ready ADDR PORT", "ok I", "skip I", "err I MESSAGE",
 * "end" (everything received and passed on), "stalled downstream" (the
 * successor took nothing for RELAY_STALL_SECONDS), "fail MESSAGE", "refused MESSAGE"
 * (a peer without the key), "refused I MESSAGE" (entry I, or the end of
 * the stream, was not what the head signed: nothing written, nothing more
 * taken from anyone).
 *
 * Frames from upstream are checked, landed (lib/relayio sink) and forwarded
 * verbatim; a newer authenticated upstream connection replaces the old one
 * (the chain was re-routed around a lost node). --remove-self unlinks the
 * binary and its private directory at start (cpush uploaded it there).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <libgen.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <unistd.h>

#include "relay.h"
#include "relayio.h"

#define QUEUE_HIGH (8u << 20) /* stop reading upstream above this many queued bytes */

struct relay {
	struct relay_key key;
	struct relay_sink sink;
	char tag[32];
	int lfd, up, down;
	unsigned char *frame;  /* upstream frame being read */
	size_t got;
	unsigned char *plain;
	unsigned char *q;      /* frames to forward downstream */
	size_t qoff, qlen, qcap;
	uint32_t skip_entry;   /* the successor already holds everything before (entry, off) */
	uint64_t skip_off;
	int end_said;
	time_t last_out;       /* downstream last took bytes (or had none to take) */
	int stall_said;
	char ctl[8192];
	size_t ctllen;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof line - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof line - 2)
		n = sizeof line - 2;
	for (int i = 0; i < n; i++)
		if (line[i] == '\n')
			line[i] = ' ';
	line[n++] = '\n';
	relay_write_all(1, line, (size_t)n);
}

static void report(void *arg, uint32_t i, const struct relay_landed *l)
{
	(void)arg;
	if (l->result == RELAY_R_ERR)
		say("err %u %s", i, l->error ? l->error : "failed");
	else
		say("%s %u", l->result == RELAY_R_OK ? "ok" : "skip", i);
}

static void nonblock(int fd, int on)
{
	int fl = fcntl(fd, F_GETFL);
	fcntl(fd, F_SETFL, on ? fl | O_NONBLOCK : fl & ~O_NONBLOCK);
}

/* This host's IPv4 address inside CIDR ("10.1.0.0/16") into OUT; -1 if none. */
static int addr_in(const char *cidr, char *out, size_t outlen)
{
	char net[64];
	int bits;
	struct in_addr want;
	if (sscanf(cidr, "%63[0-9.]/%d", net, &bits) != 2 || bits < 0 || bits > 32 || inet_pton(AF_INET, net, &want) != 1)
		return -1;
	uint32_t mask = bits ? htonl(~0u << (32 - bits)) : 0;
	struct ifaddrs *ifa, *i;
	if (getifaddrs(&ifa) < 0)
		return -1;
	int rc = -1;
	for (i = ifa; i && rc < 0; i = i->ifa_next) {
		if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET)
			continue;
		struct in_addr a = ((struct sockaddr_in *)i->ifa_addr)->sin_addr;
		if ((a.s_addr & mask) == (want.s_addr & mask) && inet_ntop(AF_INET, &a, out, (socklen_t)outlen))
			rc = 0;
	}
	freeifaddrs(ifa);
	return rc;
}

/* Listen on ADDR (an address, a CIDR to pick ours from, or "*"), port chosen by the kernel. */
static int listen_on(const char *addr, char *shown, size_t shownlen, int *port)
{
	char picked[64];
	if (strchr(addr, '/')) {
		if (addr_in(addr, picked, sizeof picked) < 0) {
			errno = EADDRNOTAVAIL;
			return -1;
		}
		addr = picked;
	}
	struct addrinfo hints = { .ai_flags = AI_PASSIVE | AI_NUMERICHOST, .ai_socktype = SOCK_STREAM }, *ai;
	if (getaddrinfo(strcmp(addr, "*") == 0 ? NULL : addr, "0", &hints, &ai) != 0)
		return -1;
	int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, 8) < 0) {
		freeaddrinfo(ai);
		return -1;
	}
	freeaddrinfo(ai);
	struct sockaddr_storage ss;
	socklen_t sl = sizeof ss;
	getsockname(fd, (struct sockaddr *)&ss, &sl);
	getnameinfo((struct sockaddr *)&ss, sl, shown, (socklen_t)shownlen, NULL, 0, NI_NUMERICHOST);
	*port = ntohs(ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
					      : ((struct sockaddr_in6 *)&ss)->sin6_port);
	return fd;
}

static int connect_to(const char *host, const char *port)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICHOST }, *ai;
	if (getaddrinfo(host, port, &hints, &ai) != 0)
		return -1;
	int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
		close(fd);
		fd = -1;
	}
	freeaddrinfo(ai);
	if (fd >= 0) {
		int one = 1;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	}
	return fd;
}

static void drop_down(struct relay *r)
{
	if (r->down >= 0)
		close(r->down);
	r->down = -1;
	r->qoff = r->qlen = 0;
}

/* Would the successor need frame (ENTRY, BLOCK) of TYPE? */
static int needed(const struct relay *r, const struct relay_frame *f)
{
	if (f->type == RELAY_END)
		return 1;
	if (f->entry != r->skip_entry)
		return f->entry > r->skip_entry;
	if (f->type == RELAY_HASHES) /* the chunk holds a block at or after the successor's offset */
		return (f->block + 1) * RELAY_HASHES_PER * (uint64_t)RELAY_BLOCK > r->skip_off;
	return f->type == RELAY_ENTRY ? r->skip_off == 0 : f->block * (uint64_t)RELAY_BLOCK >= r->skip_off;
}

static void queue(struct relay *r, const unsigned char *p, size_t n)
{
	if (r->qoff > 0 && r->qoff == r->qlen)
		r->qoff = r->qlen = 0;
	if (r->qlen + n > r->qcap && r->qoff > 0) {
		memmove(r->q, r->q + r->qoff, r->qlen - r->qoff);
		r->qlen -= r->qoff;
		r->qoff = 0;
	}
	if (r->qlen + n > r->qcap) {
		r->qcap = (r->qlen + n) * 2;
		r->q = realloc(r->q, r->qcap);
		if (!r->q)
			abort();
	}
	memcpy(r->q + r->qlen, p, n);
	r->qlen += n;
}

/* "next ADDR PORT": connect, learn what the successor holds, re-feed it from disk. */
static void next_hop(struct relay *r, char *host, char *port)
{
	char err[512];
	uint32_t e;
	uint64_t off;
	drop_down(r);
	int fd = connect_to(host, port);
	if (fd < 0) {
		say("fail cannot connect to %s:%s: %s", host, port, strerror(errno));
		return;
	}
	if (relay_hello_send(fd, &r->key, &e, &off, err, sizeof err) < 0) {
		say("fail %s:%s: %s", host, port, err);
		close(fd);
		return;
	}
	struct relay_sink *s = &r->sink;
	int behind = e < s->have_entry || (e == s->have_entry && off < s->have_off);
	int flags = s->n > s->have_entry ? RELAY_FEED_LAST : 0;
	if (s->ended && s->have_entry == s->n)
		flags |= RELAY_FEED_END;
	/* at our very place inside an entry: its ENTRY and the block hashes ahead go again (duplicates are ignored) */
	if (behind || (e == s->have_entry && off == s->have_off && flags)) {
		struct relay_source src;
		relay_sink_source(s, &src);
		if (relay_feed(fd, &r->key, &src, e, off, s->have_entry, s->have_off, flags, err, sizeof err) < 0) {
			say("fail re-feeding %s:%s: %s", host, port, err);
			close(fd);
			return;
		}
		e = s->have_entry;
		off = s->have_off;
		if (flags & RELAY_FEED_END)
			e = UINT32_MAX;
	}
	r->skip_entry = e;
	r->skip_off = off;
	nonblock(fd, 1);
	r->down = fd;
	r->end_said = 0;
}

static void control_line(struct relay *r, char *line)
{
	char *w[4] = { 0 };
	int n = 0;
	for (char *t = strtok(line, " "); t && n < 4; t = strtok(NULL, " "))
		w[n++] = t;
	if (n == 3 && strcmp(w[0], "next") == 0)
		next_hop(r, w[1], w[2]);
	else if (n == 1 && strcmp(w[0], "last") == 0)
		drop_down(r), r->end_said = 0;
	else if (n == 1 && strcmp(w[0], "quit") == 0)
		stop = 1;
	else
		say("fail unknown control line");
}

/* Read control lines; 0 at end of stdin. */
static int control(struct relay *r)
{
	ssize_t n = read(0, r->ctl + r->ctllen, sizeof r->ctl - 1 - r->ctllen);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 1;
	if (n <= 0)
		return 0;
	r->ctllen += (size_t)n;
	char *nl;
	while ((nl = memchr(r->ctl, '\n', r->ctllen))) {
		*nl = '\0';
		control_line(r, r->ctl);
		size_t used = (size_t)(nl + 1 - r->ctl);
		memmove(r->ctl, nl + 1, r->ctllen - used);
		r->ctllen -= used;
	}
	if (r->ctllen == sizeof r->ctl - 1)
		r->ctllen = 0;
	return 1;
}

/* A new upstream connection: it replaces the old one once it proves the key. */
static void accept_up(struct relay *r)
{
	int fd = accept4(r->lfd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		return;
	char err[256];
	if (relay_accept(fd, &r->key, r->sink.have_entry, r->sink.have_off, err, sizeof err) < 0) {
		say("refused %s", err);
		close(fd);
		return;
	}
	if (r->up >= 0)
		close(r->up);
	nonblock(fd, 1);
	r->up = fd;
	r->got = 0;
}

static void broken_up(struct relay *r, const char *why)
{
	say("fail upstream: %s", why);
	close(r->up);
	r->up = -1;
	r->got = 0;
}

/* One whole frame from upstream: check, land, pass on. */
static void frame_in(struct relay *r, const struct relay_frame *f)
{
	char err[256];
	if (relay_open(&r->key, f, r->frame, r->plain) < 0) {
		broken_up(r, "a block failed authentication");
		return;
	}
	int rc = relay_sink_frame(&r->sink, f, r->plain, err, sizeof err);
	if (rc == RELAY_REFUSED) {
		say("refused %u %s", f->entry == UINT32_MAX ? r->sink.have_entry : f->entry, err);
		close(r->up);
		r->up = -1;
		r->got = 0;
		return;
	}
	if (rc < 0) {
		broken_up(r, err);
		return;
	}
	if (rc > 0 && r->down >= 0 && needed(r, f))
		queue(r, r->frame, RELAY_HDR + f->len + RELAY_TAG);
}

static void read_up(struct relay *r)
{
	struct relay_frame f;
	char err[256];
	size_t need = RELAY_HDR;
	if (r->got >= RELAY_HDR) {
		if (relay_frame_parse(r->frame, &f, err, sizeof err) < 0) {
			broken_up(r, err);
			return;
		}
		need = RELAY_HDR + f.len + RELAY_TAG;
	}
	ssize_t n = read(r->up, r->frame + r->got, need - r->got);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		broken_up(r, n == 0 ? "connection closed" : strerror(errno));
		return;
	}
	r->got += (size_t)n;
	if (r->got == RELAY_HDR && relay_frame_parse(r->frame, &f, err, sizeof err) < 0)
		broken_up(r, err);
	else if (r->got > RELAY_HDR && r->got == need) {
		r->got = 0;
		frame_in(r, &f);
	}
}

static void write_down(struct relay *r)
{
	ssize_t n = write(r->down, r->q + r->qoff, r->qlen - r->qoff);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		say("fail downstream: %s", n == 0 ? "closed" : strerror(errno));
		drop_down(r);
		return;
	}
	r->qoff += (size_t)n;
	r->last_out = time(NULL);
	r->stall_said = 0;
}

/* Bytes wait for a successor that takes none: cpush cuts it out (then "next" comes). */
static void check_stall(struct relay *r)
{
	if (r->down < 0 || r->qlen == r->qoff) {
		r->last_out = time(NULL);
		return;
	}
	if (!r->stall_said && time(NULL) - r->last_out > RELAY_STALL_SECONDS) {
		say("stalled downstream");
		r->stall_said = 1;
	}
}

static void loop(struct relay *r)
{
	while (!stop) {
		struct pollfd p[4] = { { 0, POLLIN, 0 }, { r->lfd, POLLIN, 0 }, { -1, POLLIN, 0 }, { -1, POLLOUT, 0 } };
		if (r->up >= 0 && r->qlen - r->qoff < QUEUE_HIGH)
			p[2].fd = r->up;
		if (r->down >= 0 && r->qlen > r->qoff)
			p[3].fd = r->down;
		if (poll(p, 4, 1000) < 0 && errno != EINTR)
			break;
		if ((p[0].revents & (POLLIN | POLLHUP)) && !control(r))
			break;
		if (p[1].revents & POLLIN)
			accept_up(r);
		/* a control line or a new peer may have replaced a socket polled above */
		if (p[2].fd >= 0 && p[2].fd == r->up && (p[2].revents & (POLLIN | POLLHUP | POLLERR)))
			read_up(r);
		if (p[3].fd >= 0 && p[3].fd == r->down && (p[3].revents & (POLLOUT | POLLHUP | POLLERR)) &&
		    r->qlen > r->qoff)
			write_down(r);
		check_stall(r);
		if (r->sink.ended && !r->end_said && r->qlen == r->qoff) {
			say("end");
			r->end_said = 1;
		}
	}
}

/* --remove-self: the binary and its private directory go at once (the process keeps running). */
static void remove_self(void)
{
	char path[4096];
	ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
	if (n <= 0)
		return;
	path[n] = '\0';
	unlink(path);
	rmdir(dirname(path));
}

static int start(struct relay *r)
{
	char line[512], *w[6] = { 0 };
	int n = 0;
	ssize_t len = 0, k;
	while (len < (ssize_t)sizeof line - 1 && (k = read(0, line + len, 1)) == 1 && line[len] != '\n')
		len++;
	line[len] = '\0';
	for (char *t = strtok(line, " "); t && n < 6; t = strtok(NULL, " "))
		w[n++] = t;
	unsigned char secret[RELAY_KEY_LEN], head[RELAY_PUB_LEN];
	if (n != 5 || strcmp(w[0], "start") != 0 || relay_secret_parse(w[1], secret) < 0 ||
	    relay_secret_parse(w[2], head) < 0 || strlen(w[3]) > 16) {
		say("fail expected \"start SECRET PUBKEY TAG ADDR\"");
		return -1;
	}
	relay_key_derive(&r->key, secret);
	snprintf(r->tag, sizeof r->tag, "%s", w[3]);
	if (relay_sink_init(&r->sink, r->tag, head) < 0) {
		say("fail not a public key: %s", w[2]);
		relay_sink_free(&r->sink);
		return -1;
	}
	char shown[128];
	int port;
	r->lfd = listen_on(w[4], shown, sizeof shown, &port);
	if (r->lfd < 0) {
		say("fail cannot listen on %s: %s", w[4], strerror(errno));
		relay_sink_free(&r->sink);
		return -1;
	}
	say("ready %s %d", shown, port);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 2 && (strcmp(argv[1], "-V") == 0 || strcmp(argv[1], "--version") == 0)) {
		printf("ctrelay %s proto %d\n", CT_VERSION, RELAY_PROTO);
		return 0;
	}
	if (argc == 2 && strcmp(argv[1], "--remove-self") == 0)
		remove_self();
	else if (argc != 1) {
		fprintf(stderr, "usage: ctrelay [-V | --remove-self] (started by cpush --chain)\n");
		return 1;
	}
	struct sigaction sa = { .sa_handler = on_signal };
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	static struct relay r;
	r.up = r.down = -1;
	if (start(&r) < 0)
		return 1;
	r.sink.report = report;
	r.frame = malloc(RELAY_MAX_FRAME);
	r.plain = malloc(RELAY_BLOCK);
	if (!r.frame || !r.plain)
		return 1;
	loop(&r);
	relay_sink_free(&r.sink); /* removes a temporary file cut short */
	return 0;
}
