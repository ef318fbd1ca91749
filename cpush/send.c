/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "progress.h"
#include "send.h"
#include "sftputil.h"
#include "xalloc.h"

/* One source file, mapped while some node still has to send it. */
struct src_map {
	void *map;
	size_t len;
	size_t passed;   /* nodes that moved past this entry */
	int err;         /* errno of a failed open/map, 0 */
	int mapped;
};

struct cpsend {
	struct cpplan *plan;
	struct src_map *src;
	size_t nnodes;
	struct cpsend_opts opts;
	struct progress_fanout meter;
};

enum phase {
	P_SFTP, P_NEXT, P_STAT, P_MKDIR, P_DIRMODE, P_OPEN, P_WRITE, P_FSETSTAT, P_CLOSE,
	P_SYMLINK, P_LINKCHECK, P_READLINK, P_RENAME, P_UNLINK_DST, P_RENAME2, P_CLEAN_CLOSE, P_CLEAN_UNLINK,
	P_LIST_OPEN, P_LIST_READ, P_LIST_CLOSE, P_WORK, P_DIRTIMES, P_END,
};

enum work_op { W_UNLINK, W_RMDIR, W_LISTRM };

struct work {
	enum work_op op;
	char *path;
};

struct node_state {
	LIBSSH2_SFTP *sftp;
	LIBSSH2_SFTP_HANDLE *h;
	enum phase phase;
	size_t idx;          /* current plan entry; entries before it are released */
	int in_entry;        /* idx has not been released yet */
	char *tmp;           /* temporary remote name being written */
	uint64_t off;
	struct cpplan_remote rem;
	char *failed_dir;    /* remote dir that could not be made: skip what is under it */
	struct work *work;
	size_t nwork;
	char *listpath;      /* directory being listed */
	int list_check;      /* listing a recursed dir for --delete (else removing a tree) */
	size_t dirpass;      /* P_DIRTIMES: entries left to look at */
	uint64_t counted;    /* bytes of the current entry on the progress line */
	struct cpsend_stats st;
};

struct cpsend *cpsend_new(struct cpplan *plan, size_t nnodes, const struct cpsend_opts *opts)
{
	struct cpsend *s = xcalloc(1, sizeof *s);
	s->plan = plan;
	s->nnodes = nnodes;
	s->opts = *opts;
	if (s->opts.chunk == 0)
		s->opts.chunk = 256 << 10; /* measured: 256 KiB beats 64 KiB and 1-4 MiB with 32 nodes */
	s->src = xcalloc(plan->n + 1, sizeof *s->src);
	uint64_t files = 0, bytes = 0;
	for (size_t i = 0; i < plan->n; i++)
		if (plan->e[i].type == CPPLAN_FILE) {
			files++;
			bytes += plan->e[i].size;
		}
	progress_fanout_start(&s->meter, "cpush", nnodes, bytes * nnodes, files * nnodes);
	return s;
}

static void unmap(struct src_map *m)
{
	if (m->map)
		munmap(m->map, m->len);
	m->map = NULL;
}

void cpsend_free(struct cpsend *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->plan->n; i++)
		unmap(&s->src[i]);
	progress_fanout_end(&s->meter);
	free(s->src);
	free(s);
}

/* The mapping of entry I, made by the first node that needs it. NULL and errno on failure. */
static struct src_map *get_src(struct cpsend *s, size_t i)
{
	struct src_map *m = &s->src[i];
	if (m->mapped) {
		errno = m->err;
		return m->err ? NULL : m;
	}
	m->mapped = 1;
	int fd = open(s->plan->e[i].src, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0) {
		m->err = errno;
	} else if (st.st_size > 0) {
		m->len = (size_t)st.st_size;
		m->map = mmap(NULL, m->len, PROT_READ, MAP_SHARED, fd, 0);
		if (m->map == MAP_FAILED) {
			m->err = errno;
			m->map = NULL;
		} else {
			madvise(m->map, m->len, MADV_WILLNEED);
		}
	}
	if (fd >= 0)
		close(fd);
	errno = m->err;
	return m->err ? NULL : m;
}

/* This node is done with entry I: unmap when every node is. */
static void release(struct cpsend *s, size_t i)
{
	struct src_map *m = &s->src[i];
	if (++m->passed >= s->nnodes)
		unmap(m);
}

static void push_work(struct node_state *ns, enum work_op op, char *path)
{
	ns->work = xgrowarray(ns->work, ns->nwork, sizeof *ns->work);
	ns->work[ns->nwork++] = (struct work){ op, path };
}

