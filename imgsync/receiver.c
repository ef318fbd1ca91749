/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "apply.h"
#include "compare.h"
#include "delta.h"
#include "fsutil.h"
#include "log.h"
#include "meter.h"
#include "receiver.h"
#include "safety.h"
#include "xalloc.h"

enum { WANT_NONE, WANT_WHOLE, WANT_DELTA };

struct recv {
	struct imgs_xport *x;
	struct imgs_dirs d;
	uint32_t flags;
	uint64_t max_delete;      /* with IMGS_F_MAX_DELETE */
	int dry;
	const struct exclude *ex;
	struct imgs_flist list;
	struct imgs_flist have;   /* the destination as found, scanned while the sender walks */
	uint8_t *want, *relink, *skip, *made;
	ino_t *ino;            /* destination inode of each path as found */
	uint32_t *reqs;
	size_t nreq;
	struct imgs_report *rep;
};

void imgs_report_item(struct imgs_report *r, char *line)
{
	r->items = xgrowarray(r->items, r->nitems, sizeof *r->items);
	r->items[r->nitems++] = line;
}

void imgs_report_free(struct imgs_report *r)
{
	for (size_t i = 0; i < r->nitems; i++)
		free(r->items[i]);
	free(r->items);
	free(r->error);
	memset(r, 0, sizeof *r);
}

