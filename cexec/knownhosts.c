/* SPDX-License-Identifier: BSD-3-Clause */
#include <netdb.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "bytebuf.h"
#include "fsutil.h"
#include "knownhosts.h"
#include "log.h"
#include "ssh.h"
#include "xalloc.h"

#define NAMES_COMMAND "hostname; hostname -f 2>/dev/null; hostname -I 2>/dev/null; true"
#define ANSWER_MAX 4096 /* a node's names: more is not an answer */
#define NAMES_MAX 32
#define NAME_MAX_LEN 253

struct node_keys {
	struct bytebuf out; /* what the node said its names are */
	char *key;          /* "TYPE BASE64", NULL: none checked */
	char addr[NI_MAXHOST];
	int port;
};

static void on_output(struct fanout_node *nd, int stream, const char *buf, size_t len, void *ctx)
{
	struct node_keys *k = (struct node_keys *)ctx + nd->index;
	if (stream == 0 && k->out.len + len <= ANSWER_MAX)
		bytebuf_add(&k->out, buf, len);
}

/* Still connected: take the key this run checked and the address it reached. */
static void on_done(struct fanout_node *nd, void *ctx)
{
	struct node_keys *k = (struct node_keys *)ctx + nd->index;
	if (!nd->conn)
		return;
	k->key = ssh_hostkey_text(nd->conn, &k->port);
	struct sockaddr_storage ss;
	socklen_t sl = sizeof ss;
	int fd = ssh_fd(nd->conn);
	if (fd >= 0 && getpeername(fd, (struct sockaddr *)&ss, &sl) == 0 &&
	    (ss.ss_family == AF_INET || ss.ss_family == AF_INET6))
		getnameinfo((struct sockaddr *)&ss, sl, k->addr, sizeof k->addr, NULL, 0, NI_NUMERICHOST);
}

/* A host name or address, nothing a known_hosts line would read otherwise (no ',', '*', '[', space). */
static int plain_name(const char *s, size_t len)
{
	if (len == 0 || len > NAME_MAX_LEN || s[0] == '-' || s[0] == '.')
		return 0;
	for (size_t i = 0; i < len; i++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_:%", s[i]))
			return 0;
	return 1;
}

struct names {
	char *v[NAMES_MAX];
	int self[NAMES_MAX]; /* the node said it: untrusted */
	int drop[NAMES_MAX]; /* another node has it too */
	size_t n;
	int port;
};

/* S (LEN bytes) once, as known_hosts writes it for the port */
static void add_name(struct names *nm, const char *s, size_t len, int self)
{
	if (!plain_name(s, len) || nm->n == NAMES_MAX)
		return;
	char *name = nm->port == 22 ? xstrndup(s, len) : xasprintf("[%.*s]:%d", (int)len, s, nm->port);
	for (size_t i = 0; i < nm->n; i++)
		if (!strcmp(nm->v[i], name)) {
			free(name);
			return;
		}
	nm->self[nm->n] = self;
	nm->v[nm->n++] = name;
}

/* NODE's names: its list name and the address reached, then what it said; 0 when it is left out. */
static int node_names(struct fanout_node *nd, const struct node_keys *k, struct names *nm)
{
	if (nd->state != FANOUT_OK || nd->exit_status != 0 || nd->exit_signal)
		return 0;
	if (!k->key) {
		nd->state = FANOUT_FAILED;
		nd->error = xstrdup("its host key was not checked (StrictHostKeyChecking no?): left out");
		return 0;
	}
	nm->port = k->port;
	add_name(nm, nd->name, strlen(nd->name), 0);
	add_name(nm, k->addr, strlen(k->addr), 0);
	const char *p = k->out.p ? k->out.p : "", *end = p + k->out.len;
	while (p < end) {
		size_t len = strcspn(p, " \t\r\n");
		add_name(nm, p, len, 1);
		p += len + 1;
	}
	return 1;
}

struct claim {
	const char *name;
	size_t node;
	int self;
	int *drop;
};

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct claim *)a)->name, ((const struct claim *)b)->name);
}

/*
 * A name a node gave for itself names its key only if no other node has it:
 * an address on every node (docker0, a virtual IP) or a lie ("node07" said
 * by node03) would let one node's key pass for another.
 */
static void drop_shared(struct names *nm, size_t n)
{
	size_t total = 0, k = 0;
	for (size_t i = 0; i < n; i++)
		total += nm[i].n;
	struct claim *c = xcalloc(total ? total : 1, sizeof *c);
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < nm[i].n; j++)
			c[k++] = (struct claim){nm[i].v[j], i, nm[i].self[j], &nm[i].drop[j]};
	qsort(c, total, sizeof *c, by_name);
	for (size_t a = 0, b; a < total; a = b) {
		size_t owner = SIZE_MAX; /* a node has each name once: the claims of a name are from distinct nodes */
		for (b = a; b < total && !strcmp(c[b].name, c[a].name); b++)
			if (!c[b].self)
				owner = c[b].node; /* the head's own name for a node decides */
		for (size_t i = a; i < b; i++)
			if (c[i].self && (owner != SIZE_MAX ? c[i].node != owner : b - a > 1))
				*c[i].drop = 1;
	}
	free(c);
}

static char *names_line(const struct names *nm, const char *key)
{
	struct bytebuf b = {0};
	for (size_t i = 0; i < nm->n; i++) {
		if (nm->drop[i])
			continue;
		if (b.len)
			bytebuf_add(&b, ",", 1);
		bytebuf_add(&b, nm->v[i], strlen(nm->v[i]));
	}
	char *line = xasprintf("%s %s\n", b.p, key);
	free(b.p);
	return line;
}

int knownhosts_run(struct fanout_node *nodes, size_t n, const char *path, const struct fanout_opts *fo,
		   long *written)
{
	struct node_keys *keys = xcalloc(n ? n : 1, sizeof *keys);
	struct fanout_exec_cb cb = {on_output, on_done, keys};
	struct fanout_task task;
	fanout_exec_task(&task, NAMES_COMMAND, NULL, 0, &cb);
	int rc = fanout_run(nodes, n, fo, &task);
	fanout_exec_task_free(&task);
	*written = -1;
	struct names *nm = xcalloc(n ? n : 1, sizeof *nm);
	if (rc == FANOUT_COMPLETE) {
		int *in = xcalloc(n ? n : 1, sizeof *in);
		for (size_t i = 0; i < n; i++)
			in[i] = node_names(&nodes[i], &keys[i], &nm[i]);
		drop_shared(nm, n);
		struct bytebuf text = {0};
		long lines = 0;
		for (size_t i = 0; i < n; i++) {
			if (!in[i])
				continue;
			char *line = names_line(&nm[i], keys[i].key);
			bytebuf_add(&text, line, strlen(line));
			free(line);
			lines++;
		}
		if (!lines)
			warnmsg("--known-hosts %s: no node answered: left as it was", path);
		else if (fs_atomic_write(path, text.p, text.len, 0644) < 0)
			warnmsg_errno("--known-hosts %s", path);
		else
			*written = lines;
		free(text.p);
		free(in);
	}
	for (size_t i = 0; i < n; i++) {
		free(keys[i].out.p);
		free(keys[i].key);
		for (size_t j = 0; j < nm[i].n; j++)
			free(nm[i].v[j]);
	}
	free(nm);
	free(keys);
	return rc;
}
