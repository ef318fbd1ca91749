/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * build — one node root from a template (see build.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "build.h"
#include "golden.h"
#include "log.h"
#include "progress.h"
#include "run.h"
#include "kcmdline.h"
#include "stateless.h"
#include "unpack.h"
#include "xalloc.h"

/* PATH may not exist, or be an empty directory. 0 if usable. */
static int target_ok(const char *path)
{
	struct stat sb;
	if (lstat(path, &sb) < 0)
		return errno == ENOENT ? 0 : (warnmsg_errno("%s", path), -1);
	if (!S_ISDIR(sb.st_mode)) {
		warnmsg("%s: exists and is not a directory", path);
		return -1;
	}
	if (rmdir(path) == 0) {
		mkdir(path, sb.st_mode & 07777); /* it was empty: put it back until the rename */
		return 0;
	}
	warnmsg("%s: exists and is not empty", path);
	return -1;
}

static int run_packages(struct mkc_job *j, const char *root)
{
	struct mkc_build b = j->b;
	b.root = root;
	struct mkc_cmds cmds;
	char err[512];
	if (mkc_backend_commands(&b, &cmds, err, sizeof err) < 0) {
		warnmsg("%s", err);
		return 1;
	}
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < cmds.n; i++) {
		int st = mkc_run(cmds.cmd[i].v, j->dry_run);
		if (st != 0) {
			warnmsg("%s failed (status %d)", cmds.cmd[i].v[0], st);
			rc = 2;
		}
	}
	mkc_cmds_free(&cmds);
	return rc;
}

/* The path patterns of a golden or archive build: DEFAULTS (may be NULL), the template's, the options'. */
static void collect_excludes(struct exclude *x, const char *const *defaults, const struct mkc_job *j)
{
	for (size_t i = 0; defaults && defaults[i]; i++)
		exclude_add(x, defaults[i]);
	for (size_t i = 0; i < j->b.t->excludes.n; i++)
		exclude_add(x, j->b.t->excludes.v[i]);
	for (size_t i = 0; j->excl && i < j->excl->n; i++)
		exclude_add(x, j->excl->pats[i]);
}

/* Golden or archive: copy or unpack WHAT (the option, else the template's source) into ROOT. */
static int run_copy(struct mkc_job *j, const char *root)
{
	const struct mkc_template *t = j->b.t;
	int golden = t->backend == MKC_BACKEND_GOLDEN;
	const char *what = golden ? j->source : j->from;
	if (!what)
		what = t->source;
	if (!what) {
		warnmsg(golden ? "golden: no source (give --source HOST|PATH or source = in the template)"
			       : "archive: no archive (give --from FILE or source = in the template)");
		return 1;
	}
	if (j->dry_run) {
		printf("%s %s -> %s\n", golden ? "golden copy" : "unpack", what, root);
		return 0;
	}
	struct exclude x = { 0 };
	collect_excludes(&x, golden ? mkc_excl_golden_defaults : NULL, j);
	int rc;
	if (golden)
		rc = mkc_golden_copy(what, root, &x) < 0 ? (mkc_golden_is_local(what) ? 1 : 2) : 0;
	else
		rc = mkc_unpack_file(what, root, x.n ? &x : NULL) < 0 ? 1 : 0;
	exclude_free(&x);
	return rc;
}

static int run_backend(struct mkc_job *j, const char *root)
{
	switch (j->b.t->backend) {
	case MKC_BACKEND_GOLDEN:
	case MKC_BACKEND_ARCHIVE:
		return run_copy(j, root);
	default:
		return run_packages(j, root);
	}
}

static int run_post(struct mkc_job *j, const char *root)
{
	const struct mkc_strv *post = &j->b.t->post;
	for (size_t i = 0; i < post->n; i++) {
		char *argv[] = { "chroot", (char *)root, "/bin/sh", "-c", post->v[i], NULL };
		int st = mkc_run(argv, j->dry_run);
		if (st != 0) {
			warnmsg("post command %zu failed (status %d): %s", i + 1, st, post->v[i]);
			return 2;
		}
	}
	return 0;
}

/* rm -r the temporary root, staying on its filesystem. */
static void remove_tmp(const char *tmp)
{
	struct mkc_unpack u;
	char *parent = xstrdup(tmp);
	char *slash = strrchr(parent, '/');
	const char *name = slash ? slash + 1 : tmp;
	if (slash)
		*slash = '\0';
	if (mkc_unpack_begin(&u, slash ? (*parent ? parent : "/") : ".", NULL) == 0) {
		if (mkc_unpack_remove(&u, name, 0) < 0)
			warnmsg("%s: left behind, remove it by hand", tmp);
		mkc_unpack_end(&u);
	}
	free(parent);
}

/*
 * On a terminal (not with -q), the steps of a build as they start, each on
 * a line of its own (the backends draw on the terminal too), and the time
 * it took: a build is minutes of work.
 */
struct steps {
	const char *path;
	int n, of;
	double start;
};

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void steps_begin(struct steps *s, const struct mkc_job *j)
{
	s->path = progress_wanted(log_verbosity() <= LOG_QUIET) ? j->path : NULL;
	s->n = 0;
	s->of = 1 + (j->b.t->post.n > 0) + !j->no_stateless;
	s->start = now();
}

static void step(struct steps *s, const char *what)
{
	if (s->path)
		warnmsg("%s: step %d of %d: %s", s->path, ++s->n, s->of, what);
}

static void steps_end(const struct steps *s, int rc)
{
	if (s->path && rc == 0)
		warnmsg("%s: built in %.0f s", s->path, now() - s->start);
}

int mkc_build_root(struct mkc_job *j)
{
	if (j->dry_run) {
		int rc = run_backend(j, j->path);
		return rc ? rc : run_post(j, j->path);
	}
	if (target_ok(j->path) < 0)
		return 1;
	size_t n = strlen(j->path);
	while (n > 1 && j->path[n - 1] == '/')
		n--;
	char *tmp = xasprintf("%.*s.mkchroot.XXXXXX", (int)n, j->path);
	if (!mkdtemp(tmp)) {
		warnmsg_errno("%s", tmp);
		free(tmp);
		return 1;
	}
	chmod(tmp, 0755);
	verbose("building %s (%s) in %s", j->path, mkc_backend_name(j->b.t->backend), tmp);
	struct steps s;
	steps_begin(&s, j);
	step(&s, mkc_backend_name(j->b.t->backend));
	int rc = run_backend(j, tmp);
	if (rc == 0 && j->b.t->post.n) {
		step(&s, "post commands");
		rc = run_post(j, tmp);
	}
	if (rc == 0 && j->b.t->cmdline && mkc_kcmdline_write(tmp, j->b.t->cmdline) < 0) {
		warnmsg_errno("%s/%s", j->path, MKC_KCMDLINE_FILE);
		rc = 1;
	}
	if (rc == 0 && !j->no_stateless) {
		step(&s, "stateless setup");
		rc = mkc_stateless(tmp) < 0 ? 1 : 0;
	}
	if (rc == 0) {
		rmdir(j->path);
		if (rename(tmp, j->path) < 0) {
			warnmsg_errno("%s", j->path);
			rc = 1;
		}
	}
	if (rc != 0)
		remove_tmp(tmp);
	steps_end(&s, rc);
	free(tmp);
	return rc;
}
