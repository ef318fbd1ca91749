/* SPDX-License-Identifier: BSD-3-Clause */
/* kcmdline — the kernel options a root's images boot with (see kcmdline.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsutil.h"
#include "kcmdline.h"
#include "xalloc.h"

int mkc_kcmdline_check(const char *options, char *err, size_t errlen)
{
	for (const unsigned char *p = (const unsigned char *)options; *p; p++) {
		if (*p < 0x20 || *p == 0x7f) {
			snprintf(err, errlen, "a control character (0x%02x) cannot go into a boot entry", *p);
			return -1;
		}
		if (strchr("\"'`\\$;{}|&<>", *p)) {
			snprintf(err, errlen, "'%c' cannot go into a boot entry (GRUB's script would read it)", *p);
			return -1;
		}
	}
	return 0;
}

int mkc_kcmdline_write(const char *root, const char *options)
{
	int rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return -1;
	char *line = xasprintf("%s\n", options);
	int rc = fs_write_beneath(rootfd, MKC_KCMDLINE_FILE, line, strlen(line), 0644, 0, 0);
	int e = errno;
	free(line);
	close(rootfd);
	errno = e;
	return rc;
}

/* LINE's words but root=..., ro and rw, space-separated. Caller frees. */
static char *without_root(const char *line)
{
	char *out = xmalloc(strlen(line) + 1), *o = out;
	const char *p = line;
	while (*p) {
		p += strspn(p, " \t");
		size_t n = strcspn(p, " \t");
		if (n && strncmp(p, "root=", 5) != 0 && !(n == 2 && (strncmp(p, "ro", 2) == 0 || strncmp(p, "rw", 2) == 0))) {
			if (o != out)
				*o++ = ' ';
			memcpy(o, p, n);
			o += n;
		}
		p += n;
	}
	*o = '\0';
	return out;
}

/* ROOT/etc/kernel/cmdline's text, a regular file's (at most 4 KiB), into *TEXT; -1 with errno */
static int read_file(const char *root, char **text, size_t *len)
{
	int rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return -1;
	int fd = fs_open_beneath(rootfd, MKC_KCMDLINE_FILE, O_RDONLY | O_NONBLOCK | O_NOCTTY, 0);
	int e = errno;
	close(rootfd);
	if (fd < 0) {
		errno = e;
		return -1;
	}
	struct stat sb;
	if (fstat(fd, &sb) < 0)
		e = errno;
	else if (!S_ISREG(sb.st_mode))
		e = EINVAL;
	else if (!(*text = fs_read_fd(fd, 4096, len)))
		e = errno;
	else
		e = 0;
	close(fd);
	errno = e;
	return e ? -1 : 0;
}

int mkc_kcmdline_read(const char *root, char **out, char *err, size_t errlen)
{
	char *text = NULL, why[128];
	size_t len = 0;
	*out = NULL;
	if (read_file(root, &text, &len) < 0) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "%s/%s: %s", root, MKC_KCMDLINE_FILE,
			 errno == EINVAL ? "not a regular file" : strerror(errno));
		return -1;
	}
	const char *nl = memchr(text, '\n', len);
	size_t first = nl ? (size_t)(nl - text) : len;
	text[first] = '\0';
	int bad = strlen(text) != first ? (snprintf(why, sizeof why, "a NUL byte cannot go into a boot entry"), 1)
					 : mkc_kcmdline_check(text, why, sizeof why) < 0;
	if (bad)
		snprintf(err, errlen, "%s/%s: %s", root, MKC_KCMDLINE_FILE, why);
	else
		*out = without_root(text);
	free(text);
	return bad ? -1 : 0;
}
