/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * relay_rogue — a node of a cpush chain gone bad: it holds the transfer key
 * (SECRET, 64 hex digits, as every relay gets it on its start line) but not
 * the head's signing key, connects to the relay at HOST PORT as if it were
 * its predecessor and sends what the head never sent:
 *
 *   relay_rogue forge HOST PORT SECRET PATH [FROM]   an ENTRY for PATH, mode 04755,
 *       at the index the relay expects, signed with a key of its own, its
 *       block hashes, bytes and an END
 *   relay_rogue data HOST PORT SECRET SIZE [FROM]   other bytes for the entry
 *       the relay is receiving, from where it is up to SIZE
 *
 *   relay_rogue pubkey SEED   the public key (hex) of the signing key SEED
 *
 * FROM: the address to connect from (the compromised node's own, which may
 * be its target's rightful predecessor). With RELAY_ROGUE_SEED (64 hex
 * digits) in the environment, forge signs with that key instead: given to
 * the relay as the head's, it is the positive control that what forge sends
 * does land when the head's key signed it.
 * Prints "resume ENTRY OFFSET" (what the relay said it holds), then, once
 * sent, waits (30 s at most) for the relay to close the connection: prints
 * "closed" (exit 0) or "kept open" (exit 3). Exit 1 on errors.
 */
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "relay.h"
#include "relayio.h"

static unsigned char out[RELAY_MAX_FRAME], plain[RELAY_BLOCK];
static struct relay_sealer sealer;

static int send_frame(int fd, const struct relay_key *k, uint8_t type, uint32_t i, uint64_t block,
		      const void *p, size_t len)
{
	struct relay_frame f = { type, i, block, (uint32_t)len, { 0 } };
	size_t n = relay_seal(k, &sealer, &f, p, out);
	return n && relay_write_all(fd, out, n) == 0 ? 0 : -1;
}

static int dial(const char *host, const char *port, const char *from)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICHOST }, *ai, *src = NULL;
	if (getaddrinfo(host, port, &hints, &ai) != 0)
		return -1;
	if (from && getaddrinfo(from, "0", &hints, &src) != 0) {
		freeaddrinfo(ai);
		return -1;
	}
	int fd = socket(ai->ai_family, SOCK_STREAM, 0);
	if (fd >= 0 && src && bind(fd, src->ai_addr, src->ai_addrlen) < 0) {
		close(fd);
		fd = -1;
	}
	if (src)
		freeaddrinfo(src);
	if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
		close(fd);
		fd = -1;
	}
	freeaddrinfo(ai);
	return fd;
}

/* The signing key from SEED (hex), its public key into PUB; NULL if SEED is not one. */
static EVP_PKEY *seeded_signer(const char *seed, unsigned char pub[RELAY_PUB_LEN])
{
	unsigned char raw[RELAY_KEY_LEN];
	size_t len = RELAY_PUB_LEN;
	if (relay_secret_parse(seed, raw) < 0)
		return NULL;
	EVP_PKEY *sk = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, raw, sizeof raw);
	if (sk && (EVP_PKEY_get_raw_public_key(sk, pub, &len) != 1 || len != RELAY_PUB_LEN)) {
		EVP_PKEY_free(sk);
		sk = NULL;
	}
	return sk;
}

