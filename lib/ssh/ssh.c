/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ssh — non-blocking libssh2 connections: TCP connect, handshake (the host
 * key check is sshhostkey.c's), public key authentication. Every step
 * returns SSH_AGAIN instead of blocking. See ssh.h; exec channels are
 * sshchan.c's, SFTP sshsftp.c's.
 *
 * Per-process caches keep the cost of a connection low when hundreds are
 * opened: ~/.ssh/config, the known_hosts files and the private keys are read
 * once, not once per node. They are shared under a mutex, so connections
 * may also be driven from several threads (one connection per thread).
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fsutil.h"
#include "log.h"
#include "ssh_internal.h"
#include "sshconfig.h"
#include "sshconfigload.h"
#include "sshhostkey.h"
#include "sshproxy.h"
#include "xalloc.h"

/* ---- process-wide caches ------------------------------------------------ */

struct key_cache {
	char *path;
	char *data;   /* NULL: missing or unreadable */
	size_t len;
};

static struct {
	int inited;
	int sshcfg_loaded;
	struct sshconfig sshcfg;
	char *home;
	char *local_user;
	char *cmdline;         /* ssh_config_options() text */
	char **reported;       /* keywords already reported as not supported */
	size_t nreported;
	struct key_cache *keys;
	size_t nkeys;
} g;

static pthread_once_t init_once = PTHREAD_ONCE_INIT;

static void global_cleanup(void)
{
	sshproxy_shutdown();
	for (size_t i = 0; i < g.nreported; i++)
		free(g.reported[i]);
	free(g.reported);
	free(g.cmdline);
	for (size_t i = 0; i < g.nkeys; i++) {
		free(g.keys[i].path);
		free(g.keys[i].data);
	}
	free(g.keys);
	ssh_hostkey_cache_free();
	if (g.sshcfg_loaded)
		sshconfig_free(&g.sshcfg);
	free(g.home);
	free(g.local_user);
	libssh2_exit();
}

static void global_init_once(void)
{
	g.inited = 1;
	libssh2_init(0);
	const char *h = getenv("HOME");
	if (!h || !*h) {
		struct passwd *pw = getpwuid(getuid());
		h = pw ? pw->pw_dir : "/";
	}
	g.home = xstrdup(h);
	struct passwd *pw = getpwuid(geteuid());
	g.local_user = xstrdup(pw ? pw->pw_name : "root");
	atexit(global_cleanup);
}

void ssh_global_init(void)
{
	pthread_once(&init_once, global_init_once);
}

#ifndef SSH_SYSTEM_CONFIG
#define SSH_SYSTEM_CONFIG "/etc/ssh/ssh_config"
#endif

/* The -o text, then ~/.ssh/config, then /etc/ssh/ssh_config (a broken file: warned, the files ignored). */
static const struct sshconfig *user_sshconfig(void)
{
	if (g.sshcfg_loaded)
		return &g.sshcfg;
	g.sshcfg_loaded = 1;
	char err[512];
	const char *opts = g.cmdline ? g.cmdline : "";
	if (sshconfig_parse(opts, strlen(opts), "-o", &g.sshcfg, err, sizeof err) < 0)
		memset(&g.sshcfg, 0, sizeof g.sshcfg); /* checked by ssh_config_options */
	char *user = xasprintf("%s/.ssh/config", g.home), *userdir = xasprintf("%s/.ssh", g.home);
	const char *files[] = {user, SSH_SYSTEM_CONFIG, NULL};
	const char *dirs[] = {userdir, "/etc/ssh"};
	if (sshconfig_load(&g.sshcfg, files, dirs, g.home, err, sizeof err) < 0) {
		warnmsg("%s (ssh configuration files ignored)", err);
		sshconfig_free(&g.sshcfg);
		sshconfig_parse(opts, strlen(opts), "-o", &g.sshcfg, err, sizeof err);
	}
	free(user);
	free(userdir);
	return &g.sshcfg;
}

int ssh_config_options(const char *text, char *err, size_t errlen)
{
	ssh_global_init();
	struct sshconfig cfg;
	if (sshconfig_parse(text, strlen(text), "-o", &cfg, err, errlen) < 0)
		return -1;
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < cfg.n; i++) {
		const struct sshconfig_block *b = &cfg.b[i];
		if (b->patterns) {
			snprintf(err, errlen, "-o %s: not allowed on the command line", b->is_match ? "Match" : "Host");
			rc = -1;
		}
		for (size_t j = 0; rc == 0 && j < b->n; j++) {
			const char *k = b->e[j].key;
			if (!sshconfig_keyword(k) || !strcasecmp(k, "include")) {
				snprintf(err, errlen, "-o %s=%s: %s not supported", k, b->e[j].value, k);
				rc = -1;
			}
		}
	}
	sshconfig_free(&cfg);
	if (rc == 0) {
		char *t = g.cmdline ? xasprintf("%s%s\n", g.cmdline, text) : xasprintf("%s\n", text);
		free(g.cmdline);
		g.cmdline = t;
	}
	return rc;
}