static int fatal(struct recv *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fatal(struct recv *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = NULL;
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = xstrdup("out of memory");
	va_end(ap);
	if (!r->rep->error)
		r->rep->error = msg;
	else
		free(msg);
	return -1;
}

static void path_error(struct recv *r, const char *path, const char *what)
{
	node_warn(r->x->name, "%s: %s: %s", path, what, strerror(errno));
	r->rep->sum.errors++;
}

static void item(struct recv *r, char *line)
{
	if (r->flags & IMGS_F_ITEMIZE)
		imgs_report_item(r->rep, line);
	else
		free(line);
}

/* --- phase 1: the list ---------------------------------------------------- */

static int read_list(struct recv *r)
{
	char err[300];
	for (;;) {
		uint8_t type;
		const unsigned char *body;
		size_t len;
		int n = imgs_xport_recv(r->x, &type, &body, &len);
		if (n <= 0)
			return fatal(r, "reading the file list: %s", n == 0 ? "connection closed" : r->x->err);
		if (type == IMGS_M_ERROR) {
			char *t = imgs_dec_text(body, len);
			fatal(r, "peer: %s", t ? t : "(unreadable error)");
			free(t);
			return -1;
		}
		if (type == IMGS_M_LIST_END) {
			uint32_t count;
			if (imgs_dec_u32msg(body, len, &count) < 0 || count != r->list.n || count == 0)
				return fatal(r, "file list: bad end (count)");
			return 0;
		}
		if (type != IMGS_M_ENTRY)
			return fatal(r, "file list: unexpected message %u", type);
		struct imgs_rbuf rb = { body, len, 0, 0 };
		while (rb.off < len) {
			struct imgs_entry e;
			const struct imgs_entry *prev = r->list.n ? &r->list.e[r->list.n - 1] : NULL;
			if (imgs_dec_entry(&rb, prev, &e, err, sizeof err) < 0)
				return fatal(r, "refused: %s", err);
			if (imgs_flist_accept(&r->list, &e, err, sizeof err) < 0) {
				imgs_entry_free(&e);
				return fatal(r, "refused: %s", err);
			}
			imgs_flist_push(&r->list, &e);
		}
	}
}

/* --- phase 2: delete what the image does not have -------------------------- */

static void on_delete(void *arg, const char *relpath, int is_dir)
{
	struct recv *r = arg;
	item(r, imgs_itemize_delete(relpath, is_dir));
	r->rep->sum.deleted++;
}

/* Is PATH's parent a directory in the image's list? */
static int parent_is_listed_dir(const struct recv *r, const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return 1;
	char *dir = xstrndup(path, (size_t)(slash - path));
	long p = imgs_flist_find(&r->list, dir);
	free(dir);
	return p >= 0 && r->list.e[p].type == IMGS_DIR;
}

/* Every scanned destination path the image does not list goes, with what it holds. */
static void delete_extraneous(struct recv *r)
{
	const char *gone = NULL;
	size_t gonelen = 0;
	for (size_t i = 1; i < r->have.n; i++) {
		const struct imgs_entry *he = &r->have.e[i];
		if (gone && strncmp(he->path, gone, gonelen) == 0 && he->path[gonelen] == '/')
			continue; /* inside a directory already deleted */
		if (imgs_flist_find(&r->list, he->path) >= 0 || !parent_is_listed_dir(r, he->path))
			continue; /* kept, or goes with a parent the image replaces */
		if (he->type == IMGS_DIR && he->dev != r->d.rootdev)
			continue; /* a mount point: never touched */
		const char *base;
		int pfd = imgs_dirs_parent(&r->d, he->path, &base);
		if (pfd < 0)
			continue;
		imgs_rm_rf(pfd, base, he->path, r->d.rootdev, r->dry, on_delete, r);
		gone = he->path;
		gonelen = strlen(gone);
	}
}

/* --- phase 3: compare and apply everything but file content ----------------- */

static int leader_changes(struct recv *r, uint32_t lead)
{
	return r->want[lead] != WANT_NONE || r->made[lead];
}

static void do_link_entry(struct recv *r, size_t i, const struct imgs_have *h)
{
	const struct imgs_entry *e = &r->list.e[i];
	uint32_t lead = e->link_to;
	if (r->skip[lead]) {
		r->skip[i] = 1;
		return;
	}
	int same = h->exists && !leader_changes(r, lead) && r->ino[lead] != 0 && h->st.st_ino == r->ino[lead] &&
		   !S_ISDIR(h->st.st_mode);
	if (same)
		return;
	struct imgs_cmp c = { .create = 1 };
	item(r, imgs_itemize(e, &c, r->list.e[lead].path));
	r->relink[i] = 1;
	r->rep->sum.linked++;
}

static void apply_entry(struct recv *r, size_t i, int pfd, const char *base, struct imgs_have *h,
			const struct imgs_cmp *c)
{
	const struct imgs_entry *e = &r->list.e[i];
	if (c->replace && (S_ISDIR(h->st.st_mode) || e->type == IMGS_DIR)) {
		if (imgs_rm_rf(pfd, base, e->path, r->d.rootdev, r->dry, on_delete, r) < 0 && !r->dry) {
			r->skip[i] = 1;
			r->rep->sum.errors++;
			return;
		}
		imgs_have_free(h);
	}
	if (e->type == IMGS_REG && c->content) {
		int delta = h->exists && S_ISREG(h->st.st_mode) && !c->replace && (uint64_t)h->st.st_size >= IMGS_DELTA_MIN &&
			    e->size >= IMGS_DELTA_MIN;
		r->want[i] = delta ? WANT_DELTA : WANT_WHOLE;
		return;
	}
	if (r->dry)
		return;
	if (c->create) {
		if (imgs_make_node(pfd, base, e) < 0) {
			path_error(r, e->path, c->replace ? "replace" : "create");
			r->skip[i] = 1;
			return;
		}
		if (e->type == IMGS_DIR && imgs_set_meta(pfd, base, e, NULL, 1) < 0)
			path_error(r, e->path, "set owner/mode/xattrs");
		return;
	}
	if (c->meta && imgs_set_meta(pfd, base, e, h, e->type == IMGS_DIR) < 0)
		path_error(r, e->path, "set owner/mode/xattrs/mtime");
}

/* What the scan found at PATH (a copy), or exists = 0. */
static void have_lookup(struct recv *r, const char *path, struct imgs_have *h)
{
	memset(h, 0, sizeof *h);
	long k = imgs_flist_find(&r->have, path);
	if (k < 0)
		return;
	const struct imgs_entry *he = &r->have.e[k];
	h->exists = 1;
	h->st.st_mode = imgs_mode_of_type(he->type) | he->mode;
	h->st.st_uid = he->uid;
	h->st.st_gid = he->gid;
	h->st.st_size = (off_t)he->size;
	h->st.st_mtim.tv_sec = (time_t)he->mtime_sec;
	h->st.st_mtim.tv_nsec = he->mtime_nsec;
	h->st.st_rdev = (dev_t)he->rdev;
	h->st.st_dev = he->dev;
	h->st.st_ino = he->ino;
	h->target = he->target ? xstrdup(he->target) : NULL;
	h->xs = he->nxattrs ? xcalloc(he->nxattrs, sizeof *h->xs) : NULL;
	for (uint32_t j = 0; j < he->nxattrs; j++) {
		h->xs[j].name = xstrdup(he->xattrs[j].name);
		h->xs[j].value = xmalloc(he->xattrs[j].len + 1);
		memcpy(h->xs[j].value, he->xattrs[j].value, he->xattrs[j].len);
		h->xs[j].len = he->xattrs[j].len;
	}
	h->nx = he->nxattrs;
}

/* The directory entry I lives in (the root itself for "."), -1 if it cannot be reached. */
static int parent_of(struct recv *r, size_t i, const char **base)
{
	if (i == 0) {
		*base = NULL;
		return r->d.rootfd;
	}
	return imgs_dirs_parent(&r->d, r->list.e[i].path, base);
}

static void compare_entry(struct recv *r, size_t i)
{
	const struct imgs_entry *e = &r->list.e[i];
	int root = i == 0;
	if (!root && exclude_match(r->ex, e->path, e->type == IMGS_DIR)) {
		r->skip[i] = 1;
		return;
	}
	if (!root) {
		const char *slash = strrchr(e->path, '/');
		if (slash) {
			char *dir = xstrndup(e->path, (size_t)(slash - e->path));
			long p = imgs_flist_find(&r->list, dir);
			free(dir);
			if (p >= 0 && r->skip[p]) {
				r->skip[i] = 1;
				return;
			}
		}
	}
	const char *base = NULL;
	int pfd = -1, have_parent = 0;
	struct imgs_have h;
	have_lookup(r, e->path, &h);
	if (h.exists && S_ISDIR(h.st.st_mode) && h.st.st_dev != r->d.rootdev) {
		r->skip[i] = 1; /* another filesystem mounted here */
		imgs_have_free(&h);
		return;
	}
	int checksum = (r->flags & IMGS_F_CHECKSUM) && e->type == IMGS_REG;
	if (checksum && h.exists && S_ISREG(h.st.st_mode) && (uint64_t)h.st.st_size == e->size) {
		pfd = parent_of(r, i, &base);
		have_parent = 1;
		int fd = pfd < 0 ? -1 : openat(pfd, base, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		if (fd >= 0 && imgs_checksum_fd(fd, h.sum) == 0)
			h.has_sum = 1;
		if (fd >= 0)
			close(fd);
	}
	if (e->link_to != IMGS_NOLINK) {
		do_link_entry(r, i, &h);
		imgs_have_free(&h);
		return;
	}
	struct imgs_cmp c;
	imgs_compare(e, &h, checksum, &c);
	r->ino[i] = h.exists && !c.create ? h.st.st_ino : 0;
	if (imgs_cmp_changes(&c)) {
		if (!have_parent)
			pfd = parent_of(r, i, &base);
		if (pfd < 0 && (!r->dry || h.exists)) {
			path_error(r, e->path, "parent directory");
			r->skip[i] = 1;
			imgs_have_free(&h);
			return;
		}
		item(r, imgs_itemize(e, &c, NULL));
		if (c.create)
			r->rep->sum.created++;
		else
			r->rep->sum.updated++;
		r->made[i] = (uint8_t)c.create;
		apply_entry(r, i, pfd, base, &h, &c);
	}
	imgs_have_free(&h);
}

/* --- phase 4: content -------------------------------------------------------- */

static int send_requests(struct recv *r)
{
	struct imgs_wbuf b = { 0 };
	char err[300];
	int rc = 0;
	r->reqs = xcalloc(r->list.n, sizeof *r->reqs);
	for (size_t i = 0; i < r->list.n && rc == 0 && !r->dry; i++) {
		if (r->want[i] == WANT_NONE)
			continue;
		const struct imgs_entry *e = &r->list.e[i];
		struct imgs_wbuf sig = { 0 };
		if (r->want[i] == WANT_DELTA) {
			const char *base;
			int pfd = imgs_dirs_parent(&r->d, e->path, &base);
			int fd = pfd < 0 ? -1 : openat(pfd, base, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
			struct stat st;
			if (fd < 0 || fstat(fd, &st) < 0 || imgs_sig_fd(fd, (uint64_t)st.st_size, &sig, err, sizeof err) < 0)
				r->want[i] = WANT_WHOLE;
			if (fd >= 0)
				close(fd);
		}
		r->rep->sum.file_bytes += e->size;
		r->reqs[r->nreq++] = (uint32_t)i;
		imgs_enc_req(&b, (uint32_t)i, r->want[i] == WANT_DELTA ? IMGS_REQ_DELTA : IMGS_REQ_WHOLE);
		for (size_t off = 0; r->want[i] == WANT_DELTA && off < sig.len; off += IMGS_CHUNK * 4) {
			size_t n = sig.len - off < IMGS_CHUNK * 4 ? sig.len - off : IMGS_CHUNK * 4;
			imgs_enc_chunk(&b, IMGS_M_SIG, (uint32_t)i, sig.p + off, n);
		}
		imgs_wbuf_free(&sig);
		rc = imgs_xport_queue(r->x, &b);
	}
	size_t f = imgs_frame_begin(&b, IMGS_M_REQ_END);
	imgs_frame_end(&b, f);
	if (rc == 0)
		rc = imgs_xport_queue(r->x, &b);
	if (rc == 0)
		rc = imgs_xport_flush(r->x);
	imgs_wbuf_free(&b);
	if (rc == 0)
		imgs_meter_plan(r->x->meter, r->nreq, r->rep->sum.file_bytes);
	return rc < 0 ? fatal(r, "sending requests: %s", r->x->err) : 0;
}

struct incoming {
	size_t k;              /* position in reqs */
	int fd, basis, failed;
	struct imgs_sparse out;
	struct imgs_patch *patch;
};

static void incoming_reset(struct incoming *in)
{
	if (in->fd >= 0)
		close(in->fd);
	if (in->basis >= 0)
		close(in->basis);
	imgs_patch_free(in->patch);
	in->fd = in->basis = -1;
	in->patch = NULL;
	in->failed = 0;
}

static void incoming_fail(struct recv *r, struct incoming *in, const char *what)
{
	if (!in->failed)
		path_error(r, r->list.e[r->reqs[in->k]].path, what);
	incoming_reset(in);
	in->failed = 1;
}

/* Open the temp file (and basis) for the current request. 0, or -1 (failed). */
static int incoming_open(struct recv *r, struct incoming *in)
{
	if (in->fd >= 0 || in->failed)
		return in->failed ? -1 : 0;
	uint32_t i = r->reqs[in->k];
	const struct imgs_entry *e = &r->list.e[i];
	const char *base;
	int pfd = imgs_dirs_parent(&r->d, e->path, &base);
	in->fd = pfd < 0 ? -1 : imgs_tmp_file(pfd);
	if (in->fd < 0) {
		incoming_fail(r, in, "temporary file");
		return -1;
	}
	in->out = (struct imgs_sparse){ in->fd, 0, e->size };
	if (r->want[i] == WANT_DELTA) {
		in->basis = openat(pfd, base, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		if (in->basis < 0) {
			incoming_fail(r, in, "open old file");
			return -1;
		}
		in->patch = imgs_patch_new(in->basis, &in->out);
	}
	return 0;
}

static void incoming_finish(struct recv *r, struct incoming *in)
{
	uint32_t i = r->reqs[in->k];
	const struct imgs_entry *e = &r->list.e[i];
	char err[300];
	if (incoming_open(r, in) < 0)
		goto out;
	if (in->patch && (imgs_patch_feed(in->patch, NULL, 0, 1, err, sizeof err) < 0 || in->out.off != e->size)) {
		errno = EINVAL;
		incoming_fail(r, in, "delta does not rebuild the file");
		goto out;
	}
	if (imgs_sparse_finish(&in->out, e->size) < 0) {
		incoming_fail(r, in, "truncate");
		goto out;
	}
	if (imgs_set_meta_fd(in->fd, e) < 0)
		path_error(r, e->path, "set owner/mode/xattrs/mtime");
	const char *base;
	int pfd = imgs_dirs_parent(&r->d, e->path, &base);
	int fd = in->fd;
	in->fd = -1;
	if (pfd < 0 || imgs_tmp_commit(fd, pfd, base) < 0) {
		if (pfd < 0)
			close(fd);
		path_error(r, e->path, "rename into place");
	}
out:
	incoming_reset(in);
	in->k++;
}

static int check_index(struct recv *r, struct incoming *in, uint32_t idx, int want)
{
	if (in->k >= r->nreq || r->reqs[in->k] != idx || (want && r->want[idx] != want))
		return fatal(r, "data for file %u out of order", idx);
	return 0;
}

static int receive_data(struct recv *r)
{
	struct incoming in = { .fd = -1, .basis = -1 };
	char err[300];
	uint64_t counted = 0; /* bytes of the current file on the meter */
	unsigned char *zbuf = xmalloc(IMGS_CHUNK); /* a ZDATA chunk, decompressed */
	int rc = -1;
	for (;;) {
		uint8_t type;
		const unsigned char *body, *data;
		size_t len, dlen;
		uint32_t idx;
		uint64_t off;
		int n = imgs_xport_recv(r->x, &type, &body, &len);
		if (n <= 0) {
			fatal(r, "receiving data: %s", n == 0 ? "connection closed" : r->x->err);
			break;
		}
		if (type == IMGS_M_DONE) {
			if (in.k != r->nreq) {
				fatal(r, "sender finished before sending every file");
				break;
			}
			rc = 0;
			break;
		} else if (type == IMGS_M_DATA || type == IMGS_M_ZDATA) {
			int bad = type == IMGS_M_DATA ? imgs_dec_data(body, len, &idx, &off, &data, &dlen)
						      : imgs_dec_zdata(body, len, &idx, &off, zbuf, &dlen);
			if (bad < 0 || check_index(r, &in, idx, WANT_WHOLE) < 0) {
				fatal(r, type == IMGS_M_DATA ? "bad data message" : "bad compressed data message");
				break;
			}
			if (type == IMGS_M_ZDATA)
				data = zbuf;
			if (incoming_open(r, &in) == 0) {
				in.out.off = off;
				if (imgs_sparse_write(&in.out, data, dlen) < 0)
					incoming_fail(r, &in, "write");
			}
			counted += dlen;
			imgs_meter_add(r->x->meter, dlen);
		} else if (type == IMGS_M_DELTA) {
			if (imgs_dec_chunk(body, len, &idx, &data, &dlen) < 0 || check_index(r, &in, idx, WANT_DELTA) < 0) {
				fatal(r, "bad delta message");
				break;
			}
			if (incoming_open(r, &in) == 0 && imgs_patch_feed(in.patch, data, dlen, 0, err, sizeof err) < 0) {
				errno = EINVAL;
				incoming_fail(r, &in, err);
			}
		} else if (type == IMGS_M_FILE_END) {
			if (imgs_dec_u32msg(body, len, &idx) < 0 || check_index(r, &in, idx, 0) < 0) {
				fatal(r, "bad end of file");
				break;
			}
			imgs_meter_file_done(r->x->meter, r->list.e[idx].size, counted);
			counted = 0;
			incoming_finish(r, &in);
		} else if (type == IMGS_M_ERROR) {
			char *t = imgs_dec_text(body, len);
			fatal(r, "peer: %s", t ? t : "(unreadable error)");
			free(t);
			break;
		} else {
			fatal(r, "unexpected message %u while receiving data", type);
			break;
		}
	}
	incoming_reset(&in);
	free(zbuf);
	return rc;
}

/* --- phase 5 and 6: hard links, directory times ------------------------------- */

static void make_links(struct recv *r)
{
	for (size_t i = 0; i < r->list.n; i++) {
		if (!r->relink[i] || r->skip[i])
			continue;
		const struct imgs_entry *e = &r->list.e[i], *l = &r->list.e[e->link_to];
		const char *lslash = strrchr(l->path, '/');
		int lfd = r->d.rootfd;
		if (lslash) {
			char *ldir = xstrndup(l->path, (size_t)(lslash - l->path));
			lfd = fs_open_beneath(r->d.rootfd, ldir, O_RDONLY | O_DIRECTORY, 0);
			free(ldir);
		}
		const char *base;
		int pfd = imgs_dirs_parent(&r->d, e->path, &base);
		struct stat st;
		if (pfd >= 0 && fstatat(pfd, base, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode))
			imgs_rm_rf(pfd, base, e->path, r->d.rootdev, 0, NULL, NULL);
		if (lfd < 0 || pfd < 0 || imgs_make_link(lfd, lslash ? lslash + 1 : l->path, pfd, base) < 0)
			path_error(r, e->path, "hard link");
		if (lslash && lfd >= 0)
			close(lfd);
	}
}

static void fix_dir_times(struct recv *r)
{
	for (size_t i = r->list.n; i-- > 0;) {
		const struct imgs_entry *e = &r->list.e[i];
		if (e->type != IMGS_DIR || r->skip[i])
			continue;
		struct timespec ts[2] = { { (time_t)e->mtime_sec, e->mtime_nsec }, { (time_t)e->mtime_sec, e->mtime_nsec } };
		if (i == 0) {
			if (futimens(r->d.rootfd, ts) < 0)
				path_error(r, ".", "set mtime");
			continue;
		}
		const char *base;
		int pfd = imgs_dirs_parent(&r->d, e->path, &base);
		if (pfd < 0 || utimensat(pfd, base, ts, AT_SYMLINK_NOFOLLOW) < 0)
			path_error(r, e->path, "set mtime");
	}
}

static void recv_free(struct recv *r)
{
	imgs_flist_free(&r->list);
	imgs_flist_free(&r->have);
	imgs_dirs_close(&r->d);
	free(r->want);
	free(r->relink);
	free(r->skip);
	free(r->made);
	free(r->ino);
	free(r->reqs);
}

/*
 * Open ROOT and scan what it holds. A ROOT that does not exist yet is made
 * only later (make_root), once nothing refused the run; its parent must exist.
 */
static int open_root(struct recv *r, const char *root)
{
	char err[512];
	if (imgs_dirs_open(&r->d, root, 0) < 0) {
		if (errno != ENOENT)
			return fatal(r, "%s: %s", root, strerror(errno));
		if (imgs_root_creatable(root, err, sizeof err) < 0)
			return fatal(r, "%s", err);
		return 0;
	}
	if (imgs_flist_walk(root, r->ex, 0, &r->have, err, sizeof err) < 0)
		return fatal(r, "%s", err);
	return 0;
}

/* Before anything changes: an image that does not look like one (without FORCE), too many deletions. */
static int refuse_early(struct recv *r)
{
	char err[512];
	if (!(r->flags & IMGS_F_FORCE) && imgs_image_check(&r->list, NULL, err, sizeof err) < 0)
		return fatal(r, "%s", err);
	if (!(r->flags & IMGS_F_MAX_DELETE) || r->d.rootfd < 0)
		return 0;
	uint64_t n = imgs_deletions(&r->list, &r->have, r->d.rootdev, !!(r->flags & IMGS_F_NO_DELETE));
	if (n > r->max_delete)
		return fatal(r, "would delete %llu paths, more than --max-delete %llu; nothing changed",
			     (unsigned long long)n, (unsigned long long)r->max_delete);
	return 0;
}

/* Make ROOT if it is not there (not in a dry run), and scan it as open_root() would have. */
static int make_root(struct recv *r, const char *root)
{
	char err[512];
	if (r->d.rootfd >= 0 || r->dry)
		return 0;
	if (imgs_dirs_open(&r->d, root, 1) < 0)
		return fatal(r, "%s: %s", root, strerror(errno));
	if (imgs_flist_walk(root, r->ex, 0, &r->have, err, sizeof err) < 0)
		return fatal(r, "%s", err);
	return 0;
}

int imgs_receive(struct imgs_xport *x, const char *root, uint32_t flags, uint64_t max_delete,
		 const struct exclude *ex, struct imgs_report *rep)
{
	struct recv r = { .x = x, .flags = flags, .max_delete = max_delete, .dry = !!(flags & IMGS_F_DRY_RUN),
			  .ex = ex, .rep = rep };
	int rc = -1;
	if (open_root(&r, root) < 0 || read_list(&r) < 0 || refuse_early(&r) < 0 || make_root(&r, root) < 0)
		goto out;
	size_t n = r.list.n;
	r.want = xcalloc(n, 1);
	r.relink = xcalloc(n, 1);
	r.skip = xcalloc(n, 1);
	r.made = xcalloc(n, 1);
	r.ino = xcalloc(n, sizeof *r.ino);
	for (size_t i = 0; i < n; i++) {
		const struct imgs_entry *e = &r.list.e[i];
		if (e->type == IMGS_REG && e->link_to == IMGS_NOLINK)
			rep->sum.image_bytes += e->size;
	}
	rep->sum.files = n;
	if (r.d.rootfd >= 0) {
		if (!(flags & IMGS_F_NO_DELETE))
			delete_extraneous(&r);
		for (size_t i = 0; i < n; i++)
			compare_entry(&r, i);
	} else {
		/* dry run into a directory that does not exist yet: everything is new */
		for (size_t i = 0; i < n; i++) {
			struct imgs_cmp c;
			struct imgs_have h = { 0 };
			imgs_compare(&r.list.e[i], &h, 0, &c);
			item(&r, imgs_itemize(&r.list.e[i], &c, r.list.e[i].link_to == IMGS_NOLINK ? NULL
						       : r.list.e[r.list.e[i].link_to].path));
			rep->sum.created++;
		}
	}
	if (send_requests(&r) < 0 || receive_data(&r) < 0)
		goto out;
	if (!r.dry) {
		make_links(&r);
		fix_dir_times(&r);
	}
	rc = 0;
out:
	rep->sum.wire_bytes = x->bytes_in;
	recv_free(&r);
	return rc;
}

/* HELLO from X: its flags, max-delete (if MAX_DELETE is not NULL) and excludes (added to EX). */
static int hello_in(struct imgs_xport *x, uint32_t *flags, uint64_t *max_delete, struct exclude *ex, char *err,
		    size_t errlen)
{
	uint8_t type;
	const unsigned char *body;
	size_t len;
	int n = imgs_xport_recv(x, &type, &body, &len);
	if (n <= 0) {
		snprintf(err, errlen, "no hello: %s", n == 0 ? "connection closed" : x->err);
		return -1;
	}
	if (type != IMGS_M_HELLO) {
		snprintf(err, errlen, "expected hello, got message %u", type);
		return -1;
	}
	struct imgs_hello h;
	if (imgs_dec_hello(body, len, &h, err, errlen) < 0)
		return -1;
	*flags = h.flags;
	if (max_delete)
		*max_delete = h.max_delete;
	for (size_t i = 0; i < h.nexcl; i++)
		exclude_add(ex, h.excl[i]);
	imgs_hello_free(&h);
	return 0;
}

int imgs_read_hello(struct imgs_xport *x, uint32_t *flags, struct exclude *ex, char *err, size_t errlen)
{
	return hello_in(x, flags, NULL, ex, err, errlen);
}

int imgs_serve_receiver(const char *root)
{
	struct imgs_xport x;
	imgs_xport_init_fds(&x, "server", 0, 1);
	struct exclude ex;
	imgs_excl_init(&ex);
	struct imgs_report rep = { 0 };
	char err[300];
	uint32_t flags = 0;
	uint64_t max_delete = 0;
	int status = 1;
	if (hello_in(&x, &flags, &max_delete, &ex, err, sizeof err) < 0) {
		imgs_xport_send_error(&x, err);
		goto out;
	}
	if (imgs_receive(&x, root, flags, max_delete, &ex, &rep) < 0) {
		imgs_xport_send_error(&x, rep.error);
		goto out;
	}
	struct imgs_wbuf b = { 0 };
	for (size_t i = 0; i < rep.nitems; i++) {
		imgs_enc_text(&b, IMGS_M_ITEM, rep.items[i]);
		imgs_xport_queue(&x, &b);
	}
	imgs_enc_summary(&b, &rep.sum);
	imgs_xport_queue(&x, &b);
	imgs_xport_flush(&x);
	imgs_wbuf_free(&b);
	status = rep.sum.errors ? 2 : 0;
out:
	x.rfd = x.wfd = -1; /* stdin/stdout stay open */
	imgs_xport_close(&x);
	imgs_report_free(&rep);
	exclude_free(&ex);
	return status;
}