static char *tmp_name_for(const char *dst)
{
	const char *slash = strrchr(dst, '/');
	if (!slash)
		return xasprintf(".cpush.%s.%ld.tmp", dst, (long)getpid());
	return xasprintf("%.*s/.cpush.%s.%ld.tmp", (int)(slash - dst), dst, slash + 1, (long)getpid());
}

static int under(const char *path, const char *dir)
{
	size_t n = strlen(dir);
	return dir && strncmp(path, dir, n) == 0 && path[n] == '/';
}

static void remote_from_attrs(struct cpplan_remote *r, const LIBSSH2_SFTP_ATTRIBUTES *a)
{
	memset(r, 0, sizeof *r);
	r->exists = 1;
	unsigned long m = a->permissions;
	r->type = LIBSSH2_SFTP_S_ISDIR(m) ? CPPLAN_DIR : LIBSSH2_SFTP_S_ISLNK(m) ? CPPLAN_LINK : CPPLAN_FILE;
	r->mode = (mode_t)(m & 07777);
	if (!LIBSSH2_SFTP_S_ISREG(m) && r->type == CPPLAN_FILE)
		r->mode = 0; /* device, fifo ...: never "unchanged" */
	r->size = a->filesize;
	r->mtime = (int64_t)a->mtime;
}

/* A path failed on this node: report it, count it. */
static void path_error(struct fanout_node *n, struct node_state *ns, const char *path, const char *what)
{
	node_warn(n->name, "%s: %s", path, what);
	ns->st.errors++;
}

/* Entry I is done with on this node (sent, unchanged, failed or skipped): on the progress line. */
static void meter_entry(struct cpsend *s, struct node_state *ns, size_t i)
{
	const struct cpplan_entry *e = &s->plan->e[i];
	if (e->type == CPPLAN_FILE)
		progress_fanout_add(&s->meter, e->size > ns->counted ? e->size - ns->counted : 0, 1);
	ns->counted = 0;
}

static void next_entry(struct cpsend *s, struct node_state *ns)
{
	if (ns->idx < s->plan->n)
		meter_entry(s, ns, ns->idx);
	if (ns->in_entry)
		release(s, ns->idx);
	ns->in_entry = 0;
	ns->idx++;
	free(ns->tmp);
	ns->tmp = NULL;
	ns->phase = P_NEXT;
}

/* Start listing PATH (taking it) and come back to P_WORK or the next entry. */
static void start_list(struct node_state *ns, char *path, int check)
{
	free(ns->listpath);
	ns->listpath = path;
	ns->list_check = check;
	ns->phase = P_LIST_OPEN;
}

static void attrs_times(LIBSSH2_SFTP_ATTRIBUTES *a, const struct cpplan_entry *e, int with_mode)
{
	memset(a, 0, sizeof *a);
	a->flags = LIBSSH2_SFTP_ATTR_ACMODTIME | (with_mode ? LIBSSH2_SFTP_ATTR_PERMISSIONS : 0);
	a->atime = a->mtime = (unsigned long)e->mtime;
	a->permissions = e->mode;
}

/* Pick the next entry and decide its first phase. */
static void begin_entry(struct cpsend *s, struct node_state *ns)
{
	if (ns->idx >= s->plan->n) {
		ns->dirpass = s->plan->n;
		ns->phase = P_DIRTIMES;
		return;
	}
	const struct cpplan_entry *e = &s->plan->e[ns->idx];
	ns->in_entry = 1;
	if (ns->failed_dir && under(e->dst, ns->failed_dir)) {
		next_entry(s, ns);
		return;
	}
	ns->phase = P_STAT;
}

/* After the remote state of a plan entry is known: what to do. */
static void decide(struct cpsend *s, struct fanout_node *n, struct node_state *ns)
{
	const struct cpplan_entry *e = &s->plan->e[ns->idx];
	if (e->type == CPPLAN_DIR) {
		if (!ns->rem.exists) {
			ns->phase = P_MKDIR;
		} else if (ns->rem.type != CPPLAN_DIR) {
			path_error(n, ns, e->dst, "exists and is not a directory");
			free(ns->failed_dir);
			ns->failed_dir = xstrdup(e->dst);
			next_entry(s, ns);
		} else {
			ns->phase = P_DIRMODE;
		}
		return;
	}
	if (e->type == CPPLAN_LINK && ns->rem.exists && ns->rem.type == CPPLAN_LINK && !s->opts.blind) {
		ns->phase = P_READLINK;
		return;
	}
	if (cpplan_unchanged(e, &ns->rem, s->opts.blind)) {
		ns->st.skipped++;
		next_entry(s, ns);
		return;
	}
	if (e->type == CPPLAN_FILE && !get_src(s, ns->idx)) {
		path_error(n, ns, e->src, strerror(errno));
		next_entry(s, ns);
		return;
	}
	ns->tmp = tmp_name_for(e->dst);
	ns->off = 0;
	ns->phase = e->type == CPPLAN_LINK ? P_SYMLINK : P_OPEN;
}