/* "FILE:LINE: ignoring KEYWORD (not supported)", once per keyword per run (under ssh_cache_lock). */
static void report_unsupported(const struct sshconfig_entry *e, void *arg)
{
	(void)arg;
	for (size_t i = 0; i < g.nreported; i++)
		if (!strcasecmp(g.reported[i], e->key))
			return;
	g.reported = xgrowarray(g.reported, g.nreported, sizeof *g.reported);
	g.reported[g.nreported++] = xstrdup(e->key);
	warnmsg("%s:%d: ignoring %s (not supported)", e->file, e->line, e->key);
}

static const struct key_cache *cached_key(const char *path)
{
	for (size_t i = 0; i < g.nkeys; i++)
		if (!strcmp(g.keys[i].path, path))
			return &g.keys[i];
	g.keys = xgrowarray(g.keys, g.nkeys, sizeof *g.keys);
	struct key_cache *k = &g.keys[g.nkeys++];
	k->path = xstrdup(path);
	k->data = fs_read_file(path, 1 << 20, &k->len);
	return k;
}


struct ssh_conn *ssh_conn_new(const char *node, const struct ssh_opts *o)
{
	ssh_global_init();
	struct ssh_conn *c = xcalloc(1, sizeof *c);
	c->fd = -1;
	c->node = xstrdup(node);
	struct sshconfig_host hc = {0};
	pthread_mutex_lock(&ssh_cache_lock); /* hc points into the cached config: it stays */
	if (o->use_ssh_config) {
		sshconfig_lookup(user_sshconfig(), o->host ? o->host : node, &hc);
		sshconfig_unsupported(user_sshconfig(), o->host ? o->host : node, report_unsupported, NULL);
	}
	const char *host = o->host ? o->host : node;
	c->host = xstrdup(hc.hostname ? hc.hostname : host);
	if (strchr(c->host, '%')) {
		char *h = sshconfig_expand(c->host, g.home, host, NULL);
		free(c->host);
		c->host = h;
	}
	c->port = o->port ? o->port : hc.port ? hc.port : 22;
	const char *user = o->user ? o->user : hc.user ? hc.user : g.local_user;
	c->user = xstrdup(user);
	if (o->identity)
		c->identity = xstrdup(o->identity);
	else if (hc.identity_file)
		c->identity = sshconfig_expand(hc.identity_file, g.home, host, c->user);
	if (o->known_hosts)
		c->known_hosts = xstrdup(o->known_hosts);
	else if (hc.known_hosts)
		c->known_hosts = sshconfig_expand(hc.known_hosts, g.home, host, c->user);
	else
		c->known_hosts = xasprintf("%s/.ssh/known_hosts", g.home);
	if (o->global_known_hosts)
		c->global_known_hosts = xstrdup(o->global_known_hosts);
	else if (hc.global_known_hosts)
		c->global_known_hosts = sshconfig_expand(hc.global_known_hosts, g.home, host, c->user);
	else
		c->global_known_hosts = xstrdup("/etc/ssh/ssh_known_hosts");
	c->policy = o->hostkeys;
	if (!o->hostkeys_set && hc.strict) {
		int p = ssh_hostkey_policy_parse(hc.strict);
		if (p >= 0)
			c->policy = p;
	}
	c->connect_timeout = hc.connect_timeout ? hc.connect_timeout : o->connect_timeout;
	const char *jump = o->proxy_jump ? o->proxy_jump : hc.proxy_jump;
	if (jump && strcmp(jump, "none"))
		c->proxy_jump = xstrdup(jump);
	else if (!o->proxy_jump && hc.proxy_command && strcmp(hc.proxy_command, "none"))
		c->proxy_command = xstrdup(hc.proxy_command);
	c->base = *o;
	pthread_mutex_unlock(&ssh_cache_lock);
	return c;
}

