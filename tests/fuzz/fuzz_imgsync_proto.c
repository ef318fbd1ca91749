/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: imgsync's wire protocol as a receiver sees it — a stream
 * of frames, each decoded by its type; entries must pass the list rules
 * (imgsync/proto). Accepted entries must survive an encode/decode round trip.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../imgsync/proto.h"

static void check_roundtrip(const struct imgs_entry *prev, const struct imgs_entry *e)
{
	struct imgs_wbuf b = { 0 };
	imgs_enc_entry(&b, prev, e);
	struct imgs_entry d;
	char err[256];
	struct imgs_rbuf r = { b.p, b.len, 0, 0 };
	if (imgs_dec_entry(&r, prev, &d, err, sizeof err) < 0 || r.off != b.len)
		abort();
	if (strcmp(d.path, e->path) || d.type != e->type || d.size != e->size || d.nxattrs != e->nxattrs ||
	    d.link_to != e->link_to || strcmp(d.target, e->target))
		abort();
	imgs_entry_free(&d);
	imgs_wbuf_free(&b);
}

static unsigned char zbuf[IMGS_CHUNK];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct imgs_flist list = { 0 };
	char err[512];
	size_t off = 0;
	while (off < size) {
		uint8_t type;
		const unsigned char *body;
		size_t len, used;
		if (imgs_frame_parse(data + off, size - off, &type, &body, &len, &used, err, sizeof err) <= 0)
			break;
		off += used;
		uint32_t idx, v;
		uint64_t o;
		uint8_t kind;
		const unsigned char *d;
		size_t dl;
		struct imgs_hello h;
		struct imgs_summary s;
		struct imgs_entry e;
		char *t;
		switch (type) {
		case IMGS_M_HELLO:
			if (imgs_dec_hello(body, len, &h, err, sizeof err) == 0)
				imgs_hello_free(&h);
			break;
		case IMGS_M_ENTRY: {
			struct imgs_rbuf r = { body, len, 0, 0 };
			while (r.off < len) {
				const struct imgs_entry *prev = list.n ? &list.e[list.n - 1] : NULL;
				if (imgs_dec_entry(&r, prev, &e, err, sizeof err) < 0)
					break;
				if (imgs_flist_accept(&list, &e, err, sizeof err) < 0) {
					imgs_entry_free(&e);
					break;
				}
				check_roundtrip(prev, &e);
				imgs_flist_push(&list, &e);
			}
			break;
		}
		case IMGS_M_REQ:
			imgs_dec_req(body, len, &idx, &kind);
			break;
		case IMGS_M_SIG:
		case IMGS_M_DELTA:
			imgs_dec_chunk(body, len, &idx, &d, &dl);
			break;
		case IMGS_M_DATA:
			imgs_dec_data(body, len, &idx, &o, &d, &dl);
			break;
		case IMGS_M_ZDATA:
			imgs_dec_zdata(body, len, &idx, &o, zbuf, &dl);
			break;
		case IMGS_M_LIST_END:
		case IMGS_M_FILE_END:
			imgs_dec_u32msg(body, len, &v);
			break;
		case IMGS_M_ITEM:
		case IMGS_M_ERROR:
			t = imgs_dec_text(body, len);
			free(t);
			break;
		case IMGS_M_SUMMARY:
			imgs_dec_summary(body, len, &s);
			break;
		default:
			break;
		}
	}
	imgs_flist_free(&list);
	return 0;
}
