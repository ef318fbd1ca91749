/*
 * progress — one self-rewriting line on stderr for long work:
 *   "LABEL  123.4 MiB / 2.0 GiB  6%  412.0 MiB/s  [NOTE]"
 * shown only when stderr is a terminal and the user did not ask for -q
 * (progress_wanted), redrawn at most five times a second, erased at the end.
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

/*
 * The line itself, for DONE of TOTAL bytes after SECONDS: written to BUF
 * (always NUL-terminated). Returns its length.
 */
size_t progress_format(char *buf, size_t len, const char *label, uint64_t done, uint64_t total, double seconds);

/* "512 B", "1.5 KiB", "2.0 GiB": human size of N bytes into BUF. */
void progress_human(char *buf, size_t len, double n);

#endif