/* A setuid file at PATH, under a key of the rogue's own making (or RELAY_ROGUE_SEED's). */
static int forge(int fd, const struct relay_key *k, uint32_t i, const char *path)
{
	static const char body[] = "* * * * * root id >/tmp/owned\n";
	unsigned char pub[RELAY_PUB_LEN], p[8192], end[RELAY_END_LEN];
	const char *seed = getenv("RELAY_ROGUE_SEED");
	EVP_PKEY *sk = seed ? seeded_signer(seed, pub) : relay_signer_new(pub);
	struct relay_entry e = { .type = RELAY_E_FILE, .mode = 04755, .mtime = 1, .size = sizeof body - 1 };
	snprintf(e.path, sizeof e.path, "%s", path);
	unsigned char h[32], hashes[RELAY_SIG_LEN + 32];
	relay_block_hash(body, sizeof body - 1, h);
	relay_digest(h, 1, e.sha256);
	size_t n = sk ? relay_entry_sign(sk, i, i + 1, &e, p) : 0;
	int rc = n && relay_end_sign(sk, i + 1, end) == 0 && relay_hashes_sign(sk, i, 0, h, 1, hashes) ? 0 : -1;
	rc = rc ? rc : send_frame(fd, k, RELAY_ENTRY, i, UINT64_MAX, p, n);
	rc = rc ? rc : send_frame(fd, k, RELAY_HASHES, i, 0, hashes, sizeof hashes);
	rc = rc ? rc : send_frame(fd, k, RELAY_DATA, i, 0, body, sizeof body - 1);
	rc = rc ? rc : send_frame(fd, k, RELAY_END, UINT32_MAX, UINT64_MAX - 1, end, sizeof end);
	EVP_PKEY_free(sk);
	return rc < 0 && (errno == EPIPE || errno == ECONNRESET) ? 0 : rc; /* refused on the way */
}

/* Bytes of the rogue's choosing for entry I from OFF up to SIZE. */
static int replace(int fd, const struct relay_key *k, uint32_t i, uint64_t off, uint64_t size)
{
	memset(plain, 'R', sizeof plain);
	for (; off < size; off += RELAY_BLOCK) {
		size_t len = size - off < RELAY_BLOCK ? (size_t)(size - off) : RELAY_BLOCK;
		if (send_frame(fd, k, RELAY_DATA, i, off / RELAY_BLOCK, plain, len) < 0)
			return errno == EPIPE || errno == ECONNRESET ? 0 : -1; /* refused on the way */
	}
	return 0;
}

/* Does the relay close the connection (it refused) within 30 s? */
static int closed(int fd)
{
	char buf[256];
	shutdown(fd, SHUT_WR);
	for (;;) {
		struct pollfd p = { fd, POLLIN, 0 };
		if (poll(&p, 1, 30000) <= 0)
			return 0;
		ssize_t r = read(fd, buf, sizeof buf);
		if (r <= 0)
			return 1;
	}
}

int main(int argc, char **argv)
{
	unsigned char secret[RELAY_KEY_LEN];
	struct relay_key k;
	if (argc == 3 && strcmp(argv[1], "pubkey") == 0) {
		unsigned char pub[RELAY_PUB_LEN];
		EVP_PKEY *sk = seeded_signer(argv[2], pub);
		if (!sk)
			return 1;
		for (size_t j = 0; j < sizeof pub; j++)
			printf("%02x", pub[j]);
		printf("\n");
		EVP_PKEY_free(sk);
		return 0;
	}
	if ((argc != 6 && argc != 7) || (strcmp(argv[1], "forge") != 0 && strcmp(argv[1], "data") != 0) ||
	    relay_secret_parse(argv[4], secret) < 0) {
		fprintf(stderr, "usage: relay_rogue forge|data HOST PORT SECRET PATH|SIZE [FROM]\n"
				"       relay_rogue pubkey SEED\n");
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	relay_key_derive(&k, secret);
	int fd = dial(argv[2], argv[3], argc == 7 ? argv[6] : NULL);
	char err[256];
	uint32_t e;
	uint64_t off;
	if (fd < 0 || relay_hello_send(fd, &k, &e, &off, err, sizeof err) < 0 || relay_sealer_new(&sealer) < 0) {
		fprintf(stderr, "relay_rogue: %s:%s: %s\n", argv[2], argv[3], fd < 0 ? strerror(errno) : err);
		return 1;
	}
	printf("resume %u %llu\n", e, (unsigned long long)off);
	fflush(stdout);
	int rc = strcmp(argv[1], "forge") == 0 ? forge(fd, &k, e, argv[5])
					       : replace(fd, &k, e, off, strtoull(argv[5], NULL, 10));
	if (rc < 0) {
		fprintf(stderr, "relay_rogue: send: %s\n", strerror(errno));
		return 1;
	}
	int c = closed(fd);
	printf("%s\n", c ? "closed" : "kept open");
	return c ? 0 : 3;
}
