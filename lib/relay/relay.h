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
 * from it: one for AES-256-GCM, one for HMAC-SHA256.
 *   - A connection starts with the listener's CHALLENGE (magic + 32 random
 *     bytes); the sender answers HELLO = HMAC(k, "hello" | challenge). A
 *     listener reads nothing else from a peer that fails this. It then
 *     answers RESUME (entry, offset it holds) with its own HMAC over the
 *     challenge, so the sender knows it talks to a key holder too.
 *   - Every frame after that is sealed: a 17-byte header (type, entry
 *     index, block index, payload length) is the AAD, the nonce is
 *     (entry index, block index), which names exactly one plaintext in a
 *     transfer: a block re-sent after a fault, by whichever node, is the
 *     same bytes under the same nonce, so frames can be forwarded verbatim.
 *   - An ENTRY frame carries the path, type, mode, mtime, size and the whole
 *     file's SHA-256, checked by every node before the rename.
 */
#ifndef CT_RELAY_H
#define CT_RELAY_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define RELAY_PROTO     1
/*
 * Payload bytes per DATA frame: a node forwards a frame once it has checked
 * it, so each hop adds one frame's time on the wire (32 KiB: 26 ms at
 * 10 Mbit/s, 0.8 s over 32 hops; 128 KiB measured 1.7x slower from 8 to 32
 * nodes at 10 Mbit/s, 1 MiB would add 2.7 s over 32 hops at 100 Mbit/s).
 */
#define RELAY_BLOCK     (32u << 10)
#define RELAY_HDR       17                 /* type u8, entry u32, block u64, len u32 */
#define RELAY_TAG       16
#define RELAY_MAX_FRAME (RELAY_HDR + RELAY_BLOCK + RELAY_TAG)
#define RELAY_KEY_LEN   32
#define RELAY_CHAL_LEN  40                 /* "CTRELAY" + proto byte + 32 random */
#define RELAY_MAC_LEN   32
#define RELAY_RESUME_LEN (12 + RELAY_MAC_LEN)
#define RELAY_MAX_PATH  4096

enum relay_type { RELAY_ENTRY = 1, RELAY_DATA = 2, RELAY_END = 3 };
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
};

/* What an ENTRY frame says. PATH is NUL-terminated, at most RELAY_MAX_PATH - 1 bytes. */
struct relay_entry {
	int type;              /* RELAY_E_FILE or RELAY_E_DIR */
	int blind;             /* write even when the target looks unchanged */
	uint32_t mode;         /* 07777 */
	int64_t mtime;
	uint64_t size;
	unsigned char sha256[32];
	char path[RELAY_MAX_PATH];
};

/* Fill SECRET with random bytes (0, or -1 when the RNG fails). */
int relay_secret_new(unsigned char secret[RELAY_KEY_LEN]);
/* Derive both keys from the transfer secret. */
void relay_key_derive(struct relay_key *k, const unsigned char secret[RELAY_KEY_LEN]);
/* Secret as 64 hex digits + NUL; and back (0, or -1 if not 64 hex digits). */
void relay_secret_hex(const unsigned char secret[RELAY_KEY_LEN], char out[2 * RELAY_KEY_LEN + 1]);
int relay_secret_parse(const char *hex, unsigned char secret[RELAY_KEY_LEN]);

/*
 * Check a frame header (RELAY_HDR bytes): known type, payload length within
 * bounds, block index allowed for the type. 0, or -1 with ERR.
 */
int relay_frame_parse(const unsigned char *hdr, struct relay_frame *f, char *err, size_t errlen);

/*
 * Seal PLAIN (f->len bytes) into OUT (RELAY_HDR + f->len + RELAY_TAG bytes).
 * Returns the frame length.
 */
size_t relay_seal(const struct relay_key *k, const struct relay_frame *f, const void *plain,
		  unsigned char *out);

/*
 * Authenticate and decrypt a whole frame (header already parsed into F)
 * into PLAIN (f->len bytes). 0, or -1 when the tag does not match (tampered
 * or another key): PLAIN must then be ignored.
 */
int relay_open(const struct relay_key *k, const struct relay_frame *f, const unsigned char *frame,
	       unsigned char *plain);

/* ENTRY payload: encode into OUT (returns its length, at most relay_entry_max()). */
size_t relay_entry_max(void);
size_t relay_entry_encode(const struct relay_entry *e, unsigned char *out);
/* Decode and check (relative or empty paths, "..", NUL, bad type or mode). 0, or -1 with ERR. */
int relay_entry_decode(const unsigned char *buf, size_t len, struct relay_entry *e, char *err, size_t errlen);

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
