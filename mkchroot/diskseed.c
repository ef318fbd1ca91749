/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * diskseed — the default UUID seed from the tree (see diskseed.h).
 */
#include <dirent.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "diskseed.h"
#include "log.h"
#include "xalloc.h"

static int bytecmp(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int not_dots(const struct dirent *d)
{
	return strcmp(d->d_name, ".") != 0 && strcmp(d->d_name, "..") != 0;
}

/* One record: the path (with its NUL), then the metadata as text. */
static void add_entry(EVP_MD_CTX *ctx, const char *path, const struct stat *sb, const char *link)
{
	char meta[256];
	int n = snprintf(meta, sizeof meta, "%o %ju %ju %jd %jd %ju\n", (unsigned)sb->st_mode, (uintmax_t)sb->st_uid,
			 (uintmax_t)sb->st_gid, (intmax_t)(S_ISDIR(sb->st_mode) ? 0 : sb->st_size), (intmax_t)sb->st_mtime,
			 (uintmax_t)(S_ISCHR(sb->st_mode) || S_ISBLK(sb->st_mode) ? sb->st_rdev : 0));
	EVP_DigestUpdate(ctx, path, strlen(path) + 1);
	EVP_DigestUpdate(ctx, meta, (size_t)n);
	if (link)
		EVP_DigestUpdate(ctx, link, strlen(link) + 1);
}

/* The entries of the directory PATH (relative to ROOTFD, "." for the root), depth first. 0, or -1. */
static int walk(EVP_MD_CTX *ctx, int rootfd, const char *path)
{
	int fd = openat(rootfd, path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct dirent **de = NULL;
	int n = fd < 0 ? -1 : scandirat(fd, ".", &de, not_dots, bytecmp);
	if (n < 0) {
		warnmsg_errno("%s", path);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	int rc = 0;
	for (int i = 0; i < n; i++) {
		struct stat sb;
		char *sub = strcmp(path, ".") == 0 ? xstrdup(de[i]->d_name) : xasprintf("%s/%s", path, de[i]->d_name);
		char link[4096];
		ssize_t ln = 0;
		if (rc == 0 && fstatat(fd, de[i]->d_name, &sb, AT_SYMLINK_NOFOLLOW) < 0) {
			warnmsg_errno("%s", sub);
			rc = -1;
		} else if (rc == 0) {
			if (S_ISLNK(sb.st_mode) && (ln = readlinkat(fd, de[i]->d_name, link, sizeof link - 1)) >= 0)
				link[ln] = '\0';
			add_entry(ctx, sub, &sb, S_ISLNK(sb.st_mode) && ln >= 0 ? link : NULL);
			if (S_ISDIR(sb.st_mode))
				rc = walk(ctx, rootfd, sub);
		}
		free(sub);
		free(de[i]);
	}
	free(de);
	close(fd);
	return rc;
}

char *mkc_disk_tree_seed(const char *root)
{
	int rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0) {
		warnmsg_errno("%s", root);
		return NULL;
	}
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned len = 0;
	struct stat sb;
	int rc = ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1 && fstat(rootfd, &sb) == 0 ? 0 : -1;
	if (rc == 0) {
		add_entry(ctx, ".", &sb, NULL);
		rc = walk(ctx, rootfd, ".");
	}
	if (rc == 0 && EVP_DigestFinal_ex(ctx, md, &len) != 1)
		rc = -1;
	EVP_MD_CTX_free(ctx);
	close(rootfd);
	if (rc < 0)
		return NULL;
	char *s = xmalloc(5 + 2 * len + 1);
	strcpy(s, "tree:");
	for (unsigned i = 0; i < len; i++)
		snprintf(s + 5 + 2 * i, 3, "%02x", md[i]);
	return s;
}
