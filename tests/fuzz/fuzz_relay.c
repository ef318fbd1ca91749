/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: what a relay reads from a peer that passed the
 * handshake — frame headers (relay_frame_parse), sealed frames under a fixed
 * key (relay_open must refuse anything not sealed by relay_seal), and ENTRY
 * payloads (relay_entry_decode: accepted entries survive a round trip).
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct relay_key k;
	static int init;
	if (!init) {
		unsigned char secret[RELAY_KEY_LEN] = { 1, 2, 3 };
		relay_key_derive(&k, secret);
		init = 1;
	}
	entry_roundtrip(data, size);
	while (size >= RELAY_HDR) {
		struct relay_frame f;
		char err[256];
		if (relay_frame_parse(data, &f, err, sizeof err) < 0)
			return 0;
		size_t need = RELAY_HDR + f.len + RELAY_TAG;
		if (size < need)
			return 0;
		if (relay_open(&k, &f, data, plain) == 0 && f.type == RELAY_ENTRY)
			entry_roundtrip(plain, f.len);
		data += need;
		size -= need;
	}
	return 0;
}
