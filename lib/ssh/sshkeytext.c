/* SPDX-License-Identifier: BSD-3-Clause */
/* sshkeytext — a connection's checked host key as known_hosts text (ssh.h: ssh_hostkey_text). */
#include <stdlib.h>

#include <openssl/evp.h>

#include "ssh_internal.h"
#include "xalloc.h"

static const char *hostkey_type_name(int type)
{
	switch (type) {
	case LIBSSH2_HOSTKEY_TYPE_RSA: return "ssh-rsa";
	case LIBSSH2_HOSTKEY_TYPE_DSS: return "ssh-dss";
	case LIBSSH2_HOSTKEY_TYPE_ECDSA_256: return "ecdsa-sha2-nistp256";
	case LIBSSH2_HOSTKEY_TYPE_ECDSA_384: return "ecdsa-sha2-nistp384";
	case LIBSSH2_HOSTKEY_TYPE_ECDSA_521: return "ecdsa-sha2-nistp521";
	case LIBSSH2_HOSTKEY_TYPE_ED25519: return "ssh-ed25519";
	default: return NULL;
	}
}

char *ssh_hostkey_text(struct ssh_conn *c, int *port)
{
	size_t keylen = 0;
	int type = -1;
	const char *key = c->sess ? libssh2_session_hostkey(c->sess, &keylen, &type) : NULL;
	const char *name = hostkey_type_name(type);
	if (!key || !name || c->policy == SSH_HOSTKEY_OFF || keylen > 16384)
		return NULL;
	unsigned char *b64 = xmalloc(4 * ((keylen + 2) / 3) + 1);
	EVP_EncodeBlock(b64, (const unsigned char *)key, (int)keylen);
	char *text = xasprintf("%s %s", name, b64);
	free(b64);
	*port = c->port;
	return text;
}
