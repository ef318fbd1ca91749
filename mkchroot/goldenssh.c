/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * goldenssh — golden copies streamed from a host over ssh (see goldenssh.h).
 */
#include <archive.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytebuf.h"
#include "goldenssh.h"
#include "log.h"
#include "shquote.h"
#include "ssh.h"
#include "sshexec.h"
#include "unpack.h"
#include "xalloc.h"

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
	struct sshexec x;
	char buf[128 * 1024];
	int failed;
};

static la_ssize_t remote_read(struct archive *a, void *cd, const void **buf)
{
	struct remote *r = cd;
	(void)a;
	*buf = r->buf;
	ssize_t n = sshexec_read(&r->x, r->buf, sizeof r->buf);
	if (n < 0) {
		node_warn(r->x.node, "tar stream: %s", r->x.err);
		r->failed = 1;
	}
	return n;
}

/* The remote tar's exit: 0 fine, 1 (files changed while read) a warning, else a failure. */
static int finish_tar(struct remote *r, const char *host)
{
	int status;
	char *sig;
	if (sshexec_finish(&r->x, MKC_IDLE_TIMEOUT, &status, &sig) < 0) {
		node_warn(host, "%s", r->x.err);
		return -1;
	}
	if (sig || status > 1 || status < 0) {
		if (sig)
			node_warn(host, "remote tar killed by SIG%s", sig);
		else
			node_warn(host, "remote tar failed (status %d)", status);
		free(sig);
		return -1;
	}
	if (status == 1)
		node_warn(host, "some files changed while they were copied");
	return 0;
}

int mkc_golden_remote(const char *source, const char *root, const struct exclude *excl)
{
	char *user, *host, *path;
	mkc_golden_parse_source(source, &user, &host, &path);
	ssh_global_init();
	struct ssh_opts so = { .user = user, .use_ssh_config = 1, .connect_timeout = MKC_CONNECT_TIMEOUT };
	struct remote *r = xcalloc(1, sizeof *r);
	r->x.idle = MKC_IDLE_TIMEOUT;
	char *cmd = mkc_golden_tar_command(path, excl);
	debug("%s: %s", host, cmd);
	int rc = -1;
	if (sshexec_start(&r->x, host, &so, cmd) < 0) {
		node_warn(host, "%s", r->x.err);
	} else {
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
		if (finish_tar(r, host) < 0 || r->failed)
			rc = -1;
	}
	free(r);
	free(cmd);
	free(user);
	free(host);
	free(path);
	return rc;
}
