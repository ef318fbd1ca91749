/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * log — diagnostics on stderr, "TOOL: message" or "TOOL: NODE: message".
 * stdout is left to results. Verbosity: -q lowers it, -v raises it.
 */
#ifndef CT_LOG_H
#define CT_LOG_H

#include <stdarg.h>

enum { LOG_QUIET = -1, LOG_NORMAL = 0, LOG_VERBOSE = 1, LOG_DEBUG = 2 };

void log_init(const char *progname);
const char *log_progname(void);
void log_set_verbosity(int level);
int log_verbosity(void);
/* Call BEFORE(ARG) ahead of every message (a progress line erases itself); NULL: none. */
void log_set_before(void (*before)(void *arg), void *arg);

void warnmsg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void warnmsg_errno(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void node_warn(const char *node, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void verbose(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * The text of the first warning of this run (warnmsg, node_warn, die), as
 * printed but without "TOOL: ", or NULL: the "error" of a --json result
 * when the failure was reported deep down. Kept until exit.
 */
const char *log_first_warning(void);

/* Print and exit with STATUS. */
void die(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));
void die_errno(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));

#endif
