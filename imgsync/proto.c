/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#include "fsutil.h"
#include "log.h"
#include "proto.h"
#include "xalloc.h"

#define PATH_MAX_WIRE 4095
#define LIST_MAX 100000000u

static void reserve(struct imgs_wbuf *b, size_t n)
{
	if (b->len + n <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < b->len + n)
		cap *= 2;
	b->p = xrealloc(b->p, cap);
	b->cap = cap;
}

void imgs_put_bytes(struct imgs_wbuf *b, const void *p, size_t n)
{
	if (n == 0)
		return;
	reserve(b, n);
	memcpy(b->p + b->len, p, n);
	b->len += n;
}

void imgs_put_u8(struct imgs_wbuf *b, uint8_t v)
{
	imgs_put_bytes(b, &v, 1);
}

void imgs_put_u32(struct imgs_wbuf *b, uint32_t v)
{
	unsigned char x[4] = { (unsigned char)(v >> 24), (unsigned char)(v >> 16), (unsigned char)(v >> 8),
			       (unsigned char)v };
	imgs_put_bytes(b, x, 4);
}

void imgs_put_u64(struct imgs_wbuf *b, uint64_t v)
{
	imgs_put_u32(b, (uint32_t)(v >> 32));
	imgs_put_u32(b, (uint32_t)v);
}

void imgs_put_str(struct imgs_wbuf *b, const char *s, size_t n)
{
	imgs_put_u32(b, (uint32_t)n);
	imgs_put_bytes(b, s, n);
}

void imgs_wbuf_free(struct imgs_wbuf *b)
{
	free(b->p);
	memset(b, 0, sizeof *b);
}

static const unsigned char *take(struct imgs_rbuf *r, size_t n)
{
	if (r->bad || r->len - r->off < n) {
		r->bad = 1;
		return NULL;
	}
	const unsigned char *p = r->p + r->off;
	r->off += n;
	return p;
}

uint8_t imgs_get_u8(struct imgs_rbuf *r)
{
	const unsigned char *p = take(r, 1);
	return p ? p[0] : 0;
}

uint32_t imgs_get_u32(struct imgs_rbuf *r)
{
	const unsigned char *p = take(r, 4);
	if (!p)
		return 0;
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

uint64_t imgs_get_u64(struct imgs_rbuf *r)
{
	uint64_t hi = imgs_get_u32(r);
	return hi << 32 | imgs_get_u32(r);
}

const unsigned char *imgs_get_str(struct imgs_rbuf *r, size_t max, size_t *len)
{
	uint32_t n = imgs_get_u32(r);
	if (r->bad || n > max) {
		r->bad = 1;
		return NULL;
	}
	*len = n;
	const unsigned char *p = take(r, n);
	return p ? p : NULL;
}

size_t imgs_frame_begin(struct imgs_wbuf *b, uint8_t type)
{
	size_t start = b->len;
	imgs_put_u32(b, 0);
	imgs_put_u8(b, type);
	return start;
}

void imgs_frame_end(struct imgs_wbuf *b, size_t start)
{
	uint32_t n = (uint32_t)(b->len - start - 4);
	b->p[start] = (unsigned char)(n >> 24);
	b->p[start + 1] = (unsigned char)(n >> 16);
	b->p[start + 2] = (unsigned char)(n >> 8);
	b->p[start + 3] = (unsigned char)n;
}

int imgs_frame_parse(const unsigned char *buf, size_t len, uint8_t *type, const unsigned char **body,
		     size_t *bodylen, size_t *used, char *err, size_t errlen)
{
	if (len < 4)
		return 0;
	uint32_t n = (uint32_t)buf[0] << 24 | (uint32_t)buf[1] << 16 | (uint32_t)buf[2] << 8 | buf[3];
	if (n < 1 || n > IMGS_FRAME_MAX) {
		snprintf(err, errlen, "bad frame length %u", n);
		return -1;
	}
	if (len - 4 < n)
		return 0;
	if (buf[4] == 0 || buf[4] >= IMGS_M_MAX) {
		snprintf(err, errlen, "unknown message type %u", buf[4]);
		return -1;
	}
	*type = buf[4];
	*body = buf + 5;
	*bodylen = n - 1;
	*used = 4 + (size_t)n;
	return 1;
}

/* --- HELLO --------------------------------------------------------------- */

void imgs_enc_hello(struct imgs_wbuf *b, uint32_t flags, uint64_t max_delete, char *const *excl, size_t nexcl)
{
	size_t f = imgs_frame_begin(b, IMGS_M_HELLO);
	imgs_put_u32(b, IMGS_MAGIC);
	imgs_put_u32(b, IMGS_VERSION);
	imgs_put_u32(b, flags);
	imgs_put_u32(b, (uint32_t)nexcl);
	for (size_t i = 0; i < nexcl; i++)
		imgs_put_str(b, excl[i], strlen(excl[i]));
	if (flags & IMGS_F_MAX_DELETE)
		imgs_put_u64(b, max_delete);
	imgs_frame_end(b, f);
}

static int text_ok(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] == '\0' || p[i] == '\n')
			return 0;
	return 1;
}