/* A directory is in place: list it for --delete, or go on. */
static void dir_ready(struct cpsend *s, struct node_state *ns)
{
	const struct cpplan_entry *e = &s->plan->e[ns->idx];
	if (s->opts.delete && e->recursed) {
		start_list(ns, xstrdup(e->dst), 1);
		return;
	}
	next_entry(s, ns);
}

struct lister {
	struct cpsend *s;
	struct node_state *ns;
};

/* A name found while listing LISTPATH (an sftpu_entry_fn on a struct lister). */
static void listed(const char *name, const LIBSSH2_SFTP_ATTRIBUTES *a, void *arg)
{
	struct cpsend *s = ((struct lister *)arg)->s;
	struct node_state *ns = ((struct lister *)arg)->ns;
	if (ns->list_check && !cpplan_extraneous(s->plan, &s->plan->e[ns->idx], name))
		return;
	char *path = xasprintf("%s%s%s", ns->listpath, strcmp(ns->listpath, "/") ? "/" : "", name);
	if ((a->flags & LIBSSH2_SFTP_ATTR_PERMISSIONS) && LIBSSH2_SFTP_S_ISDIR(a->permissions)) {
		push_work(ns, W_RMDIR, path);
		push_work(ns, W_LISTRM, xstrdup(path));
	} else {
		push_work(ns, W_UNLINK, path);
	}
}

