/*
 * goldenssh — golden copies streamed from a host over ssh (see goldenssh.h).
 */
#include <archive.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bytebuf.h"
#include "goldenssh.h"
#include "log.h"
#include "shquote.h"
#include "ssh.h"
#include "unpack.h"

#define MKC_CONNECT_TIMEOUT 10
#define MKC_IDLE_TIMEOUT 600

void mkc_golden_parse_source(const char *source, char **user, char **host, char **path)
{
	const char *at = strchr(source, '@');
	const char *h = at ? at + 1 : source;
	const char *colon = strchr(h, ':');
	*user = at ? xstrndup(source, (size_t)(at - source)) : NULL;
	*host = colon ? xstrndup(h, (size_t)(colon - h)) : xstrdup(h);
	*path = xstrdup(colon && colon[1] ? colon + 1 : "/");
}

/* Append WORD to the command line in B, in single quotes. */
static void add_word(struct bytebuf *b, const char *word)
{
	if (b->len)
		bytebuf_add(b, " ", 1);
	sh_quote_add(b, word, SH_ALWAYS);
}

char *mkc_golden_tar_command(const char *path, const struct exclude *excl)
{
	static const char *const head[] = {
		"tar", "--numeric-owner", "--one-file-system", "--xattrs", "--xattrs-include=*", "--acls",
		"--sparse", "-cf", "-", NULL,
	};
	struct bytebuf b = { 0 };
	for (size_t i = 0; head[i]; i++)
		add_word(&b, head[i]);
	add_word(&b, "-C");
	add_word(&b, path);
	if (excl && excl->n)
		add_word(&b, "--no-wildcards-match-slash"); /* '*' stops at '/', as in exclude.h */
	for (size_t i = 0; excl && i < excl->n; i++) {
		const char *p = excl->pats[i];
		if (p[strlen(p) - 1] == '/')
			continue; /* directories only: tar cannot say so; the unpacking side leaves them out */
		add_word(&b, p[0] == '/' ? "--anchored" : "--no-anchored");
		char *opt = p[0] == '/' ? xasprintf("--exclude=./%s", p + 1) : xasprintf("--exclude=%s", p);
		add_word(&b, opt);
		free(opt);
	}
	add_word(&b, ".");
	return b.p;
}

struct remote {
	struct ssh_conn *c;
	struct ssh_exec *e;
	const char *host;
	char buf[128 * 1024];
	char errline[1024];
	size_t errlen;
	int failed;
};

/* Wait for the session's socket. 0, or -1 on timeout or error (message given). */
static int wait_io(struct remote *r, int seconds, const char *what)
{
	struct pollfd p = { .fd = ssh_fd(r->c), .events = ssh_poll_events(r->c) };
	if (p.fd < 0)
		return 0;
	int n;
	do
		n = poll(&p, 1, seconds * 1000);
	while (n < 0 && errno == EINTR);
	if (n <= 0) {
		node_warn(r->host, "%s: %s", what, n == 0 ? "timed out" : strerror(errno));
		return -1;
	}
	return 0;
}

/* Pass the remote command's stderr on, line by line, prefixed with the host. */
static void drain_stderr(struct remote *r)
{
	char b[1024];
	ssize_t n;
	while ((n = ssh_exec_read(r->e, 1, b, sizeof b)) > 0) {
		for (ssize_t i = 0; i < n; i++) {
			if (b[i] == '\n' || r->errlen == sizeof r->errline - 1) {
				r->errline[r->errlen] = '\0';
				node_warn(r->host, "%s", r->errline);
				r->errlen = 0;
			} else {
				r->errline[r->errlen++] = b[i];
			}
		}
	}
}

