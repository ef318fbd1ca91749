/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctrelay — one link of cpush's broadcast chain, run on a node by cpush over
 * SSH. Needs only libc and libcrypto (lib/cli's popt is linked in).
 *
 *   ctrelay -V               "ctrelay VERSION proto N" (cpush checks it)
 *   ctrelay [--remove-self]  control on stdin, reports on stdout (lib/relay/relayctl.h)
 *
 * Frames from upstream are checked, landed (lib/relay/relayio sink) and forwarded
 * verbatim; a newer authenticated upstream connection from the announced
 * predecessor replaces the old one (the chain was re-routed around a lost
 * node). --remove-self unlinks the binary and its private directory at start
 * (cpush uploaded it there). Nothing here waits on a peer: see ctrelay.h.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <libgen.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cli.h"
#include "clock.h"
#include "ctrelay.h"
#include "log.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

void say(const char *fmt, ...)
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
		say(RELAYCTL_ERR " %u %s", i, l->error ? l->error : "failed");
	else
		say("%s %u", l->result == RELAY_R_OK ? RELAYCTL_OK : RELAYCTL_SKIP, i);
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
	int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0 || bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, 16) < 0) {
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

static void control_line(struct relay *r, char *line)
{
	char *w[4];
	int n;
	switch (relayctl_parse(line, w, 4, &n)) {
	case RCTL_NEXT:
		down_next(r, w[0], w[1]);
		break;
	case RCTL_LAST:
		down_last(r);
		break;
	case RCTL_FROM:
		up_announce(r, w[0]);
		break;
	case RCTL_QUIT:
		stop = 1;
		break;
	default:
		say(RELAYCTL_FAIL " unknown control line");
	}
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

static void broken_up(struct relay *r, const char *why)
{
	say(RELAYCTL_FAIL " upstream: %s", why);
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
	if (rc == RELAY_REFUSED) { /* not what the head signed: nothing written, nothing more taken from this peer */
		say(RELAYCTL_REFUSED " %u %s", f->entry == UINT32_MAX ? r->sink.have_entry : f->entry, err);
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

static void write_down(struct relay *r, double now)
{
	ssize_t n = write(r->down, r->q + r->qoff, r->qlen - r->qoff);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		say(RELAYCTL_FAIL " " RELAYCTL_DOWN " %s %s write: %s", r->down_host, r->down_port,
		    n == 0 ? "closed" : strerror(errno));
		down_drop(r);
		return;
	}
	r->qoff += (size_t)n;
	r->last_out = now;
	r->stall_said = 0;
}

/* Bytes wait for a successor that takes none: cpush cuts it out (then "next" comes). */
static void check_stall(struct relay *r, double now)
{
	if (r->down < 0 || r->feeder > 0 || r->qlen == r->qoff) {
		r->last_out = now; /* a catching-up child watches its own writes */
		return;
	}
	if (!r->stall_said && now - r->last_out > RELAY_STALL_SECONDS) {
		say(RELAYCTL_STALLED);
		r->stall_said = 1;
	}
}

enum { P_CTL, P_LISTEN, P_UP, P_DOWN, P_FEED, P_PEND, P_N = P_PEND + RELAY_PENDING_MAX };

/* Wait for the sockets; a signal ends the wait at once (it is blocked everywhere else). */
static int wait_io(struct relay *r, struct pollfd *p, const sigset_t *open_mask)
{
	p[P_CTL] = (struct pollfd){ 0, POLLIN, 0 };
	p[P_LISTEN] = (struct pollfd){ r->lfd, POLLIN, 0 };
	p[P_UP] = (struct pollfd){ r->up >= 0 && r->qlen - r->qoff < QUEUE_HIGH ? r->up : -1, POLLIN, 0 };
	p[P_DOWN] = (struct pollfd){ r->down >= 0 && !r->feeder && r->qlen > r->qoff ? r->down : -1, POLLOUT, 0 };
	p[P_FEED] = (struct pollfd){ r->feedpipe, POLLIN, 0 };
	for (int i = 0; i < RELAY_PENDING_MAX; i++) {
		const struct pending *q = &r->pend[i];
		p[P_PEND + i] = (struct pollfd){ q->h.fd >= 0 && q->announced ? q->h.fd : -1,
						 relay_shake_events(&q->h), 0 };
	}
	double ms = 1000, next = up_next_deadline(r);
	if (next) {
		double left = (next - now_monotonic()) * 1000 + 1;
		ms = left < 0 ? 0 : left < ms ? left : ms;
	}
	struct timespec ts = { 0, (long)(ms * 1e6) };
	if (ms >= 1000)
		ts = (struct timespec){ 1, 0 };
	int n = ppoll(p, P_N, &ts, open_mask);
	return n < 0 && errno != EINTR ? -1 : 0;
}

static void loop(struct relay *r, const sigset_t *open_mask)
{
	struct pollfd p[P_N];
	while (!stop) {
		if (wait_io(r, p, open_mask) < 0 || stop)
			break;
		double now = now_monotonic();
		if ((p[P_CTL].revents & (POLLIN | POLLHUP)) && !control(r))
			break;
		if (p[P_LISTEN].revents & POLLIN)
			up_accept(r, now);
		/* a control line or a new peer may have replaced a socket polled above */
		for (int i = 0; i < RELAY_PENDING_MAX; i++)
			if (p[P_PEND + i].fd >= 0 && p[P_PEND + i].fd == r->pend[i].h.fd)
				up_pending_step(r, i, p[P_PEND + i].revents);
		up_expire(r, now);
		if (p[P_UP].fd >= 0 && p[P_UP].fd == r->up && (p[P_UP].revents & (POLLIN | POLLHUP | POLLERR)))
			read_up(r);
		if (p[P_FEED].fd >= 0 && p[P_FEED].fd == r->feedpipe && (p[P_FEED].revents & (POLLIN | POLLHUP)))
			down_fed(r);
		if (p[P_DOWN].fd >= 0 && p[P_DOWN].fd == r->down && !r->feeder &&
		    (p[P_DOWN].revents & (POLLOUT | POLLHUP | POLLERR)) && r->qlen > r->qoff)
			write_down(r, now);
		check_stall(r, now);
		if (r->sink.ended && !r->end_said && !r->feeder && r->qlen == r->qoff) {
			say(RELAYCTL_END);
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
	char line[512], *w[4];
	int n;
	ssize_t len = 0, k;
	while (len < (ssize_t)sizeof line - 1 && (k = read(0, line + len, 1)) == 1 && line[len] != '\n')
		len++;
	line[len] = '\0';
	unsigned char secret[RELAY_KEY_LEN], head[RELAY_PUB_LEN];
	if (relayctl_parse(line, w, 4, &n) != RCTL_START || relay_secret_parse(w[0], secret) < 0 ||
	    relay_secret_parse(w[1], head) < 0 || strlen(w[2]) > 16) {
		say(RELAYCTL_FAIL " expected \"" RELAYCTL_START " SECRET PUBKEY TAG ADDR\"");
		return -1;
	}
	relay_key_derive(&r->key, secret);
	snprintf(r->tag, sizeof r->tag, "%s", w[2]);
	if (relay_sink_init(&r->sink, r->tag, head) < 0) {
		say(RELAYCTL_FAIL " not a public key: %s", w[1]);
		relay_sink_free(&r->sink);
		return -1;
	}
	char shown[128];
	int port;
	r->lfd = listen_on(w[3], shown, sizeof shown, &port);
	if (r->lfd < 0) {
		say(RELAYCTL_FAIL " cannot listen on %s: %s", w[3], strerror(errno));
		relay_sink_free(&r->sink);
		return -1;
	}
	if (strcmp(w[3], "*") != 0) /* connections out leave from the address the successor is told about */
		snprintf(r->addr, sizeof r->addr, "%.*s", (int)sizeof r->addr - 1, shown);
	say(RELAYCTL_READY " %s %d", shown, port);
	return 0;
}

enum { OPT_REMOVE_SELF = 1, OPT_VERSION };

static void options(int argc, char **argv)
{
	const struct poptOption table[] = {
		{ "remove-self", 0, POPT_ARG_NONE, NULL, OPT_REMOVE_SELF,
		  "delete this program's file and its directory as it starts (a copy cpush uploaded)", NULL },
		{ "version", 'V', POPT_ARG_NONE, NULL, OPT_VERSION, "print the version and the relay protocol and exit",
		  NULL },
		POPT_AUTOHELP POPT_TABLEEND
	};
	struct cli c;
	int opt, remove = 0;
	cli_begin(&c, "ctrelay", argc, argv, table, "(started by cpush --chain: control on stdin)", 0);
	while ((opt = cli_next(&c)) >= 0) {
		if (opt == OPT_VERSION) {
			printf("%s\n", RELAYCTL_VERSION_LINE);
			cli_end(&c);
			exit(0);
		}
		remove |= opt == OPT_REMOVE_SELF;
	}
	size_t nargs;
	char **args = cli_args(&c, &nargs);
	cli_args_free(args, nargs);
	if (nargs > 0)
		cli_usage_error(&c, "%s: unexpected argument", argv[argc - (int)nargs]);
	cli_end(&c);
	if (remove)
		remove_self();
}

static void cleanup(struct relay *r)
{
	down_drop(r);
	up_close_all(r);
	relay_sink_free(&r->sink); /* removes a temporary file cut short */
	free(r->frame);
	free(r->plain);
	free(r->q);
}

int main(int argc, char **argv)
{
	log_init("ctrelay");
	options(argc, argv);
	/* the signals that stop the relay are let in only while it waits (ppoll) */
	sigset_t stops, open_mask;
	sigemptyset(&stops);
	sigaddset(&stops, SIGTERM);
	sigaddset(&stops, SIGHUP);
	sigaddset(&stops, SIGINT);
	struct sigaction sa = { .sa_handler = on_signal };
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	static struct relay r;
	r.up = r.down = r.feedpipe = -1;
	for (int i = 0; i < RELAY_PENDING_MAX; i++)
		r.pend[i].h.fd = -1;
	if (start(&r) < 0)
		return 1;
	sigprocmask(SIG_BLOCK, &stops, &open_mask);
	r.sink.report = report;
	r.frame = malloc(RELAY_MAX_FRAME);
	r.plain = malloc(RELAY_BLOCK);
	if (!r.frame || !r.plain)
		return 1;
	loop(&r, &open_mask);
	cleanup(&r);
	return 0;
}
