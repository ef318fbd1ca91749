/* SPDX-License-Identifier: BSD-3-Clause */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "bytebuf.h"
#include "chain.h"
#include "chainfeed.h"
#include "clock.h"
#include "fsutil.h"
#include "log.h"
#include "progress.h"
#include "relayctl.h"
#include "relaynet.h"
#include "sftputil.h"
#include "shquote.h"
#include "xalloc.h"

#define RELAY_NAME "ctrelay"

enum rstate {
	R_CHECK, R_CHECK_READ, R_SFTP, R_UP_OPEN, R_UP_WRITE, R_UP_CLOSE, R_UP_SHUT, R_RUN, R_RUN_READ,
	R_READY, R_LOST, R_GONE, R_CLEAN, R_CLEAN_READ,
};

struct rnode {
	struct fanout_node *n;
	struct ssh_conn *conn; /* taken from fanout once the relay is ready */
	enum rstate state;
	struct ssh_exec *e;
	struct bytebuf in;     /* output of the current command */
	struct bytebuf out;    /* control lines not yet written */
	size_t outoff;
	char *dir;             /* private directory of an uploaded relay */
	LIBSSH2_SFTP *sftp;
	LIBSSH2_SFTP_HANDLE *h;
	size_t upoff;
	char addr[INET6_ADDRSTRLEN];
	int port;
	int chain;
	int ended;
	int closed;            /* its command ended after "quit" */
	int stepped;           /* connected: a failure since is the relay's (the node goes direct) */
	int down_fails;        /* "fail down" reports since it last linked a successor */
	int refused;           /* "refused" reports (content not what the head signed) */
	double stall_at;       /* said "stalled downstream" (0: not) */
	double pred_end;       /* when its predecessor finished (0: not yet) */
	unsigned long errors;
};

struct chainrun {
	const struct cpchain_opts *o;
	struct cpentries *en;
	struct rnode *r;
	size_t n;
	char secret[2 * RELAY_KEY_LEN + 1];
	char pub[2 * RELAY_PUB_LEN + 1]; /* the head's public key for this transfer's signatures */
	char tag[17];
	char *remote_path;     /* where the relay is expected on the nodes */
	char *blob;            /* the head's own relay, for uploads */
	size_t bloblen;
	char arch[65];
	struct cpfeed **feed;  /* one per chain */
	double *feed_stall;    /* per chain: when its feeder timed out writing (0: not) */
	int nchains;
	struct progress_fanout meter; /* on a tty: the head's feed times the nodes it reaches, files, nodes */
	uint64_t plan_bytes, shown;
	double t_start, t_linked, t_first_end, t_last_end; /* for the phase times at -v */
};

static volatile sig_atomic_t chain_stop;

static void on_stop(int sig)
{
	chain_stop = sig;
}

/* ---- the rule -------------------------------------------------------------- */

static uint64_t plan_bytes(const struct cpplan *plan)
{
	uint64_t b = 0;
	for (size_t i = 0; i < plan->n; i++)
		if (plan->e[i].type == CPPLAN_FILE)
			b += plan->e[i].size;
	return b;
}

int cpchain_pays(const struct cpplan *plan, size_t nnodes)
{
	return nnodes >= CPCHAIN_MIN_NODES && plan_bytes(plan) >= CPCHAIN_MIN_BYTES;
}

const char *cpchain_explain(enum cpchain_mode mode, const struct cpplan *plan, size_t nnodes, int *chain)
{
	static char buf[256];
	double mib = (double)plan_bytes(plan) / (1 << 20);
	const char *unusable = cpchain_usable(plan);
	*chain = mode == CPCHAIN_CHAIN || (mode == CPCHAIN_AUTO && cpchain_pays(plan, nnodes));
	if (*chain && unusable) {
		*chain = 0;
		snprintf(buf, sizeof buf, "direct (%s)", unusable);
	} else if (mode != CPCHAIN_AUTO) {
		snprintf(buf, sizeof buf, "%s (%s)", *chain ? "chain" : "direct", *chain ? "--chain" : "--direct");
	} else {
		snprintf(buf, sizeof buf, "%s (%zu nodes, %.1f MiB; the chain needs at least %d nodes and %u MiB)",
			 *chain ? "chain" : "direct", nnodes, mib, CPCHAIN_MIN_NODES, CPCHAIN_MIN_BYTES >> 20);
	}
	return buf;
}

/* The head's own relay: beside the cpush binary. */
static char *local_relay(void)
{
	char self[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n <= 0)
		return NULL;
	self[n] = '\0';
	char *slash = strrchr(self, '/');
	*slash = '\0';
	char *p = xasprintf("%s/" RELAY_NAME, self);
	if (access(p, X_OK) < 0) {
		free(p);
		return NULL;
	}
	return p;
}

const char *cpchain_usable(const struct cpplan *plan)
{
	for (size_t i = 0; i < plan->n; i++)
		if (strlen(plan->e[i].dst) >= RELAY_MAX_PATH)
			return "a target path is too long for the chain";
	char *p = local_relay();
	int found = p != NULL;
	free(p);
	return found ? NULL : "no " RELAY_NAME " beside cpush";
}