int ssh_fd(const struct ssh_conn *c) { return c->fd; }
const char *ssh_error(const struct ssh_conn *c) { return c->err; }
const char *ssh_node(const struct ssh_conn *c) { return c->node; }
int ssh_conn_connect_timeout(const struct ssh_conn *c) { return c->connect_timeout; }
LIBSSH2_SESSION *ssh_session(struct ssh_conn *c) { return c->sess; }

short ssh_poll_events(const struct ssh_conn *c)
{
	if (c->st == ST_TCP)
		return POLLOUT;
	if (!c->sess)
		return POLLIN;
	int d = libssh2_session_block_directions(c->sess);
	short ev = POLLIN; /* always: the peer may send while we wait to write */
	if (d & LIBSSH2_SESSION_BLOCK_INBOUND)
		ev |= POLLIN;
	if (d & LIBSSH2_SESSION_BLOCK_OUTBOUND)
		ev |= POLLOUT;
	return ev;
}

/* ---- connect ------------------------------------------------------------ */

static int tcp_start(struct ssh_conn *c)
{
	while (c->ai_next) {
		struct addrinfo *a = c->ai_next;
		c->ai_next = a->ai_next;
		if (c->fd >= 0)
			close(c->fd);
		c->fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
		if (c->fd < 0)
			continue;
		int one = 1;
		setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		if (connect(c->fd, a->ai_addr, a->ai_addrlen) == 0 || errno == EINPROGRESS) {
			c->st = ST_TCP;
			return SSH_AGAIN;
		}
		snprintf(c->err, sizeof c->err, "connect: %s", strerror(errno));
	}
	c->st = ST_FAILED;
	if (!c->err[0])
		snprintf(c->err, sizeof c->err, "connect: no usable address");
	return SSH_ERR;
}

static int resolve(struct ssh_conn *c)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV};
	char port[16];
	snprintf(port, sizeof port, "%d", c->port);
	int rc = getaddrinfo(c->host, port, &hints, &c->ai);
	if (rc != 0)
		return ssh_fail(c, "cannot resolve %s: %s", c->host, gai_strerror(rc));
	c->ai_next = c->ai;
	return tcp_start(c);
}

/*
 * libssh2_session_method_pref with only the names this libssh2 supports
 * (1.10 corrupts memory when it drops an unsupported name itself).
 */
static void set_pref(LIBSSH2_SESSION *sess, int type, const char *wanted)
{
	const char **algs = NULL;
	int n = libssh2_session_supported_algs(sess, type, &algs);
	if (n <= 0)
		return;
	char *copy = xstrdup(wanted), *save = NULL;
	char *out = xcalloc(1, strlen(wanted) + 1);
	for (char *w = strtok_r(copy, ",", &save); w; w = strtok_r(NULL, ",", &save))
		for (int i = 0; i < n; i++)
			if (!strcmp(algs[i], w)) {
				if (*out)
					strcat(out, ",");
				strcat(out, w);
				break;
			}
	if (*out)
		libssh2_session_method_pref(sess, type, out);
	libssh2_free(sess, algs);
	free(copy);
	free(out);
}