/* One libssh2 call for the current phase: SFTPU_*, with *CODE for SFTPU_REFUSED. */
static int run_phase(struct cpsend *s, struct fanout_node *n, struct ssh_conn *c, struct node_state *ns,
		     unsigned long *code)
{
	const struct cpplan_entry *e = ns->idx < s->plan->n ? &s->plan->e[ns->idx] : NULL;
	LIBSSH2_SFTP_ATTRIBUTES a;
	int rc;
	switch (ns->phase) {
	case P_STAT:
		rc = libssh2_sftp_stat_ex(ns->sftp, e->dst, (unsigned)strlen(e->dst), LIBSSH2_SFTP_LSTAT, &a);
		if (rc == 0)
			remote_from_attrs(&ns->rem, &a);
		return sftpu_classify(ssh_session(c), ns->sftp, rc, code);
	case P_MKDIR:
		rc = libssh2_sftp_mkdir_ex(ns->sftp, e->dst, (unsigned)strlen(e->dst), (long)(e->mode | 0700));
		return sftpu_classify(ssh_session(c), ns->sftp, rc, code);
	case P_DIRMODE:
		/* owner keeps rwx until the end so the contents can be written; P_DIRTIMES sets the mode */
		attrs_times(&a, e, 1);
		a.flags = LIBSSH2_SFTP_ATTR_PERMISSIONS;
		a.permissions = e->mode | 0700;
		if (ns->rem.mode == a.permissions)
			return SFTPU_OK;
		rc = libssh2_sftp_stat_ex(ns->sftp, e->dst, (unsigned)strlen(e->dst), LIBSSH2_SFTP_SETSTAT, &a);
		return sftpu_classify(ssh_session(c), ns->sftp, rc, code);
	case P_OPEN:
		ns->h = libssh2_sftp_open_ex(ns->sftp, ns->tmp, (unsigned)strlen(ns->tmp),
					     LIBSSH2_FXF_WRITE | LIBSSH2_FXF_CREAT | LIBSSH2_FXF_EXCL |
						     LIBSSH2_FXF_TRUNC,
					     0600, LIBSSH2_SFTP_OPENFILE);
		return sftpu_classify(ssh_session(c), ns->sftp, ns->h ? 0 : -1, code);
	case P_WRITE: {
		struct src_map *m = &s->src[ns->idx];
		while (ns->off < m->len) {
			size_t len = m->len - ns->off;
			if (len > s->opts.chunk)
				len = s->opts.chunk;
			ssize_t w = libssh2_sftp_write(ns->h, (const char *)m->map + ns->off, len);
			if (w < 0)
				return sftpu_classify(ssh_session(c), ns->sftp, (int)w, code);
			ns->off += (uint64_t)w;
			ns->st.bytes += (uint64_t)w;
			ns->counted += (uint64_t)w;
			progress_fanout_add(&s->meter, (uint64_t)w, 0);
			if (ns->off < m->len && fanout_should_yield())
				return SFTPU_YIELD;
		}
		return SFTPU_OK;
	}
	case P_FSETSTAT:
		attrs_times(&a, e, 1);
		rc = libssh2_sftp_fsetstat(ns->h, &a);
		return sftpu_classify(ssh_session(c), ns->sftp, rc, code);
	case P_CLOSE:
	case P_CLEAN_CLOSE:
	case P_LIST_CLOSE:
		return sftpu_close(ssh_session(c), ns->sftp, &ns->h, code);
	case P_SYMLINK:
		/* OpenSSH's sftp-server takes the link text first (reversed from the draft) */
		rc = libssh2_sftp_symlink(ns->sftp, e->link, ns->tmp);
		return sftpu_classify(ssh_session(c), ns->sftp, rc, code);
	case P_LINKCHECK:
		rc = libssh2_sftp_stat_ex(ns->sftp, ns->tmp, (unsigned)strlen(ns->tmp), LIBSSH2_SFTP_LSTAT, &a);
		return sftpu_classify(ssh_session(c), ns->sftp, rc, code);
	case P_READLINK: {
		char buf[4096];
		rc = libssh2_sftp_readlink(ns->sftp, e->dst, buf, sizeof buf - 1);
		if (rc >= 0) {
			buf[rc] = '\0';
			ns->rem.size = strcmp(buf, e->link) == 0; /* 1: same text */
		}
		return sftpu_classify(ssh_session(c), ns->sftp, rc, code);
	}
	case P_RENAME:
	case P_RENAME2:
		rc = libssh2_sftp_rename_ex(ns->sftp, ns->tmp, (unsigned)strlen(ns->tmp), e->dst,
					    (unsigned)strlen(e->dst),
					    LIBSSH2_SFTP_RENAME_OVERWRITE | LIBSSH2_SFTP_RENAME_ATOMIC |
						    LIBSSH2_SFTP_RENAME_NATIVE);
		return sftpu_classify(ssh_session(c), ns->sftp, rc, code);
	case P_UNLINK_DST:
		rc = libssh2_sftp_unlink(ns->sftp, e->dst);
		return sftpu_classify(ssh_session(c), ns->sftp, rc, code);
	case P_CLEAN_UNLINK:
		rc = libssh2_sftp_unlink(ns->sftp, ns->tmp);
		return sftpu_classify(ssh_session(c), ns->sftp, rc, code);
	case P_LIST_OPEN:
		return sftpu_opendir(ssh_session(c), ns->sftp, ns->listpath, &ns->h, code);
	case P_LIST_READ: {
		struct lister l = { s, ns };
		return sftpu_readdir(ssh_session(c), ns->sftp, ns->h, listed, &l, code);
	}
	case P_WORK: {
		struct work *w = &ns->work[ns->nwork - 1];
		if (w->op == W_UNLINK)
			rc = libssh2_sftp_unlink(ns->sftp, w->path);
		else if (w->op == W_RMDIR)
			rc = libssh2_sftp_rmdir(ns->sftp, w->path);
		else
			rc = 0;
		return sftpu_classify(ssh_session(c), ns->sftp, rc, code);
	}
	case P_DIRTIMES:
		while (ns->dirpass > 0) {
			const struct cpplan_entry *d = &s->plan->e[ns->dirpass - 1];
			if (d->type == CPPLAN_DIR && !(ns->failed_dir && (strcmp(d->dst, ns->failed_dir) == 0 ||
									   under(d->dst, ns->failed_dir))))
				break;
			ns->dirpass--;
		}
		if (ns->dirpass == 0)
			return SFTPU_OK;
		attrs_times(&a, &s->plan->e[ns->dirpass - 1], 1);
		rc = libssh2_sftp_stat_ex(ns->sftp, s->plan->e[ns->dirpass - 1].dst,
					  (unsigned)strlen(s->plan->e[ns->dirpass - 1].dst), LIBSSH2_SFTP_SETSTAT,
					  &a);
		return sftpu_classify(ssh_session(c), ns->sftp, rc, code);
	default:
		(void)n;
		return SFTPU_OK;
	}
}