void imgs_hello_free(struct imgs_hello *h)
{
	for (size_t i = 0; i < h->nexcl; i++)
		free(h->excl[i]);
	free(h->excl);
	memset(h, 0, sizeof *h);
}

int imgs_dec_hello(const unsigned char *p, size_t n, struct imgs_hello *h, char *err, size_t errlen)
{
	struct imgs_rbuf r = { p, n, 0, 0 };
	memset(h, 0, sizeof *h);
	uint32_t magic = imgs_get_u32(&r), version = imgs_get_u32(&r);
	h->flags = imgs_get_u32(&r);
	uint32_t nexcl = imgs_get_u32(&r);
	if (r.bad || magic != IMGS_MAGIC) {
		snprintf(err, errlen, "not an imgsync peer (bad hello)");
		return -1;
	}
	if (version != IMGS_VERSION) {
		snprintf(err, errlen, "protocol version %u, expected %u", version, IMGS_VERSION);
		return -1;
	}
	if ((h->flags & ~IMGS_F_ALL) || nexcl > IMGS_EXCL_MAX || nexcl > n / 4) {
		snprintf(err, errlen, "bad hello flags or exclude count");
		return -1;
	}
	h->excl = xcalloc(nexcl ? nexcl : 1, sizeof *h->excl);
	for (uint32_t i = 0; i < nexcl; i++) {
		size_t len;
		const unsigned char *s = imgs_get_str(&r, PATH_MAX_WIRE, &len);
		if (!s || !text_ok(s, len)) {
			snprintf(err, errlen, "bad exclude pattern %u", i);
			imgs_hello_free(h);
			return -1;
		}
		h->excl[h->nexcl++] = xstrndup((const char *)s, len);
	}
	if (h->flags & IMGS_F_MAX_DELETE)
		h->max_delete = imgs_get_u64(&r);
	if (r.bad || r.off != n) {
		snprintf(err, errlen, r.bad ? "hello too short for its max-delete" : "trailing bytes in hello");
		imgs_hello_free(h);
		return -1;
	}
	return 0;
}

/* --- ENTRY --------------------------------------------------------------- */

enum {
	E_SAME_MODE = 1, E_SAME_UID = 2, E_SAME_GID = 4, E_SAME_SEC = 8, E_TARGET = 16, E_XATTRS = 32,
	E_SUM = 64, E_LINK = 128, E_RDEV = 256, E_ALL = 511
};

void imgs_put_varint(struct imgs_wbuf *b, uint64_t v)
{
	unsigned char x[10];
	size_t n = 0;
	do {
		x[n] = (unsigned char)(v & 127);
		v >>= 7;
		if (v)
			x[n] |= 128;
		n++;
	} while (v);
	imgs_put_bytes(b, x, n);
}

uint64_t imgs_get_varint(struct imgs_rbuf *r)
{
	uint64_t v = 0;
	for (int shift = 0; shift < 64; shift += 7) {
		const unsigned char *p = take(r, 1);
		if (!p)
			return 0;
		if (shift == 63 && *p > 1)
			break;
		v |= (uint64_t)(*p & 127) << shift;
		if (!(*p & 128))
			return v;
	}
	r->bad = 1;
	return 0;
}

static void put_vstr(struct imgs_wbuf *b, const void *s, size_t n)
{
	imgs_put_varint(b, n);
	imgs_put_bytes(b, s, n);
}

