/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * proto — imgsync's wire protocol as pure encoding and decoding over byte
 * buffers (no I/O). A frame is a 32-bit big-endian length, then a type byte
 * and the payload. The client opens with HELLO (options and excludes); the
 * sender streams ENTRY messages and LIST_END; the receiver answers with REQ
 * (whole file or delta, a delta followed by SIG chunks of its old file's
 * librsync signature) and REQ_END; the sender streams DATA (offset + bytes,
 * holes are simply not sent) or DELTA chunks, FILE_END per file and DONE;
 * the receiver ends with ITEM lines and a SUMMARY. With the COMPRESS hello
 * flag the sender may send ZDATA (a DATA chunk as one zstd frame) instead.
 * ERROR carries a message either way. Everything from the peer is validated
 * here: paths are relative, without "." or ".." components, sorted, below a
 * directory already listed; hard links point back to an earlier
 * non-directory; sizes are bounded.
 */
#ifndef IMGSYNC_PROTO_H
#define IMGSYNC_PROTO_H

#include <stddef.h>
#include <stdint.h>

#include "flist.h"

#define IMGS_MAGIC 0x494d4753u /* "IMGS" */
#define IMGS_VERSION 1
#define IMGS_FRAME_MAX (8u << 20)
#define IMGS_CHUNK (256u << 10)
#define IMGS_XATTR_MAX 1024
#define IMGS_XATTR_VALUE_MAX (64u << 10)
#define IMGS_EXCL_MAX 100000

enum imgs_msg {
	IMGS_M_HELLO = 1, IMGS_M_ENTRY, IMGS_M_LIST_END, IMGS_M_REQ, IMGS_M_SIG, IMGS_M_REQ_END,
	IMGS_M_DATA, IMGS_M_DELTA, IMGS_M_FILE_END, IMGS_M_DONE, IMGS_M_ITEM, IMGS_M_SUMMARY,
	IMGS_M_ERROR, IMGS_M_ZDATA, IMGS_M_MAX
};

/*
 * HELLO flags. FORCE: the receiver takes an image that is empty or not a
 * root filesystem; MAX_DELETE: the hello ends with the most paths the
 * receiver may delete (a peer that predates it refuses the flag).
 */
enum {
	IMGS_F_CHECKSUM = 1, IMGS_F_DRY_RUN = 2, IMGS_F_NO_DELETE = 4, IMGS_F_ITEMIZE = 8, IMGS_F_COMPRESS = 16,
	IMGS_F_FORCE = 32, IMGS_F_MAX_DELETE = 64
};
#define IMGS_F_ALL 127u

/* REQ kinds */
enum { IMGS_REQ_WHOLE = 0, IMGS_REQ_DELTA = 1 };

struct imgs_wbuf {
	unsigned char *p;
	size_t len, cap;
};

struct imgs_rbuf {
	const unsigned char *p;
	size_t len, off;
	int bad;
};

void imgs_put_u8(struct imgs_wbuf *b, uint8_t v);
void imgs_put_u32(struct imgs_wbuf *b, uint32_t v);
void imgs_put_u64(struct imgs_wbuf *b, uint64_t v);
void imgs_put_bytes(struct imgs_wbuf *b, const void *p, size_t n);
void imgs_put_str(struct imgs_wbuf *b, const char *s, size_t n); /* u32 length + bytes */
void imgs_wbuf_free(struct imgs_wbuf *b);

uint8_t imgs_get_u8(struct imgs_rbuf *r);
uint32_t imgs_get_u32(struct imgs_rbuf *r);
uint64_t imgs_get_u64(struct imgs_rbuf *r);
/* A length-prefixed string of at most MAX bytes; NULL and bad set on error. */
const unsigned char *imgs_get_str(struct imgs_rbuf *r, size_t max, size_t *len);

/* Frame helpers: start a frame of TYPE in B, then finish it (fills the length). */
size_t imgs_frame_begin(struct imgs_wbuf *b, uint8_t type);
void imgs_frame_end(struct imgs_wbuf *b, size_t start);
/*
 * Split one frame off BUF: 1 (TYPE, BODY, BODYLEN set, *USED bytes consumed),
 * 0 need more bytes, -1 bad frame (ERR says why).
 */
