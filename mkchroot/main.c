/*
 * mkchroot — build a node root (chroot) from a template, or pack one as a
 * VNFS image.
 *
 *   mkchroot [OPTIONS] TEMPLATE PATH       build PATH from /etc/mkchroot.d/TEMPLATE.conf
 *   mkchroot --vnfs OUTPUT [OPTIONS] PATH  pack PATH into OUTPUT (cpio newc or pax tar)
 *
 * Exit status: 0 success, 1 usage or local error, 2 the backend tool (or the
 * source host) failed.
 */
#include <errno.h>
#include <popt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build.h"
#include "catalog.h"
#include "log.h"
#include "template.h"
#include "vnfs.h"

struct opts {
	int debug, verbose, quiet, nogpg, dry_run, no_stateless, list, level, threads;
	char *mirror, *packages, *source, *from, *templates, *config, *cache;
	char *vnfs, *format, *compress, *exclude_from;
	struct mkc_excl excl;
};

static void missing_template(poptContext pc, const char *dir)
{
	fprintf(stderr, "ERROR: Missing template name\n\n");
	poptPrintUsage(pc, stderr, 0);
	fprintf(stderr, "\nTemplates in %s:\n", dir);
	if (mkc_catalog_list(dir, stderr) == 0)
		fprintf(stderr, "  (none)\n");
}

/* SOURCE_DATE_EPOCH, if set: 1 and *T, 0 if unset, -1 if malformed. */
static int source_date_epoch(int64_t *t)
{
	const char *s = getenv("SOURCE_DATE_EPOCH");
	if (!s || !*s)
		return 0;
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || *end || v < 0) {
		warnmsg("SOURCE_DATE_EPOCH=%s: not a number of seconds", s);
		return -1;
	}
	*t = v;
	return 1;
}

static int usage_error(poptContext pc, const char *msg)
{
	warnmsg("%s", msg);
	poptPrintUsage(pc, stderr, 0);
	return 1;
}

static int pack(struct opts *o, const char *root)
{
	struct mkc_vnfs_opts v = { .level = o->level, .threads = o->threads, .excl = &o->excl };
	int f = o->format ? mkc_vnfs_format_parse(o->format) : MKC_VNFS_AUTO;
	int c = o->compress ? mkc_vnfs_compress_parse(o->compress) : MKC_VNFS_ZAUTO;
	if (f < 0 || c < 0) {
		warnmsg(f < 0 ? "--format %s: use newc or pax" : "--compress %s: use gzip, zstd, xz or none",
			f < 0 ? o->format : o->compress);
		return 1;
	}
	v.format = (enum mkc_vnfs_format)f;
	v.compress = (enum mkc_vnfs_compress)c;
	mkc_vnfs_from_name(o->vnfs, &v.format, &v.compress);
	const char *exf = o->exclude_from ? o->exclude_from : SYSCONFDIR "/mkchroot/vnfs.exclude";
	if (mkc_excl_add_file(&o->excl, exf) < 0) {
		warnmsg_errno("%s", exf);
		return 1;
	}
	v.clamp = source_date_epoch(&v.clamp_time);
	if (v.clamp < 0)
		return 1;
	return mkc_vnfs_pack(o->vnfs, root, &v);
}

static int build(struct opts *o, const char *name, const char *path)
{
	const char *dir = mkc_catalog_dir(o->templates);
	struct mkc_template t = { 0 };
	char err[1024];
	if (mkc_catalog_load(dir, name, &t, err, sizeof err) < 0) {
		mkc_template_free(&t);
		warnmsg("%s", err);
		return 1;
	}
	struct mkc_strv pkgs = { 0 };
	if (o->packages)
		mkc_strv_add_words(&pkgs, o->packages);
	struct mkc_job j = {
		.b = { .t = &t, .mirror = o->mirror, .packages = &pkgs, .nogpg = o->nogpg, .cache_dir = o->cache },
		.path = path, .source = o->source, .from = o->from, .excl = &o->excl,
		.dry_run = o->dry_run, .no_stateless = o->no_stateless,
	};
	int rc = mkc_build_root(&j);
	mkc_strv_free(&pkgs);
	mkc_template_free(&t);
	return rc;
}

