/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sshproxy — how a connection reaches a node that is not directly
 * reachable (ssh_config's ProxyJump and ProxyCommand). Either way the
 * connection gets one end of a socket pair and runs libssh2 on it as on a
 * TCP socket, so fanout polls it like any other.
 *
 * ProxyCommand: the command (%h %p %r %n expanded) runs under /bin/sh with
 * the other end of the pair as its stdin and stdout, as ssh does.
 *
 * ProxyJump "j1,j2": one connection to j2 (itself reached through j1) is
 * shared by every node behind it. Each node gets a direct-tcpip channel
 * on it, and a thread per jump connection pumps bytes between each
 * channel and its socket pair: a libssh2 session belongs to one thread,
 * and the jump session's channels are driven by its thread alone, while
 * the nodes' sessions run in the caller's poll loop untouched. The jump
 * host's key is checked like any node's (the jump connection is an
 * ssh_conn), and so is the node's (its session runs end to end through
 * the channel). A jump host that fails fails every node behind it with its
 * reason ("jump host gw: connect: Connection refused"). The threads live
 * until the process exits (sshproxy_shutdown, from ssh's atexit).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"
#include "spawn.h"
#include "ssh_internal.h"
#include "sshconfig.h"
#include "xalloc.h"

#define PUMP_BUF 32768

/*
 * libssh2 1.10 sends one packet at a time per session: while a channel's
 * packet is half sent, another channel's send fails with BAD_USE, having
 * done nothing. It is a "try again" here: the first channel's own retry
 * finishes its packet, and every channel is retried on each round.
 */
static int again(ssize_t rc)
{
	return rc == LIBSSH2_ERROR_EAGAIN || rc == LIBSSH2_ERROR_BAD_USE;
}

enum tunnel_state { T_NEW, T_OPEN, T_CLOSING, T_DONE };

/* One node's channel through a jump host; shared by the node (its sshproxy) and the jump thread. */
struct tunnel {
	int fd;                 /* the thread's end of the socket pair */
	char *host;
	int port;
	LIBSSH2_CHANNEL *ch;
	enum tunnel_state state;
	char up[PUMP_BUF];      /* node -> channel */
	size_t up_len, up_off;
	char down[PUMP_BUF];    /* channel -> node */
	size_t down_len, down_off;
	int fd_eof, ch_eof, eof_sent;
	int refs;               /* the node and the thread */
	char err[512];
	struct tunnel *next;
};

struct jump {
	char *chain;            /* "j1,j2": this connection is to j2 */
	struct ssh_conn *conn;
	pthread_t thread;
	int started;            /* the thread runs (else the jump failed at once) */
	pthread_mutex_t lock;   /* tunnels, quit, err */
	int wake[2];
	struct tunnel *tunnels;
	struct tunnel *opening; /* its channel open said EAGAIN: libssh2 opens one channel at a time */
	int ready, failed, quit;
	double deadline;
	char err[512];
	struct jump *next;
};

struct sshproxy {
	struct tunnel *t;       /* ProxyJump */
	struct jump *j;
	pid_t pid;              /* ProxyCommand */
	char err[512];
};

static pthread_mutex_t jumps_lock = PTHREAD_MUTEX_INITIALIZER;
static struct jump *jumps, **jumps_tail = &jumps; /* creation order: the farthest hop first */
static int shut_down;

/* ---- the jump thread ---------------------------------------------------- */

static void tunnel_end(struct tunnel *t, const char *msg)
{
	if (msg && !t->err[0])
		snprintf(t->err, sizeof t->err, "%s", msg);
	if (t->fd >= 0)
		close(t->fd); /* the node's session sees EOF and asks sshproxy_error why */
	t->fd = -1;
	t->state = t->ch ? T_CLOSING : T_DONE;
}

static void jump_fail(struct jump *j, const char *why)
{
	snprintf(j->err, sizeof j->err, "jump host %s: %s", ssh_node(j->conn), why);
	j->failed = 1;
	for (struct tunnel *t = j->tunnels; t; t = t->next)
		if (t->state == T_NEW || t->state == T_OPEN)
			tunnel_end(t, j->err);
}

static int pump_up(struct tunnel *t)
{
	int progress = 0;
	if (t->up_off == t->up_len && !t->fd_eof) {
		ssize_t r = recv(t->fd, t->up, sizeof t->up, MSG_DONTWAIT);
		if (r > 0)
			t->up_len = (size_t)r, t->up_off = 0, progress = 1;
		else if (r == 0 || (errno != EAGAIN && errno != EINTR))
			t->fd_eof = 1, progress = 1;
	}
	if (t->up_off < t->up_len) {
		ssize_t w = libssh2_channel_write(t->ch, t->up + t->up_off, t->up_len - t->up_off);
		if (w > 0)
			t->up_off += (size_t)w, progress = 1;
		else if (!again(w))
			t->up_off = t->up_len, t->fd_eof = 1; /* the channel is gone: drop */
	}
	if (t->fd_eof && t->up_off == t->up_len && !t->eof_sent) {
		int rc = libssh2_channel_send_eof(t->ch);
		if (!again(rc))
			t->eof_sent = 1, progress = 1;
	}
	return progress;
}

static int pump_down(struct tunnel *t)
{
	int progress = 0;
	if (t->down_off == t->down_len && !t->ch_eof) {
		ssize_t r = libssh2_channel_read(t->ch, t->down, sizeof t->down);
		if (r > 0)
			t->down_len = (size_t)r, t->down_off = 0, progress = 1;
		else if ((r == 0 && libssh2_channel_eof(t->ch)) || (r < 0 && !again(r))) {
			t->ch_eof = 1, progress = 1;
			shutdown(t->fd, SHUT_WR);
		}
	}
	if (t->down_off < t->down_len) {
		ssize_t w = send(t->fd, t->down + t->down_off, t->down_len - t->down_off,
				 MSG_DONTWAIT | MSG_NOSIGNAL);
		if (w > 0)
			t->down_off += (size_t)w, progress = 1;
		else if (errno != EAGAIN && errno != EINTR)
			t->down_off = t->down_len, t->fd_eof = 1; /* the node is gone */
	}
	return progress;
}

static int open_channel(struct jump *j, struct tunnel *t)
{
	if (j->opening && j->opening != t)
		return 0;
	LIBSSH2_SESSION *s = ssh_session(j->conn);
	t->ch = libssh2_channel_direct_tcpip_ex(s, t->host, t->port, "127.0.0.1", 22);
	j->opening = !t->ch && again(libssh2_session_last_errno(s)) ? t : NULL;
	if (t->ch) {
		t->state = T_OPEN;
		return 1;
	}
	if (j->opening)
		return 0;
	char msg[512];
	snprintf(msg, sizeof msg, "jump host %s: cannot reach %s port %d: %s", ssh_node(j->conn), t->host,
		 t->port, ssh_last_error(j->conn));
	tunnel_end(t, msg);
	return 1;
}

/* One tunnel as far as it goes without blocking: did anything move? */
static int pump(struct jump *j, struct tunnel *t)
{
	switch (t->state) {
	case T_NEW:
		return open_channel(j, t);
	case T_OPEN: {
		int progress = pump_up(t) | pump_down(t);
		if (t->eof_sent && t->ch_eof && t->down_off == t->down_len)
			tunnel_end(t, NULL), progress = 1;
		return progress;
	}
	case T_CLOSING:
		if (again(libssh2_channel_free(t->ch)))
			return 0;
		t->ch = NULL;
		t->state = T_DONE;
		return 1;
	default:
		return 0;
	}
}

static void tunnel_unref(struct tunnel *t)
{
	if (--t->refs)
		return;
	free(t->host);
	free(t);
}

/* Under j->lock: tunnels done and no longer held by a node are dropped. */
static void reap(struct jump *j)
{
	for (struct tunnel **tp = &j->tunnels; *tp;) {
		struct tunnel *t = *tp;
		if (t->state == T_DONE && t->refs == 1) {
			*tp = t->next;
			tunnel_unref(t);
		} else {
			tp = &t->next;
		}
	}
}

/* Under j->lock: connect, then pump every tunnel. */
static int jump_step(struct jump *j)
{
	int progress = 0;
	if (!j->ready && !j->failed) {
		int rc = ssh_connect(j->conn);
		if (rc == SSH_OK)
			j->ready = progress = 1;
		else if (rc == SSH_ERR)
			jump_fail(j, ssh_error(j->conn)), progress = 1;
		else if (now_monotonic() > j->deadline)
			jump_fail(j, "connect timed out"), progress = 1;
	}
	if (j->ready)
		for (struct tunnel *t = j->tunnels; t; t = t->next)
			progress |= pump(j, t);
	reap(j);
	return progress;
}

static void jump_wait(struct jump *j, int progress)
{
	struct pollfd p[256];
	nfds_t n = 0;
	p[n++] = (struct pollfd){j->wake[0], POLLIN, 0};
	pthread_mutex_lock(&j->lock);
	if (!j->failed && ssh_fd(j->conn) >= 0)
		p[n++] = (struct pollfd){ssh_fd(j->conn), ssh_poll_events(j->conn), 0};
	for (struct tunnel *t = j->tunnels; t && n < 256; t = t->next)
		if (t->state == T_OPEN && t->fd >= 0)
			p[n++] = (struct pollfd){t->fd, (short)((t->up_off == t->up_len && !t->fd_eof ? POLLIN : 0) |
							       (t->down_off < t->down_len ? POLLOUT : 0)), 0};
	pthread_mutex_unlock(&j->lock);
	/* libssh2 may hold data it already read for another channel: never sleep long */
	if (poll(p, n, progress ? 0 : 20) > 0 && (p[0].revents & POLLIN)) {
		char buf[64];
		while (read(j->wake[0], buf, sizeof buf) > 0)
			;
	}
}

static void *jump_main(void *arg)
{
	struct jump *j = arg;
	sigset_t all;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL); /* signals are the main thread's */
	for (;;) {
		pthread_mutex_lock(&j->lock);
		int quit = j->quit, progress = quit ? 0 : jump_step(j);
		pthread_mutex_unlock(&j->lock);
		if (quit)
			break;
		jump_wait(j, progress);
	}
	return NULL;
}

