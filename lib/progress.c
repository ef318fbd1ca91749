/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * progress — a rate-limited progress line on a terminal.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "progress.h"
#include "xalloc.h"

struct progress {
	char *label;
	uint64_t total;
	int fd;
	double start, last;
	size_t width; /* length of the line drawn last, to erase it */
	int hooked;   /* progress_hook_log */
};

int progress_wanted(int quiet)
{
	return !quiet && isatty(STDERR_FILENO);
}

void progress_human(char *buf, size_t len, double n)
{
	static const char *unit[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
	int u = 0;
	while (n >= 1024 && u < 5) {
		n /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, len, "%.0f %s", n, unit[u]);
	else
		snprintf(buf, len, "%.1f %s", n, unit[u]);
}

/* " ETA 1:02" (or " ETA 1:02:03") for what is left at the rate so far, into BUF; "" when unknown. */
static void eta(char *buf, size_t len, uint64_t done, uint64_t total, double seconds)
{
	buf[0] = '\0';
	if (!total || done >= total || !done || seconds < 1)
		return;
	double left = (double)(total - done) * seconds / (double)done;
	if (left > 99 * 3600.0)
		return;
	unsigned long s = (unsigned long)(left + 0.5);
	if (s >= 3600)
		snprintf(buf, len, "  ETA %lu:%02lu:%02lu", s / 3600, s / 60 % 60, s % 60);
	else
		snprintf(buf, len, "  ETA %lu:%02lu", s / 60, s % 60);
}

size_t progress_format(char *buf, size_t len, const char *label, uint64_t done, uint64_t total, double seconds)
{
	char d[32], t[32], r[32], e[32];
	progress_human(d, sizeof d, (double)done);
	progress_human(r, sizeof r, seconds > 0 ? (double)done / seconds : 0);
	eta(e, sizeof e, done, total, seconds);
	int n;
	if (total) {
		progress_human(t, sizeof t, (double)total);
		n = snprintf(buf, len, "%s  %s / %s  %d%%  %s/s%s", label, d, t,
			     (int)(done >= total ? 100 : done * 100 / total), r, e);
	} else {
		n = snprintf(buf, len, "%s  %s  %s/s", label, d, r);
	}
	if (n < 0)
		n = 0;
	return (size_t)n < len ? (size_t)n : len ? len - 1 : 0;
}

void progress_nodes_note(char *buf, size_t len, const struct progress_nodes *c)
{
	int n;
	if (c->files_total)
		n = snprintf(buf, len, "%llu/%llu files", (unsigned long long)c->files,
			     (unsigned long long)c->files_total);
	else
		n = snprintf(buf, len, "%llu files", (unsigned long long)c->files);
	if (n >= 0 && (size_t)n < len && c->total)
		n += snprintf(buf + n, len - (size_t)n, "  %zu/%zu nodes", c->done, c->total);
	if (n >= 0 && (size_t)n < len && c->running)
		n += snprintf(buf + n, len - (size_t)n, "  %zu running", c->running);
	if (n >= 0 && (size_t)n < len && c->failed)
		snprintf(buf + n, len - (size_t)n, "  %zu failed", c->failed);
}

struct progress *progress_start(const char *label, uint64_t total, int fd)
{
	struct progress *p = xcalloc(1, sizeof *p);
	p->label = xstrdup(label);
	p->total = total;
	p->fd = fd;
	p->start = now_monotonic();
	return p;
}

static void draw(struct progress *p, const char *text, size_t n)
{
	char line[300];
	size_t pad = p->width > n ? p->width - n : 0;
	int m = snprintf(line, sizeof line, "\r%s%*s", text, (int)pad, "");
	if (m > 0 && write(p->fd, line, (size_t)m < sizeof line ? (size_t)m : sizeof line - 1) < 0)
		p->fd = -1; /* the terminal went away: stop drawing */
	p->width = n;
}

void progress_update_note(struct progress *p, uint64_t done, const char *note)
{
	if (!p || p->fd < 0)
		return;
	double t = now_monotonic();
	if (t - p->last < 0.2 && (p->total == 0 || done < p->total))
		return;
	p->last = t;
	char text[256];
	size_t n = progress_format(text, sizeof text, p->label, done, p->total, t - p->start);
	if (note && *note) {
		int m = snprintf(text + n, sizeof text - n, "  %s", note);
		if (m > 0)
			n += (size_t)m;
		if (n >= sizeof text)
			n = sizeof text - 1; /* truncated */
	}
	draw(p, text, n);
}

void progress_update(struct progress *p, uint64_t done)
{
	progress_update_note(p, done, NULL);
}

void progress_set_total(struct progress *p, uint64_t total)
{
	if (p)
		p->total = total;
}

void progress_clear(struct progress *p)
{
	if (!p || p->fd < 0 || p->width == 0)
		return;
	draw(p, "", 0);
	if (write(p->fd, "\r", 1) < 0)
		p->fd = -1;
	p->last = 0;
}

static void clear_for_message(void *arg)
{
	progress_clear(arg);
}

void progress_hook_log(struct progress *p)
{
	if (!p)
		return;
	p->hooked = 1;
	log_set_before(clear_for_message, p);
}

void progress_end(struct progress *p)
{
	if (!p)
		return;
	if (p->hooked)
		log_set_before(NULL, NULL);
	progress_clear(p);
	free(p->label);
	free(p);
}

static void fanout_redraw(struct progress_fanout *m)
{
	char note[160];
	progress_nodes_note(note, sizeof note, &m->c);
	progress_update_note(m->line, m->bytes, note);
}

void progress_fanout_start(struct progress_fanout *m, const char *label, size_t nodes, uint64_t bytes_total,
			   uint64_t files_total)
{
	memset(m, 0, sizeof *m);
	m->c.total = nodes;
	m->c.files_total = files_total;
	if (!nodes || !progress_wanted(log_verbosity() <= LOG_QUIET))
		return;
	m->line = progress_start(label, bytes_total, STDERR_FILENO);
	progress_hook_log(m->line);
}

void progress_fanout_add(struct progress_fanout *m, uint64_t bytes, uint64_t files)
{
	m->bytes += bytes;
	m->c.files += files;
	if (m->line)
		fanout_redraw(m);
}

void progress_fanout_node_started(struct progress_fanout *m)
{
	m->c.running++;
	if (m->line)
		fanout_redraw(m);
}

void progress_fanout_node_done(struct progress_fanout *m, int was_running, int failed)
{
	if (was_running && m->c.running)
		m->c.running--;
	m->c.done++;
	m->c.failed += failed != 0;
	if (!m->line)
		return;
	fanout_redraw(m);
	if (m->c.done >= m->c.total)
		progress_fanout_end(m);
}

void progress_fanout_end(struct progress_fanout *m)
{
	progress_end(m->line);
	m->line = NULL;
}