static int session_start(struct ssh_conn *c)
{
	c->sess = libssh2_session_init();
	if (!c->sess)
		return ssh_fail(c, "libssh2 session: out of memory");
	libssh2_session_set_blocking(c->sess, 0);
	/* fast, widely supported algorithms first: one curve25519 exchange, ed25519 host keys */
	set_pref(c->sess, LIBSSH2_METHOD_KEX,
		 "curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp256,"
		 "diffie-hellman-group14-sha256,diffie-hellman-group16-sha512");
	set_pref(c->sess, LIBSSH2_METHOD_HOSTKEY,
		 "ssh-ed25519,ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,"
		 "rsa-sha2-512,rsa-sha2-256,ssh-rsa");
	set_pref(c->sess, LIBSSH2_METHOD_CRYPT_CS, "aes128-ctr,aes256-ctr,aes192-ctr");
	set_pref(c->sess, LIBSSH2_METHOD_CRYPT_SC, "aes128-ctr,aes256-ctr,aes192-ctr");
	c->st = ST_HANDSHAKE;
	return SSH_AGAIN;
}

static int tcp_finish(struct ssh_conn *c)
{
	struct pollfd p = {c->fd, POLLOUT, 0};
	if (poll(&p, 1, 0) == 0)
		return SSH_AGAIN;
	int e = 0;
	socklen_t l = sizeof e;
	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &e, &l) < 0)
		e = errno;
	if (e) {
		snprintf(c->err, sizeof c->err, "connect: %s", strerror(e));
		return tcp_start(c);
	}
	freeaddrinfo(c->ai);
	c->ai = c->ai_next = NULL;
	return session_start(c);
}

static const char *const default_keys[] = {"id_ed25519", "id_ecdsa", "id_rsa"};
#define NDEFAULT_KEYS (sizeof default_keys / sizeof default_keys[0])

/* Try one private key file: SSH_OK, SSH_AGAIN, or SSH_ERR when it was refused/missing. */
static int auth_file(struct ssh_conn *c, const char *path)
{
	pthread_mutex_lock(&ssh_cache_lock);
	const struct key_cache *k = cached_key(path);
	const char *data = k->data; /* entries are never freed before exit */
	size_t len = k->len;
	pthread_mutex_unlock(&ssh_cache_lock);
	if (!data)
		return SSH_ERR;
	int rc = libssh2_userauth_publickey_frommemory(c->sess, c->user, strlen(c->user), NULL, 0, data, len,
						       NULL);
	if (rc == 0)
		return SSH_OK;
	if (rc == LIBSSH2_ERROR_EAGAIN)
		return SSH_AGAIN;
	debug("%s: key %s: %s", c->node, path, ssh_last_error(c));
	return SSH_ERR;
}

/* Try the agent's identities: SSH_OK, SSH_AGAIN, SSH_ERR when none worked. */
static int auth_agent(struct ssh_conn *c)
{
	if (!c->agent) {
		if (!getenv("SSH_AUTH_SOCK"))
			return SSH_ERR;
		c->agent = libssh2_agent_init(c->sess);
		if (!c->agent || libssh2_agent_connect(c->agent) < 0 ||
		    libssh2_agent_list_identities(c->agent) < 0)
			return SSH_ERR;
		if (libssh2_agent_get_identity(c->agent, &c->agent_id, NULL) != 0)
			return SSH_ERR;
	}
	while (c->agent_id) {
		int rc = libssh2_agent_userauth(c->agent, c->user, c->agent_id);
		if (rc == 0)
			return SSH_OK;
		if (rc == LIBSSH2_ERROR_EAGAIN)
			return SSH_AGAIN;
		struct libssh2_agent_publickey *prev = c->agent_id;
		if (libssh2_agent_get_identity(c->agent, &c->agent_id, prev) != 0)
			c->agent_id = NULL;
	}
	return SSH_ERR;
}