/* ---- the nodes' side ---------------------------------------------------- */

/* Split "[user@]host[:port]" (a copy in *BUF). */
static void parse_hop(const char *hop, char **buf, const char **user, const char **host, int *port)
{
	char *s = *buf = xstrdup(hop), *at = strrchr(s, '@'), *colon;
	*user = NULL;
	if (at) {
		*at = '\0';
		*user = s;
		s = at + 1;
	}
	*port = 0;
	if ((colon = strrchr(s, ':')) && colon[1] && strspn(colon + 1, "0123456789") == strlen(colon + 1)) {
		*colon = '\0';
		*port = atoi(colon + 1);
	}
	*host = s;
}

static struct jump *jump_new(const char *chain, const struct ssh_opts *base, int timeout)
{
	struct jump *j = xcalloc(1, sizeof *j);
	j->chain = xstrdup(chain);
	const char *last = strrchr(chain, ',');
	char *via = last ? xstrndup(chain, (size_t)(last - chain)) : NULL, *buf;
	struct ssh_opts o = *base;
	const char *user, *host;
	parse_hop(last ? last + 1 : chain, &buf, &user, &host, &o.port);
	o.host = NULL;
	o.user = user;
	o.proxy_jump = via ? via : "none";
	j->conn = ssh_conn_new(host, &o);
	int ct = ssh_conn_connect_timeout(j->conn);
	j->deadline = now_monotonic() + (ct > 0 ? ct : timeout > 0 ? timeout : 10);
	free(buf);
	free(via);
	pthread_mutex_init(&j->lock, NULL);
	j->wake[0] = j->wake[1] = -1;
	if (pipe2(j->wake, O_CLOEXEC | O_NONBLOCK) == 0 && pthread_create(&j->thread, NULL, jump_main, j) == 0)
		j->started = 1;
	else {
		snprintf(j->err, sizeof j->err, "jump host %s: cannot start: %s", host, strerror(errno));
		j->failed = 1;
	}
	return j;
}

