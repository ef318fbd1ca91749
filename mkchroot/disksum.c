/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * disksum — SHA-256 of a raw disk image (see disksum.h).
 */
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "disksum.h"
#include "log.h"
#include "progress.h"
#include "xalloc.h"

#define CHUNK (4u << 20)

static int hash_fd(int fd, EVP_MD_CTX *ctx, struct progress *line)
{
	unsigned char *buf = xmalloc(CHUNK);
	uint64_t done = 0;
	ssize_t n;
	while ((n = read(fd, buf, CHUNK)) > 0) {
		EVP_DigestUpdate(ctx, buf, (size_t)n);
		done += (uint64_t)n;
		progress_update(line, done);
	}
	free(buf);
	return n < 0 ? -1 : 0;
}

int mkc_disk_sha256(const char *raw, char hex[65])
{
	int fd = open(raw, O_RDONLY | O_CLOEXEC);
	struct stat sb;
	if (fd < 0 || fstat(fd, &sb) < 0) {
		warnmsg_errno("%s", raw);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	struct progress *line = NULL;
	if (progress_wanted(log_verbosity() <= LOG_QUIET)) {
		line = progress_start("sha256", (uint64_t)sb.st_size, STDERR_FILENO);
		progress_hook_log(line);
	}
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned len = 0;
	int rc = ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1 ? 0 : -1;
	if (rc < 0)
		warnmsg("SHA-256 unavailable in libcrypto");
	else if (hash_fd(fd, ctx, line) < 0 || EVP_DigestFinal_ex(ctx, md, &len) != 1 || len != 32) {
		warnmsg_errno("%s", raw);
		rc = -1;
	}
	progress_end(line);
	EVP_MD_CTX_free(ctx);
	close(fd);
	for (unsigned i = 0; rc == 0 && i < len; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	return rc;
}
