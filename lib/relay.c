/* SPDX-License-Identifier: BSD-3-Clause */
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "relay.h"

#define ENTRY_BLOCK UINT64_MAX
#define END_BLOCK   (UINT64_MAX - 1)
#define END_ENTRY   UINT32_MAX
#define MAX_DATA_BLOCK (UINT64_C(1) << 40)
#define ENTRY_FIXED 56 /* type, blind, mode u32, mtime i64, size u64, sha 32, pathlen u16 */
#define SIGNED_FIXED (4 + RELAY_SIG_LEN) /* before the encoded entry: count u32, signature */

static const char magic[7] = "CTRELAY";

static void put32(unsigned char *p, uint32_t v)
{
	for (int i = 3; i >= 0; i--, v >>= 8)
		p[i] = (unsigned char)v;
}

static void put64(unsigned char *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (unsigned char)v;
}

static uint32_t get32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t get64(const unsigned char *p)
{
	return (uint64_t)get32(p) << 32 | get32(p + 4);
}

int relay_secret_new(unsigned char secret[RELAY_KEY_LEN])
{
	return RAND_bytes(secret, RELAY_KEY_LEN) == 1 ? 0 : -1;
}

static void hmac(const unsigned char key[32], const void *a, size_t alen, const void *b, size_t blen,
		 const void *c, size_t clen, unsigned char out[32])
{
	unsigned char buf[256];
	size_t n = 0;
	memcpy(buf + n, a, alen), n += alen;
	memcpy(buf + n, b, blen), n += blen;
	if (clen)
		memcpy(buf + n, c, clen), n += clen;
	unsigned int len = 32;
	HMAC(EVP_sha256(), key, 32, buf, n, out, &len);
}

void relay_key_derive(struct relay_key *k, const unsigned char secret[RELAY_KEY_LEN])
{
	hmac(secret, "ctrelay enc", 11, "", 0, NULL, 0, k->enc);
	hmac(secret, "ctrelay mac", 11, "", 0, NULL, 0, k->mac);
}

void relay_secret_hex(const unsigned char secret[RELAY_KEY_LEN], char out[2 * RELAY_KEY_LEN + 1])
{
	for (int i = 0; i < RELAY_KEY_LEN; i++)
		snprintf(out + 2 * i, 3, "%02x", secret[i]);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int relay_secret_parse(const char *hex, unsigned char secret[RELAY_KEY_LEN])
{
	if (strlen(hex) != 2 * RELAY_KEY_LEN)
		return -1;
	for (int i = 0; i < RELAY_KEY_LEN; i++) {
		int h = hexval(hex[2 * i]), l = hexval(hex[2 * i + 1]);
		if (h < 0 || l < 0)
			return -1;
		secret[i] = (unsigned char)(h << 4 | l);
	}
	return 0;
}

int relay_frame_parse(const unsigned char *hdr, struct relay_frame *f, char *err, size_t errlen)
{
	f->type = hdr[0];
	f->entry = get32(hdr + 1);
	f->block = get64(hdr + 5);
	f->len = get32(hdr + 13);
	memcpy(f->nonce, hdr + 17, RELAY_NONCE_LEN);
	const char *bad = NULL;
	switch (f->type) {
	case RELAY_ENTRY:
		if (f->block != ENTRY_BLOCK || f->entry == END_ENTRY)
			bad = "entry frame with a bad index";
		else if (f->len < SIGNED_FIXED + ENTRY_FIXED + 1 || f->len > relay_signed_max())
			bad = "entry frame of a bad length";
		break;
	case RELAY_DATA:
		if (f->block >= MAX_DATA_BLOCK || f->entry == END_ENTRY)
			bad = "data frame with a bad index";
		else if (f->len == 0 || f->len > RELAY_BLOCK)
			bad = "data frame of a bad length";
		break;
	case RELAY_HASHES:
		if (f->block >= MAX_DATA_BLOCK / RELAY_HASHES_PER || f->entry == END_ENTRY)
			bad = "hashes frame with a bad index";
		else if (f->len <= RELAY_SIG_LEN || (f->len - RELAY_SIG_LEN) % 32 ||
			 (f->len - RELAY_SIG_LEN) / 32 > RELAY_HASHES_PER)
			bad = "hashes frame of a bad length";
		break;
	case RELAY_END:
		if (f->entry != END_ENTRY || f->block != END_BLOCK || f->len != RELAY_END_LEN)
			bad = "bad end frame";
		break;
	default:
		bad = "unknown frame type";
	}
	if (bad) {
		snprintf(err, errlen, "%s", bad);
		return -1;
	}
	return 0;
}

static void header(const struct relay_frame *f, unsigned char *hdr)
{
	hdr[0] = f->type;
	put32(hdr + 1, f->entry);
	put64(hdr + 5, f->block);
	put32(hdr + 13, f->len);
	memcpy(hdr + 17, f->nonce, RELAY_NONCE_LEN);
}

int relay_sealer_new(struct relay_sealer *s)
{
	s->count = 0;
	return RAND_bytes(s->prefix, sizeof s->prefix) == 1 ? 0 : -1;
}

/* AES-256-GCM over one frame: ENC 1 seals IN into OUT and writes the tag, 0 opens and checks it. */
static int gcm(const struct relay_key *k, int enc, const unsigned char *hdr, const unsigned char nonce[12],
	       const unsigned char *in, size_t len, unsigned char *out, unsigned char *tag)
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int ok = c != NULL, n;
	ok = ok && EVP_CipherInit_ex(c, EVP_aes_256_gcm(), NULL, k->enc, nonce, enc) == 1;
	ok = ok && EVP_CipherUpdate(c, NULL, &n, hdr, RELAY_HDR) == 1;
	ok = ok && (len == 0 || EVP_CipherUpdate(c, out, &n, in, (int)len) == 1);
	if (ok && !enc)
		ok = EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, RELAY_TAG, tag) == 1;
	ok = ok && EVP_CipherFinal_ex(c, out + len, &n) == 1;
	if (ok && enc)
		ok = EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, RELAY_TAG, tag) == 1;
	EVP_CIPHER_CTX_free(c);
	return ok ? 0 : -1;
}