/* ---- phase 1: a relay running on every node (a fanout task) -------------- */

/* The node's address as the head reached it. */
static void peer_addr(struct rnode *r, struct ssh_conn *c)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof ss;
	if (getpeername(ssh_fd(c), (struct sockaddr *)&ss, &sl) == 0)
		getnameinfo((struct sockaddr *)&ss, sl, r->addr, sizeof r->addr, NULL, 0, NI_NUMERICHOST);
}

/* Read what the command printed into r->in (stderr goes to debug): SSH_OK once both streams ended. */
static int drain(struct rnode *r)
{
	char buf[4096];
	for (;;) {
		ssize_t k = ssh_exec_read(r->e, 0, buf, sizeof buf);
		if (k > 0) {
			bytebuf_add(&r->in, buf, (size_t)k);
			continue;
		}
		ssize_t ke = ssh_exec_read(r->e, 1, buf, sizeof buf);
		if (ke > 0) {
			debug("%s: relay: %.*s", r->n->name, (int)ke, buf);
			continue;
		}
		if (k == SSH_ERR || ke == SSH_ERR)
			return SSH_ERR;
		if (k == 0 && ke == 0)
			return SSH_OK;
		/* the stderr read may have taken stdout's data or EOF off the socket: poll() would wait for nothing */
		if (!(k == SSH_AGAIN && ssh_exec_readable(r->e, 0)) && !(ke == SSH_AGAIN && ssh_exec_readable(r->e, 1)))
			return SSH_AGAIN;
	}
}

/*
 * Run the relay at the expected path if it is this version; else read the
 * start line (so the head's write of it never meets a closed channel) and
 * say "need ARCH DIR" (a private directory made for the upload) or "need
 * ARCH" (no use uploading). One command: a node that has the relay costs
 * one channel, not two.
 */
static char *check_command(const struct chainrun *cr)
{
	char *q = sh_quote(cr->remote_path), *a = sh_quote(cr->arch);
	char *cmd = xasprintf("p=%s; v=$(\"$p\" -V 2>/dev/null </dev/null); if [ \"$v\" = '" RELAYCTL_VERSION_LINE
			      "' ]; then exec \"$p\"; fi; read -r l; if [ \"$(uname -m)\" != %s ]; then "
			      "echo \"need $(uname -m)\"; else d=$(mktemp -d /tmp/.ctrelay.XXXXXX) && "
			      "echo \"need $(uname -m) $d\"; fi",
			      q, a);
	free(q);
	free(a);
	return cmd;
}

/* "need ARCH DIR" or "need ARCH": next state, or -1 with n->error. */
static int checked(struct chainrun *cr, struct rnode *r)
{
	char *s = r->in.p ? r->in.p : "";
	char arch[65], dir[512];
	int k = sscanf(s, "need %64s %511s", arch, dir);
	if (k < 1) {
		r->n->error = xasprintf("cannot check the relay: %s", *s ? s : "no answer");
		return -1;
	}
	if (k == 1 || strcmp(arch, cr->arch) != 0) {
		r->n->error = xasprintf("no %s there and the head's copy is for %s, not %s", cr->remote_path,
					cr->arch, arch);
		return -1;
	}
	r->dir = xstrdup(dir);
	verbose("%s: uploading %s to %s", r->n->name, RELAY_NAME, dir);
	return R_SFTP;
}

static int upload(struct chainrun *cr, struct rnode *r, struct ssh_conn *c)
{
	unsigned long code = 0;
	int rc;
	char *path;
	switch (r->state) {
	case R_SFTP:
		rc = sftpu_node_open(r->n, c, &r->sftp);
		if (rc == FANOUT_STEP_DONE)
			r->state = R_UP_OPEN;
		if (rc == FANOUT_STEP_FAIL)
			r->state = R_CLEAN;
		return rc == FANOUT_STEP_DONE || rc == FANOUT_STEP_FAIL ? FANOUT_STEP_MORE : rc;
	case R_UP_OPEN:
		path = xasprintf("%s/" RELAY_NAME, r->dir);
		r->h = libssh2_sftp_open_ex(r->sftp, path, (unsigned)strlen(path),
					    LIBSSH2_FXF_WRITE | LIBSSH2_FXF_CREAT | LIBSSH2_FXF_EXCL, 0700,
					    LIBSSH2_SFTP_OPENFILE);
		free(path);
		rc = sftpu_classify(ssh_session(c), r->sftp, r->h ? 0 : -1, &code);
		break;
	case R_UP_WRITE:
		while (r->upoff < cr->bloblen) {
			ssize_t w = libssh2_sftp_write(r->h, cr->blob + r->upoff, cr->bloblen - r->upoff);
			if (w < 0)
				break;
			r->upoff += (size_t)w;
		}
		rc = r->upoff < cr->bloblen ? sftpu_classify(ssh_session(c), r->sftp, LIBSSH2_ERROR_EAGAIN, &code)
					    : SFTPU_OK;
		break;
	case R_UP_CLOSE:
		rc = sftpu_close(ssh_session(c), r->sftp, &r->h, &code);
		break;
	default:
		rc = sftpu_node_close(r->n, &r->sftp, 0);
		if (rc == FANOUT_STEP_DONE)
			r->state = R_RUN;
		if (rc == FANOUT_STEP_FAIL)
			r->state = R_CLEAN;
		return rc == FANOUT_STEP_DONE || rc == FANOUT_STEP_FAIL ? FANOUT_STEP_MORE : rc;
	}
	if (rc == SFTPU_AGAIN)
		return FANOUT_STEP_AGAIN;
	if (rc != SFTPU_OK) {
		r->n->error = xasprintf("cannot upload %s into %s: %s", RELAY_NAME, r->dir,
					rc == SFTPU_REFUSED ? sftpu_strerror(code) : ssh_last_error(c));
		r->state = R_CLEAN; /* the private directory goes, with what was written of the copy */
		return FANOUT_STEP_MORE;
	}
	r->state++;
	return FANOUT_STEP_MORE;
}

