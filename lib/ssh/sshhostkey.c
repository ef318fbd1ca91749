/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sshhostkey — the host key policy of lib/ssh: the server's key checked
 * against the user and global known_hosts files (read once per process),
 * an unknown one appended under accept-new. See ssh.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <unistd.h>

#include "fsutil.h"
#include "log.h"
#include "ssh_internal.h"
#include "sshhostkey.h"
#include "xalloc.h"

struct kh_cache {
	char *user_file, *global_file;
	LIBSSH2_KNOWNHOSTS *kh;
	LIBSSH2_SESSION *owner; /* libssh2 wants a session to create the collection */
};

/* The known_hosts files, read once per process (under ssh_cache_lock). */
static struct kh_cache *khs;
static size_t nkhs;

void ssh_hostkey_cache_free(void)
{
	for (size_t i = 0; i < nkhs; i++) {
		libssh2_knownhost_free(khs[i].kh);
		libssh2_session_free(khs[i].owner);
		free(khs[i].user_file);
		free(khs[i].global_file);
	}
	free(khs);
	khs = NULL;
	nkhs = 0;
}

static LIBSSH2_KNOWNHOSTS *cached_knownhosts(const char *user_file, const char *global_file)
{
	for (size_t i = 0; i < nkhs; i++)
		if (!strcmp(khs[i].user_file, user_file) && !strcmp(khs[i].global_file, global_file))
			return khs[i].kh;
	LIBSSH2_SESSION *owner = libssh2_session_init();
	if (!owner)
		die(1, "libssh2: out of memory");
	LIBSSH2_KNOWNHOSTS *kh = libssh2_knownhost_init(owner);
	if (!kh)
		die(1, "libssh2: out of memory");
	/* missing files are fine; unreadable lines are skipped by libssh2 */
	libssh2_knownhost_readfile(kh, user_file, LIBSSH2_KNOWNHOST_FILE_OPENSSH);
	libssh2_knownhost_readfile(kh, global_file, LIBSSH2_KNOWNHOST_FILE_OPENSSH);
	khs = xgrowarray(khs, nkhs, sizeof *khs);
	khs[nkhs++] = (struct kh_cache){xstrdup(user_file), xstrdup(global_file), kh, owner};
	return kh;
}

int ssh_hostkey_policy_parse(const char *s)
{
	if (!strcasecmp(s, "strict") || !strcasecmp(s, "yes"))
		return SSH_HOSTKEY_STRICT;
	if (!strcasecmp(s, "accept-new"))
		return SSH_HOSTKEY_ACCEPT_NEW;
	if (!strcasecmp(s, "off") || !strcasecmp(s, "no"))
		return SSH_HOSTKEY_OFF;
	return -1;
}

static int hostkey_type_mask(int type)
{
	switch (type) {
	case LIBSSH2_HOSTKEY_TYPE_RSA: return LIBSSH2_KNOWNHOST_KEY_SSHRSA;
	case LIBSSH2_HOSTKEY_TYPE_DSS: return LIBSSH2_KNOWNHOST_KEY_SSHDSS;
	case LIBSSH2_HOSTKEY_TYPE_ECDSA_256: return LIBSSH2_KNOWNHOST_KEY_ECDSA_256;
	case LIBSSH2_HOSTKEY_TYPE_ECDSA_384: return LIBSSH2_KNOWNHOST_KEY_ECDSA_384;
	case LIBSSH2_HOSTKEY_TYPE_ECDSA_521: return LIBSSH2_KNOWNHOST_KEY_ECDSA_521;
	case LIBSSH2_HOSTKEY_TYPE_ED25519: return LIBSSH2_KNOWNHOST_KEY_ED25519;
	default: return LIBSSH2_KNOWNHOST_KEY_UNKNOWN;
	}
}

/* Append one line for HOST's key to the user known_hosts file, under flock, in one write. */
static int known_hosts_append(struct ssh_conn *c, LIBSSH2_KNOWNHOSTS *kh, const char *name,
			      const char *key, size_t keylen, int mask)
{
	struct libssh2_knownhost *entry = NULL;
	if (libssh2_knownhost_addc(kh, name, NULL, key, keylen, NULL, 0,
				   LIBSSH2_KNOWNHOST_TYPE_PLAIN | LIBSSH2_KNOWNHOST_KEYENC_RAW | mask,
				   &entry) < 0)
		return ssh_fail(c, "cannot add host key: %s", ssh_last_error(c));
	char line[8192];
	size_t len = 0;
	if (libssh2_knownhost_writeline(kh, entry, line, sizeof line, &len,
					LIBSSH2_KNOWNHOST_FILE_OPENSSH) < 0)
		return ssh_fail(c, "cannot format host key line");
	char *dir = xstrdup(c->known_hosts);
	char *slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		fs_mkdirs_beneath(AT_FDCWD, dir, 0700);
	}
	free(dir);
	int fd = open(c->known_hosts, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return ssh_fail(c, "%s: %s", c->known_hosts, strerror(errno));
	flock(fd, LOCK_EX);
	int rc = fs_write_all(fd, line, len);
	if (close(fd) < 0)
		rc = -1;
	if (rc < 0)
		return ssh_fail(c, "%s: %s", c->known_hosts, strerror(errno));
	node_warn(c->node, "added host key for %s to %s", name, c->known_hosts);
	return SSH_OK;
}

static int check_hostkey_locked(struct ssh_conn *c)
{
	if (c->policy == SSH_HOSTKEY_OFF)
		return SSH_OK;
	size_t keylen;
	int type;
	const char *key = libssh2_session_hostkey(c->sess, &keylen, &type);
	if (!key)
		return ssh_fail(c, "no host key from server");
	LIBSSH2_KNOWNHOSTS *kh = cached_knownhosts(c->known_hosts, c->global_known_hosts);
	int mask = hostkey_type_mask(type);
	struct libssh2_knownhost *found = NULL;
	int r = libssh2_knownhost_checkp(kh, c->host, c->port, key, keylen,
					 LIBSSH2_KNOWNHOST_TYPE_PLAIN | LIBSSH2_KNOWNHOST_KEYENC_RAW | mask,
					 &found);
	if (r == LIBSSH2_KNOWNHOST_CHECK_MATCH)
		return SSH_OK;
	if (r == LIBSSH2_KNOWNHOST_CHECK_MISMATCH)
		return ssh_fail(c, "host key for %s does not match the one in %s or %s: refused "
			       "(possible man-in-the-middle; remove the old key if the node was reinstalled)",
			    c->host, c->known_hosts, c->global_known_hosts);
	if (r != LIBSSH2_KNOWNHOST_CHECK_NOTFOUND)
		return ssh_fail(c, "host key check failed: %s", ssh_last_error(c));
	if (c->policy == SSH_HOSTKEY_STRICT)
		return ssh_fail(c, "no host key known for %s in %s or %s: refused (--host-keys accept-new "
			       "to add it)",
			    c->host, c->known_hosts, c->global_known_hosts);
	char *name = c->port == 22 ? xstrdup(c->host) : xasprintf("[%s]:%d", c->host, c->port);
	int rc = known_hosts_append(c, kh, name, key, keylen, mask);
	free(name);
	return rc;
}

int ssh_check_hostkey(struct ssh_conn *c)
{
	pthread_mutex_lock(&ssh_cache_lock);
	int rc = check_hostkey_locked(c);
	pthread_mutex_unlock(&ssh_cache_lock);
	return rc;
}