static const unsigned char *get_vstr(struct imgs_rbuf *r, size_t max, size_t *len)
{
	uint64_t n = imgs_get_varint(r);
	if (r->bad || n > max) {
		r->bad = 1;
		return NULL;
	}
	*len = (size_t)n;
	return take(r, (size_t)n);
}

static size_t common_prefix(const char *a, const char *b)
{
	size_t n = 0;
	while (a[n] && a[n] == b[n])
		n++;
	return n;
}

void imgs_enc_entry(struct imgs_wbuf *b, const struct imgs_entry *prev, const struct imgs_entry *e)
{
	uint64_t flags = 0;
	if (prev) {
		flags |= prev->mode == e->mode ? E_SAME_MODE : 0;
		flags |= prev->uid == e->uid ? E_SAME_UID : 0;
		flags |= prev->gid == e->gid ? E_SAME_GID : 0;
		flags |= prev->mtime_sec == e->mtime_sec ? E_SAME_SEC : 0;
	}
	flags |= e->target && *e->target ? E_TARGET : 0;
	flags |= e->nxattrs ? E_XATTRS : 0;
	flags |= e->has_sum ? E_SUM : 0;
	flags |= e->link_to != IMGS_NOLINK ? E_LINK : 0;
	flags |= e->rdev ? E_RDEV : 0;
	imgs_put_varint(b, flags);
	size_t pre = prev ? common_prefix(prev->path, e->path) : 0;
	imgs_put_varint(b, pre);
	put_vstr(b, e->path + pre, strlen(e->path + pre));
	imgs_put_u8(b, e->type);
	if (!(flags & E_SAME_MODE))
		imgs_put_varint(b, e->mode);
	if (!(flags & E_SAME_UID))
		imgs_put_varint(b, e->uid);
	if (!(flags & E_SAME_GID))
		imgs_put_varint(b, e->gid);
	imgs_put_varint(b, e->size);
	if (!(flags & E_SAME_SEC))
		imgs_put_varint(b, ((uint64_t)e->mtime_sec << 1) ^ (uint64_t)(e->mtime_sec >> 63));
	imgs_put_varint(b, e->mtime_nsec);
	if (flags & E_RDEV)
		imgs_put_varint(b, e->rdev);
	if (flags & E_TARGET)
		put_vstr(b, e->target, strlen(e->target));
	if (flags & E_LINK)
		imgs_put_varint(b, e->link_to);
	if (flags & E_XATTRS) {
		imgs_put_varint(b, e->nxattrs);
		for (uint32_t i = 0; i < e->nxattrs; i++) {
			put_vstr(b, e->xattrs[i].name, strlen(e->xattrs[i].name));
			put_vstr(b, e->xattrs[i].value, e->xattrs[i].len);
		}
	}
	if (flags & E_SUM)
		imgs_put_bytes(b, e->sum, IMGS_SUMLEN);
}

void imgs_enc_list(struct imgs_wbuf *b, const struct imgs_flist *l)
{
	size_t f = 0;
	int open = 0;
	for (size_t i = 0; i < l->n; i++) {
		if (open && b->len - f > 60000) {
			imgs_frame_end(b, f);
			open = 0;
		}
		if (!open) {
			f = imgs_frame_begin(b, IMGS_M_ENTRY);
			open = 1;
		}
		imgs_enc_entry(b, i ? &l->e[i - 1] : NULL, &l->e[i]);
	}
	if (open)
		imgs_frame_end(b, f);
	imgs_enc_u32msg(b, IMGS_M_LIST_END, (uint32_t)l->n);
}

static int fail(char *err, size_t errlen, const char *path, const char *what)
{
	if (path)
		snprintf(err, errlen, "entry \"%.200s\": %s", path, what);
	else
		snprintf(err, errlen, "entry: %s", what);
	return -1;
}