/* The shared connection for CHAIN, started on first use. */
static struct jump *jump_get(const char *chain, const struct ssh_opts *base, int timeout)
{
	pthread_mutex_lock(&jumps_lock);
	struct jump *j = jumps;
	while (j && strcmp(j->chain, chain))
		j = j->next;
	if (!j) {
		j = jump_new(chain, base, timeout);
		*jumps_tail = j;
		jumps_tail = &j->next;
	}
	pthread_mutex_unlock(&jumps_lock);
	return j;
}

static int socket_pair(struct ssh_conn *c, int sv[2])
{
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return ssh_fail(c, "socketpair: %s", strerror(errno));
	fcntl(sv[0], F_SETFL, O_NONBLOCK);
	fcntl(sv[1], F_SETFL, O_NONBLOCK);
	return SSH_OK;
}

static int open_jump(struct ssh_conn *c, struct sshproxy *p)
{
	int sv[2];
	if (socket_pair(c, sv) != SSH_OK)
		return SSH_ERR;
	struct jump *j = p->j = jump_get(c->proxy_jump, &c->base, c->connect_timeout);
	struct tunnel *t = p->t = xcalloc(1, sizeof *t);
	t->fd = sv[1];
	t->host = xstrdup(c->host);
	t->port = c->port;
	t->refs = 2;
	pthread_mutex_lock(&j->lock);
	t->next = j->tunnels;
	j->tunnels = t;
	if (j->failed)
		tunnel_end(t, j->err);
	pthread_mutex_unlock(&j->lock);
	if (j->started && write(j->wake[1], "", 1) < 0) {
		/* full: the thread is awake anyway */
	}
	c->fd = sv[0];
	return SSH_OK;
}

