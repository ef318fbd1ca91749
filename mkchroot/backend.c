/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * backend — package-manager command lines (see backend.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "backend.h"
#include "log.h"
#include "xalloc.h"

static struct mkc_strv *new_cmd(struct mkc_cmds *c)
{
	c->cmd = xgrowarray(c->cmd, c->n, sizeof *c->cmd);
	memset(&c->cmd[c->n], 0, sizeof c->cmd[c->n]);
	return &c->cmd[c->n++];
}

void mkc_cmds_free(struct mkc_cmds *c)
{
	for (size_t i = 0; i < c->n; i++)
		mkc_strv_free(&c->cmd[i]);
	free(c->cmd);
	c->cmd = NULL;
	c->n = 0;
}

static void addf(struct mkc_strv *v, const char *fmt, const char *a)
{
	char *s = xasprintf(fmt, a);
	mkc_strv_add(v, s);
	free(s);
}

/* "a,b,c" from a list, NULL if empty. */
static char *joined(const struct mkc_strv *v, const struct mkc_strv *more)
{
	size_t len = 1;
	for (size_t i = 0; i < v->n; i++)
		len += strlen(v->v[i]) + 1;
	for (size_t i = 0; more && i < more->n; i++)
		len += strlen(more->v[i]) + 1;
	if (len == 1)
		return NULL;
	char *s = xcalloc(1, len);
	for (size_t i = 0; i < v->n; i++)
		strcat(strcat(s, *s ? "," : ""), v->v[i]);
	for (size_t i = 0; more && i < more->n; i++)
		strcat(strcat(s, *s ? "," : ""), more->v[i]);
	return s;
}

char *mkc_expand_url(const char *url, const char *release, const char *arch)
{
	static const char *const vars[] = { "$releasever", "$basearch", "$arch" };
	size_t cap = strlen(url) + 1, len = 0;
	char *out = xmalloc(cap);
	for (const char *p = url; *p;) {
		const char *val = NULL;
		size_t vlen = 0;
		for (size_t i = 0; i < 3 && !val; i++) {
			vlen = strlen(vars[i]);
			if (strncmp(p, vars[i], vlen) == 0)
				val = i == 0 ? (release ? release : "") : arch;
		}
		size_t n = val ? strlen(val) : 1;
		if (len + n + 1 > cap)
			out = xrealloc(out, cap = 2 * (len + n + 1));
		memcpy(out + len, val ? val : p, n);
		len += n;
		p += val ? vlen : 1;
	}
	out[len] = '\0';
	return out;
}

static const char *rpm_arch(const struct mkc_template *t, struct utsname *u)
{
	if (t->arch)
		return t->arch;
	uname(u);
	return u->machine;
}

/* The mirrors in use: --mirror, else the template's. */
static void mirrors(const struct mkc_build *b, struct mkc_strv *m, const char *arch)
{
	if (b->mirror) {
		mkc_strv_add(m, b->mirror);
		return;
	}
	for (size_t i = 0; i < b->t->mirrors.n; i++) {
		char *u = mkc_expand_url(b->t->mirrors.v[i], b->t->release, arch);
		mkc_strv_add(m, u);
		free(u);
	}
}

static void debootstrap(const struct mkc_build *b, struct mkc_cmds *out)
{
	const struct mkc_template *t = b->t;
	struct mkc_strv *c = new_cmd(out);
	mkc_strv_add(c, "debootstrap");
	mkc_strv_add(c, "--variant=minbase");
	if (t->arch)
		addf(c, "--arch=%s", t->arch);
	char *s = joined(&t->components, NULL);
	if (s)
		addf(c, "--components=%s", s);
	free(s);
	if ((s = joined(&t->packages, b->packages)))
		addf(c, "--include=%s", s);
	free(s);
	if ((s = joined(&t->excludes, NULL)))
		addf(c, "--exclude=%s", s);
	free(s);
	if (b->nogpg)
		mkc_strv_add(c, "--no-check-gpg");
	if (b->cache_dir)
		addf(c, "--cache-dir=%s", b->cache_dir);
	mkc_strv_add(c, t->release);
	mkc_strv_add(c, b->root);
	struct mkc_strv m = { 0 };
	mirrors(b, &m, t->arch ? t->arch : "");
	if (m.n)
		mkc_strv_add(c, m.v[0]);
	else if (t->script)
		mkc_strv_add(c, "http://deb.debian.org/debian");
	if (t->script)
		mkc_strv_add(c, t->script);
	mkc_strv_free(&m);
}

static void dnf(const struct mkc_build *b, struct mkc_cmds *out, const char *arch)
{
	const struct mkc_template *t = b->t;
	struct mkc_strv *c = new_cmd(out);
	mkc_strv_add(c, "dnf");
	mkc_strv_add(c, "-y");
	addf(c, "--installroot=%s", b->root);
	addf(c, "--releasever=%s", t->release);
	if (t->arch)
		addf(c, "--forcearch=%s", t->arch);
	mkc_strv_add(c, "--setopt=install_weak_deps=False");
	mkc_strv_add(c, "--setopt=tsflags=nodocs");
	if (b->nogpg)
		mkc_strv_add(c, "--nogpgcheck");
	struct mkc_strv m = { 0 };
	mirrors(b, &m, arch);
	for (size_t i = 0; i < m.n; i++) {
		char id[32];
		snprintf(id, sizeof id, "mkchroot%zu", i);
		char *s = xasprintf("--repofrompath=%s,%s", id, m.v[i]);
		mkc_strv_add(c, s);
		free(s);
		addf(c, "--repo=%s", id);
	}
	mkc_strv_free(&m);
	for (size_t i = 0; i < t->excludes.n; i++)
		addf(c, "--exclude=%s", t->excludes.v[i]);
	mkc_strv_add(c, "install");
	for (size_t i = 0; i < t->packages.n; i++)
		mkc_strv_add(c, t->packages.v[i]);
	for (size_t i = 0; b->packages && i < b->packages->n; i++)
		mkc_strv_add(c, b->packages->v[i]);
}

static struct mkc_strv *zypper_cmd(const struct mkc_build *b, struct mkc_cmds *out)
{
	struct mkc_strv *c = new_cmd(out);
	mkc_strv_add(c, "zypper");
	mkc_strv_add(c, "--root");
	mkc_strv_add(c, b->root);
	mkc_strv_add(c, "--non-interactive");
	mkc_strv_add(c, b->nogpg ? "--no-gpg-checks" : "--gpg-auto-import-keys");
	return c;
}

static void zypper(const struct mkc_build *b, struct mkc_cmds *out, const char *arch)
{
	const struct mkc_template *t = b->t;
	struct mkc_strv m = { 0 };
	mirrors(b, &m, arch);
	for (size_t i = 0; i < m.n; i++) {
		struct mkc_strv *c = zypper_cmd(b, out);
		char id[32];
		snprintf(id, sizeof id, "mkchroot%zu", i);
		mkc_strv_add(c, "addrepo");
		mkc_strv_add(c, "--refresh");
		mkc_strv_add(c, m.v[i]);
		mkc_strv_add(c, id);
	}
	mkc_strv_free(&m);
	struct mkc_strv *c = zypper_cmd(b, out);
	mkc_strv_add(c, "refresh");
	c = zypper_cmd(b, out);
	addf(c, "--releasever=%s", t->release);
	mkc_strv_add(c, "install");
	mkc_strv_add(c, "--no-recommends");
	for (size_t i = 0; i < t->packages.n; i++)
		mkc_strv_add(c, t->packages.v[i]);
	for (size_t i = 0; b->packages && i < b->packages->n; i++)
		mkc_strv_add(c, b->packages->v[i]);
	for (size_t i = 0; i < t->excludes.n; i++)
		addf(c, "!%s", t->excludes.v[i]); /* zypper: "!NAME" keeps it out */
}

int mkc_backend_commands(const struct mkc_build *b, struct mkc_cmds *out, char *err, size_t errlen)
{
	struct utsname u;
	memset(out, 0, sizeof *out);
	switch (b->t->backend) {
	case MKC_BACKEND_DEBOOTSTRAP:
		debootstrap(b, out);
		return 0;
	case MKC_BACKEND_DNF:
		dnf(b, out, rpm_arch(b->t, &u));
		return 0;
	case MKC_BACKEND_ZYPPER:
		zypper(b, out, rpm_arch(b->t, &u));
		return 0;
	default:
		snprintf(err, errlen, "backend %s runs no package manager", mkc_backend_name(b->t->backend));
		return -1;
	}
}