static int dec_xattrs(struct imgs_rbuf *r, struct imgs_entry *e, char *err, size_t errlen)
{
	uint64_t n = imgs_get_varint(r);
	if (r->bad || n == 0 || n > IMGS_XATTR_MAX)
		return fail(err, errlen, e->path, "bad xattr count");
	e->xattrs = xcalloc((size_t)n, sizeof *e->xattrs);
	for (uint64_t i = 0; i < n; i++) {
		size_t nl = 0, vl = 0;
		const unsigned char *name = get_vstr(r, 255, &nl);
		if (!name || nl == 0 || !text_ok(name, nl))
			return fail(err, errlen, e->path, "bad xattr name");
		const unsigned char *val = get_vstr(r, IMGS_XATTR_VALUE_MAX, &vl);
		if (!val || r->bad)
			return fail(err, errlen, e->path, "bad xattr value");
		struct imgs_xattr *x = &e->xattrs[e->nxattrs++];
		x->name = xstrndup((const char *)name, nl);
		x->value = xmalloc(vl + 1);
		if (vl)
			memcpy(x->value, val, vl);
		x->len = (uint32_t)vl;
		if (i > 0 && strcmp(e->xattrs[i - 1].name, x->name) >= 0)
			return fail(err, errlen, e->path, "xattrs not sorted or repeated");
	}
	return 0;
}

static int dec_path(struct imgs_rbuf *r, const struct imgs_entry *prev, struct imgs_entry *e, char *err,
		    size_t errlen)
{
	uint64_t pre = imgs_get_varint(r);
	size_t len = 0;
	const unsigned char *s = get_vstr(r, PATH_MAX_WIRE, &len);
	size_t plen = prev ? strlen(prev->path) : 0;
	if (!s || pre > plen || pre + len == 0 || pre + len > PATH_MAX_WIRE || memchr(s, '\0', len))
		return fail(err, errlen, NULL, "bad path");
	e->path = xmalloc((size_t)pre + len + 1);
	if (pre)
		memcpy(e->path, prev->path, (size_t)pre);
	memcpy(e->path + pre, s, len);
	e->path[pre + len] = '\0';
	if (strcmp(e->path, ".") != 0 && !fs_name_is_safe(e->path))
		return fail(err, errlen, e->path, "unsafe path (absolute, \"..\", \".\" or empty component)");
	return 0;
}

static int dec_entry_fields(struct imgs_rbuf *r, const struct imgs_entry *prev, struct imgs_entry *e,
			    char *err, size_t errlen)
{
	uint64_t flags = imgs_get_varint(r);
	if (r->bad || (flags & ~(uint64_t)E_ALL) || (!prev && (flags & (E_SAME_MODE | E_SAME_UID | E_SAME_GID | E_SAME_SEC))))
		return fail(err, errlen, NULL, "bad flags");
	if (dec_path(r, prev, e, err, errlen) < 0)
		return -1;
	e->type = imgs_get_u8(r);
	uint64_t mode = flags & E_SAME_MODE ? prev->mode : imgs_get_varint(r);
	uint64_t uid = flags & E_SAME_UID ? prev->uid : imgs_get_varint(r);
	uint64_t gid = flags & E_SAME_GID ? prev->gid : imgs_get_varint(r);
	e->size = imgs_get_varint(r);
	if (flags & E_SAME_SEC) {
		e->mtime_sec = prev->mtime_sec;
	} else {
		uint64_t z = imgs_get_varint(r);
		e->mtime_sec = (int64_t)(z >> 1) ^ -(int64_t)(z & 1);
	}
	uint64_t nsec = imgs_get_varint(r);
	e->rdev = flags & E_RDEV ? imgs_get_varint(r) : 0;
	size_t tl = 0;
	const unsigned char *t = flags & E_TARGET ? get_vstr(r, PATH_MAX_WIRE, &tl) : (const unsigned char *)"";
	uint64_t link = flags & E_LINK ? imgs_get_varint(r) : IMGS_NOLINK;
	if (r->bad)
		return fail(err, errlen, e->path, "truncated");
	if (e->type < IMGS_REG || e->type > IMGS_SOCK)
		return fail(err, errlen, e->path, "bad type");
	if (mode > 07777 || uid > UINT32_MAX || gid > UINT32_MAX || nsec >= 1000000000u || link >= IMGS_NOLINK + 1ull ||
	    ((flags & E_LINK) && link == IMGS_NOLINK))
		return fail(err, errlen, e->path, "bad mode, owner, mtime or link");
	e->mode = (uint32_t)mode;
	e->uid = (uint32_t)uid;
	e->gid = (uint32_t)gid;
	e->mtime_nsec = (uint32_t)nsec;
	e->link_to = (uint32_t)link;
	if ((e->type == IMGS_LNK) != (tl > 0))
		return fail(err, errlen, e->path, "symlink target missing or not a symlink");
	if (memchr(t, '\0', tl))
		return fail(err, errlen, e->path, "NUL in symlink target");
	e->target = xstrndup((const char *)t, tl);
	if (e->type != IMGS_REG && e->size != 0)
		return fail(err, errlen, e->path, "size on a non-file");
	if (e->size > (uint64_t)INT64_MAX)
		return fail(err, errlen, e->path, "bad size");
	if (e->type != IMGS_CHR && e->type != IMGS_BLK && e->rdev != 0)
		return fail(err, errlen, e->path, "device number on a non-device");
	if ((flags & E_XATTRS) && dec_xattrs(r, e, err, errlen) < 0)
		return -1;
	if (flags & E_SUM) {
		const unsigned char *sum = take(r, IMGS_SUMLEN);
		if (sum)
			memcpy(e->sum, sum, IMGS_SUMLEN);
		e->has_sum = 1;
	}
	if (r->bad)
		return fail(err, errlen, e->path, "truncated");
	return 0;
}