size_t relay_seal(const struct relay_key *k, struct relay_sealer *s, struct relay_frame *f, const void *plain,
		  unsigned char *out)
{
	if (s->count == UINT32_MAX && relay_sealer_new(s) < 0)
		return 0;
	memcpy(f->nonce, s->prefix, sizeof s->prefix);
	put32(f->nonce + sizeof s->prefix, s->count++);
	header(f, out);
	if (gcm(k, 1, out, f->nonce, plain, f->len, out + RELAY_HDR, out + RELAY_HDR + f->len) < 0)
		return 0;
	return RELAY_HDR + f->len + RELAY_TAG;
}

int relay_open(const struct relay_key *k, const struct relay_frame *f, const unsigned char *frame,
	       unsigned char *plain)
{
	unsigned char hdr[RELAY_HDR], tag[RELAY_TAG];
	header(f, hdr);
	if (memcmp(hdr, frame, RELAY_HDR) != 0)
		return -1;
	memcpy(tag, frame + RELAY_HDR + f->len, RELAY_TAG);
	return gcm(k, 0, hdr, f->nonce, frame + RELAY_HDR, f->len, plain, tag);
}

size_t relay_entry_max(void)
{
	return ENTRY_FIXED + RELAY_MAX_PATH - 1;
}

size_t relay_entry_encode(const struct relay_entry *e, unsigned char *out)
{
	size_t plen = strlen(e->path);
	out[0] = (unsigned char)e->type;
	out[1] = (unsigned char)(e->blind != 0);
	put32(out + 2, e->mode);
	put64(out + 6, (uint64_t)e->mtime);
	put64(out + 14, e->size);
	memcpy(out + 22, e->sha256, 32);
	out[54] = (unsigned char)(plen >> 8);
	out[55] = (unsigned char)plen;
	memcpy(out + ENTRY_FIXED, e->path, plen);
	return ENTRY_FIXED + plen;
}