static int start_exec(struct rnode *r, struct ssh_conn *c, const char *cmd)
{
	if (!r->e)
		r->e = ssh_exec_new(c, cmd);
	int rc = ssh_exec_start(r->e);
	if (rc == SSH_ERR && !r->n->error)
		r->n->error = xasprintf("%s", ssh_error(c));
	return rc;
}

/* The relay's start line, written once its command runs. */
static void queue_start(const struct chainrun *cr, struct rnode *r)
{
	char *line = xasprintf(RELAYCTL_START " %s %s %s %s\n", cr->secret, cr->pub, cr->tag,
			       cr->o->relay_net ? cr->o->relay_net : r->addr[0] ? r->addr : "*");
	bytebuf_add(&r->out, line, strlen(line));
	free(line);
}

/* The upload failed (r->n->error says why): remove its private directory, then fail the node. */
static int clean(struct rnode *r, struct ssh_conn *c)
{
	if (r->state == R_CLEAN) {
		char *q = sh_quote(r->dir);
		char *cmd = xasprintf("rm -rf -- %s", q);
		int rc = start_exec(r, c, cmd);
		free(cmd);
		free(q);
		if (rc == SSH_AGAIN)
			return FANOUT_STEP_AGAIN;
		if (rc != SSH_OK)
			return FANOUT_STEP_FAIL;
		r->state = R_CLEAN_READ;
	}
	int rc = drain(r);
	if (rc == SSH_AGAIN)
		return FANOUT_STEP_AGAIN;
	bytebuf_free(&r->in);
	return FANOUT_STEP_FAIL;
}

/* The relay said "ready ADDR PORT" (or failed). */
static int ready(struct chainrun *cr, struct rnode *r)
{
	char *nl = r->in.p ? strchr(r->in.p, '\n') : NULL;
	if (!nl)
		return 0;
	char addr[INET6_ADDRSTRLEN];
	int port;
	if (sscanf(r->in.p, RELAYCTL_READY " %45s %d", addr, &port) != 2) {
		*nl = '\0';
		r->n->error = xasprintf("relay did not start: %s", r->in.p);
		return -1;
	}
	snprintf(r->addr, sizeof r->addr, "%s", addr);
	r->port = port;
	size_t used = (size_t)(nl + 1 - r->in.p);
	memmove(r->in.p, nl + 1, r->in.len - used + 1);
	r->in.len -= used;
	(void)cr;
	return 1;
}

