/*
 * ssh — non-blocking libssh2 connections: TCP connect, handshake, host key
 * policy against known_hosts, public key authentication, exec channels and
 * SFTP. Every step returns SSH_AGAIN instead of blocking. See ssh.h.
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
#include <stdarg.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fsutil.h"
#include "log.h"
#include "ssh.h"
#include "sshconfig.h"

enum conn_state { ST_INIT, ST_TCP, ST_HANDSHAKE, ST_AUTH, ST_READY, ST_FAILED };

struct ssh_conn {
	char *node, *host, *user, *identity, *known_hosts, *global_known_hosts;
	int port, connect_timeout;
	enum ssh_hostkey_policy policy;
	enum conn_state st;
	int fd;
	struct addrinfo *ai, *ai_next;
	LIBSSH2_SESSION *sess;
	LIBSSH2_AGENT *agent;
	struct libssh2_agent_publickey *agent_id;
	int auth_step;       /* index into the key list being tried */
	int agent_done;
	char err[512];
};

struct ssh_exec {
	struct ssh_conn *c;
	LIBSSH2_CHANNEL *ch;
	char *command;
	int opened, execed, eof_sent, closing, closed;
};

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
	struct key_cache *keys;
	size_t nkeys;
	struct kh_cache {
		char *user_file, *global_file;
		LIBSSH2_KNOWNHOSTS *kh;
		LIBSSH2_SESSION *owner; /* libssh2 wants a session to create the collection */
	} *khs;
	size_t nkhs;
} g;

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t init_once = PTHREAD_ONCE_INIT;

