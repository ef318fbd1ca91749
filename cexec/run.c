/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * run — drive fanout's exec task and feed every byte to the output writer;
 * gateways' JSON lines become nodes of their own. See run.h.
 */
#include <stdlib.h>
#include <string.h>

#include "bytebuf.h"
#include "indirect.h"
#include "log.h"
#include "run.h"
#include "xalloc.h"

struct run_ctx {
	struct out_writer *w;
	struct fanout_node *nodes;
	struct bytebuf *gw;             /* per node: gateway stdout (lines) and stderr */
	struct bytebuf *gwerr;
	struct cexec_results *res;
};

static void add_forwarded(struct run_ctx *ctx, const struct fanout_node *gw, struct cexec_remote_result *r)
{
	struct out_node on = {r->node, gw->cluster};
	size_t i = out_add_node(ctx->w, &on);
	if (r->outlen)
		out_chunk(ctx->w, i, 0, r->out, r->outlen);
	if (r->errlen)
		out_chunk(ctx->w, i, 1, r->err, r->errlen);
	struct out_status st = {r->exit, r->signal, r->error, r->seconds};
	out_done(ctx->w, i, &st);
	struct cexec_results *res = ctx->res;
	res->all = xgrowarray(res->all, res->n, sizeof *res->all);
	res->names = xgrowarray(res->names, res->nnames, sizeof *res->names);
	struct fanout_node *nd = &res->all[res->n++];
	memset(nd, 0, sizeof *nd);
	nd->name = res->names[res->nnames++] = xstrdup(r->node);
	nd->cluster = gw->cluster;
	nd->exit_status = r->exit;
	nd->exit_signal = r->signal ? xstrdup(r->signal) : NULL;
	nd->error = r->error ? xasprintf("%s (via %s)", r->error, gw->name) : NULL;
	nd->state = !r->error ? FANOUT_OK : strstr(r->error, "timed out") ? FANOUT_TIMEDOUT : FANOUT_FAILED;
}

/* Parse the complete JSON lines a gateway sent so far. */
static void gw_lines(struct run_ctx *ctx, struct fanout_node *gw, struct bytebuf *b, int flush)
{
	size_t start = 0;
	for (;;) {
		char *nl = b->len > start ? memchr(b->p + start, '\n', b->len - start) : NULL;
		size_t l = nl ? (size_t)(nl - (b->p + start)) : flush ? b->len - start : 0;
		if (!l && !nl)
			break;
		struct cexec_remote_result r;
		if (l && cexec_indirect_parse(b->p + start, l, &r) == 0) {
			add_forwarded(ctx, gw, &r);
			cexec_remote_result_free(&r);
		} else if (l) {
			node_warn(gw->name, "gateway sent something that is not a result: %.*s", (int)(l > 200 ? 200 : l),
				  b->p + start);
		}
		start += l + (nl ? 1 : 0);
	}
	memmove(b->p, b->p + start, b->len - start);
	b->len -= start;
}

static void on_output(struct fanout_node *n, int stream, const char *buf, size_t len, void *vctx)
{
	struct run_ctx *ctx = vctx;
	if (n->command) {
		if (stream == 0) {
			bytebuf_add(&ctx->gw[n->index], buf, len);
			gw_lines(ctx, n, &ctx->gw[n->index], 0);
		} else {
			bytebuf_add(&ctx->gwerr[n->index], buf, len);
		}
		return;
	}
	out_chunk(ctx->w, n->index, stream, buf, len);
}

static void on_done(struct fanout_node *n, void *vctx)
{
	struct run_ctx *ctx = vctx;
	if (n->command && n->state == FANOUT_OK) {
		gw_lines(ctx, n, &ctx->gw[n->index], 1);
		/* the remote cexec exits 0 or 2 when it reported its nodes; anything else is its own failure */
		if (n->exit_status == 0 || n->exit_status == 2) {
			n->exit_status = 0;
			out_hide(ctx->w, n->index);
			return;
		}
		struct bytebuf *e = &ctx->gwerr[n->index];
		n->state = FANOUT_FAILED;
		n->error = xasprintf("cexec on the gateway failed (status %d)%s%.*s", n->exit_status,
				     e->len ? ": " : "", (int)(e->len > 300 ? 300 : e->len), e->p ? e->p : "");
		char *nl;
		while (n->error && (nl = strchr(n->error, '\n')))
			*nl = ' ';
	}
	struct out_status st = {n->exit_status, n->exit_signal, n->error, n->seconds};
	out_done(ctx->w, n->index, &st);
}

void cexec_run(struct fanout_node *nodes, size_t n, const struct cexec_run_opts *o,
	       struct cexec_results *res)
{
	memset(res, 0, sizeof *res);
	struct out_node *on = xcalloc(n ? n : 1, sizeof *on);
	for (size_t i = 0; i < n; i++)
		on[i] = (struct out_node){nodes[i].name, nodes[i].cluster};
	struct run_ctx ctx = {
		.w = out_new(o->format, on, n, stdout, stderr),
		.nodes = nodes,
		.gw = xcalloc(n ? n : 1, sizeof *ctx.gw),
		.gwerr = xcalloc(n ? n : 1, sizeof *ctx.gwerr),
		.res = res,
	};
	free(on);
	struct fanout_exec_cb cb = {on_output, on_done, &ctx};
	struct fanout_task task;
	fanout_exec_task(&task, o->command, o->stdin_buf, o->stdin_len, &cb);
	res->interrupted = fanout_run(nodes, n, &o->fanout, &task) == FANOUT_INTERRUPTED;
	fanout_exec_task_free(&task);
	out_finish(ctx.w);
	out_free(ctx.w);
	for (size_t i = 0; i < n; i++) {
		bytebuf_free(&ctx.gw[i]);
		bytebuf_free(&ctx.gwerr[i]);
	}
	free(ctx.gw);
	free(ctx.gwerr);
	/* direct nodes first, then the forwarded ones: one array for status, --failed and summary */
	/* (a gateway that reported its nodes is not a node of its own) */
	struct fanout_node *all = xcalloc(n + res->n + 1, sizeof *all);
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (!(nodes[i].command && nodes[i].state == FANOUT_OK))
			all[k++] = nodes[i];
	if (res->n)
		memcpy(all + k, res->all, res->n * sizeof *all);
	free(res->all);
	res->all = all;
	res->n += k;
}

void cexec_results_free(struct cexec_results *res)
{
	size_t direct = res->n - res->nnames;
	for (size_t i = direct; i < res->n; i++) {
		free(res->all[i].error);
		free(res->all[i].exit_signal);
	}
	for (size_t i = 0; i < res->nnames; i++)
		free(res->names[i]);
	free(res->names);
	free(res->all);
	memset(res, 0, sizeof *res);
}