/* An absolute path without "." or ".." components or empty ones. */
static int clean_path(const char *p)
{
	if (p[0] != '/')
		return 0;
	for (const char *s = p; *s;) {
		const char *c = s + 1, *end = strchr(c, '/');
		size_t n = end ? (size_t)(end - c) : strlen(c);
		if ((n == 0 && (end || c != p + 1)) || (n == 1 && c[0] == '.') ||
		    (n == 2 && c[0] == '.' && c[1] == '.'))
			return 0;
		s = c + n;
	}
	return 1;
}

int relay_entry_decode(const unsigned char *buf, size_t len, struct relay_entry *e, char *err, size_t errlen)
{
	const char *bad = NULL;
	size_t plen = len >= ENTRY_FIXED ? (size_t)buf[54] << 8 | buf[55] : 0;
	memset(e, 0, sizeof *e);
	if (len < ENTRY_FIXED || plen + ENTRY_FIXED != len || plen == 0 || plen >= RELAY_MAX_PATH)
		bad = "entry of a bad length";
	else if (buf[0] > RELAY_E_DIR || buf[1] > 1)
		bad = "entry of an unknown type";
	else if (get32(buf + 2) & ~07777u)
		bad = "entry with a bad mode";
	else if (buf[0] == RELAY_E_DIR && get64(buf + 14) != 0)
		bad = "directory entry with a size";
	else if (memchr(buf + ENTRY_FIXED, '\0', plen))
		bad = "entry path with a NUL byte";
	if (!bad) {
		memcpy(e->path, buf + ENTRY_FIXED, plen);
		e->path[plen] = '\0';
		if (!clean_path(e->path) || strcmp(e->path, "/") == 0)
			bad = "entry path not absolute and clean";
	}
	if (bad) {
		snprintf(err, errlen, "%s", bad);
		return -1;
	}
	e->type = buf[0];
	e->blind = buf[1];
	e->mode = get32(buf + 2);
	e->mtime = (int64_t)get64(buf + 6);
	e->size = get64(buf + 14);
	memcpy(e->sha256, buf + 22, 32);
	return 0;
}

/* ---- the head's signatures --------------------------------------------- */

EVP_PKEY *relay_signer_new(unsigned char pub[RELAY_PUB_LEN])
{
	EVP_PKEY *sk = NULL;
	EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, NULL);
	size_t len = RELAY_PUB_LEN;
	if (!c || EVP_PKEY_keygen_init(c) != 1 || EVP_PKEY_keygen(c, &sk) != 1 ||
	    EVP_PKEY_get_raw_public_key(sk, pub, &len) != 1 || len != RELAY_PUB_LEN) {
		EVP_PKEY_free(sk);
		sk = NULL;
	}
	EVP_PKEY_CTX_free(c);
	return sk;
}

EVP_PKEY *relay_verifier_new(const unsigned char pub[RELAY_PUB_LEN])
{
	return EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pub, RELAY_PUB_LEN);
}

size_t relay_signed_max(void)
{
	return SIGNED_FIXED + relay_entry_max();
}

/* What is signed: CONTEXT (with its NUL), then BODY. Into BUF (room for SIGNED_FIXED + entry max). */
static size_t message(unsigned char *buf, const char *context, const unsigned char *body, size_t len)
{
	size_t n = strlen(context) + 1;
	memcpy(buf, context, n);
	memcpy(buf + n, body, len);
	return n + len;
}

static int sign(EVP_PKEY *sk, const unsigned char *msg, size_t len, unsigned char sig[RELAY_SIG_LEN])
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	size_t siglen = RELAY_SIG_LEN;
	int ok = c && EVP_DigestSignInit(c, NULL, NULL, NULL, sk) == 1 &&
		 EVP_DigestSign(c, sig, &siglen, msg, len) == 1 && siglen == RELAY_SIG_LEN;
	EVP_MD_CTX_free(c);
	return ok ? 0 : -1;
}

static int verify(EVP_PKEY *pk, const unsigned char *msg, size_t len, const unsigned char sig[RELAY_SIG_LEN])
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	int ok = c && pk && EVP_DigestVerifyInit(c, NULL, NULL, NULL, pk) == 1 &&
		 EVP_DigestVerify(c, sig, RELAY_SIG_LEN, msg, len) == 1;
	EVP_MD_CTX_free(c);
	return ok ? 0 : -1;
}

