/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * progress — one self-rewriting line on stderr for long work:
 *   "LABEL  123.4 MiB / 2.0 GiB  6%  412.0 MiB/s  ETA 0:42  [NOTE]"
 * (the ETA once the total is known and a second has passed) shown only when
 * stderr is a terminal and the user did not ask for -q (progress_wanted),
 * redrawn at most five times a second, erased at the end.
 */
#ifndef CT_PROGRESS_H
#define CT_PROGRESS_H

#include <stddef.h>
#include <stdint.h>

struct progress;

/* 1 if progress should be shown: stderr is a tty and QUIET is 0. */
int progress_wanted(int quiet);

/* Start a line for LABEL with TOTAL bytes (0: unknown) on FD; FD < 0 gives a silent meter. */
struct progress *progress_start(const char *label, uint64_t total, int fd);
/* DONE bytes so far; redraws if enough time has passed. */
void progress_update(struct progress *p, uint64_t done);
/* The same with NOTE ("12/340 files", NULL for none) after the rate. */
void progress_update_note(struct progress *p, uint64_t done, const char *note);
/* A new TOTAL, for work that is found while it is done (drawn at the next update). */
void progress_set_total(struct progress *p, uint64_t total);
/* Erase the line for a message to take its place; the next update draws it again. */
void progress_clear(struct progress *p);
/* Erase the line and free P (NULL is fine). */
void progress_end(struct progress *p);
/* Until progress_end, every lib/log message erases the line first (single-threaded users). */
void progress_hook_log(struct progress *p);

/* Work spread over nodes, for the NOTE: "12/340 files  3/8 nodes  4 running  1 failed". */
struct progress_nodes {
	uint64_t files, files_total;  /* files_total 0: unknown ("12 files") */
	size_t done, total;           /* nodes; total 0: no nodes part */
	size_t running, failed;       /* shown when not 0 */
};
/* The note for C into BUF (always NUL-terminated). */
void progress_nodes_note(char *buf, size_t len, const struct progress_nodes *c);

/*
 * The line of a fanout task (cpush, cget): bytes moved (of BYTES_TOTAL, 0 if
 * unknown) and the progress_nodes note, drawn when progress_wanted() at the
 * current log verbosity; log messages erase it first; it is erased when the
 * last node is done. Every function is a no-op on a line that is not drawn.
 */
struct progress_fanout {
	struct progress *line;  /* NULL: not drawn */
	struct progress_nodes c;
	uint64_t bytes;
};
void progress_fanout_start(struct progress_fanout *m, const char *label, size_t nodes, uint64_t bytes_total,
			   uint64_t files_total);
/* BYTES more bytes and FILES more files done. */
void progress_fanout_add(struct progress_fanout *m, uint64_t bytes, uint64_t files);
/* A node started working (after connecting). */
void progress_fanout_node_started(struct progress_fanout *m);
/* A node is finished; WAS_RUNNING if it had started, FAILED if it failed. */
void progress_fanout_node_done(struct progress_fanout *m, int was_running, int failed);
void progress_fanout_end(struct progress_fanout *m);

/*
 * The line itself, for DONE of TOTAL bytes after SECONDS: written to BUF
 * (always NUL-terminated). Returns its length.
 */
size_t progress_format(char *buf, size_t len, const char *label, uint64_t done, uint64_t total, double seconds);

/* "512 B", "1.5 KiB", "2.0 GiB": human size of N bytes into BUF. */
void progress_human(char *buf, size_t len, double n);

#endif