int imgs_dec_entry(struct imgs_rbuf *r, const struct imgs_entry *prev, struct imgs_entry *e, char *err,
		   size_t errlen)
{
	memset(e, 0, sizeof *e);
	if (dec_entry_fields(r, prev, e, err, errlen) < 0) {
		imgs_entry_free(e);
		return -1;
	}
	return 0;
}

int imgs_flist_accept(const struct imgs_flist *list, const struct imgs_entry *e, char *err, size_t errlen)
{
	int is_root = strcmp(e->path, ".") == 0;
	if (list->n == 0) {
		if (!is_root || e->type != IMGS_DIR || e->link_to != IMGS_NOLINK)
			return fail(err, errlen, e->path, "the list must start with the root directory");
		return 0;
	}
	if (list->n >= LIST_MAX)
		return fail(err, errlen, e->path, "too many entries");
	if (imgs_path_cmp(list->e[list->n - 1].path, e->path) >= 0)
		return fail(err, errlen, e->path, "out of order or repeated");
	const char *slash = strrchr(e->path, '/');
	long parent = 0;
	if (slash) {
		char *dir = xstrndup(e->path, (size_t)(slash - e->path));
		parent = imgs_flist_find(list, dir);
		free(dir);
	}
	if (parent < 0 || list->e[parent].type != IMGS_DIR)
		return fail(err, errlen, e->path, "parent is not a directory of the list (path through a symlink?)");
	if (e->link_to != IMGS_NOLINK) {
		if (e->link_to >= list->n)
			return fail(err, errlen, e->path, "hard link to a later entry");
		const struct imgs_entry *l = &list->e[e->link_to];
		if (e->type == IMGS_DIR || l->type != e->type || l->link_to != IMGS_NOLINK)
			return fail(err, errlen, e->path, "bad hard link");
	}
	return 0;
}

/* --- small messages ------------------------------------------------------ */

void imgs_enc_u32msg(struct imgs_wbuf *b, uint8_t type, uint32_t v)
{
	size_t f = imgs_frame_begin(b, type);
	imgs_put_u32(b, v);
	imgs_frame_end(b, f);
}

int imgs_dec_u32msg(const unsigned char *p, size_t n, uint32_t *v)
{
	struct imgs_rbuf r = { p, n, 0, 0 };
	*v = imgs_get_u32(&r);
	return r.bad || r.off != n ? -1 : 0;
}

void imgs_enc_req(struct imgs_wbuf *b, uint32_t index, uint8_t kind)
{
	size_t f = imgs_frame_begin(b, IMGS_M_REQ);
	imgs_put_u32(b, index);
	imgs_put_u8(b, kind);
	imgs_frame_end(b, f);
}

int imgs_dec_req(const unsigned char *p, size_t n, uint32_t *index, uint8_t *kind)
{
	struct imgs_rbuf r = { p, n, 0, 0 };
	*index = imgs_get_u32(&r);
	*kind = imgs_get_u8(&r);
	return r.bad || r.off != n || *kind > IMGS_REQ_DELTA ? -1 : 0;
}

void imgs_enc_chunk(struct imgs_wbuf *b, uint8_t type, uint32_t index, const void *data, size_t len)
{
	size_t f = imgs_frame_begin(b, type);
	imgs_put_u32(b, index);
	imgs_put_bytes(b, data, len);
	imgs_frame_end(b, f);
}

