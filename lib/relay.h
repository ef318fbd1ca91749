/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * relay — the wire format of a pipelined broadcast chain (cpush --chain,
 * ctrelay): the head streams a list of entries (files and directories) to
 * the first node, which lands each block and passes it on to the next.
 *
 * Everything here works on buffers (no I/O); relayio.h moves it over
 * sockets and files.
 *
 * Security. Every transfer has its own random 256-bit key, handed to each
 * node over the SSH session that started its relay. Two keys are derived
 * from it: one for AES-256-GCM, one for HMAC-SHA256. Every node holds
 * them, so they only keep out those who are not in the transfer: the key
 * proves membership, not who sent what.
 *   - A connection starts with the listener's CHALLENGE (magic + 32 random
 *     bytes); the sender answers HELLO = HMAC(k, "hello" | challenge). A
 *     listener reads nothing else from a peer that fails this. It then
 *     answers RESUME (entry, offset it holds) with its own HMAC over the
 *     challenge, so the sender knows it talks to a key holder too.
 *   - Every frame after that is sealed: a 29-byte header (type, entry
 *     index, block index, payload length, 96-bit nonce) is the AAD.
 *
 * What lands is what the head signed. The head also draws an Ed25519 key
 * pair per transfer and hands each relay the public key on the same SSH
 * channel (the private key never leaves the head). It signs:
 *   - each ENTRY payload: ("ctrelay 2 entry", index, entry count, encoded
 *     entry: path, type, mode, mtime, size and the file's digest, the
 *     SHA-256 over the SHA-256 of each of its blocks);
 *   - each HASHES frame (before the blocks it covers): the SHA-256 of up
 *     to RELAY_HASHES_PER blocks of a file, ("ctrelay 2 hashes", index,
 *     chunk, hashes); a file's only chunk is covered by its digest instead;
 *   - the END frame: the entry count.
 * A node checks the signature before it creates anything, refuses an index
 * out of order or beyond the count, checks every block against its signed
 * hash before it writes or forwards it, and installs a file only when the
 * digest of what it wrote is the signed one. So a node that holds the
 * transfer key (root on any one node) can still delay or starve what it
 * feeds, but cannot make another node write a path, mode or byte the head
 * did not send, nor pass a forged byte further down the chain. Re-fed
 * entries and hashes are the head's signed bytes, passed on verbatim.
 * Checking a block costs the SHA-256 pass a whole-file hash costs anyway;
 * a signature costs 0.1 to 0.2 ms to check, once per entry and per 31 MiB
 * of a larger file (for trees of very many small files a signed manifest
 * would be cheaper: not done).
 *
 * Nonces. The nonce travels in the header: a random 64-bit prefix drawn
 * for each sealing session (the head's feeder on each (re)start, a node
 * re-feeding a new successor from its own files) and a 32-bit counter
 * (a fresh prefix is drawn if it wraps). A frame forwarded verbatim keeps its
 * nonce: same bytes, same nonce, which GCM allows. A nonce derived from
 * the position alone (entry, block), as in protocol 1, repeats with other
 * bytes as soon as a file is read twice and has changed in between (a
 * re-fed target, the head's source on a feeder restart): a passive listener
 * then gets the XOR of two plaintexts and GHASH's key. Per-hop keys would
 * avoid that too, but each node would decrypt and seal every frame again:
 * one more AES pass per node, where forwarding verbatim costs none. A
 * sealer also checks every block it reads against its signed hash before
 * sealing it (the head sends only what it hashed; a node refuses to serve
 * a landed file that changed since).
 */
#ifndef CT_RELAY_H
#define CT_RELAY_H

#include <stddef.h>
#include <stdint.h>
#include <openssl/evp.h>
#include <sys/types.h>

#define RELAY_PROTO     2
/*
 * Payload bytes per DATA frame: a node forwards a frame once it has checked
 * it, so each hop adds one frame's time on the wire (32 KiB: 26 ms at
 * 10 Mbit/s, 0.8 s over 32 hops; 128 KiB measured 1.7x slower from 8 to 32
 * nodes at 10 Mbit/s, 1 MiB would add 2.7 s over 32 hops at 100 Mbit/s).
 */
#define RELAY_BLOCK     (32u << 10)
#define RELAY_NONCE_LEN 12                 /* random prefix u64, counter u32 */
#define RELAY_HDR       (17 + RELAY_NONCE_LEN) /* type u8, entry u32, block u64, len u32, nonce */
#define RELAY_TAG       16
#define RELAY_MAX_FRAME (RELAY_HDR + RELAY_BLOCK + RELAY_TAG)
#define RELAY_KEY_LEN   32
#define RELAY_CHAL_LEN  40                 /* "CTRELAY" + proto byte + 32 random */
#define RELAY_MAC_LEN   32
#define RELAY_RESUME_LEN (12 + RELAY_MAC_LEN)
#define RELAY_MAX_PATH  4096
#define RELAY_PUB_LEN   32                 /* Ed25519 public key */
#define RELAY_SIG_LEN   64
#define RELAY_END_LEN   (4 + RELAY_SIG_LEN) /* END payload: entry count u32, signature */
#define RELAY_REFUSED   (-2)               /* not what the head signed (see relay_sink_frame) */
#define RELAY_HASHES_PER 1000              /* block hashes per HASHES frame (31.25 MiB of a file) */

enum relay_type { RELAY_ENTRY = 1, RELAY_DATA = 2, RELAY_END = 3, RELAY_HASHES = 4 };
enum relay_etype { RELAY_E_FILE = 0, RELAY_E_DIR = 1 };

struct relay_key {
	unsigned char enc[32]; /* AES-256-GCM */
	unsigned char mac[32]; /* HMAC-SHA256 for the handshake */
};

struct relay_frame {
	uint8_t type;
	uint32_t entry;
	uint64_t block;
	uint32_t len; /* payload (plaintext) length */
	unsigned char nonce[RELAY_NONCE_LEN];
};

/* One sealing session: a random nonce prefix and a counter. */
struct relay_sealer {
	unsigned char prefix[8];
	uint32_t count;
};

/* What an ENTRY frame says. PATH is NUL-terminated, at most RELAY_MAX_PATH - 1 bytes. */
struct relay_entry {
	int type;              /* RELAY_E_FILE or RELAY_E_DIR */
	int blind;             /* write even when the target looks unchanged */
	uint32_t mode;         /* 07777 */
	int64_t mtime;
	uint64_t size;
	unsigned char sha256[32];  /* SHA-256 over the SHA-256 of each block (relay_digest) */
	char path[RELAY_MAX_PATH];
};

/* Fill SECRET with random bytes (0, or -1 when the RNG fails). */
int relay_secret_new(unsigned char secret[RELAY_KEY_LEN]);
/* Derive both keys from the transfer secret. */
void relay_key_derive(struct relay_key *k, const unsigned char secret[RELAY_KEY_LEN]);
/* 32 bytes (the secret, or a public key) as 64 hex digits + NUL; and back (0, or -1 if not 64 hex digits). */
void relay_secret_hex(const unsigned char secret[RELAY_KEY_LEN], char out[2 * RELAY_KEY_LEN + 1]);
int relay_secret_parse(const char *hex, unsigned char secret[RELAY_KEY_LEN]);

/*
 * Check a frame header (RELAY_HDR bytes): known type, payload length within
 * bounds, block index allowed for the type. 0, or -1 with ERR.
 */
int relay_frame_parse(const unsigned char *hdr, struct relay_frame *f, char *err, size_t errlen);

/* A new sealing session (fresh random prefix). 0, or -1 when the RNG fails. */
int relay_sealer_new(struct relay_sealer *s);
/*
 * Seal PLAIN (f->len bytes) into OUT (RELAY_HDR + f->len + RELAY_TAG bytes)
 * under S's next nonce (written into f->nonce). Returns the frame length, 0
 * on failure.
 */
size_t relay_seal(const struct relay_key *k, struct relay_sealer *s, struct relay_frame *f, const void *plain,
		  unsigned char *out);

/*
 * Authenticate and decrypt a whole frame (header already parsed into F)
 * into PLAIN (f->len bytes). 0, or -1 when the tag does not match (tampered
 * or another key): PLAIN must then be ignored.
 */
int relay_open(const struct relay_key *k, const struct relay_frame *f, const unsigned char *frame,
	       unsigned char *plain);

/* An entry's fields: encode into OUT (returns its length, at most relay_entry_max()). */
size_t relay_entry_max(void);
size_t relay_entry_encode(const struct relay_entry *e, unsigned char *out);
/* Decode and check (relative or empty paths, "..", NUL, bad type or mode). 0, or -1 with ERR. */
int relay_entry_decode(const unsigned char *buf, size_t len, struct relay_entry *e, char *err, size_t errlen);

/*
 * The head's signing key for one transfer: a new Ed25519 key pair, its
 * public key into PUB. NULL when it cannot be made. relay_verifier: the
 * public key as a key to check with (NULL if PUB is not one).
 */
EVP_PKEY *relay_signer_new(unsigned char pub[RELAY_PUB_LEN]);
EVP_PKEY *relay_verifier_new(const unsigned char pub[RELAY_PUB_LEN]);
/* Longest ENTRY payload: entry count u32, signature, encoded entry. */
size_t relay_signed_max(void);
/* Entry I of COUNT as a signed ENTRY payload into OUT (relay_signed_max() bytes): its length, 0 on failure. */
size_t relay_entry_sign(EVP_PKEY *sk, uint32_t i, uint32_t count, const struct relay_entry *e, unsigned char *out);
/*
 * Check the head's signature on entry I's ENTRY payload P (LEN bytes),
 * decode it into E and its entry count into *COUNT. 0, or -1 with ERR (the
 * entry must then not be used).
 */
int relay_entry_verify(EVP_PKEY *pk, uint32_t i, const unsigned char *p, size_t len, struct relay_entry *e,
		       uint32_t *count, char *err, size_t errlen);
/*
 * A file's blocks: SHA-256 of each (BLOCK bytes of it) into OUT; its digest
 * is the SHA-256 over those hashes (relay_digest: HASHES, N of them).
 */
void relay_block_hash(const void *block, size_t len, unsigned char out[32]);
void relay_digest(const unsigned char *hashes, size_t n, unsigned char out[32]);
/* Blocks of a SIZE-byte file, and hashes in its HASHES frame CHUNK (0 past its end). */
uint64_t relay_blocks(uint64_t size);
size_t relay_chunk_hashes(uint64_t size, uint64_t chunk);
/*
 * Entry I's hashes of chunk CHUNK (N of them: blocks CHUNK * RELAY_HASHES_PER
 * on) as a signed HASHES payload into OUT (RELAY_SIG_LEN + 32 * N bytes):
 * its length, 0 on failure. SK NULL: the file's only chunk, which its
 * signed digest covers already (the signature is left zero: one signature
 * check less per small file). And its check: 0, or -1; DIGEST not NULL:
 * the only chunk, checked against the entry's signed digest.
 */
size_t relay_hashes_sign(EVP_PKEY *sk, uint32_t i, uint64_t chunk, const unsigned char *hashes, size_t n,
			 unsigned char *out);
int relay_hashes_verify(EVP_PKEY *pk, uint32_t i, uint64_t chunk, const unsigned char *p, size_t len,
			const unsigned char *digest);
/* The END payload: COUNT entries, signed. And its check (0 with *COUNT, or -1). */
int relay_end_sign(EVP_PKEY *sk, uint32_t count, unsigned char out[RELAY_END_LEN]);
int relay_end_verify(EVP_PKEY *pk, const unsigned char p[RELAY_END_LEN], uint32_t *count);

/* Handshake pieces. */
int relay_challenge_new(unsigned char chal[RELAY_CHAL_LEN]);
int relay_challenge_check(const unsigned char chal[RELAY_CHAL_LEN]);
void relay_hello(const struct relay_key *k, const unsigned char chal[RELAY_CHAL_LEN],
		 unsigned char out[RELAY_MAC_LEN]);
int relay_hello_check(const struct relay_key *k, const unsigned char chal[RELAY_CHAL_LEN],
		      const unsigned char in[RELAY_MAC_LEN]);
void relay_resume(const struct relay_key *k, const unsigned char chal[RELAY_CHAL_LEN], uint32_t entry,
		  uint64_t off, unsigned char out[RELAY_RESUME_LEN]);
/* 0 with *ENTRY and *OFF (OFF a multiple of RELAY_BLOCK), or -1. */
int relay_resume_check(const struct relay_key *k, const unsigned char chal[RELAY_CHAL_LEN],
		       const unsigned char in[RELAY_RESUME_LEN], uint32_t *entry, uint64_t *off);

#endif