#define ENTRY_CONTEXT "ctrelay 2 entry"
#define END_CONTEXT   "ctrelay 2 end"
#define MSG_MAX       (sizeof ENTRY_CONTEXT + 8 + ENTRY_FIXED + RELAY_MAX_PATH)

/* The signed message of entry I of COUNT: context, index, count, the encoded entry. */
static size_t entry_message(unsigned char *msg, uint32_t i, uint32_t count, const unsigned char *enc, size_t len)
{
	unsigned char body[8 + ENTRY_FIXED + RELAY_MAX_PATH];
	put32(body, i);
	put32(body + 4, count);
	memcpy(body + 8, enc, len);
	return message(msg, ENTRY_CONTEXT, body, 8 + len);
}

size_t relay_entry_sign(EVP_PKEY *sk, uint32_t i, uint32_t count, const struct relay_entry *e, unsigned char *out)
{
	unsigned char msg[MSG_MAX];
	size_t len = relay_entry_encode(e, out + SIGNED_FIXED);
	put32(out, count);
	if (sign(sk, msg, entry_message(msg, i, count, out + SIGNED_FIXED, len), out + 4) < 0)
		return 0;
	return SIGNED_FIXED + len;
}

int relay_entry_verify(EVP_PKEY *pk, uint32_t i, const unsigned char *p, size_t len, struct relay_entry *e,
		       uint32_t *count, char *err, size_t errlen)
{
	unsigned char msg[MSG_MAX];
	if (len < SIGNED_FIXED + ENTRY_FIXED || len > relay_signed_max()) {
		snprintf(err, errlen, "entry %u of a bad length", i);
		return -1;
	}
	*count = get32(p);
	if (verify(pk, msg, entry_message(msg, i, *count, p + SIGNED_FIXED, len - SIGNED_FIXED), p + 4) < 0) {
		snprintf(err, errlen, "entry %u is not signed by the head", i);
		return -1;
	}
	if (i >= *count) {
		snprintf(err, errlen, "entry %u is beyond the %u the head signed", i, *count);
		return -1;
	}
	return relay_entry_decode(p + SIGNED_FIXED, len - SIGNED_FIXED, e, err, errlen);
}

void relay_block_hash(const void *block, size_t len, unsigned char out[32])
{
	SHA256(block, len, out);
}

void relay_digest(const unsigned char *hashes, size_t n, unsigned char out[32])
{
	SHA256(hashes, 32 * n, out);
}

uint64_t relay_blocks(uint64_t size)
{
	return (size + RELAY_BLOCK - 1) / RELAY_BLOCK;
}

size_t relay_chunk_hashes(uint64_t size, uint64_t chunk)
{
	uint64_t first = chunk * RELAY_HASHES_PER, n = relay_blocks(size);
	if (chunk >= MAX_DATA_BLOCK / RELAY_HASHES_PER || first >= n)
		return 0;
	return n - first < RELAY_HASHES_PER ? (size_t)(n - first) : RELAY_HASHES_PER;
}

#define HASHES_CONTEXT "ctrelay 2 hashes"

/* The signed message of entry I's chunk CHUNK: context, index, chunk, hashes. Caller frees. */
static unsigned char *hashes_message(uint32_t i, uint64_t chunk, const unsigned char *hashes, size_t n,
				     size_t *len)
{
	size_t head = sizeof HASHES_CONTEXT + 12;
	unsigned char *msg = malloc(head + 32 * n);
	if (!msg)
		return NULL;
	memcpy(msg, HASHES_CONTEXT, sizeof HASHES_CONTEXT);
	put32(msg + sizeof HASHES_CONTEXT, i);
	put64(msg + sizeof HASHES_CONTEXT + 4, chunk);
	memcpy(msg + head, hashes, 32 * n);
	*len = head + 32 * n;
	return msg;
}

