/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * gateway — the nodes behind C3 gateways, read from the gateways' own
 * c3.conf. See gateway.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytebuf.h"
#include "gateway.h"
#include "sshexec.h"
#include "xalloc.h"

#define GATEWAY_CONF_CMD "cat \"${C3_CONF:-/etc/c3.conf}\""
#define GATEWAY_CONF_MAX (1 << 20)

/* The text of GW's c3.conf (malloced, *LEN), or NULL with ERR. */
static char *read_remote_conf(const char *gw, const struct ssh_opts *o, size_t *len, char *err, size_t errlen)
{
	struct sshexec x = {.idle = 30};
	if (sshexec_start(&x, gw, o, GATEWAY_CONF_CMD) < 0) {
		snprintf(err, errlen, "%s", x.err);
		return NULL;
	}
	struct bytebuf b = {0};
	char buf[8192];
	ssize_t r;
	while ((r = sshexec_read(&x, buf, sizeof buf)) > 0 && b.len < GATEWAY_CONF_MAX)
		bytebuf_add(&b, buf, (size_t)r);
	int status = -1;
	char *sig = NULL;
	if (r < 0)
		snprintf(err, errlen, "%s", x.err);
	int fin = sshexec_finish(&x, 5, &status, &sig);
	free(sig);
	if (r == 0 && (fin < 0 || status != 0))
		snprintf(err, errlen, "cannot read its c3.conf (%.400s)", fin < 0 ? x.err : "cat failed");
	if (r < 0 || fin < 0 || status != 0) {
		free(b.p);
		return NULL;
	}
	*len = b.len;
	return b.p ? b.p : xstrdup("");
}

static void add_node(struct c3_selection *out, const struct c3_target *gw, const char *host, const char *via)
{
	out->t = xgrowarray(out->t, out->n, sizeof *out->t);
	struct c3_target *t = &out->t[out->n++];
	memset(t, 0, sizeof *t);
	t->cluster = xstrdup(gw->cluster);
	t->host = xstrdup(host);
	t->user = gw->user ? xstrdup(gw->user) : NULL;
	t->position = -1;
	t->via = xstrdup(via);
}

/* The nodes GW's definition names on GW, appended to OUT. */
static int expand_one(struct c3_selection *out, const struct c3_target *gw, const struct ssh_opts *base,
		      char *err, size_t errlen)
{
	struct ssh_opts o = *base;
	o.user = gw->user ? gw->user : base->user;
	char e[512], *fname = xasprintf("%s:c3.conf", gw->host);
	size_t len;
	char *text = read_remote_conf(gw->host, &o, &len, e, sizeof e);
	struct c3_conf conf;
	struct c3_selection sel = {0};
	int rc = text ? c3conf_parse(text, len, fname, &conf, e, sizeof e) : -1;
	if (rc == 0) {
		char *def = gw->forward_def;
		rc = c3conf_select(&conf, &def, 1, 0, 0, &sel, e, sizeof e);
		c3conf_free(&conf);
	}
	char *via = o.user ? xasprintf("%s@%s", o.user, gw->host) : xstrdup(gw->host);
	for (size_t i = 0; rc == 0 && i < sel.n; i++) {
		if (sel.t[i].forward_def) {
			snprintf(e, sizeof e, "its cluster %s is itself indirect (not supported)", sel.t[i].cluster);
			rc = -1;
		} else {
			add_node(out, gw, sel.t[i].host, via);
		}
	}
	if (rc < 0)
		snprintf(err, errlen, "cluster %s: gateway %s: %s", gw->cluster, gw->host, e);
	c3_selection_free(&sel);
	free(via);
	free(text);
	free(fname);
	return rc;
}

int gateway_expand(struct c3_selection *sel, const struct ssh_opts *o, char *err, size_t errlen)
{
	size_t i = 0;
	while (i < sel->n && !sel->t[i].forward_def)
		i++;
	if (i == sel->n)
		return 0;
	struct c3_selection out = {0};
	int rc = 0;
	for (i = 0; rc == 0 && i < sel->n; i++) {
		struct c3_target *t = &sel->t[i];
		if (t->forward_def) {
			rc = expand_one(&out, t, o, err, errlen);
			continue;
		}
		out.t = xgrowarray(out.t, out.n, sizeof *out.t);
		out.t[out.n++] = *t;
		memset(t, 0, sizeof *t); /* moved */
	}
	c3_selection_free(sel);
	*sel = out;
	return rc;
}