/* The current phase's call refused with CODE: report and move on. */
static void on_refused(struct cpsend *s, struct fanout_node *n, struct node_state *ns, unsigned long code)
{
	const struct cpplan_entry *e = ns->idx < s->plan->n ? &s->plan->e[ns->idx] : NULL;
	const char *msg = sftpu_strerror(code);
	debug("%s: phase %d refused: %lu", n->name, (int)ns->phase, code);
	switch (ns->phase) {
	case P_STAT:
		memset(&ns->rem, 0, sizeof ns->rem); /* missing (or unreadable): create it */
		decide(s, n, ns);
		return;
	case P_READLINK:
		ns->rem.size = 0;
		ns->tmp = tmp_name_for(e->dst);
		ns->phase = P_SYMLINK;
		return;
	case P_MKDIR:
	case P_DIRMODE:
		path_error(n, ns, e->dst, msg);
		free(ns->failed_dir);
		ns->failed_dir = xstrdup(e->dst);
		next_entry(s, ns);
		return;
	case P_SYMLINK:
		/* libssh2 1.10 misreads the server's answer to SYMLINK: look for the link instead */
		ns->phase = P_LINKCHECK;
		return;
	case P_LINKCHECK:
		path_error(n, ns, e->dst, "cannot create the symlink");
		next_entry(s, ns);
		return;
	case P_OPEN:
		/* the temp name lives in the target's directory: report the target */
		path_error(n, ns, e->dst, msg);
		next_entry(s, ns);
		return;
	case P_RENAME:
		ns->phase = P_UNLINK_DST; /* the server does not replace: remove the old one first */
		return;
	case P_WRITE:
	case P_FSETSTAT:
	case P_CLOSE:
		if (code == LIBSSH2_FX_FAILURE && ns->phase != P_FSETSTAT)
			msg = "write failed (no space left on device?)";
		path_error(n, ns, e->dst, msg);
		ns->phase = ns->h ? P_CLEAN_CLOSE : P_CLEAN_UNLINK;
		return;
	case P_UNLINK_DST:
	case P_RENAME2:
		path_error(n, ns, e->dst, code == LIBSSH2_FX_FAILURE ? "cannot replace it" : msg);
		ns->phase = P_CLEAN_UNLINK;
		return;
	case P_CLEAN_CLOSE:
		ns->phase = P_CLEAN_UNLINK;
		return;
	case P_CLEAN_UNLINK:
		next_entry(s, ns);
		return;
	case P_LIST_OPEN:
	case P_LIST_READ:
		path_error(n, ns, ns->listpath, msg);
		ns->phase = ns->h ? P_LIST_CLOSE : P_WORK;
		return;
	case P_LIST_CLOSE:
		ns->phase = P_WORK;
		return;
	case P_WORK:
		path_error(n, ns, ns->work[ns->nwork - 1].path, msg);
		free(ns->work[--ns->nwork].path);
		return;
	case P_DIRTIMES:
		path_error(n, ns, s->plan->e[ns->dirpass - 1].dst, msg);
		ns->dirpass--;
		return;
	default:
		return;
	}
}

/* The current phase's call succeeded: next phase. */
static void on_ok(struct cpsend *s, struct fanout_node *n, struct node_state *ns)
{
	const struct cpplan_entry *e = ns->idx < s->plan->n ? &s->plan->e[ns->idx] : NULL;
	switch (ns->phase) {
	case P_STAT:
		decide(s, n, ns);
		return;
	case P_READLINK:
		if (ns->rem.size == 1) {
			ns->st.skipped++;
			next_entry(s, ns);
		} else {
			ns->tmp = tmp_name_for(e->dst);
			ns->phase = P_SYMLINK;
		}
		return;
	case P_MKDIR:
	case P_DIRMODE:
		dir_ready(s, ns);
		return;
	case P_OPEN: ns->phase = P_WRITE; return;
	case P_WRITE: ns->phase = P_FSETSTAT; return;
	case P_FSETSTAT: ns->phase = P_CLOSE; return;
	case P_SYMLINK: ns->phase = P_LINKCHECK; return;
	case P_CLOSE:
	case P_LINKCHECK:
		ns->phase = P_RENAME;
		return;
	case P_UNLINK_DST: ns->phase = P_RENAME2; return;
	case P_RENAME:
	case P_RENAME2:
		ns->st.sent++;
		next_entry(s, ns);
		return;
	case P_CLEAN_CLOSE: ns->phase = P_CLEAN_UNLINK; return;
	case P_CLEAN_UNLINK: next_entry(s, ns); return;
	case P_LIST_OPEN: ns->phase = P_LIST_READ; return;
	case P_LIST_READ: ns->phase = P_LIST_CLOSE; return;
	case P_LIST_CLOSE: ns->phase = P_WORK; return;
	case P_WORK: {
		struct work w = ns->work[--ns->nwork];
		if (w.op == W_LISTRM) {
			start_list(ns, w.path, 0);
		} else {
			ns->st.deleted++;
			free(w.path);
		}
		return;
	}
	case P_DIRTIMES:
		if (ns->dirpass == 0)
			ns->phase = P_END;
		else
			ns->dirpass--;
		return;
	default:
		return;
	}
}

