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

size_t progress_format(char *buf, size_t len, const char *label, uint64_t done, uint64_t total, double seconds)
{
	char d[32], t[32], r[32];
	progress_human(d, sizeof d, (double)done);
	progress_human(r, sizeof r, seconds > 0 ? (double)done / seconds : 0);
	int n;
	if (total) {
		progress_human(t, sizeof t, (double)total);
		n = snprintf(buf, len, "%s  %s / %s  %d%%  %s/s", label, d, t,
			     (int)(done >= total ? 100 : done * 100 / total), r);
	} else {
		n = snprintf(buf, len, "%s  %s  %s/s", label, d, r);
	}
	if (n < 0)
		n = 0;
	return (size_t)n < len ? (size_t)n : len ? len - 1 : 0;
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

void progress_end(struct progress *p)
{
	if (!p)
		return;
	progress_clear(p);
	free(p->label);
	free(p);
}
