/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * relayio — the relay wire format (relay.h) over sockets and files: the
 * handshake on both ends, reading one frame, feeding entries from local
 * files (the head, and a node re-feeding its new successor after a fault),
 * and the sink that lands what a node receives.
 *
 * The sink checks the head's signature on every ENTRY before it creates
 * anything and every block against its signed hash before it writes it
 * (relay.h), writes each file to ".cpush.NAME.TAG.tmp" beside its target,
 * checks the file's digest against the signed one, sets mode and mtime,
 * then renames it into place: a cut transfer never leaves a partial file at
 * the target path, and a refused one leaves nothing.
 */
#ifndef CT_RELAYIO_H
#define CT_RELAYIO_H

#include <openssl/evp.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "relay.h"

#include "relayctl.h"

/* Write all of BUF. 0, or -1 with errno (ETIMEDOUT: the peer took nothing for RELAY_STALL_SECONDS). */
int relay_write_all(int fd, const void *buf, size_t len);
/* Read exactly LEN bytes within TIMEOUT_MS in all (-1: forever). 0, or -1 (errno; 0 at EOF). */
int relay_read_full(int fd, void *buf, size_t len, int timeout_ms);

/* Listener side: challenge, check HELLO, answer RESUME (ENTRY, OFF). 0, or -1 with ERR. */
int relay_accept(int fd, const struct relay_key *k, uint32_t entry, uint64_t off, char *err, size_t errlen);
/* Sender side: read the challenge, HELLO, read RESUME into *ENTRY and *OFF. 0, or -1 with ERR. */
int relay_hello_send(int fd, const struct relay_key *k, uint32_t *entry, uint64_t *off, char *err,
		     size_t errlen);

/* Read one whole frame into BUF (RELAY_MAX_FRAME bytes): its length, 0 at EOF, -1 with ERR. */
ssize_t relay_read_frame(int fd, unsigned char *buf, struct relay_frame *f, char *err, size_t errlen);

/*
 * Where a feeder finds entry I: the head's signed ENTRY payload (*SIGNED,
 * *LEN: sent as it is), its fields (E) and the file holding its bytes
 * (NULL for a directory, or bytes not kept); the head's signed HASHES
 * payload of its chunk CHUNK (NULL if not here).
 */
struct relay_source {
	int (*get)(void *arg, uint32_t i, struct relay_entry *e, const unsigned char **signed_entry, size_t *len,
		   const char **data_path);
	const unsigned char *(*hashes)(void *arg, uint32_t i, uint64_t chunk, size_t *len);
	const unsigned char *end; /* the signed END payload (RELAY_END_LEN bytes), for RELAY_FEED_END */
	void *arg;
	uint64_t *fed;  /* if not NULL: data bytes sent are added (atomically: another thread reads it) */
};

enum { RELAY_FEED_LAST = 1, RELAY_FEED_END = 2 };

/*
 * Send entries [FROM_ENTRY, TO_ENTRY) starting at FROM_OFF in the first;
 * with RELAY_FEED_LAST also entry TO_ENTRY's ENTRY frame and its bytes up
 * to TO_OFF; with RELAY_FEED_END the END frame. Frames are sealed under a
 * fresh nonce prefix; each block read is checked against its signed hash
 * before it is sent. 0, -1 with ERR, or RELAY_REFUSED with ERR: a file
 * changed since it was hashed (its changed block was not sent).
 */
int relay_feed(int fd, const struct relay_key *k, const struct relay_source *src, uint32_t from_entry,
	       uint64_t from_off, uint32_t to_entry, uint64_t to_off, int flags, char *err, size_t errlen);

enum relay_result { RELAY_R_OK, RELAY_R_SKIP, RELAY_R_ERR };

/* What a node did with each entry; its state lets it serve the entry again. */
struct relay_landed {
	unsigned char *signed_entry;  /* the head's ENTRY payload, passed on as it is */
	size_t signed_len;
	unsigned char **chunks;       /* its signed HASHES payloads by chunk (NULL: not seen yet) */
	size_t nchunks;
	char *path;
	int type, blind;
	uint32_t mode;
	int64_t mtime;
	uint64_t size;
	unsigned char sha256[32];
	enum relay_result result;
	char *error;                  /* RELAY_R_ERR: why */
	int done;
};

struct relay_sink {
	const char *tag;              /* in temporary names: the transfer's id */
	EVP_PKEY *head;               /* the head's public key */
	uint32_t count;               /* entries the head signed (once the first is seen) */
	int refused;                  /* something not signed came: nothing more is taken */
	unsigned char end[RELAY_END_LEN]; /* the signed END payload, once ended */
	struct relay_landed *e;       /* every entry seen, by index */
	size_t n;
	uint32_t have_entry;          /* next entry not complete */
	uint64_t have_off;            /* bytes of it written (a multiple of RELAY_BLOCK) */
	int ended;                    /* END frame seen */
	int fd;                       /* temporary file of have_entry, -1 */
	char *tmp;
	EVP_MD_CTX *sha;
	void (*report)(void *arg, uint32_t i, const struct relay_landed *l); /* each entry done */
	void *arg;
};

/* A sink for transfer TAG whose entries the head signs with HEAD (its public key). -1 if HEAD is not a key. */
int relay_sink_init(struct relay_sink *s, const char *tag, const unsigned char head[RELAY_PUB_LEN]);
/* Remove the temporary file of an entry cut short and free. */
void relay_sink_free(struct relay_sink *s);
/*
 * One opened frame: 1 applied, 0 out of sequence (ignored: a duplicate after
 * a re-route), -1 the stream is broken (ERR), RELAY_REFUSED: not what the
 * head signed (ERR: an entry or hashes not signed, out of order or beyond
 * the count, a block whose hash is not the signed one, a wrong END).
 * Nothing is written for it (nor may it be passed on), its temporary file
 * is gone, and every later frame is refused too.
 */
int relay_sink_frame(struct relay_sink *s, const struct relay_frame *f, const unsigned char *plain, char *err,
		     size_t errlen);
/* The sink as a feeder source (entries it has; landed or skipped files are read at their target). */
void relay_sink_source(struct relay_sink *s, struct relay_source *src);

/* Temporary name of PATH for transfer TAG. Caller frees. */
char *relay_tmp_name(const char *path, const char *tag);

#endif
