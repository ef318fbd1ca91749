/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * output — the writers behind output.h: C3 blocks, line prefixes, gathered
 * (dshbak -c) and JSON lines. Nodes are buffered until they can be printed
 * in node order (C3, JSON) or until the end (gather); --pipe streams lines.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "bytebuf.h"
#include "jsonl.h"
#include "log.h"
#include "nodefold.h"
#include "output.h"
#include "xalloc.h"

struct onode {
	char *name, *cluster;
	int hidden;
	struct bytebuf stream[2];
	int done;
	int exit;
	char *signal, *error;
	double seconds;
};

struct out_writer {
	enum out_format fmt;
	struct onode *nodes;
	size_t n, next;           /* next node to print in order */
	const char *last_cluster; /* C3: cluster of the last block printed */
	int printed_any;
	FILE *out, *err;
};

static void flush_in_order(struct out_writer *w);

int out_format_parse(const char *s)
{
	static const char *const names[] = {"c3", "pipe", "gather", "json"};
	for (int i = 0; i < 4; i++)
		if (!strcmp(s, names[i]))
			return i;
	return -1;
}

struct out_writer *out_new(enum out_format fmt, const struct out_node *nodes, size_t n, FILE *out,
			   FILE *err)
{
	struct out_writer *w = xcalloc(1, sizeof *w);
	w->fmt = fmt;
	w->n = n;
	w->out = out;
	w->err = err;
	w->nodes = xcalloc(n ? n : 1, sizeof *w->nodes);
	for (size_t i = 0; i < n; i++) {
		w->nodes[i].name = xstrdup(nodes[i].name);
		w->nodes[i].cluster = nodes[i].cluster ? xstrdup(nodes[i].cluster) : NULL;
		w->nodes[i].exit = -1;
	}
	return w;
}

size_t out_add_node(struct out_writer *w, const struct out_node *node)
{
	w->nodes = xreallocarray(w->nodes, w->n + 1, sizeof *w->nodes);
	struct onode *nd = &w->nodes[w->n];
	memset(nd, 0, sizeof *nd);
	nd->name = xstrdup(node->name);
	nd->cluster = node->cluster ? xstrdup(node->cluster) : NULL;
	nd->exit = -1;
	return w->n++;
}

void out_hide(struct out_writer *w, size_t i)
{
	w->nodes[i].hidden = 1;
	w->nodes[i].done = 1;
	flush_in_order(w);
}

/* "NODE: " or, for C3 selections, "CLUSTER NODE: " */
static void put_prefix(FILE *f, const struct onode *nd)
{
	if (nd->cluster)
		fprintf(f, "%s %s: ", nd->cluster, nd->name);
	else
		fprintf(f, "%s: ", nd->name);
}

/* Write every complete line of B with the node prefix; with FLUSH also the rest. */
static void put_lines(FILE *f, const struct onode *nd, struct bytebuf *b, int flush)
{
	size_t start = 0;
	for (;;) {
		char *nl = b->len > start ? memchr(b->p + start, '\n', b->len - start) : NULL;
		if (!nl)
			break;
		put_prefix(f, nd);
		fwrite(b->p + start, 1, (size_t)(nl - (b->p + start)) + 1, f);
		start = (size_t)(nl - b->p) + 1;
	}
	if (flush && start < b->len) {
		put_prefix(f, nd);
		fwrite(b->p + start, 1, b->len - start, f);
		fputc('\n', f);
		start = b->len;
	}
	if (start) {
		memmove(b->p, b->p + start, b->len - start);
		b->len -= start;
	}
}

void out_chunk(struct out_writer *w, size_t i, int stream, const char *buf, size_t len)
{
	struct onode *nd = &w->nodes[i];
	bytebuf_add(&nd->stream[stream], buf, len);
	if (w->fmt == OUT_PIPE) {
		put_lines(stream ? w->err : w->out, nd, &nd->stream[stream], 0);
		fflush(stream ? w->err : w->out);
	}
}

static void print_c3(struct out_writer *w, struct onode *nd)
{
	if (nd->cluster && (!w->last_cluster || strcmp(w->last_cluster, nd->cluster))) {
		fprintf(w->out, "************************* %s *************************\n", nd->cluster);
		w->last_cluster = nd->cluster;
	}
	fprintf(w->out, "--------- %s---------\n", nd->name);
	fwrite(nd->stream[0].p ? nd->stream[0].p : "", 1, nd->stream[0].len, w->out);
	if (nd->stream[0].len && nd->stream[0].p[nd->stream[0].len - 1] != '\n')
		fputc('\n', w->out);
	fflush(w->out);
	put_lines(w->err, nd, &nd->stream[1], 1);
}