static int open_command(struct ssh_conn *c, struct sshproxy *p)
{
	int sv[2];
	char why[512];
	char *cmd = sshconfig_expand_command(c->proxy_command, c->node, c->host, c->port, c->user, why, sizeof why);
	if (!cmd)
		return ssh_fail(c, "%s", why);
	if (socket_pair(c, sv) != SSH_OK) {
		free(cmd);
		return SSH_ERR;
	}
	char *script = xasprintf("exec %s", cmd);
	char *argv[] = {"/bin/sh", "-c", script, NULL};
	struct spawn_opts o = {.path = "/bin/sh", .in = SPAWN_FD, .out = SPAWN_FD, .fd = sv[1]};
	fcntl(sv[1], F_SETFL, 0); /* the command gets a blocking descriptor */
	struct spawn s;
	int rc = spawn_start(&s, argv, &o);
	int e = errno;
	close(sv[1]);
	free(script);
	free(cmd);
	if (rc < 0) {
		close(sv[0]);
		return ssh_fail(c, "ProxyCommand: %s", strerror(e));
	}
	p->pid = s.pid;
	c->fd = sv[0];
	return SSH_OK;
}

int sshproxy_open(struct ssh_conn *c)
{
	struct sshproxy *p = c->proxy = xcalloc(1, sizeof *p);
	p->pid = -1;
	return c->proxy_jump ? open_jump(c, p) : open_command(c, p);
}

const char *sshproxy_error(struct sshproxy *q)
{
	int st;
	if (q->t && !shut_down) {
		pthread_mutex_lock(&q->j->lock);
		snprintf(q->err, sizeof q->err, "%s", q->t->err);
		pthread_mutex_unlock(&q->j->lock);
	} else if (q->pid > 0 && !q->err[0]) {
		/* asked after the session broke: a command that ended has usually just done so */
		for (int i = 0; i < 25; i++) {
			if (waitpid(q->pid, &st, WNOHANG) == q->pid) {
				q->pid = -1;
				snprintf(q->err, sizeof q->err, "ProxyCommand exited with status %d",
					 spawn_exit_code(st));
				break;
			}
			usleep(10000);
		}
	}
	return q->err;
}

void sshproxy_close(struct sshproxy *p)
{
	if (!p)
		return;
	if (p->t && !shut_down) {
		pthread_mutex_lock(&p->j->lock);
		tunnel_unref(p->t);
		pthread_mutex_unlock(&p->j->lock);
	}
	if (p->pid > 0) {
		kill(p->pid, SIGHUP); /* as ssh does */
		spawn_wait(p->pid);
	}
	free(p);
}

static size_t hops(const struct jump *j)
{
	size_t n = 1;
	for (const char *p = j->chain; *p; p++)
		n += *p == ',';
	return n;
}

static void jump_free(struct jump *j)
{
	pthread_mutex_lock(&j->lock);
	j->quit = 1;
	pthread_mutex_unlock(&j->lock);
	if (j->started && write(j->wake[1], "", 1) < 0) {
		/* full: it wakes anyway */
	}
	if (j->started)
		pthread_join(j->thread, NULL);
	for (struct tunnel *t = j->tunnels, *tn; t; t = tn) {
		tn = t->next;
		if (t->fd >= 0)
			close(t->fd);
		if (t->ch)
			libssh2_channel_free(t->ch);
		free(t->host);
		free(t);
	}
	ssh_conn_free(j->conn);
	if (j->wake[0] >= 0) {
		close(j->wake[0]);
		close(j->wake[1]);
	}
	pthread_mutex_destroy(&j->lock);
	free(j->chain);
	free(j);
}

void sshproxy_shutdown(void)
{
	pthread_mutex_lock(&jumps_lock);
	struct jump *list = jumps;
	jumps = NULL;
	jumps_tail = &jumps;
	pthread_mutex_unlock(&jumps_lock);
	/* the longest chains first: their connections run through the shorter ones' tunnels */
	size_t most = 0;
	for (struct jump *j = list; j; j = j->next)
		most = hops(j) > most ? hops(j) : most;
	for (size_t h = most; h > 0; h--)
		for (struct jump **jp = &list; *jp;) {
			struct jump *j = *jp;
			if (hops(j) != h) {
				jp = &j->next;
				continue;
			}
			*jp = j->next;
			jump_free(j);
		}
	shut_down = 1;
}
