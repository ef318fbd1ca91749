/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * downstream — reaching the successor without stopping the loop. "next"
 * starts a non-blocking connect (from the relay's own address) and forks a
 * child that waits for it (RELAY_CONNECT_MS), runs the sender's handshake
 * (RELAY_HANDSHAKE_MS) and re-feeds the successor from the snapshot of what
 * this node held at the fork, while the loop goes on landing and queueing
 * what arrives. The child's report ends the catch-up: "linked", or "fail
 * down ADDR PORT ..." naming the successor, which cpush then cuts out.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ctrelay.h"

struct fed {
	int ok;
	int refused;    /* a file held here changed since it was hashed: this node is to blame */
	uint32_t bad;   /* the entry it was feeding then */
	uint32_t entry; /* what the successor said it holds */
	uint64_t off;
	char err[400];
};

/*
 * The child's copy of the sink is the snapshot: the head's signed ENTRY
 * payloads, HASHES chunks and END it re-sends verbatim, and what was landed.
 * Entry CUR's temporary file may be renamed while the child reads it: the
 * child reads it by descriptor.
 */
struct snap {
	struct relay_source sink;
	uint32_t cur;
	uint32_t last; /* the entry fed last */
	char path[64];
};

static int snap_get(void *arg, uint32_t i, struct relay_entry *e, const unsigned char **signed_entry, size_t *len,
		    const char **data_path)
{
	struct snap *s = arg;
	s->last = i;
	int rc = s->sink.get(s->sink.arg, i, e, signed_entry, len, data_path);
	if (rc == 0 && i == s->cur && *data_path && s->path[0])
		*data_path = s->path;
	return rc;
}

static const unsigned char *snap_hashes(void *arg, uint32_t i, uint64_t chunk, size_t *len)
{
	struct snap *s = arg;
	return s->sink.hashes(s->sink.arg, i, chunk, len);
}

static void child(struct relay *r, int fd, int rfd, int out)
{
	struct fed res = { 0 };
	struct relay_sink *s = &r->sink;
	struct snap sn = { .cur = s->have_entry };
	if (rfd >= 0)
		snprintf(sn.path, sizeof sn.path, "/proc/self/fd/%d", rfd);
	relay_sink_source(s, &sn.sink);
	if (relay_connect_wait(fd, RELAY_CONNECT_MS, NULL, NULL) < 0) {
		snprintf(res.err, sizeof res.err, "cannot connect: %s", strerror(errno));
	} else if (relay_hello_send(fd, &r->key, &res.entry, &res.off, res.err, sizeof res.err) == 0) {
		uint32_t e = res.entry;
		uint64_t off = res.off;
		int behind = e < s->have_entry || (e == s->have_entry && off < s->have_off);
		int flags = s->n > s->have_entry ? RELAY_FEED_LAST : 0;
		if (s->ended && s->have_entry == s->n)
			flags |= RELAY_FEED_END;
		/* relay_feed draws its nonce prefix here, in the child: never the parent's, nor a sibling's */
		struct relay_source src = { snap_get, snap_hashes, sn.sink.end, &sn, NULL };
		char why[300];
		/* at our very place inside an entry its ENTRY and the block hashes ahead go again: the lost
		 * node may have taken them, and the successor refuses a block whose hashes it lacks */
		int rc = 0;
		if (behind || (e == s->have_entry && off == s->have_off && flags))
			rc = relay_feed(fd, &r->key, &src, e, off, s->have_entry, s->have_off, flags, why, sizeof why);
		res.ok = rc == 0;
		res.refused = rc == RELAY_REFUSED;
		res.bad = sn.last;
		if (!res.ok)
			snprintf(res.err, sizeof res.err, "re-feeding: %s", why);
	}
	if (write(out, &res, sizeof res) != (ssize_t)sizeof res)
		_exit(1);
	_exit(0);
}

void down_drop(struct relay *r)
{
	if (r->feeder > 0) {
		kill(r->feeder, SIGKILL);
		waitpid(r->feeder, NULL, 0);
		r->feeder = 0;
	}
	if (r->feedpipe >= 0)
		close(r->feedpipe);
	r->feedpipe = -1;
	if (r->down >= 0)
		close(r->down);
	r->down = -1;
	r->qoff = r->qlen = 0;
}

void down_last(struct relay *r)
{
	down_drop(r);
	r->end_said = 0;
}

static void failed(struct relay *r, const char *what)
{
	say(RELAYCTL_FAIL " " RELAYCTL_DOWN " %s %s %s", r->down_host, r->down_port, what);
	down_drop(r);
}

void down_next(struct relay *r, const char *host, const char *port)
{
	down_drop(r);
	r->end_said = 0;
	snprintf(r->down_host, sizeof r->down_host, "%s", host);
	snprintf(r->down_port, sizeof r->down_port, "%s", port);
	int fd = relay_connect_start(host, port, r->addr), pfd[2];
	if (fd < 0) {
		char why[300];
		snprintf(why, sizeof why, "cannot connect: %s", strerror(errno));
		failed(r, why);
		return;
	}
	if (pipe2(pfd, O_CLOEXEC) < 0) {
		close(fd);
		failed(r, strerror(errno));
		return;
	}
	struct relay_sink *s = &r->sink;
	int rfd = s->tmp ? open(s->tmp, O_RDONLY | O_CLOEXEC) : -1;
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(pfd[0]);
		child(r, fd, rfd, pfd[1]);
	}
	close(pfd[1]);
	if (rfd >= 0)
		close(rfd);
	if (pid < 0) {
		close(pfd[0]);
		close(fd);
		failed(r, strerror(errno));
		return;
	}
	r->feeder = pid;
	r->feedpipe = pfd[0];
	r->down = fd;
	/* what the child sends: everything held at the fork (and the end if it was there) */
	r->skip_entry = s->ended && s->have_entry == s->n ? UINT32_MAX : s->have_entry;
	r->skip_off = s->have_off;
}

/* The child is done: forward from the queue, or blame the successor. */
void down_fed(struct relay *r)
{
	struct fed res = { 0 };
	ssize_t n = read(r->feedpipe, &res, sizeof res);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	waitpid(r->feeder, NULL, 0);
	r->feeder = 0;
	close(r->feedpipe);
	r->feedpipe = -1;
	if (n == (ssize_t)sizeof res && res.refused) { /* not the successor's fault: cpush cuts this node out */
		res.err[sizeof res.err - 1] = '\0';
		say(RELAYCTL_REFUSED " %u %s", res.bad, res.err);
		down_drop(r);
		return;
	}
	if (n != (ssize_t)sizeof res || !res.ok) {
		res.err[sizeof res.err - 1] = '\0';
		failed(r, n == (ssize_t)sizeof res ? res.err : "the feeding process died");
		return;
	}
	/* a successor ahead of the snapshot skips what it has (queued duplicates are ignored there) */
	if (r->skip_entry != UINT32_MAX &&
	    (res.entry > r->skip_entry || (res.entry == r->skip_entry && res.off > r->skip_off))) {
		r->skip_entry = res.entry;
		r->skip_off = res.off;
	}
	say(RELAYCTL_LINKED " %s %s", r->down_host, r->down_port);
}