int imgs_frame_parse(const unsigned char *buf, size_t len, uint8_t *type, const unsigned char **body,
		     size_t *bodylen, size_t *used, char *err, size_t errlen);

struct imgs_hello {
	uint32_t flags;
	uint64_t max_delete;  /* with IMGS_F_MAX_DELETE */
	size_t nexcl;
	char **excl;
};
void imgs_enc_hello(struct imgs_wbuf *b, uint32_t flags, uint64_t max_delete, char *const *excl, size_t nexcl);
int imgs_dec_hello(const unsigned char *p, size_t n, struct imgs_hello *h, char *err, size_t errlen);
void imgs_hello_free(struct imgs_hello *h);

/*
 * An ENTRY frame holds one or more entries, each encoded against the one
 * before it (shared path prefix, fields equal to the previous entry's left
 * out, varints). PREV is NULL for the first entry of the list.
 */
void imgs_enc_entry(struct imgs_wbuf *b, const struct imgs_entry *prev, const struct imgs_entry *e);
/* A whole list: ENTRY frames of about 64 KiB, then LIST_END. */
void imgs_enc_list(struct imgs_wbuf *b, const struct imgs_flist *l);
/* Decode the next entry of R (its own fields only; see imgs_flist_accept). 0 or -1 with ERR. */
int imgs_dec_entry(struct imgs_rbuf *r, const struct imgs_entry *prev, struct imgs_entry *e, char *err,
		   size_t errlen);
void imgs_put_varint(struct imgs_wbuf *b, uint64_t v);
uint64_t imgs_get_varint(struct imgs_rbuf *r);
/*
 * May E be appended to LIST, as received from a peer? Checks order, that the
 * first entry is the root ".", that the parent is a listed directory, and
 * hard links. 0 or -1 with ERR.
 */
int imgs_flist_accept(const struct imgs_flist *list, const struct imgs_entry *e, char *err, size_t errlen);

void imgs_enc_u32msg(struct imgs_wbuf *b, uint8_t type, uint32_t v);
void imgs_enc_req(struct imgs_wbuf *b, uint32_t index, uint8_t kind);
int imgs_dec_req(const unsigned char *p, size_t n, uint32_t *index, uint8_t *kind);
/* SIG, DELTA: index + bytes; DATA: index + offset + bytes */
void imgs_enc_chunk(struct imgs_wbuf *b, uint8_t type, uint32_t index, const void *data, size_t len);
int imgs_dec_chunk(const unsigned char *p, size_t n, uint32_t *index, const unsigned char **data,
		   size_t *len);
void imgs_enc_data(struct imgs_wbuf *b, uint32_t index, uint64_t offset, const void *data, size_t len);
int imgs_dec_data(const unsigned char *p, size_t n, uint32_t *index, uint64_t *offset,
		  const unsigned char **data, size_t *len);
/* ZDATA: index + offset + raw length + one zstd frame of that many bytes */
void imgs_enc_zdata(struct imgs_wbuf *b, uint32_t index, uint64_t offset, uint32_t rawlen, const void *z,
		    size_t zlen);
/* Decompress into OUT (IMGS_CHUNK bytes): 0 with *LEN set, -1 if bad or not exactly the raw length. */
int imgs_dec_zdata(const unsigned char *p, size_t n, uint32_t *index, uint64_t *offset, unsigned char *out,
		   size_t *len);
int imgs_dec_u32msg(const unsigned char *p, size_t n, uint32_t *v);
void imgs_enc_text(struct imgs_wbuf *b, uint8_t type, const char *text);
/* ITEM, ERROR: a printable line without newlines. Returns a new string or NULL. */
char *imgs_dec_text(const unsigned char *p, size_t n);

struct imgs_summary {
	uint64_t files, created, updated, deleted, linked;
	uint64_t file_bytes;    /* bytes of the files whose content was sent */
	uint64_t wire_bytes;    /* bytes received by the receiver */
	uint64_t image_bytes;   /* all regular files of the image */
	uint64_t errors;
};
void imgs_enc_summary(struct imgs_wbuf *b, const struct imgs_summary *s);
int imgs_dec_summary(const unsigned char *p, size_t n, struct imgs_summary *s);

#endif
