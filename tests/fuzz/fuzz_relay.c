/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: what a relay reads from a peer that passed the
 * handshake — frame headers (relay_frame_parse), sealed frames under a fixed
 * key (relay_open must refuse anything not sealed by relay_seal), ENTRY
 * payloads (relay_entry_verify against a fixed head key: only what that key
 * signed is accepted, and it survives a round trip), HASHES and END payloads.
 * The seeds (corpus/relay) are sealed and signed with the same fixed keys.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "relay.h"

static unsigned char plain[RELAY_BLOCK];

static void entry_roundtrip(const uint8_t *data, size_t size)
{
	struct relay_entry e, d;
	char err[256];
	if (relay_entry_decode(data, size, &e, err, sizeof err) < 0)
		return;
	unsigned char buf[8192];
	size_t n = relay_entry_encode(&e, buf);
	if (n != size || memcmp(buf, data, n) != 0)
		abort();
	if (relay_entry_decode(buf, n, &d, err, sizeof err) < 0 || strcmp(d.path, e.path) != 0)
		abort();
}

/* A signed ENTRY payload: accepted only when the fixed head key signed it for index I. */
static void entry_signed(EVP_PKEY *pk, uint32_t i, const uint8_t *data, size_t size)
{
	struct relay_entry e;
	uint32_t count;
	char err[256];
	if (relay_entry_verify(pk, i, data, size, &e, &count, err, sizeof err) < 0)
		return;
	if (i >= count || size <= 4 + RELAY_SIG_LEN)
		abort();
	entry_roundtrip(data + 4 + RELAY_SIG_LEN, size - 4 - RELAY_SIG_LEN);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct relay_key k;
	static EVP_PKEY *pk;
	if (!pk) {
		unsigned char secret[RELAY_KEY_LEN] = { 1, 2, 3 }, seed[32] = { 4, 5, 6 }, pub[RELAY_PUB_LEN];
		size_t len = sizeof pub;
		relay_key_derive(&k, secret);
		EVP_PKEY *sk = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, sizeof seed);
		if (!sk || EVP_PKEY_get_raw_public_key(sk, pub, &len) != 1 || !(pk = relay_verifier_new(pub)))
			abort();
		EVP_PKEY_free(sk);
	}
	entry_roundtrip(data, size);
	entry_signed(pk, 0, data, size);
	while (size >= RELAY_HDR) {
		struct relay_frame f;
		char err[256];
		uint32_t count;
		if (relay_frame_parse(data, &f, err, sizeof err) < 0)
			return 0;
		size_t need = RELAY_HDR + f.len + RELAY_TAG;
		if (size < need)
			return 0;
		if (relay_open(&k, &f, data, plain) == 0 && f.type == RELAY_ENTRY)
			entry_signed(pk, f.entry, plain, f.len);
		else if (f.type == RELAY_HASHES && relay_open(&k, &f, data, plain) == 0)
			relay_hashes_verify(pk, f.entry, f.block, plain, f.len, NULL);
		else if (f.type == RELAY_END && f.len == RELAY_END_LEN && relay_open(&k, &f, data, plain) == 0)
			relay_end_verify(pk, plain, &count);
		data += need;
		size -= need;
	}
	return 0;
}