static void global_cleanup(void)
{
	for (size_t i = 0; i < g.nkeys; i++) {
		free(g.keys[i].path);
		free(g.keys[i].data);
	}
	free(g.keys);
	for (size_t i = 0; i < g.nkhs; i++) {
		libssh2_knownhost_free(g.khs[i].kh);
		libssh2_session_free(g.khs[i].owner);
		free(g.khs[i].user_file);
		free(g.khs[i].global_file);
	}
	free(g.khs);
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

static const struct sshconfig *user_sshconfig(void)
{
	if (!g.sshcfg_loaded) {
		g.sshcfg_loaded = 1;
		char *path = xasprintf("%s/.ssh/config", g.home);
		size_t len;
		char *text = fs_read_file(path, 1 << 20, &len);
		char err[512];
		if (text && sshconfig_parse(text, len, path, &g.sshcfg, err, sizeof err) < 0) {
			warnmsg("%s (ignored)", err);
			memset(&g.sshcfg, 0, sizeof g.sshcfg);
		}
		free(text);
		free(path);
	}
	return &g.sshcfg;
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

static LIBSSH2_KNOWNHOSTS *cached_knownhosts(const char *user_file, const char *global_file)
{
	for (size_t i = 0; i < g.nkhs; i++)
		if (!strcmp(g.khs[i].user_file, user_file) && !strcmp(g.khs[i].global_file, global_file))
			return g.khs[i].kh;
	LIBSSH2_SESSION *owner = libssh2_session_init();
	if (!owner)
		die(1, "libssh2: out of memory");
	LIBSSH2_KNOWNHOSTS *kh = libssh2_knownhost_init(owner);
	if (!kh)
		die(1, "libssh2: out of memory");
	/* missing files are fine; unreadable lines are skipped by libssh2 */
	libssh2_knownhost_readfile(kh, user_file, LIBSSH2_KNOWNHOST_FILE_OPENSSH);
	libssh2_knownhost_readfile(kh, global_file, LIBSSH2_KNOWNHOST_FILE_OPENSSH);
	g.khs = xgrowarray(g.khs, g.nkhs, sizeof *g.khs);
	g.khs[g.nkhs++] = (struct kh_cache){xstrdup(user_file), xstrdup(global_file), kh, owner};
	return kh;
}

/* ---- small helpers ------------------------------------------------------ */

int ssh_hostkey_policy_parse(const char *s)
{
	if (!strcasecmp(s, "strict") || !strcasecmp(s, "yes"))
		return SSH_HOSTKEY_STRICT;
	if (!strcasecmp(s, "accept-new"))
		return SSH_HOSTKEY_ACCEPT_NEW;
	if (!strcasecmp(s, "off") || !strcasecmp(s, "no"))
		return SSH_HOSTKEY_OFF;
	return -1;
}

int ssh_rc(int rc)
{
	if (rc == LIBSSH2_ERROR_EAGAIN)
		return SSH_AGAIN;
	return rc < 0 ? SSH_ERR : SSH_OK;
}

const char *ssh_last_error(struct ssh_conn *c)
{
	char *msg = NULL;
	if (!c->sess)
		return "no session";
	libssh2_session_last_error(c->sess, &msg, NULL, 0);
	return msg && *msg ? msg : "unknown libssh2 error";
}

static int fail(struct ssh_conn *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct ssh_conn *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->err, sizeof c->err, fmt, ap);
	va_end(ap);
	c->st = ST_FAILED;
	return SSH_ERR;
}


struct ssh_conn *ssh_conn_new(const char *node, const struct ssh_opts *o)
{
	ssh_global_init();
	struct ssh_conn *c = xcalloc(1, sizeof *c);
	c->fd = -1;
	c->node = xstrdup(node);
	struct sshconfig_host hc = {0};
	pthread_mutex_lock(&cache_lock); /* hc points into the cached config: it stays */
	if (o->use_ssh_config)
		sshconfig_lookup(user_sshconfig(), o->host ? o->host : node, &hc);
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
	c->global_known_hosts = xstrdup(o->global_known_hosts ? o->global_known_hosts
							    : "/etc/ssh/ssh_known_hosts");
	c->policy = o->hostkeys;
	if (!o->hostkeys_set && hc.strict) {
		int p = ssh_hostkey_policy_parse(hc.strict);
		if (p >= 0)
			c->policy = p;
	}
	c->connect_timeout = hc.connect_timeout ? hc.connect_timeout : o->connect_timeout;
	pthread_mutex_unlock(&cache_lock);
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
		return fail(c, "cannot resolve %s: %s", c->host, gai_strerror(rc));
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
		return fail(c, "libssh2 session: out of memory");
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

static int hostkey_type_mask(int type)
{
	switch (type) {
	case LIBSSH2_HOSTKEY_TYPE_RSA: return LIBSSH2_KNOWNHOST_KEY_SSHRSA;
	case LIBSSH2_HOSTKEY_TYPE_DSS: return LIBSSH2_KNOWNHOST_KEY_SSHDSS;
	case LIBSSH2_HOSTKEY_TYPE_ECDSA_256: return LIBSSH2_KNOWNHOST_KEY_ECDSA_256;
	case LIBSSH2_HOSTKEY_TYPE_ECDSA_384: return LIBSSH2_KNOWNHOST_KEY_ECDSA_384;
	case LIBSSH2_HOSTKEY_TYPE_ECDSA_521: return LIBSSH2_KNOWNHOST_KEY_ECDSA_521;
	case LIBSSH2_HOSTKEY_TYPE_ED25519: return LIBSSH2_KNOWNHOST_KEY_ED25519;
	default: return LIBSSH2_KNOWNHOST_KEY_UNKNOWN;
	}
}

/* Append one line for HOST's key to the user known_hosts file, under flock, in one write. */
static int known_hosts_append(struct ssh_conn *c, LIBSSH2_KNOWNHOSTS *kh, const char *name,
			      const char *key, size_t keylen, int mask)
{
	struct libssh2_knownhost *entry = NULL;
	if (libssh2_knownhost_addc(kh, name, NULL, key, keylen, NULL, 0,
				   LIBSSH2_KNOWNHOST_TYPE_PLAIN | LIBSSH2_KNOWNHOST_KEYENC_RAW | mask,
				   &entry) < 0)
		return fail(c, "cannot add host key: %s", ssh_last_error(c));
	char line[8192];
	size_t len = 0;
	if (libssh2_knownhost_writeline(kh, entry, line, sizeof line, &len,
					LIBSSH2_KNOWNHOST_FILE_OPENSSH) < 0)
		return fail(c, "cannot format host key line");
	char *dir = xstrdup(c->known_hosts);
	char *slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		fs_mkdirs_beneath(AT_FDCWD, dir, 0700);
	}
	free(dir);
	int fd = open(c->known_hosts, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return fail(c, "%s: %s", c->known_hosts, strerror(errno));
	flock(fd, LOCK_EX);
	int rc = fs_write_all(fd, line, len);
	if (close(fd) < 0)
		rc = -1;
	if (rc < 0)
		return fail(c, "%s: %s", c->known_hosts, strerror(errno));
	node_warn(c->node, "added host key for %s to %s", name, c->known_hosts);
	return SSH_OK;
}

static int check_hostkey_locked(struct ssh_conn *c);

static int check_hostkey(struct ssh_conn *c)
{
	pthread_mutex_lock(&cache_lock);
	int rc = check_hostkey_locked(c);
	pthread_mutex_unlock(&cache_lock);
	return rc;
}

static int check_hostkey_locked(struct ssh_conn *c)
{
	if (c->policy == SSH_HOSTKEY_OFF)
		return SSH_OK;
	size_t keylen;
	int type;
	const char *key = libssh2_session_hostkey(c->sess, &keylen, &type);
	if (!key)
		return fail(c, "no host key from server");
	LIBSSH2_KNOWNHOSTS *kh = cached_knownhosts(c->known_hosts, c->global_known_hosts);
	int mask = hostkey_type_mask(type);
	struct libssh2_knownhost *found = NULL;
	int r = libssh2_knownhost_checkp(kh, c->host, c->port, key, keylen,
					 LIBSSH2_KNOWNHOST_TYPE_PLAIN | LIBSSH2_KNOWNHOST_KEYENC_RAW | mask,
					 &found);
	if (r == LIBSSH2_KNOWNHOST_CHECK_MATCH)
		return SSH_OK;
	if (r == LIBSSH2_KNOWNHOST_CHECK_MISMATCH)
		return fail(c, "host key for %s does not match the one in %s or %s: refused "
			       "(possible man-in-the-middle; remove the old key if the node was reinstalled)",
			    c->host, c->known_hosts, c->global_known_hosts);
	if (r != LIBSSH2_KNOWNHOST_CHECK_NOTFOUND)
		return fail(c, "host key check failed: %s", ssh_last_error(c));
	if (c->policy == SSH_HOSTKEY_STRICT)
		return fail(c, "no host key known for %s in %s or %s: refused (--host-keys accept-new "
			       "to add it)",
			    c->host, c->known_hosts, c->global_known_hosts);
	char *name = c->port == 22 ? xstrdup(c->host) : xasprintf("[%s]:%d", c->host, c->port);
	int rc = known_hosts_append(c, kh, name, key, keylen, mask);
	free(name);
	return rc;
}

static const char *const default_keys[] = {"id_ed25519", "id_ecdsa", "id_rsa"};
#define NDEFAULT_KEYS (sizeof default_keys / sizeof default_keys[0])

/* Try one private key file: SSH_OK, SSH_AGAIN, or SSH_ERR when it was refused/missing. */
static int auth_file(struct ssh_conn *c, const char *path)
{
	pthread_mutex_lock(&cache_lock);
	const struct key_cache *k = cached_key(path);
	const char *data = k->data; /* entries are never freed before exit */
	size_t len = k->len;
	pthread_mutex_unlock(&cache_lock);
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
			pthread_mutex_lock(&cache_lock);
			int readable = cached_key(c->identity)->data != NULL;
			pthread_mutex_unlock(&cache_lock);
			return fail(c, readable ? "authentication as %s with %s refused"
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
	return fail(c, "authentication as %s failed (no agent key or ~/.ssh/id_ed25519, id_ecdsa, "
		       "id_rsa accepted)",
		    c->user);
}

int ssh_connect(struct ssh_conn *c)
{
	int rc;
	for (;;) {
		switch (c->st) {
		case ST_INIT:
			rc = resolve(c);
			break;
		case ST_TCP:
			rc = tcp_finish(c);
			break;
		case ST_HANDSHAKE:
			rc = libssh2_session_handshake(c->sess, c->fd);
			if (rc == LIBSSH2_ERROR_EAGAIN)
				return SSH_AGAIN;
			if (rc < 0)
				return fail(c, "ssh handshake: %s", ssh_last_error(c));
			if (check_hostkey(c) != SSH_OK)
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
	if (c->ai)
		freeaddrinfo(c->ai);
	free(c->node);
	free(c->host);
	free(c->user);
	free(c->identity);
	free(c->known_hosts);
	free(c->global_known_hosts);
	free(c);
}

/* ---- exec --------------------------------------------------------------- */

struct ssh_exec *ssh_exec_new(struct ssh_conn *c, const char *command)
{
	struct ssh_exec *e = xcalloc(1, sizeof *e);
	e->c = c;
	e->command = xstrdup(command);
	return e;
}

int ssh_exec_start(struct ssh_exec *e)
{
	if (!e->ch) {
		e->ch = libssh2_channel_open_session(e->c->sess);
		if (!e->ch) {
			if (libssh2_session_last_errno(e->c->sess) == LIBSSH2_ERROR_EAGAIN)
				return SSH_AGAIN;
			return fail(e->c, "cannot open a channel: %s", ssh_last_error(e->c));
		}
	}
	if (!e->execed) {
		int rc = libssh2_channel_exec(e->ch, e->command);
		if (rc == LIBSSH2_ERROR_EAGAIN)
			return SSH_AGAIN;
		if (rc < 0)
			return fail(e->c, "exec refused: %s", ssh_last_error(e->c));
		e->execed = 1;
	}
	return SSH_OK;
}

ssize_t ssh_exec_read(struct ssh_exec *e, int stream, char *buf, size_t len)
{
	ssize_t n = libssh2_channel_read_ex(e->ch, stream, buf, len);
	if (n > 0)
		return n;
	if (n == LIBSSH2_ERROR_EAGAIN)
		return libssh2_channel_eof(e->ch) ? 0 : SSH_AGAIN;
	/*
	 * 0: the remote sent EOF (or closed) and nothing is left for THIS
	 * stream. libssh2_channel_eof() would still say 0 while the other
	 * stream has data queued in memory, and a caller told SSH_AGAIN would
	 * then poll a socket on which nothing more ever arrives.
	 */
	if (n == 0)
		return 0;
	fail(e->c, "read: %s", ssh_last_error(e->c));
	return SSH_ERR;
}

int ssh_exec_eof(struct ssh_exec *e) { return libssh2_channel_eof(e->ch); }

int ssh_exec_readable(struct ssh_exec *e, int stream)
{
	return libssh2_poll_channel_read(e->ch, stream) > 0 || ssh_exec_eof(e);
}

ssize_t ssh_exec_write(struct ssh_exec *e, const char *buf, size_t len)
{
	ssize_t n = libssh2_channel_write(e->ch, buf, len);
	if (n >= 0)
		return n;
	if (n == LIBSSH2_ERROR_EAGAIN)
		return SSH_AGAIN;
	fail(e->c, "write: %s", ssh_last_error(e->c));
	return SSH_ERR;
}

int ssh_exec_send_eof(struct ssh_exec *e)
{
	if (e->eof_sent)
		return SSH_OK;
	int rc = libssh2_channel_send_eof(e->ch);
	if (rc == LIBSSH2_ERROR_EAGAIN)
		return SSH_AGAIN;
	e->eof_sent = 1;
	return SSH_OK; /* the remote may have closed already: not an error */
}

int ssh_exec_wait(struct ssh_exec *e, int *status, char **signal)
{
	if (!e->closing) {
		int rc = libssh2_channel_close(e->ch);
		if (rc == LIBSSH2_ERROR_EAGAIN)
			return SSH_AGAIN;
		e->closing = 1;
	}
	if (!e->closed) {
		int rc = libssh2_channel_wait_closed(e->ch);
		if (rc == LIBSSH2_ERROR_EAGAIN)
			return SSH_AGAIN;
		e->closed = 1;
	}
	char *sig = NULL;
	size_t siglen = 0;
	libssh2_channel_get_exit_signal(e->ch, &sig, &siglen, NULL, NULL, NULL, NULL);
	*signal = sig && siglen ? xstrndup(sig, siglen) : NULL;
	if (sig)
		libssh2_free(e->c->sess, sig);
	*status = *signal ? -1 : libssh2_channel_get_exit_status(e->ch);
	return SSH_OK;
}

int ssh_exec_signal(struct ssh_exec *e, const char *sig)
{
	if (!e->ch)
		return SSH_OK;
#if LIBSSH2_VERSION_NUM >= 0x010b00
	/* RFC 4254 6.9 "signal": OpenSSH's sshd sends it to the command's process group */
	int rc = libssh2_channel_signal_ex(e->ch, sig, strlen(sig));
	if (rc == LIBSSH2_ERROR_EAGAIN)
		return SSH_AGAIN;
	return rc < 0 ? SSH_ERR : SSH_OK;
#else
	(void)sig; /* libssh2 < 1.11 cannot send a second request on an exec channel */
	return SSH_ERR;
#endif
}

void ssh_exec_free(struct ssh_exec *e)
{
	if (!e)
		return;
	if (e->ch)
		libssh2_channel_free(e->ch);
	free(e->command);
	free(e);
}

/* ---- SFTP --------------------------------------------------------------- */

int ssh_sftp_open(struct ssh_conn *c, LIBSSH2_SFTP **out)
{
	*out = libssh2_sftp_init(c->sess);
	if (*out)
		return SSH_OK;
	if (libssh2_session_last_errno(c->sess) == LIBSSH2_ERROR_EAGAIN)
		return SSH_AGAIN;
	fail(c, "sftp: %s", ssh_last_error(c));
	return SSH_ERR;
}