static int step(struct fanout_node *n, struct ssh_conn *c, void *ctx)
{
	struct cpsend *s = ctx;
	struct node_state *ns = n->udata;
	if (!ns) {
		ns = n->udata = xcalloc(1, sizeof *ns);
		ns->phase = P_SFTP;
		progress_fanout_node_started(&s->meter);
	}
	for (;;) {
		unsigned long code = 0;
		int r;
		if (ns->phase == P_SFTP) {
			int k = sftpu_node_open(n, c, &ns->sftp);
			if (k != FANOUT_STEP_DONE)
				return k;
			ns->phase = P_NEXT;
			continue;
		}
		if (ns->phase == P_NEXT) {
			begin_entry(s, ns);
			continue;
		}
		if (ns->phase == P_WORK && ns->nwork == 0) {
			next_entry(s, ns);
			continue;
		}
		if (ns->phase == P_END)
			return sftpu_node_close(n, &ns->sftp, ns->st.errors);
		r = run_phase(s, n, c, ns, &code);
		if (r == SFTPU_AGAIN)
			return FANOUT_STEP_AGAIN;
		if (r == SFTPU_YIELD)
			return FANOUT_STEP_MORE;
		if (r == SFTPU_BROKEN) {
			const struct cpplan_entry *e = ns->idx < s->plan->n ? &s->plan->e[ns->idx] : NULL;
			n->error = xasprintf("%s%s%s", e ? e->dst : "", e ? ": " : "", ssh_last_error(c));
			return FANOUT_STEP_FAIL;
		}
		if (r == SFTPU_REFUSED)
			on_refused(s, n, ns, code);
		else
			on_ok(s, n, ns);
	}
}

static void done(struct fanout_node *n, void *ctx)
{
	struct cpsend *s = ctx;
	struct node_state *ns = n->udata;
	struct cpsend_stats none = { 0 };
	/* release every entry this node will never reach (those before idx are) */
	struct node_state none_left = { 0 };
	for (size_t i = ns ? ns->idx : 0; i < s->plan->n; i++) {
		release(s, i);
		meter_entry(s, ns ? ns : &none_left, i);
	}
	if (ns)
		ns->in_entry = 0;
	progress_fanout_node_done(&s->meter, ns != NULL, n->state != FANOUT_OK);
	if (s->opts.done)
		s->opts.done(n, ns ? &ns->st : &none, s->opts.arg);
}

static void cleanup(struct fanout_node *n, void *ctx)
{
	(void)ctx;
	struct node_state *ns = n->udata;
	if (!ns)
		return;
	if (ns->sftp && ns->tmp && n->conn) {
		/* cut off mid-file (Ctrl-C, SIGTERM, error): remove the temporary name */
		sftpu_teardown(ssh_session(n->conn), NULL, ns->h, 2000);
		ns->h = NULL;
		libssh2_sftp_unlink(ns->sftp, ns->tmp);
	}
	sftpu_node_teardown(n, ns->sftp, ns->h);
	for (size_t i = 0; i < ns->nwork; i++)
		free(ns->work[i].path);
	free(ns->work);
	free(ns->tmp);
	free(ns->listpath);
	free(ns->failed_dir);
	free(ns);
	n->udata = NULL;
}

void cpsend_task(struct cpsend *s, struct fanout_task *task)
{
	*task = (struct fanout_task){ .step = step, .done = done, .cleanup = cleanup, .ctx = s };
}