int main(int argc, char **argv)
{
	log_init(argv[0]);
	struct opts o = { 0 };
	char *exclude = NULL;
	struct poptOption table[] = {
		{ "templates", 0, POPT_ARG_STRING, &o.templates, 0, "template folders, ':' between (default $MKCHROOT_TEMPLATES, "
		  "else " MKC_CATALOG_PATH ")", "DIRS" },
		{ "config", 0, POPT_ARG_STRING, &o.config, 0, "use this template file instead of TEMPLATE", "FILE" },
		{ "list", 'l', POPT_ARG_NONE, &o.list, 0, "list the templates and exit", NULL },
		{ "mirror", 0, POPT_ARG_STRING, &o.mirror, 0, "package mirror instead of the template's", "URL" },
		{ "packages", 0, POPT_ARG_STRING, &o.packages, 0, "more packages (comma or space separated)", "LIST" },
		{ "source", 0, POPT_ARG_STRING, &o.source, 0, "golden: copy this directory or host", "HOST|PATH" },
		{ "from", 0, POPT_ARG_STRING, &o.from, 0, "archive: unpack this tarball or docker-save/OCI archive", "FILE" },
		{ "nogpg", 'g', POPT_ARG_NONE, &o.nogpg, 0, "no GPG checks of packages", NULL },
		{ "cache", 0, POPT_ARG_STRING, &o.cache, 0, "debootstrap: keep downloaded packages in DIR", "DIR" },
		{ "dry-run", 'n', POPT_ARG_NONE, &o.dry_run, 0, "print the commands, change nothing", NULL },
		{ "no-stateless", 0, POPT_ARG_NONE, &o.no_stateless, 0, "skip the stateless post steps", NULL },
		{ "vnfs", 0, POPT_ARG_STRING, &o.vnfs, 0, "pack PATH into the VNFS image OUTPUT", "OUTPUT" },
		{ "format", 0, POPT_ARG_STRING, &o.format, 0, "VNFS format: newc (cpio) or pax (tar)", "FORMAT" },
		{ "compress", 0, POPT_ARG_STRING, &o.compress, 0, "VNFS compression: gzip, zstd, xz or none", "NAME" },
		{ "level", 0, POPT_ARG_INT, &o.level, 0, "compression level", "N" },
		{ "threads", 0, POPT_ARG_INT, &o.threads, 0, "compression threads for zstd and xz (default: CPUs)", "N" },
		{ "exclude", 'x', POPT_ARG_STRING, &exclude, 'x', "leave out paths matching PATTERN (repeatable)",
		  "PATTERN" },
		{ "exclude-from", 0, POPT_ARG_STRING, &o.exclude_from, 0,
		  "VNFS exclude file (default " SYSCONFDIR "/mkchroot/vnfs.exclude)", "FILE" },
		{ "verbose", 'v', POPT_ARG_NONE, &o.verbose, 0, "say what is done", NULL },
		{ "debug", 'd', POPT_ARG_NONE, &o.debug, 0, "say everything (each packed path too)", NULL },
		{ "quiet", 'q', POPT_ARG_NONE, &o.quiet, 0, "only errors", NULL },
		{ "version", 0, POPT_ARG_NONE, NULL, 'V', "print the version", NULL },
		POPT_AUTOHELP POPT_TABLEEND
	};
	poptContext pc = poptGetContext("mkchroot", argc, (const char **)argv, table, 0);
	poptSetOtherOptionHelp(pc, "[OPTIONS] TEMPLATE PATH | --vnfs OUTPUT [OPTIONS] PATH");
	int rc;
	while ((rc = poptGetNextOpt(pc)) > 0) {
		if (rc == 'x') {
			mkc_excl_add(&o.excl, exclude);
			free(exclude);
			exclude = NULL;
		} else if (rc == 'V') {
			printf("mkchroot %s\n", CT_VERSION);
			return 0;
		}
	}
	if (rc < -1) {
		warnmsg("%s: %s", poptBadOption(pc, POPT_BADOPTION_NOALIAS), poptStrerror(rc));
		poptPrintUsage(pc, stderr, 0);
		mkc_excl_free(&o.excl);
		poptFreeContext(pc);
		return 1;
	}
	log_set_verbosity(o.debug ? LOG_DEBUG : o.verbose ? LOG_VERBOSE : o.quiet ? LOG_QUIET : LOG_NORMAL);
	const char **args = poptGetArgs(pc);
	size_t nargs = 0;
	while (args && args[nargs])
		nargs++;

	int status;
	if (o.list) {
		mkc_catalog_list(mkc_catalog_dir(o.templates), stdout);
		status = 0;
	} else if (o.vnfs) {
		status = nargs == 1 ? pack(&o, args[0]) : usage_error(pc, "--vnfs OUTPUT needs exactly one PATH to pack");
	} else if (nargs == 0 && !o.config) {
		missing_template(pc, mkc_catalog_dir(o.templates));
		status = 1;
	} else if (nargs != (o.config ? 1u : 2u)) {
		status = usage_error(pc, o.config ? "--config FILE takes one PATH" : "mkchroot TEMPLATE PATH: give both");
	} else {
		char *name = o.config && !strchr(o.config, '/') ? xasprintf("./%s", o.config) : NULL;
		status = build(&o, name ? name : o.config ? o.config : args[0], args[nargs - 1]);
		free(name);
	}
	mkc_excl_free(&o.excl);
	free(o.mirror); free(o.packages); free(o.source); free(o.from); free(o.templates); free(o.config);
	free(o.cache); free(o.vnfs); free(o.format); free(o.compress); free(o.exclude_from);
	poptFreeContext(pc);
	return status;
}