size_t relay_hashes_sign(EVP_PKEY *sk, uint32_t i, uint64_t chunk, const unsigned char *hashes, size_t n,
			 unsigned char *out)
{
	size_t len;
	memcpy(out + RELAY_SIG_LEN, hashes, 32 * n);
	if (!sk) {
		memset(out, 0, RELAY_SIG_LEN);
		return RELAY_SIG_LEN + 32 * n;
	}
	unsigned char *msg = hashes_message(i, chunk, hashes, n, &len);
	int rc = msg ? sign(sk, msg, len, out) : -1;
	free(msg);
	return rc < 0 ? 0 : RELAY_SIG_LEN + 32 * n;
}

int relay_hashes_verify(EVP_PKEY *pk, uint32_t i, uint64_t chunk, const unsigned char *p, size_t len,
			const unsigned char *digest)
{
	if (len <= RELAY_SIG_LEN || (len - RELAY_SIG_LEN) % 32)
		return -1;
	if (digest) {
		unsigned char d[32];
		relay_digest(p + RELAY_SIG_LEN, (len - RELAY_SIG_LEN) / 32, d);
		return chunk == 0 && CRYPTO_memcmp(d, digest, 32) == 0 ? 0 : -1;
	}
	size_t mlen;
	unsigned char *msg = hashes_message(i, chunk, p + RELAY_SIG_LEN, (len - RELAY_SIG_LEN) / 32, &mlen);
	int rc = msg ? verify(pk, msg, mlen, p) : -1;
	free(msg);
	return rc;
}

int relay_end_sign(EVP_PKEY *sk, uint32_t count, unsigned char out[RELAY_END_LEN])
{
	unsigned char msg[64];
	put32(out, count);
	return sign(sk, msg, message(msg, END_CONTEXT, out, 4), out + 4);
}

int relay_end_verify(EVP_PKEY *pk, const unsigned char p[RELAY_END_LEN], uint32_t *count)
{
	unsigned char msg[64];
	*count = get32(p);
	return verify(pk, msg, message(msg, END_CONTEXT, p, 4), p + 4);
}

/* ---- the handshake ----------------------------------------------------- */

int relay_challenge_new(unsigned char chal[RELAY_CHAL_LEN])
{
	memcpy(chal, magic, sizeof magic);
	chal[7] = RELAY_PROTO;
	return RAND_bytes(chal + 8, RELAY_CHAL_LEN - 8) == 1 ? 0 : -1;
}

int relay_challenge_check(const unsigned char chal[RELAY_CHAL_LEN])
{
	return memcmp(chal, magic, sizeof magic) == 0 && chal[7] == RELAY_PROTO ? 0 : -1;
}

void relay_hello(const struct relay_key *k, const unsigned char chal[RELAY_CHAL_LEN],
		 unsigned char out[RELAY_MAC_LEN])
{
	hmac(k->mac, "hello", 5, chal, RELAY_CHAL_LEN, NULL, 0, out);
}

int relay_hello_check(const struct relay_key *k, const unsigned char chal[RELAY_CHAL_LEN],
		      const unsigned char in[RELAY_MAC_LEN])
{
	unsigned char want[RELAY_MAC_LEN];
	relay_hello(k, chal, want);
	return CRYPTO_memcmp(want, in, RELAY_MAC_LEN) == 0 ? 0 : -1;
}

void relay_resume(const struct relay_key *k, const unsigned char chal[RELAY_CHAL_LEN], uint32_t entry,
		  uint64_t off, unsigned char out[RELAY_RESUME_LEN])
{
	put32(out, entry);
	put64(out + 4, off);
	hmac(k->mac, "resume", 6, chal, RELAY_CHAL_LEN, out, 12, out + 12);
}

int relay_resume_check(const struct relay_key *k, const unsigned char chal[RELAY_CHAL_LEN],
		       const unsigned char in[RELAY_RESUME_LEN], uint32_t *entry, uint64_t *off)
{
	unsigned char want[RELAY_MAC_LEN];
	hmac(k->mac, "resume", 6, chal, RELAY_CHAL_LEN, in, 12, want);
	if (CRYPTO_memcmp(want, in + 12, RELAY_MAC_LEN) != 0)
		return -1;
	*entry = get32(in);
	*off = get64(in + 4);
	return *off % RELAY_BLOCK == 0 ? 0 : -1;
}