static int authenticate(struct ssh_conn *c)
{
	if (c->identity) {
		int rc = auth_file(c, c->identity);
		if (rc == SSH_ERR) {
			pthread_mutex_lock(&ssh_cache_lock);
			int readable = cached_key(c->identity)->data != NULL;
			pthread_mutex_unlock(&ssh_cache_lock);
			return ssh_fail(c, readable ? "authentication as %s with %s refused"
					       : "authentication as %s: cannot read %s",
				    c->user, c->identity);
		}
		return rc;
	}
	if (!c->agent_done) {
		int rc = auth_agent(c);
		if (rc != SSH_ERR)
			return rc;
		c->agent_done = 1;
	}
	for (; c->auth_step < (int)NDEFAULT_KEYS; c->auth_step++) {
		char path[4096];
		snprintf(path, sizeof path, "%s/.ssh/%s", g.home, default_keys[c->auth_step]);
		int rc = auth_file(c, path);
		if (rc != SSH_ERR)
			return rc;
		if (libssh2_userauth_authenticated(c->sess))
			return SSH_OK;
	}
	return ssh_fail(c, "authentication as %s failed (no agent key or ~/.ssh/id_ed25519, id_ecdsa, "
		       "id_rsa accepted)",
		    c->user);
}

int ssh_connect(struct ssh_conn *c)
{
	int rc;
	for (;;) {
		switch (c->st) {
		case ST_INIT:
			rc = c->proxy_jump || c->proxy_command ? sshproxy_open(c) : resolve(c);
			if (rc == SSH_OK)
				rc = session_start(c);
			break;
		case ST_TCP:
			rc = tcp_finish(c);
			break;
		case ST_HANDSHAKE:
			rc = libssh2_session_handshake(c->sess, c->fd);
			if (rc == LIBSSH2_ERROR_EAGAIN)
				return SSH_AGAIN;
			if (rc < 0 && c->proxy && *sshproxy_error(c->proxy))
				return ssh_fail(c, "%s", sshproxy_error(c->proxy));
			if (rc < 0)
				return ssh_fail(c, "ssh handshake: %s", ssh_last_error(c));
			if (ssh_check_hostkey(c) != SSH_OK)
				return SSH_ERR;
			c->st = ST_AUTH;
			rc = SSH_AGAIN;
			break;
		case ST_AUTH:
			rc = authenticate(c);
			if (rc == SSH_OK) {
				c->st = ST_READY;
				return SSH_OK;
			}
			return rc;
		case ST_READY:
			return SSH_OK;
		case ST_FAILED:
		default:
			return SSH_ERR;
		}
		if (rc == SSH_ERR)
			return SSH_ERR;
		/* a state change: loop to try the next step at once */
		if (c->st == ST_TCP) {
			struct pollfd p = {c->fd, POLLOUT, 0};
			if (poll(&p, 1, 0) == 0)
				return SSH_AGAIN;
		}
	}
}

void ssh_conn_cut(struct ssh_conn *c)
{
	if (c && c->fd >= 0)
		shutdown(c->fd, SHUT_RDWR);
}

void ssh_conn_free(struct ssh_conn *c)
{
	if (!c)
		return;
	if (c->agent) {
		libssh2_agent_disconnect(c->agent);
		libssh2_agent_free(c->agent);
	}
	if (c->sess) {
		/*
		 * Non-blocking, libssh2_session_free gives up (and leaks) when closing
		 * a channel would block: finish in blocking mode, bounded in time.
		 */
		libssh2_session_set_timeout(c->sess, 500);
		libssh2_session_set_blocking(c->sess, 1);
		if (c->st == ST_READY)
			libssh2_session_disconnect(c->sess, "done");
		if (libssh2_session_free(c->sess) != 0) {
			/* the peer does not answer: cut the socket so the rest fails fast and frees */
			if (c->fd >= 0)
				shutdown(c->fd, SHUT_RDWR);
			libssh2_session_free(c->sess);
		}
	}
	if (c->fd >= 0)
		close(c->fd);
	sshproxy_close(c->proxy);
	if (c->ai)
		freeaddrinfo(c->ai);
	free(c->proxy_jump);
	free(c->proxy_command);
	free(c->node);
	free(c->host);
	free(c->user);
	free(c->identity);
	free(c->known_hosts);
	free(c->global_known_hosts);
	free(c);
}

