#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsutil.h"
#include "log.h"
#include "proto.h"

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

void imgs_enc_hello(struct imgs_wbuf *b, uint32_t flags, char *const *excl, size_t nexcl)
{
	size_t f = imgs_frame_begin(b, IMGS_M_HELLO);
	imgs_put_u32(b, IMGS_MAGIC);
	imgs_put_u32(b, IMGS_VERSION);
	imgs_put_u32(b, flags);
	imgs_put_u32(b, (uint32_t)nexcl);
	for (size_t i = 0; i < nexcl; i++)
		imgs_put_str(b, excl[i], strlen(excl[i]));
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
	if (r.off != n) {
		snprintf(err, errlen, "trailing bytes in hello");
		imgs_hello_free(h);
		return -1;
	}
	return 0;
}

/* --- ENTRY --------------------------------------------------------------- */

void imgs_enc_entry(struct imgs_wbuf *b, const struct imgs_entry *e)
{
	size_t f = imgs_frame_begin(b, IMGS_M_ENTRY);
	imgs_put_str(b, e->path, strlen(e->path));
	imgs_put_u8(b, e->type);
	imgs_put_u32(b, e->mode);
	imgs_put_u32(b, e->uid);
	imgs_put_u32(b, e->gid);
	imgs_put_u64(b, e->size);
	imgs_put_u64(b, (uint64_t)e->mtime_sec);
	imgs_put_u32(b, e->mtime_nsec);
	imgs_put_u64(b, e->rdev);
	imgs_put_str(b, e->target ? e->target : "", e->target ? strlen(e->target) : 0);
	imgs_put_u32(b, e->link_to);
	imgs_put_u32(b, e->nxattrs);
	for (uint32_t i = 0; i < e->nxattrs; i++) {
		imgs_put_str(b, e->xattrs[i].name, strlen(e->xattrs[i].name));
		imgs_put_str(b, (const char *)e->xattrs[i].value, e->xattrs[i].len);
	}
	imgs_put_u8(b, e->has_sum);
	if (e->has_sum)
		imgs_put_bytes(b, e->sum, IMGS_SUMLEN);
	imgs_frame_end(b, f);
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
	uint32_t n = imgs_get_u32(r);
	if (r->bad || n > IMGS_XATTR_MAX)
		return fail(err, errlen, e->path, "bad xattr count");
	e->xattrs = xcalloc(n ? n : 1, sizeof *e->xattrs);
	for (uint32_t i = 0; i < n; i++) {
		size_t nl = 0, vl = 0;
		const unsigned char *name = imgs_get_str(r, 255, &nl);
		if (!name || nl == 0 || !text_ok(name, nl))
			return fail(err, errlen, e->path, "bad xattr name");
		const unsigned char *val = imgs_get_str(r, IMGS_XATTR_VALUE_MAX, &vl);
		if (!val || r->bad)
			return fail(err, errlen, e->path, "truncated xattr");
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

static int dec_entry_fields(struct imgs_rbuf *r, struct imgs_entry *e, char *err, size_t errlen)
{
	size_t len;
	const unsigned char *s = imgs_get_str(r, PATH_MAX_WIRE, &len);
	if (!s || len == 0 || memchr(s, '\0', len))
		return fail(err, errlen, NULL, "bad path");
	e->path = xstrndup((const char *)s, len);
	if (strcmp(e->path, ".") != 0 && !fs_name_is_safe(e->path))
		return fail(err, errlen, e->path, "unsafe path (absolute, \"..\", \".\" or empty component)");
	e->type = imgs_get_u8(r);
	e->mode = imgs_get_u32(r);
	e->uid = imgs_get_u32(r);
	e->gid = imgs_get_u32(r);
	e->size = imgs_get_u64(r);
	e->mtime_sec = (int64_t)imgs_get_u64(r);
	e->mtime_nsec = imgs_get_u32(r);
	e->rdev = imgs_get_u64(r);
	s = imgs_get_str(r, PATH_MAX_WIRE, &len);
	if (r->bad)
		return fail(err, errlen, e->path, "truncated");
	if (memchr(s, '\0', len))
		return fail(err, errlen, e->path, "NUL in symlink target");
	e->target = xstrndup((const char *)s, len);
	e->link_to = imgs_get_u32(r);
	if (e->type < IMGS_REG || e->type > IMGS_SOCK)
		return fail(err, errlen, e->path, "bad type");
	if (e->mode > 07777 || e->mtime_nsec >= 1000000000u)
		return fail(err, errlen, e->path, "bad mode or mtime");
	if ((e->type == IMGS_LNK) != (len > 0))
		return fail(err, errlen, e->path, "symlink target missing or not a symlink");
	if (e->type != IMGS_REG && e->size != 0)
		return fail(err, errlen, e->path, "size on a non-file");
	if (e->size > (uint64_t)INT64_MAX)
		return fail(err, errlen, e->path, "bad size");
	if (e->type != IMGS_CHR && e->type != IMGS_BLK && e->rdev != 0)
		return fail(err, errlen, e->path, "device number on a non-device");
	if (dec_xattrs(r, e, err, errlen) < 0)
		return -1;
	e->has_sum = imgs_get_u8(r);
	if (e->has_sum > 1)
		return fail(err, errlen, e->path, "bad checksum flag");
	if (e->has_sum) {
		const unsigned char *sum = take(r, IMGS_SUMLEN);
		if (sum)
			memcpy(e->sum, sum, IMGS_SUMLEN);
	}
	if (r->bad)
		return fail(err, errlen, e->path, "truncated");
	if (r->off != r->len)
		return fail(err, errlen, e->path, "trailing bytes");
	return 0;
}

int imgs_dec_entry(const unsigned char *p, size_t n, struct imgs_entry *e, char *err, size_t errlen)
{
	struct imgs_rbuf r = { p, n, 0, 0 };
	memset(e, 0, sizeof *e);
	if (dec_entry_fields(&r, e, err, errlen) < 0) {
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