int imgs_dec_chunk(const unsigned char *p, size_t n, uint32_t *index, const unsigned char **data,
		   size_t *len)
{
	struct imgs_rbuf r = { p, n, 0, 0 };
	*index = imgs_get_u32(&r);
	if (r.bad)
		return -1;
	*data = p + r.off;
	*len = n - r.off;
	return 0;
}

void imgs_enc_data(struct imgs_wbuf *b, uint32_t index, uint64_t offset, const void *data, size_t len)
{
	size_t f = imgs_frame_begin(b, IMGS_M_DATA);
	imgs_put_u32(b, index);
	imgs_put_u64(b, offset);
	imgs_put_bytes(b, data, len);
	imgs_frame_end(b, f);
}

int imgs_dec_data(const unsigned char *p, size_t n, uint32_t *index, uint64_t *offset,
		  const unsigned char **data, size_t *len)
{
	struct imgs_rbuf r = { p, n, 0, 0 };
	*index = imgs_get_u32(&r);
	*offset = imgs_get_u64(&r);
	if (r.bad || *offset > (uint64_t)INT64_MAX - IMGS_FRAME_MAX)
		return -1;
	*data = p + r.off;
	*len = n - r.off;
	return 0;
}

void imgs_enc_zdata(struct imgs_wbuf *b, uint32_t index, uint64_t offset, uint32_t rawlen, const void *z,
		    size_t zlen)
{
	size_t f = imgs_frame_begin(b, IMGS_M_ZDATA);
	imgs_put_u32(b, index);
	imgs_put_u64(b, offset);
	imgs_put_u32(b, rawlen);
	imgs_put_bytes(b, z, zlen);
	imgs_frame_end(b, f);
}

int imgs_dec_zdata(const unsigned char *p, size_t n, uint32_t *index, uint64_t *offset, unsigned char *out,
		   size_t *len)
{
	struct imgs_rbuf r = { p, n, 0, 0 };
	*index = imgs_get_u32(&r);
	*offset = imgs_get_u64(&r);
	uint32_t rawlen = imgs_get_u32(&r);
	if (r.bad || *offset > (uint64_t)INT64_MAX - IMGS_FRAME_MAX || rawlen == 0 || rawlen > IMGS_CHUNK)
		return -1;
	size_t got = ZSTD_decompress(out, rawlen, p + r.off, n - r.off);
	if (ZSTD_isError(got) || got != rawlen)
		return -1;
	*len = rawlen;
	return 0;
}

void imgs_enc_text(struct imgs_wbuf *b, uint8_t type, const char *text)
{
	size_t f = imgs_frame_begin(b, type);
	imgs_put_str(b, text, strlen(text));
	imgs_frame_end(b, f);
}

char *imgs_dec_text(const unsigned char *p, size_t n)
{
	struct imgs_rbuf r = { p, n, 0, 0 };
	size_t len;
	const unsigned char *s = imgs_get_str(&r, 65536, &len);
	if (r.bad || r.off != n || memchr(s, '\0', len))
		return NULL;
	char *t = xstrndup((const char *)s, len);
	for (char *c = t; *c; c++)
		if ((unsigned char)*c < 0x20 && *c != '\t')
			*c = '?';
	return t;
}

void imgs_enc_summary(struct imgs_wbuf *b, const struct imgs_summary *s)
{
	size_t f = imgs_frame_begin(b, IMGS_M_SUMMARY);
	const uint64_t v[] = { s->files, s->created, s->updated, s->deleted, s->linked,
			       s->file_bytes, s->wire_bytes, s->image_bytes, s->errors };
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
		imgs_put_u64(b, v[i]);
	imgs_frame_end(b, f);
}

int imgs_dec_summary(const unsigned char *p, size_t n, struct imgs_summary *s)
{
	struct imgs_rbuf r = { p, n, 0, 0 };
	uint64_t *v[] = { &s->files, &s->created, &s->updated, &s->deleted, &s->linked,
			  &s->file_bytes, &s->wire_bytes, &s->image_bytes, &s->errors };
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
		*v[i] = imgs_get_u64(&r);
	return r.bad || r.off != n ? -1 : 0;
}