static int step(struct fanout_node *n, struct ssh_conn *c, void *ctx)
{
	struct chainrun *cr = ctx;
	struct rnode *r = &cr->r[n->index];
	r->stepped = 1;
	for (;;) {
		int rc;
		char *cmd;
		switch (r->state) {
		case R_CHECK:
			peer_addr(r, c);
			cmd = check_command(cr);
			rc = start_exec(r, c, cmd);
			free(cmd);
			if (rc != SSH_OK)
				return rc == SSH_AGAIN ? FANOUT_STEP_AGAIN : FANOUT_STEP_FAIL;
			queue_start(cr, r);
			r->state = R_RUN_READ; /* "ready" from the relay, or "need" from the check */
			break;
		case R_CHECK_READ: /* "need ...": the rest of it, then the upload */
			rc = drain(r);
			if (rc != SSH_OK)
				return rc == SSH_AGAIN ? FANOUT_STEP_AGAIN : FANOUT_STEP_FAIL;
			ssh_exec_free(r->e);
			r->e = NULL;
			rc = checked(cr, r);
			bytebuf_free(&r->in);
			bytebuf_free(&r->out);
			r->outoff = 0;
			if (rc < 0)
				return FANOUT_STEP_FAIL;
			r->state = (enum rstate)rc;
			break;
		case R_SFTP:
		case R_UP_OPEN:
		case R_UP_WRITE:
		case R_UP_CLOSE:
		case R_UP_SHUT:
			rc = upload(cr, r, c);
			if (rc != FANOUT_STEP_MORE)
				return rc;
			break;
		case R_CLEAN:
		case R_CLEAN_READ:
			return clean(r, c);
		case R_RUN: {
			char *q = r->dir ? xasprintf("%s/" RELAY_NAME, r->dir) : xstrdup(cr->remote_path);
			char *qq = sh_quote(q);
			cmd = xasprintf("exec %s%s", qq, r->dir ? " --remove-self" : "");
			rc = start_exec(r, c, cmd);
			free(cmd);
			free(qq);
			free(q);
			if (rc != SSH_OK)
				return rc == SSH_AGAIN ? FANOUT_STEP_AGAIN : FANOUT_STEP_FAIL;
			queue_start(cr, r);
			r->state = R_RUN_READ;
			break;
		}
		case R_RUN_READ:
			while (r->outoff < r->out.len) {
				ssize_t w = ssh_exec_write(r->e, r->out.p + r->outoff, r->out.len - r->outoff);
				if (w == SSH_AGAIN)
					return FANOUT_STEP_AGAIN;
				if (w < 0) {
					n->error = xasprintf("relay: %s", ssh_error(c));
					return FANOUT_STEP_FAIL;
				}
				r->outoff += (size_t)w;
			}
			rc = drain(r);
			if (!r->dir && r->in.len >= 4 && strncmp(r->in.p, "need", 4) == 0) {
				r->state = R_CHECK_READ;
				break;
			}
			int k = ready(cr, r);
			if (k < 0)
				return FANOUT_STEP_FAIL;
			if (k > 0) {
				r->state = R_READY;
				return FANOUT_STEP_DONE;
			}
			if (rc != SSH_AGAIN) {
				n->error = xasprintf("relay ended before it was ready");
				return FANOUT_STEP_FAIL;
			}
			return FANOUT_STEP_AGAIN;
		default:
			return FANOUT_STEP_DONE;
		}
	}
}

/* fanout frees a finished node's connection: the chain keeps it, with the relay running on it. */
static void keep_conn(struct fanout_node *n, void *ctx)
{
	struct chainrun *cr = ctx;
	struct rnode *r = &cr->r[n->index];
	if (n->state == FANOUT_OK && r->state == R_READY) {
		r->conn = n->conn;
		n->conn = NULL;
		return;
	}
	ssh_exec_free(r->e); /* before fanout frees the session under them */
	r->e = NULL;
	sftpu_node_teardown(n, r->sftp, r->h);
	r->sftp = NULL;
	r->h = NULL;
	if (r->state != R_GONE)
		r->state = R_GONE;
}

static int start_relays(struct chainrun *cr, struct fanout_node *nodes, size_t n, const struct fanout_opts *fo)
{
	struct fanout_opts all = *fo;
	all.fanout = (int)n; /* every relay must run at once */
	struct fanout_task task = { .step = step, .done = keep_conn, .ctx = cr };
	return fanout_run(nodes, n, &all, &task);
}

/* ---- phase 2: link the relays, watch them, heal the chain ----------------- */

