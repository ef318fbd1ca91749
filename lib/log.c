#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

static const char *progname = "clustertools";
static int level = LOG_NORMAL;
static void (*before_msg)(void *);
static void *before_arg;

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

static void vmsg(const char *node, int errnum, const char *fmt, va_list ap)
{
	char buf[4096];
	int n = vsnprintf(buf, sizeof buf, fmt, ap);
	if (n < 0)
		buf[0] = '\0';
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

#define VMSG(node, errnum)                                                     \
	do {                                                                   \
		va_list ap;                                                    \
		va_start(ap, fmt);                                             \
		vmsg(node, errnum, fmt, ap);                                   \
		va_end(ap);                                                    \
	} while (0)

void warnmsg(const char *fmt, ...) { VMSG(NULL, 0); }
void warnmsg_errno(const char *fmt, ...) { int e = errno; VMSG(NULL, e); }
void node_warn(const char *node, const char *fmt, ...) { VMSG(node, 0); }

void verbose(const char *fmt, ...)
{
	if (level >= LOG_VERBOSE)
		VMSG(NULL, 0);
}

void debug(const char *fmt, ...)
{
	if (level >= LOG_DEBUG)
		VMSG(NULL, 0);
}

void die(int status, const char *fmt, ...)
{
	VMSG(NULL, 0);
	exit(status);
}

void die_errno(int status, const char *fmt, ...)
{
	int e = errno;
	VMSG(NULL, e);
	exit(status);
}
