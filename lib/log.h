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

/* Print and exit with STATUS. */
void die(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));
void die_errno(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));

/* Allocation that cannot fail: dies with status 1 on out-of-memory. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
void *xreallocarray(void *p, size_t n, size_t size);
/*
 * Make room for element N in array P that holds N elements of SIZE bytes and
 * only ever grows by appending: capacity doubles at powers of two, so N
 * appends cost O(N) (no capacity field needed).
 */
void *xgrowarray(void *p, size_t n, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
