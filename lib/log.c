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

static void *oom(void *p)
{
	if (!p)
		die(1, "out of memory");
	return p;
}

void *xmalloc(size_t n) { return oom(malloc(n ? n : 1)); }
void *xcalloc(size_t n, size_t size) { return oom(calloc(n ? n : 1, size ? size : 1)); }
void *xrealloc(void *p, size_t n) { return oom(realloc(p, n ? n : 1)); }
void *xreallocarray(void *p, size_t n, size_t size)
{
	return oom(reallocarray(p, n ? n : 1, size ? size : 1));
}

void *xgrowarray(void *p, size_t n, size_t size)
{
	if (n == 0 || (n & (n - 1)) == 0)
		return xreallocarray(p, n ? 2 * n : 1, size);
	return p;
}
char *xstrdup(const char *s) { return oom(strdup(s)); }
char *xstrndup(const char *s, size_t n) { return oom(strndup(s, n)); }

char *xasprintf(const char *fmt, ...)
{
	char *s;
	va_list ap;
	va_start(ap, fmt);
	int n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		die(1, "out of memory");
	return s;
}