static void send_line(struct rnode *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void send_line(struct rnode *r, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	bytebuf_add(&r->out, line, strlen(line));
}

static int live(const struct rnode *r)
{
	return r->state == R_READY;
}

/* Previous and next live relay of R's chain (NULL: the head, or none). */
static struct rnode *neighbour(struct chainrun *cr, struct rnode *r, int dir)
{
	for (ptrdiff_t i = (r - cr->r) + dir; i >= 0 && (size_t)i < cr->n; i += dir)
		if (cr->r[i].chain == r->chain && live(&cr->r[i]))
			return &cr->r[i];
	return NULL;
}

/*
 * The head feeds R, the first live node of its chain: R is told to expect
 * the head's address (as R sees it: the one this host sends from to reach R).
 */
static void feed_first(struct chainrun *cr, struct rnode *r)
{
	char head[INET6_ADDRSTRLEN] = "";
	if (relay_route_src(r->addr, head, sizeof head) == 0)
		send_line(r, RELAYCTL_FROM " %s\n", head);
	cpfeed_target(cr->feed[r->chain], r->addr, r->port, head);
}

/* Point R's predecessor (or the head) at R's successor: R is out. */
static void link_around(struct chainrun *cr, struct rnode *r)
{
	struct rnode *prev = neighbour(cr, r, -1), *next = neighbour(cr, r, 1);
	if (prev && next) {
		send_line(next, RELAYCTL_FROM " %s\n", prev->addr);
		send_line(prev, RELAYCTL_NEXT " %s %d\n", next->addr, next->port);
	} else if (prev) {
		send_line(prev, RELAYCTL_LAST "\n");
	} else if (next) {
		feed_first(cr, next);
	}
	if (next)
		next->pred_end = 0;
}

/* R is out of the chain, failed with ERROR (taken). */
static void cut_out(struct chainrun *cr, struct rnode *r, char *error)
{
	if (!live(r)) {
		free(error);
		return;
	}
	r->state = R_LOST;
	progress_fanout_node_done(&cr->meter, 1, 1);
	free(r->n->error);
	r->n->error = error;
	r->n->state = FANOUT_FAILED;
	link_around(cr, r);
}

static void lose(struct chainrun *cr, struct rnode *r, const char *why)
{
	cut_out(cr, r, xasprintf("relay lost mid-stream (%s); cut out of the chain", why));
}

/*
 * R could not reach or feed its successor ADDR PORT: that one is cut out at
 * once, unless R failed its previous successor too without linking one in
 * between, when R itself is the likelier culprit.
 */
static void failed_down(struct chainrun *cr, struct rnode *r, const char *addr, const char *port, const char *why)
{
	struct rnode *next = neighbour(cr, r, 1);
	if (!next || next->ended || strcmp(next->addr, addr) != 0 || next->port != atoi(port))
		return; /* about a successor already replaced, or one that has everything */
	if (r->down_fails++ > 0) {
		char *msg = xasprintf("could not feed two successors in a row: %s", why);
		lose(cr, r, msg);
		free(msg);
		return;
	}
	char *msg = xasprintf("%s could not feed it: %s", r->n->name, why);
	lose(cr, next, msg);
	free(msg);
}

/*
 * What reached R was not what the head signed (or a file it holds changed):
 * it wrote nothing of it. Its first refusal is the reason shown, even when
 * R was just cut out as its predecessor's lost successor (a peer that took
 * over its upstream makes the predecessor's writes fail first).
 */
static void refused(struct chainrun *cr, struct rnode *r, const char *why)
{
	char *msg = xasprintf("relay refused what it was sent (%s): nothing written; cut out of the chain", why);
	if (r->refused++) { /* the first refusal says what happened: later ones follow from it */
		free(msg);
	} else if (r->state == R_LOST && r->n->state == FANOUT_FAILED) {
		free(r->n->error);
		r->n->error = msg;
	} else {
		cut_out(cr, r, msg);
	}
}

/* A decimal entry index (the first word of "refused I MESSAGE"). */
static int is_index(const char *s)
{
	return *s && strspn(s, "0123456789") == strlen(s);
}

/* One report line of a relay. */
static void report_line(struct chainrun *cr, struct rnode *r, char *line)
{
	unsigned i;
	int off = 0, nw;
	char copy[1024], *w[4];
	snprintf(copy, sizeof copy, "%s", line);
	enum relayctl kind = relayctl_parse(copy, w, 4, &nw);
	if (kind == RCTL_FAIL_DOWN) {
		failed_down(cr, r, w[0], w[1], w[2]);
	} else if (kind == RCTL_LINKED) {
		r->down_fails = 0;
	} else if (kind == RCTL_CLOSED) {
		verbose("%s: relay closed a connection from %s: %s", r->n->name, w[0], w[1]);
	} else if (kind == RCTL_STALLED) {
		if (!r->stall_at)
			r->stall_at = now_monotonic(); /* check_stalls decides who is to blame */
	} else if (kind == RCTL_END) {
		r->ended = 1;
		cr->t_last_end = now_monotonic();
		if (!cr->t_first_end)
			cr->t_first_end = cr->t_last_end;
		progress_fanout_node_done(&cr->meter, 1, 0);
		struct rnode *next = neighbour(cr, r, 1);
		if (next && !next->pred_end)
			next->pred_end = now_monotonic();
	} else if (sscanf(line, RELAYCTL_OK " %u", &i) == 1 && i < cpentries_count(cr->en)) {
		size_t k = (size_t)(r - cr->r);
		if (cr->o->sent && cpentries_size(cr->en, i) != UINT64_MAX) {
			cr->o->sent[k]++;
			cr->o->bytes[k] += cpentries_size(cr->en, i);
		}
		progress_fanout_add(&cr->meter, 0, 1);
	} else if (kind == RCTL_REFUSED && is_index(w[0])) {
		refused(cr, r, w[1]);
	} else if (sscanf(line, RELAYCTL_ERR " %u %n", &i, &off) == 1 && off > 0 && i < cpentries_count(cr->en)) {
		r->errors++;
		verbose("%s: %s: %s (chain; the direct pass retries it)", r->n->name, cpentries_path(cr->en, i),
			line + off);
	} else {
		debug("%s: relay: %s", r->n->name, line);
	}
}

/* Move control lines out and reports in. SSH_ERR when the session or the relay is gone. */
static int pump(struct chainrun *cr, struct rnode *r)
{
	while (r->outoff < r->out.len) {
		ssize_t w = ssh_exec_write(r->e, r->out.p + r->outoff, r->out.len - r->outoff);
		if (w == SSH_AGAIN)
			break;
		if (w < 0)
			return SSH_ERR;
		r->outoff += (size_t)w;
	}
	if (r->outoff == r->out.len) {
		bytebuf_free(&r->out);
		r->outoff = 0;
	}
	int rc = drain(r);
	char *nl;
	while (r->in.p && (nl = strchr(r->in.p, '\n'))) {
		*nl = '\0';
		report_line(cr, r, r->in.p);
		size_t used = (size_t)(nl + 1 - r->in.p);
		memmove(r->in.p, nl + 1, r->in.len - used + 1);
		r->in.len -= used;
	}
	return rc == SSH_AGAIN ? SSH_OK : SSH_ERR;
}

/* Each relay learns its predecessor's address, then its successor; the head feeds the first of each chain. */
static void link_all(struct chainrun *cr)
{
	for (size_t i = 0; i < cr->n; i++) {
		struct rnode *r = &cr->r[i], *prev = live(r) ? neighbour(cr, r, -1) : NULL;
		if (prev)
			send_line(r, RELAYCTL_FROM " %s\n", prev->addr);
	}
	for (size_t i = 0; i < cr->n; i++) {
		struct rnode *r = &cr->r[i];
		if (!live(r))
			continue;
		struct rnode *next = neighbour(cr, r, 1);
		if (next)
			send_line(r, RELAYCTL_NEXT " %s %d\n", next->addr, next->port);
		else
			send_line(r, RELAYCTL_LAST "\n");
		if (!neighbour(cr, r, -1))
			feed_first(cr, r);
	}
}

static int all_ended(struct chainrun *cr)
{
	for (size_t i = 0; i < cr->n; i++)
		if (live(&cr->r[i]) && !cr->r[i].ended)
			return 0;
	return 1;
}

/* A relay that keeps the end back long after its predecessor finished has stalled. */
static struct rnode *first_live(struct chainrun *cr, int k)
{
	for (size_t i = 0; i < cr->n; i++)
		if (cr->r[i].chain == k && live(&cr->r[i]))
			return &cr->r[i];
	return NULL;
}

/*
 * A node that stops taking data holds up everything before it: its
 * predecessor, then that one's predecessor ... each says "stalled
 * downstream" within a second or two. After CPCHAIN_SETTLE seconds the most
 * downstream one that said so names the culprit: its successor. The head's
 * feeder counts as the first of the chain; it is restarted afterwards.
 */
static void settle_stall(struct chainrun *cr, int k, double now)
{
	double first = cr->feed_stall[k];
	struct rnode *rep = NULL;
	for (size_t i = 0; i < cr->n; i++) {
		struct rnode *r = &cr->r[i];
		if (r->chain != k || !live(r) || !r->stall_at)
			continue;
		if (!first || r->stall_at < first)
			first = r->stall_at;
		rep = r;
	}
	if (!first || now - first < CPCHAIN_SETTLE)
		return;
	struct rnode *victim = rep ? neighbour(cr, rep, 1) : first_live(cr, k);
	if (victim)
		lose(cr, victim, "stalled: took nothing for " RELAY_STALL_TEXT);
	for (size_t i = 0; i < cr->n; i++)
		if (cr->r[i].chain == k)
			cr->r[i].stall_at = 0;
	if (cr->feed_stall[k] && first_live(cr, k)) /* the head's feed gave up: start it again */
		feed_first(cr, first_live(cr, k));
	cr->feed_stall[k] = 0;
}

/* A source changed since it was hashed: no node can get it right, each unfinished one fails with ERR. */
static void source_changed(struct chainrun *cr, const char *err)
{
	for (size_t i = 0; i < cr->n; i++) {
		struct rnode *r = &cr->r[i];
		if (!live(r) || r->ended)
			continue;
		r->state = R_LOST;
		progress_fanout_node_done(&cr->meter, 1, 1);
		free(r->n->error);
		r->n->error = xstrdup(err);
		r->n->state = FANOUT_FAILED;
	}
}

static void check_stalls(struct chainrun *cr, double now)
{
	for (int k = 0; k < cr->nchains; k++) {
		char err[512];
		cpfeed_error(cr->feed[k], err, sizeof err);
		if (cpfeed_changed(cr->feed[k])) {
			source_changed(cr, err);
			return;
		}
		if (*err && !cr->feed_stall[k]) {
			if (strstr(err, strerror(ETIMEDOUT)))
				cr->feed_stall[k] = now;
			else if (first_live(cr, k))
				lose(cr, first_live(cr, k), err); /* the head cannot feed it */
		}
		settle_stall(cr, k, now);
	}
	for (int k = 0; k < cr->nchains; k++) {
		for (size_t i = 0; i < cr->n; i++) {
			struct rnode *r = &cr->r[i];
			if (r->chain != k || !live(r) || r->ended)
				continue;
			/*
			 * Everything before it has ended: the head's feed, or a live
			 * predecessor (which may have ended before a re-link made it
			 * this node's, so its "end" never set the time).
			 */
			struct rnode *prev = neighbour(cr, r, -1);
			if (!r->pred_end && (prev ? prev->ended : cpfeed_done(cr->feed[k])))
				r->pred_end = now;
			if (r->pred_end && now - r->pred_end > CPCHAIN_STALL)
				lose(cr, r, "stalled");
			break; /* only the first unfinished node of a chain can be the one holding it up */
		}
	}
}

/* -u: the relays still at work when the command timeout expires are cut off. */
static void check_timeout(struct chainrun *cr, double deadline, double timeout)
{
	if (!deadline || now_monotonic() < deadline)
		return;
	for (size_t i = 0; i < cr->n; i++) {
		struct rnode *r = &cr->r[i];
		if (!live(r) || r->ended)
			continue;
		r->state = R_LOST;
		free(r->n->error);
		r->n->error = xasprintf("timed out after %g s", timeout);
		r->n->state = FANOUT_TIMEDOUT;
	}
}

/*
 * The bytes on the line: what the head fed each chain (the chain is pipelined:
 * every node of it is a few frames behind) times that chain's nodes still in.
 */
static void meter_update(struct chainrun *cr)
{
	uint64_t done = 0;
	for (size_t i = 0; i < cr->n; i++) {
		uint64_t fed = cpfeed_fed(cr->feed[cr->r[i].chain]);
		if (live(&cr->r[i]))
			done += fed < cr->plan_bytes ? fed : cr->plan_bytes;
	}
	if (done > cr->shown) {
		progress_fanout_add(&cr->meter, done - cr->shown, 0);
		cr->shown = done;
	}
}

static void meter_start(struct chainrun *cr, const struct cpplan *plan)
{
	size_t nodes = 0;
	uint64_t files = 0;
	for (size_t i = 0; i < cr->n; i++)
		nodes += live(&cr->r[i]);
	for (size_t i = 0; i < plan->n; i++)
		files += plan->e[i].type == CPPLAN_FILE;
	cr->plan_bytes = plan_bytes(plan);
	progress_fanout_start(&cr->meter, "cpush", nodes, cr->plan_bytes * nodes, files * nodes);
	for (size_t i = 0; i < nodes; i++)
		progress_fanout_node_started(&cr->meter);
}

static void watch(struct chainrun *cr, double timeout)
{
	struct pollfd *p = xcalloc(cr->n + 1, sizeof *p);
	double deadline = timeout > 0 ? now_monotonic() + timeout : 0;
	while (!chain_stop && !all_ended(cr)) {
		check_timeout(cr, deadline, timeout);
		size_t np = 0;
		for (size_t i = 0; i < cr->n; i++) {
			struct rnode *r = &cr->r[i];
			if (!live(r))
				continue;
			if (pump(cr, r) == SSH_ERR) {
				lose(cr, r, ssh_exec_eof(r->e) ? "it ended" : ssh_error(r->conn));
				continue;
			}
			p[np++] = (struct pollfd){ ssh_fd(r->conn), ssh_poll_events(r->conn), 0 };
		}
		check_stalls(cr, now_monotonic());
		meter_update(cr);
		if (np == 0)
			break;
		/* libssh2 may already hold data: a short timeout rather than trusting the socket alone */
		if (poll(p, np, 200) < 0 && errno != EINTR)
			break;
	}
	free(p);
}

/* Tell every relay to leave, give them a moment to clean up, close the sessions' channels. */
static void stop_all(struct chainrun *cr)
{
	for (size_t i = 0; i < cr->n; i++)
		if (live(&cr->r[i]) || cr->r[i].state == R_LOST)
			send_line(&cr->r[i], RELAYCTL_QUIT "\n");
	double until = now_monotonic() + 1;
	for (;;) {
		int busy = 0;
		for (size_t i = 0; i < cr->n; i++) {
			struct rnode *r = &cr->r[i];
			if (!r->e || r->closed)
				continue;
			if (pump(cr, r) == SSH_ERR)
				r->closed = 1;
			else
				busy = 1;
		}
		if (!busy || now_monotonic() > until)
			break;
		usleep(20000);
	}
	for (size_t i = 0; i < cr->n; i++) {
		ssh_exec_free(cr->r[i].e);
		cr->r[i].e = NULL;
		bytebuf_free(&cr->r[i].in);
		bytebuf_free(&cr->r[i].out);
		free(cr->r[i].dir);
	}
}

static int setup(struct chainrun *cr, const struct cpplan *plan, const struct cpchain_opts *o, size_t n)
{
	char err[4096];
	cr->o = o;
	cr->n = n;
	cr->en = cpentries_new(plan, o->blind, err, sizeof err);
	if (!cr->en)
		die(1, "%s", err);
	unsigned char secret[RELAY_KEY_LEN];
	unsigned char tag[6]; /* its own random bytes: the tag shows in directory listings, the key must not */
	if (relay_secret_new(secret) < 0 || RAND_bytes(tag, sizeof tag) != 1)
		die(1, "cannot draw a transfer key");
	relay_secret_hex(secret, cr->secret);
	relay_secret_hex(cpentries_pub(cr->en), cr->pub);
	for (size_t i = 0; i < sizeof tag; i++)
		snprintf(cr->tag + 2 * i, 3, "%02x", tag[i]);
	struct relay_key k;
	relay_key_derive(&k, secret);
	char *local = local_relay();
	if (!local)
		die(1, "--chain: no %s beside cpush", RELAY_NAME);
	const char *env = getenv("CT_RELAY_PATH"); /* cpush(1), ENVIRONMENT */
	cr->remote_path = xstrdup(env && *env ? env : local);
	cr->blob = fs_read_file(local, 64 << 20, &cr->bloblen);
	if (!cr->blob)
		die_errno(1, "%s", local);
	free(local);
	struct utsname u;
	uname(&u);
	snprintf(cr->arch, sizeof cr->arch, "%s", u.machine);
	cr->nchains = o->chains < 1 ? 1 : o->chains > (int)n ? (int)(n ? n : 1) : o->chains;
	cr->r = xcalloc(n + 1, sizeof *cr->r);
	cr->feed = xcalloc((size_t)cr->nchains, sizeof *cr->feed);
	cr->feed_stall = xcalloc((size_t)cr->nchains, sizeof *cr->feed_stall);
	for (int i = 0; i < cr->nchains; i++)
		cr->feed[i] = cpfeed_new(cr->en, &k);
	return 0;
}

/* Where the time went (-v): starting the relays, then the data until the first and the last node ended. */
static void say_phases(const struct chainrun *cr)
{
	size_t ended = 0;
	for (size_t i = 0; i < cr->n; i++)
		ended += cr->r[i].ended;
	if (!ended)
		return;
	double hop = ended > 1 ? (cr->t_last_end - cr->t_first_end) / (double)(ended - 1) : 0;
	verbose("chain: relays running on %zu nodes after %.3f s; first node done %.3f s later, last %.3f s "
		"later (%.1f ms a node after the first)", ended, cr->t_linked - cr->t_start,
		cr->t_first_end - cr->t_linked, cr->t_last_end - cr->t_linked, hop * 1000);
}

static int files_only(const struct cpplan *plan)
{
	for (size_t i = 0; i < plan->n; i++)
		if (plan->e[i].type != CPPLAN_FILE)
			return 0;
	return 1;
}

int cpchain_run(const struct cpplan *plan, struct fanout_node *nodes, size_t n, const struct fanout_opts *fo,
		const struct cpchain_opts *o)
{
	struct chainrun cr = { 0 };
	signal(SIGPIPE, SIG_IGN); /* a relay that dies under a feeder's write is handled, not fatal */
	setup(&cr, plan, o, n);
	cr.t_start = now_monotonic();
	for (size_t i = 0; i < n; i++) {
		cr.r[i].n = &nodes[i];
		cr.r[i].chain = (int)(i * (size_t)cr.nchains / n); /* contiguous runs of nodes */
	}
	int fr = start_relays(&cr, nodes, n, fo);
	struct sigaction sa = { .sa_handler = on_stop }, oldint, oldterm;
	sigaction(SIGINT, &sa, &oldint);
	sigaction(SIGTERM, &sa, &oldterm);
	chain_stop = 0;
	if (fr == FANOUT_COMPLETE) {
		for (size_t i = 0; i < n; i++)
			if (nodes[i].state != FANOUT_OK)
				cr.r[i].state = R_GONE;
		cr.t_linked = now_monotonic();
		link_all(&cr);
		meter_start(&cr, plan);
		watch(&cr, fo->timeout);
		progress_fanout_end(&cr.meter);
		say_phases(&cr);
	}
	stop_all(&cr);
	if (chain_stop)
		fr = FANOUT_INTERRUPTED;
	sigaction(SIGINT, &oldint, NULL);
	sigaction(SIGTERM, &oldterm, NULL);
	for (int i = 0; i < cr.nchains; i++) {
		char err[512];
		cpfeed_error(cr.feed[i], err, sizeof err);
		if (*err)
			debug("chain %d: head: %s", i, err);
		cpfeed_free(cr.feed[i]);
	}
	for (size_t i = 0; i < n; i++) {
		if (cr.r[i].state == R_GONE && cr.r[i].stepped && nodes[i].state == FANOUT_FAILED &&
		    fr == FANOUT_COMPLETE) {
			warnmsg("%s: no relay (%s): sent directly", nodes[i].name, nodes[i].error);
			free(nodes[i].error);
			nodes[i].error = NULL;
			nodes[i].state = FANOUT_PENDING;
		} else if (cr.r[i].state == R_READY && fr == FANOUT_COMPLETE) {
			/* the direct pass: anything but files, --delete, or a file the chain could not land */
			nodes[i].state = files_only(plan) && !o->delete && !cr.r[i].errors ? FANOUT_OK : FANOUT_PENDING;
		} else if (nodes[i].state == FANOUT_OK || nodes[i].state == FANOUT_PENDING) {
			nodes[i].state = FANOUT_FAILED;
			if (!nodes[i].error)
				nodes[i].error = xstrdup("interrupted: relay stopped");
		}
		ssh_conn_free(cr.r[i].conn);
	}
	free(cr.feed);
	free(cr.feed_stall);
	free(cr.r);
	free(cr.blob);
	free(cr.remote_path);
	cpentries_free(cr.en);
	return fr;
}
