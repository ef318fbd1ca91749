/* SPDX-License-Identifier: BSD-3-Clause */
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <string.h>

#include "relay.h"

#define ENTRY_BLOCK UINT64_MAX
#define END_BLOCK   (UINT64_MAX - 1)
#define END_ENTRY   UINT32_MAX
#define MAX_DATA_BLOCK (UINT64_C(1) << 40)
#define ENTRY_FIXED 56 /* type, blind, mode u32, mtime i64, size u64, sha 32, pathlen u16 */

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
	const char *bad = NULL;
	switch (f->type) {
	case RELAY_ENTRY:
		if (f->block != ENTRY_BLOCK || f->entry == END_ENTRY)
			bad = "entry frame with a bad index";
		else if (f->len < ENTRY_FIXED + 1 || f->len > relay_entry_max())
			bad = "entry frame of a bad length";
		break;
	case RELAY_DATA:
		if (f->block >= MAX_DATA_BLOCK || f->entry == END_ENTRY)
			bad = "data frame with a bad index";
		else if (f->len == 0 || f->len > RELAY_BLOCK)
			bad = "data frame of a bad length";
		break;
	case RELAY_END:
		if (f->entry != END_ENTRY || f->block != END_BLOCK || f->len != 0)
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

static void header(const struct relay_frame *f, unsigned char *hdr, unsigned char nonce[12])
{
	hdr[0] = f->type;
	put32(hdr + 1, f->entry);
	put64(hdr + 5, f->block);
	put32(hdr + 13, f->len);
	memcpy(nonce, hdr + 1, 12);
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

size_t relay_seal(const struct relay_key *k, const struct relay_frame *f, const void *plain,
		  unsigned char *out)
{
	unsigned char nonce[12];
	header(f, out, nonce);
	if (gcm(k, 1, out, nonce, plain, f->len, out + RELAY_HDR, out + RELAY_HDR + f->len) < 0)
		return 0;
	return RELAY_HDR + f->len + RELAY_TAG;
}

int relay_open(const struct relay_key *k, const struct relay_frame *f, const unsigned char *frame,
	       unsigned char *plain)
{
	unsigned char hdr[RELAY_HDR], nonce[12], tag[RELAY_TAG];
	header(f, hdr, nonce);
	if (memcmp(hdr, frame, RELAY_HDR) != 0)
		return -1;
	memcpy(tag, frame + RELAY_HDR + f->len, RELAY_TAG);
	return gcm(k, 0, hdr, nonce, frame + RELAY_HDR, f->len, plain, tag);
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