/* The per-node schema (jsonl.h), then the command's output. */
static void print_json(struct out_writer *w, struct onode *nd)
{
	int ok = nd->exit == 0 && !nd->signal && !nd->error;
	json_t *o = jsonl_node(nd->name, nd->cluster, ok, nd->exit, nd->signal, nd->error, nd->seconds);
	jsonl_set_bytes(o, "stdout", nd->stream[0].p, nd->stream[0].len);
	jsonl_set_bytes(o, "stderr", nd->stream[1].p, nd->stream[1].len);
	jsonl_emit(w->out, o);
}

static void release_node(struct onode *nd)
{
	bytebuf_free(&nd->stream[0]);
	bytebuf_free(&nd->stream[1]);
}

/* Print the nodes that are next in order and done. */
static void flush_in_order(struct out_writer *w)
{
	while (w->next < w->n && w->nodes[w->next].done) {
		struct onode *nd = &w->nodes[w->next++];
		if (nd->hidden)
			continue;
		if (w->fmt == OUT_C3)
			print_c3(w, nd);
		else if (w->fmt == OUT_JSON)
			print_json(w, nd);
		else
			continue;
		release_node(nd);
	}
}

void out_done(struct out_writer *w, size_t i, const struct out_status *st)
{
	struct onode *nd = &w->nodes[i];
	nd->done = 1;
	nd->exit = st->exit;
	nd->signal = st->signal ? xstrdup(st->signal) : NULL;
	nd->error = st->error ? xstrdup(st->error) : NULL;
	nd->seconds = st->seconds;
	if (w->fmt == OUT_PIPE) {
		put_lines(w->out, nd, &nd->stream[0], 1);
		put_lines(w->err, nd, &nd->stream[1], 1);
		fflush(w->out);
		release_node(nd);
	}
	flush_in_order(w);
}

/* Gathered output: groups of nodes with the same stdout and ending. */
static int same_result(const struct onode *a, const struct onode *b)
{
	return a->stream[0].len == b->stream[0].len &&
	       (!a->stream[0].len || !memcmp(a->stream[0].p, b->stream[0].p, a->stream[0].len)) &&
	       a->exit == b->exit && !strcmp(a->signal ? a->signal : "", b->signal ? b->signal : "") &&
	       !strcmp(a->error ? a->error : "", b->error ? b->error : "");
}

static void print_gathered(struct out_writer *w)
{
	char *used = xcalloc(w->n ? w->n : 1, 1);
	char **names = xcalloc(w->n ? w->n : 1, sizeof *names);
	for (size_t i = 0; i < w->n; i++) {
		if (used[i] || !w->nodes[i].done || w->nodes[i].hidden)
			continue;
		size_t k = 0;
		for (size_t j = i; j < w->n; j++)
			if (!used[j] && w->nodes[j].done && !w->nodes[j].hidden && same_result(&w->nodes[i], &w->nodes[j])) {
				used[j] = 1;
				names[k++] = w->nodes[j].name;
			}
		const struct onode *nd = &w->nodes[i];
		char *folded = nodeset_fold(names, k);
		fprintf(w->out, "----------------\n%s", folded);
		if (nd->error)
			fprintf(w->out, " (%s)", nd->error);
		else if (nd->signal)
			fprintf(w->out, " (signal %s)", nd->signal);
		else if (nd->exit > 0)
			fprintf(w->out, " (exit %d)", nd->exit);
		fprintf(w->out, "\n----------------\n");
		fwrite(nd->stream[0].p ? nd->stream[0].p : "", 1, nd->stream[0].len, w->out);
		if (nd->stream[0].len && nd->stream[0].p[nd->stream[0].len - 1] != '\n')
			fputc('\n', w->out);
		free(folded);
	}
	for (size_t i = 0; i < w->n; i++)
		put_lines(w->err, &w->nodes[i], &w->nodes[i].stream[1], 1);
	fflush(w->out);
	free(used);
	free(names);
}

void out_finish(struct out_writer *w)
{
	if (w->fmt == OUT_GATHER) {
		print_gathered(w);
		return;
	}
	/* nodes never done (interrupted) do not hold back the ones after them */
	for (size_t i = w->next; i < w->n; i++)
		if (!w->nodes[i].done) {
			w->nodes[i].done = 1;
			w->nodes[i].error = xstrdup("not run");
		}
	flush_in_order(w);
}

void out_free(struct out_writer *w)
{
	if (!w)
		return;
	for (size_t i = 0; i < w->n; i++) {
		struct onode *nd = &w->nodes[i];
		release_node(nd);
		free(nd->name);
		free(nd->cluster);
		free(nd->signal);
		free(nd->error);
	}
	free(w->nodes);
	free(w);
}
