/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * relaypeer SECRET PORT SRC DEST — a sender of the broadcast chain's wire
 * format (lib/relayio), for tests of ctrelay: connects to 127.0.0.1:PORT,
 * answers the relay's challenge with SECRET (64 hex digits), then feeds the
 * file SRC to land at DEST (an absolute path) and the END frame.
 *
 * It feeds whatever the handshake said, so with a wrong SECRET it is a peer
 * without the key that otherwise does all a sender does: if the relay let it
 * through, DEST would be written. Exit 0 when the handshake and the feed both
 * went through, 1 otherwise (why on stderr).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "relay.h"
#include "relayio.h"

struct one {
	const char *src, *dest;
};

static int file_sha256(const char *path, unsigned char out[32])
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return -1;
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	EVP_DigestInit_ex(c, EVP_sha256(), NULL);
	unsigned char buf[65536];
	size_t n;
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		EVP_DigestUpdate(c, buf, n);
	EVP_DigestFinal_ex(c, out, NULL);
	EVP_MD_CTX_free(c);
	fclose(f);
	return 0;
}

static int one_get(void *arg, uint32_t i, struct relay_entry *e, const char **data_path)
{
	struct one *o = arg;
	struct stat st;
	if (i != 0 || stat(o->src, &st) < 0 || file_sha256(o->src, e->sha256) < 0)
		return -1;
	e->type = RELAY_E_FILE;
	e->blind = 1;
	e->mode = st.st_mode & 07777;
	e->mtime = st.st_mtime;
	e->size = (uint64_t)st.st_size;
	snprintf(e->path, sizeof e->path, "%s", o->dest);
	*data_path = o->src;
	return 0;
}

int main(int argc, char **argv)
{
	unsigned char secret[RELAY_KEY_LEN];
	if (argc != 5 || relay_secret_parse(argv[1], secret) < 0) {
		fprintf(stderr, "usage: relaypeer SECRET PORT SRC DEST\n");
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	struct relay_key k;
	relay_key_derive(&k, secret);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((unsigned short)atoi(argv[2]))};
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		perror("relaypeer: connect");
		return 1;
	}
	char err[256];
	uint32_t entry = 0;
	uint64_t off = 0;
	int rc = 0;
	if (relay_hello_send(fd, &k, &entry, &off, err, sizeof err) < 0) {
		fprintf(stderr, "relaypeer: handshake: %s (feeding anyway)\n", err);
		entry = 0, off = 0, rc = 1;
	}
	struct one o = {argv[3], argv[4]};
	struct relay_source src = {one_get, &o, NULL};
	if (relay_feed(fd, &k, &src, entry, off, 1, 0, RELAY_FEED_END, err, sizeof err) < 0) {
		fprintf(stderr, "relaypeer: feed: %s\n", err);
		rc = 1;
	}
	close(fd);
	return rc;
}
