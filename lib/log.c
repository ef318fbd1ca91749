/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

static const char *progname = "clustertools";
static int level = LOG_NORMAL;
static void (*before_msg)(void *);
static void *before_arg;
static char *first_warning;

void log_init(const char *argv0)
{
	const char *slash = strrchr(argv0, '/');
	progname = slash ? slash + 1 : argv0;
}

const char *log_progname(void) { return progname; }
void log_set_verbosity(int l) { level = l; }
int log_verbosity(void) { return level; }

void log_set_before(void (*before)(void *arg), void *arg)
{
	before_msg = before;
	before_arg = arg;
}

/* The first warning's text, as printed without "TOOL: ". */
static void keep_first(const char *node, int errnum, const char *buf)
{
	if (first_warning)
		return;
	const char *e = errnum ? strerror(errnum) : NULL;
	if (asprintf(&first_warning, "%s%s%s%s%s", node ? node : "", node ? ": " : "", buf, e ? ": " : "",
		     e ? e : "") < 0)
		first_warning = NULL;
}

const char *log_first_warning(void)
{
	return first_warning;
}

static void vmsg(const char *node, int errnum, int warning, const char *fmt, va_list ap)
{
	char buf[4096];
	int n = vsnprintf(buf, sizeof buf, fmt, ap);
	if (n < 0)
		buf[0] = '\0';
	if (warning)
		keep_first(node, errnum, buf);
	if (before_msg)
		before_msg(before_arg);
	if (node && errnum)
		fprintf(stderr, "%s: %s: %s: %s\n", progname, node, buf, strerror(errnum));
	else if (node)
		fprintf(stderr, "%s: %s: %s\n", progname, node, buf);
	else if (errnum)
		fprintf(stderr, "%s: %s: %s\n", progname, buf, strerror(errnum));
	else
		fprintf(stderr, "%s: %s\n", progname, buf);
}

#define VMSG(node, errnum, warning)                                            \
	do {                                                                   \
		va_list ap;                                                    \
		va_start(ap, fmt);                                             \
		vmsg(node, errnum, warning, fmt, ap);                          \
		va_end(ap);                                                    \
	} while (0)

void warnmsg(const char *fmt, ...) { VMSG(NULL, 0, 1); }
void warnmsg_errno(const char *fmt, ...) { int e = errno; VMSG(NULL, e, 1); }
void node_warn(const char *node, const char *fmt, ...) { VMSG(node, 0, 1); }

void verbose(const char *fmt, ...)
{
	if (level >= LOG_VERBOSE)
		VMSG(NULL, 0, 0);
}

void debug(const char *fmt, ...)
{
	if (level >= LOG_DEBUG)
		VMSG(NULL, 0, 0);
}

void die(int status, const char *fmt, ...)
{
	VMSG(NULL, 0, 1);
	exit(status);
}

void die_errno(int status, const char *fmt, ...)
{
	int e = errno;
	VMSG(NULL, e, 1);
	exit(status);
}