static la_ssize_t remote_read(struct archive *a, void *cd, const void **buf)
{
	struct remote *r = cd;
	(void)a;
	*buf = r->buf;
	for (;;) {
		ssize_t n = ssh_exec_read(r->e, 0, r->buf, sizeof r->buf);
		drain_stderr(r);
		if (n >= 0)
			return n;
		if (n != SSH_AGAIN) {
			node_warn(r->host, "read: %s", ssh_error(r->c));
			r->failed = 1;
			return -1;
		}
		if (ssh_exec_readable(r->e, 0))
			continue; /* draining stderr took stdout's data or EOF off the socket */
		if (wait_io(r, MKC_IDLE_TIMEOUT, "tar stream") < 0) {
			r->failed = 1;
			return -1;
		}
	}
}

static int connect_host(struct remote *r)
{
	time_t deadline = time(NULL) + ssh_conn_connect_timeout(r->c);
	int rc;
	while ((rc = ssh_connect(r->c)) == SSH_AGAIN) {
		int left = (int)(deadline - time(NULL));
		if (left <= 0 || wait_io(r, left, "connect") < 0) {
			if (left <= 0)
				node_warn(r->host, "connect: timed out");
			return -1;
		}
	}
	if (rc != SSH_OK) {
		node_warn(r->host, "%s", ssh_error(r->c));
		return -1;
	}
	return 0;
}

static int start_tar(struct remote *r, const char *cmd)
{
	r->e = ssh_exec_new(r->c, cmd);
	int rc;
	while ((rc = ssh_exec_start(r->e)) == SSH_AGAIN)
		if (wait_io(r, MKC_IDLE_TIMEOUT, "exec") < 0)
			return -1;
	if (rc != SSH_OK) {
		node_warn(r->host, "exec: %s", ssh_error(r->c));
		return -1;
	}
	return 0;
}

/* The remote tar's exit: 0 fine, 1 (files changed while read) a warning, else a failure. */
static int finish_tar(struct remote *r)
{
	int status = -1, rc;
	char *sig = NULL;
	while ((rc = ssh_exec_wait(r->e, &status, &sig)) == SSH_AGAIN) {
		drain_stderr(r);
		if (wait_io(r, MKC_IDLE_TIMEOUT, "exit status") < 0)
			return -1;
	}
	drain_stderr(r);
	if (rc != SSH_OK || sig || status > 1 || status < 0) {
		if (sig)
			node_warn(r->host, "remote tar killed by SIG%s", sig);
		else
			node_warn(r->host, "remote tar failed (status %d)", status);
		free(sig);
		return -1;
	}
	if (status == 1)
		node_warn(r->host, "some files changed while they were copied");
	return 0;
}

int mkc_golden_remote(const char *source, const char *root, const struct exclude *excl)
{
	char *user, *host, *path;
	mkc_golden_parse_source(source, &user, &host, &path);
	ssh_global_init();
	struct ssh_opts so = { .user = user, .use_ssh_config = 1, .connect_timeout = MKC_CONNECT_TIMEOUT };
	struct remote *r = xcalloc(1, sizeof *r);
	r->host = host;
	r->c = ssh_conn_new(host, &so);
	char *cmd = mkc_golden_tar_command(path, excl);
	debug("%s: %s", host, cmd);
	int rc = -1;
	if (connect_host(r) == 0 && start_tar(r, cmd) == 0) {
		struct archive *in = archive_read_new();
		archive_read_support_format_tar(in);
		struct mkc_unpack u;
		if (archive_read_open(in, r, NULL, remote_read, NULL) != ARCHIVE_OK) {
			node_warn(host, "%s", archive_error_string(in));
		} else if (mkc_unpack_begin(&u, root, excl) == 0) {
			rc = mkc_unpack_stream(&u, in, host, 0);
			verbose("%s:%s: %lu entries copied", host, path, u.entries);
			mkc_unpack_end(&u);
		}
		archive_read_free(in);
		if (finish_tar(r) < 0 || r->failed)
			rc = -1;
	}
	if (r->e)
		ssh_exec_free(r->e);
	ssh_conn_free(r->c);
	free(r);
	free(cmd);
	free(user);
	free(host);
	free(path);
	return rc;
}
