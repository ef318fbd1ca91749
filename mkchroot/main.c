/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mkchroot — build a node root (chroot) from a template, or pack one as a
 * VNFS image.
 *
 *   mkchroot [OPTIONS] TEMPLATE PATH       build PATH from /etc/mkchroot.d/TEMPLATE.conf
 *   mkchroot --vnfs OUTPUT [OPTIONS] PATH  pack PATH into OUTPUT (cpio newc or pax tar)
 *   mkchroot --disk OUTPUT [OPTIONS] PATH  pack PATH into a bootable disk image (qcow2 or raw)
 *   mkchroot --netboot DIR [OPTIONS] PATH  PATH's kernel, VNFS image and an iPXE script into DIR
 *
 * Exit status: 0 success, 1 usage or local error, 2 the backend tool (or the
 * source host) failed.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "build.h"
#include "catalog.h"
#include "cli.h"
#include "clock.h"
#include "disk.h"
#include "diskplan.h"
#include "jsonl.h"
#include "log.h"
#include "netboot.h"
#include "template.h"
#include "vnfs.h"
#include "xalloc.h"

struct opts {
	int debug, verbose, quiet, nogpg, dry_run, no_stateless, list, json, level, threads, force, raw, sha256;
	char *mirror, *packages, *source, *from, *templates, *config, *cache, *vnfs, *exclude_from;
	char *disk, *cmdline, *uuid_seed, *netboot;
	uint64_t disk_size, disk_free;
	char digest[65];             /* --disk --sha256: what OUT.sha256 holds, for --json */
	int format_word;             /* --format's word, -1 if not given */
	int fs_word;                 /* --fs's word, -1 if not given */
	enum mkc_vnfs_format format;
	enum mkc_vnfs_compress compress;
	struct exclude excl;
	char *first, *last;          /* the first and last arguments */
	const char *template, *path; /* what to build or pack: the template (or --config) and PATH */
};

enum { OPT_EXCLUDE = 1, OPT_FORMAT, OPT_COMPRESS, OPT_LEVEL, OPT_THREADS, OPT_DISK_SIZE, OPT_DISK_FREE, OPT_FS };

/* --format's words: the VNFS formats, then the disk image formats. */
static const char *const formats[] = { "newc", "cpio", "pax", "tar", "qcow2", "raw", NULL };
#define FORMAT_DISK 4

/* --fs's words: ext4, and xfs only to say why not. */
static const char *const filesystems[] = { "ext4", "xfs", NULL };
#define FS_XFS 1

/* zstd's levels run to 19 (22 with --ultra, not offered); gzip's and xz's to 9. */
#define MKC_LEVEL_MAX 19

static void missing_template(struct cli *c, const char *dir)
{
	fprintf(stderr, "ERROR: Missing template name\n\n");
	poptPrintUsage(c->pc, stderr, 0);
	fprintf(stderr, "\nTemplates in %s:\n", dir);
	if (mkc_catalog_list(dir, stderr) == 0)
		fprintf(stderr, "  (none)\n");
	if (c->json_asked)
		jsonl_emit(stdout, jsonl_result(1, "missing template name"));
	exit(1);
}

/* --level N against the chosen compression: gzip and xz stop at 9. */
static void check_level(struct cli *c, const struct opts *o)
{
	if (o->compress == MKC_VNFS_NONE && o->level > 0)
		cli_usage_error(c, "--level %d: the image is not compressed", o->level);
	if ((o->compress == MKC_VNFS_GZIP || o->compress == MKC_VNFS_XZ) && o->level > 9)
		cli_usage_error(c, "--level %d: out of range for %s (0 to 9)", o->level,
				mkc_vnfs_compress_name(o->compress));
}

/* --format against --vnfs or --disk: each takes its own words. */
static void check_format(struct cli *c, struct opts *o)
{
	if (o->format_word < 0)
		return;
	if (o->disk && o->format_word < FORMAT_DISK)
		cli_usage_error(c, "--format %s is a VNFS format; --disk takes qcow2 or raw", formats[o->format_word]);
	if (!o->disk && o->format_word >= FORMAT_DISK)
		cli_usage_error(c, "--format %s is a disk image format, for --disk", formats[o->format_word]);
	o->raw = o->format_word == FORMAT_DISK + 1;
	if (!o->disk)
		o->format = o->format_word < 2 ? MKC_VNFS_NEWC : MKC_VNFS_PAX;
}

/* The N arguments (FIRST ... LAST): TEMPLATE PATH, --config FILE PATH, --vnfs or --disk OUTPUT PATH. */
static void check_args(struct cli *c, struct opts *o, size_t n, char *first, char *last)
{
	o->template = o->config ? o->config : first;
	o->path = last;
	if (o->list)
		return;
	check_format(c, o);
	if (!!o->vnfs + !!o->disk + !!o->netboot > 1)
		cli_usage_error(c, "--vnfs, --disk and --netboot: one image at a time");
	if (!o->disk && (o->fs_word >= 0 || o->sha256))
		cli_usage_error(c, "%s is for --disk", o->sha256 ? "--sha256" : "--fs");
	if (o->disk) {
		if (n != 1)
			cli_usage_error(c, "--disk OUTPUT needs exactly one PATH to pack");
	} else if (o->vnfs) {
		if (n != 1)
			cli_usage_error(c, "--vnfs OUTPUT needs exactly one PATH to pack");
		mkc_vnfs_from_name(o->vnfs, &o->format, &o->compress);
		check_level(c, o);
	} else if (o->netboot) {
		if (n != 1)
			cli_usage_error(c, "--netboot DIR needs exactly one PATH to pack");
		if (o->format == MKC_VNFS_PAX)
			cli_usage_error(c, "--netboot: the image is an initramfs, --format newc (a kernel cannot boot pax)");
		mkc_vnfs_from_name(MKC_NETBOOT_IMAGE, &o->format, &o->compress);
		check_level(c, o);
	} else if (n == 0 && !o->config) {
		missing_template(c, mkc_catalog_dir(o->templates));
	} else if (n != (o->config ? 1u : 2u)) {
		cli_usage_error(c, o->config ? "--config FILE takes one PATH" : "mkchroot TEMPLATE PATH: give both");
	}
}

static void parse_options(int argc, char **argv, struct opts *o)
{
	struct poptOption table[] = {
		{ "templates", 0, POPT_ARG_STRING, &o->templates, 0,
		  "template folders, ':' between (default $MKCHROOT_TEMPLATES, else " MKC_CATALOG_PATH ")", "DIRS" },
		{ "config", 'c', POPT_ARG_STRING, &o->config, 0, "use this template file instead of TEMPLATE", "FILE" },
		{ "list", 0, POPT_ARG_NONE, &o->list, 0, "list the templates and exit (exit 1 if there are none)", NULL },
		{ "mirror", 0, POPT_ARG_STRING, &o->mirror, 0, "package mirror instead of the template's", "URL" },
		{ "packages", 0, POPT_ARG_STRING, &o->packages, 0, "more packages (comma or space separated)", "LIST" },
		{ "source", 0, POPT_ARG_STRING, &o->source, 0, "golden: copy this directory or host", "HOST|PATH" },
		{ "from", 0, POPT_ARG_STRING, &o->from, 0, "archive: unpack this tarball or docker-save/OCI archive", "FILE" },
		{ "nogpg", 0, POPT_ARG_NONE, &o->nogpg, 0, "no GPG checks of packages", NULL },
		{ "cache", 0, POPT_ARG_STRING, &o->cache, 0, "debootstrap: keep downloaded packages in DIR", "DIR" },
		{ "dry-run", 'n', POPT_ARG_NONE, &o->dry_run, 0, "print the commands, change nothing", NULL },
		{ "no-stateless", 0, POPT_ARG_NONE, &o->no_stateless, 0, "skip the stateless post steps", NULL },
		{ "vnfs", 0, POPT_ARG_STRING, &o->vnfs, 0, "pack PATH into the VNFS image OUTPUT", "OUTPUT" },
		{ "format", 0, POPT_ARG_STRING, NULL, OPT_FORMAT, "VNFS format: newc (cpio) or pax (tar); disk: qcow2 or raw",
		  "FORMAT" },
		{ "compress", 0, POPT_ARG_STRING, NULL, OPT_COMPRESS, "VNFS compression: gzip, zstd, xz or none", "NAME" },
		{ "level", 0, POPT_ARG_STRING, NULL, OPT_LEVEL, "compression level (gzip, xz: 0 to 9; zstd: 0 to 19)",
		  "N" },
		{ "threads", 0, POPT_ARG_STRING, NULL, OPT_THREADS, "compression threads for zstd and xz (default: CPUs)",
		  "N" },
		{ "netboot", 0, POPT_ARG_STRING, &o->netboot, 0, "write PATH's kernel, its VNFS image and an iPXE script "
		  "into the web folder DIR", "DIR" },
		{ "disk", 0, POPT_ARG_STRING, &o->disk, 0, "pack PATH into the bootable disk image OUTPUT", "OUTPUT" },
		{ "disk-size", 0, POPT_ARG_STRING, NULL, OPT_DISK_SIZE, "disk: the whole image's size (default: the tree's "
		  "needs plus --disk-free)", "SIZE" },
		{ "disk-free", 0, POPT_ARG_STRING, NULL, OPT_DISK_FREE, "disk: room left on the root filesystem (default 256M)",
		  "SIZE" },
		{ "cmdline", 0, POPT_ARG_STRING, &o->cmdline, 0, "disk: kernel options after root=UUID=... ro; netboot: after "
		  "initrd=initrd.img (default: the tree's etc/kernel/cmdline, else " MKC_NETBOOT_CMDLINE ")", "ARGS" },
		{ "uuid-seed", 0, POPT_ARG_STRING, &o->uuid_seed, 0, "disk: derive the UUIDs from STRING (default: from the "
		  "tree's paths, modes, sizes and times)", "STRING" },
		{ "fs", 0, POPT_ARG_STRING, NULL, OPT_FS, "disk: the root filesystem, ext4 (xfs is refused)", "TYPE" },
		{ "sha256", 0, POPT_ARG_NONE, &o->sha256, 0, "disk: write OUTPUT.sha256, the digest nodeimage --sha256 takes",
		  NULL },
		{ "force", 'f', POPT_ARG_NONE, &o->force, 0, "disk: replace an existing OUTPUT", NULL },
		{ "exclude", 0, POPT_ARG_STRING, NULL, OPT_EXCLUDE, "leave out paths matching PATTERN (repeatable)",
		  "PATTERN" },
		{ "exclude-from", 0, POPT_ARG_STRING, &o->exclude_from, 0,
		  "VNFS exclude file, must exist (default " SYSCONFDIR "/mkchroot/vnfs.exclude, may be absent)", "FILE" },
		{ "json", 0, POPT_ARG_NONE, &o->json, 0, "print the outcome as one JSON object", NULL },
		{ "verbose", 'v', POPT_ARG_NONE, &o->verbose, 0, "say what is done", NULL },
		{ "debug", 'd', POPT_ARG_NONE, &o->debug, 0, "say everything (each packed path too)", NULL },
		{ "quiet", 'q', POPT_ARG_NONE, &o->quiet, 0, "only errors", NULL },
		CLI_VERSION_OPTION,
		POPT_AUTOHELP POPT_TABLEEND
	};
	static const char *const compressors[] = { "gzip", "gz", "zstd", "zst", "xz", "none", NULL };
	struct cli c;
	cli_begin(&c, "mkchroot", argc, argv, table, "TEMPLATE PATH | --vnfs OUTPUT PATH | --disk OUTPUT PATH | --netboot DIR PATH",
		  CLI_JSON_FAILURES | CLI_ARGS_ANYWHERE);
	while (cli_next(&c) > 0) {
		char *v;
		switch (c.opt) {
		case OPT_EXCLUDE:
			v = (char *)cli_value(&c); /* popt's copy, ours to free */
			if (exclude_add(&o->excl, v) < 0)
				cli_usage_error(&c, "--exclude: pattern longer than %d bytes", EXCLUDE_PAT_MAX);
			free(v);
			break;
		case OPT_FORMAT:
			o->format_word = cli_choice(&c, formats);
			break;
		case OPT_FS:
			o->fs_word = cli_choice(&c, filesystems);
			break;
		case OPT_DISK_SIZE:
		case OPT_DISK_FREE:
			v = (char *)cli_value(&c);
			if (mkc_disk_parse_size(v, c.opt == OPT_DISK_SIZE ? &o->disk_size : &o->disk_free) < 0)
				cli_usage_error(&c, "%s %s: a size in bytes, or with K, M, G or T", cli_option_name(&c), v);
			free(v);
			break;
		case OPT_COMPRESS:
			o->compress = (enum mkc_vnfs_compress)mkc_vnfs_compress_parse(compressors[cli_choice(&c, compressors)]);
			break;
		case OPT_LEVEL:
			o->level = (int)cli_long(&c, 0, MKC_LEVEL_MAX);
			break;
		case OPT_THREADS:
			o->threads = (int)cli_long(&c, 1, 1024);
			break;
		}
	}
	size_t n;
	char **args = cli_args(&c, &n);
	o->first = n ? xstrdup(args[0]) : NULL;
	o->last = n ? xstrdup(args[n - 1]) : NULL;
	cli_args_free(args, n);
	check_args(&c, o, n, o->first, o->last);
	cli_end(&c);
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

/* The exclude file: --exclude-from FILE must exist, the default may be absent. */
static int load_exclude_file(struct opts *o)
{
	const char *path = o->exclude_from ? o->exclude_from : SYSCONFDIR "/mkchroot/vnfs.exclude";
	if (o->exclude_from && access(path, R_OK) < 0) {
		warnmsg_errno("--exclude-from %s", path);
		return -1;
	}
	if (mkc_excl_add_file(&o->excl, path) < 0) {
		warnmsg_errno("%s", path);
		return -1;
	}
	return 0;
}

/* The VNFS options from the command line and the environment: 0, or -1 after a message. */
static int vnfs_opts(struct opts *o, struct mkc_vnfs_opts *v)
{
	*v = (struct mkc_vnfs_opts){ .format = o->format, .compress = o->compress, .level = o->level,
				     .threads = o->threads, .excl = &o->excl };
	if (load_exclude_file(o) < 0)
		return -1;
	v->clamp = source_date_epoch(&v->clamp_time);
	return v->clamp < 0 ? -1 : 0;
}

static int pack(struct opts *o, struct mkc_vnfs_stats *st)
{
	struct mkc_vnfs_opts v;
	return vnfs_opts(o, &v) < 0 ? 1 : mkc_vnfs_pack(o->vnfs, o->path, &v, st);
}

static int netboot(struct opts *o, struct mkc_netboot_result *r)
{
	struct mkc_vnfs_opts v;
	if (vnfs_opts(o, &v) < 0)
		return 1;
	struct mkc_netboot_opts n = { .dir = o->netboot, .root = o->path, .cmdline = o->cmdline,
				      .dry_run = o->dry_run, .vnfs = &v };
	return mkc_netboot_make(&n, r);
}

static int disk(struct opts *o)
{
	struct mkc_disk_opts d = { .output = o->disk, .root = o->path, .raw = o->raw, .size = o->disk_size,
				   .free_bytes = o->disk_free, .seed = o->uuid_seed, .cmdline = o->cmdline,
				   .no_stateless = o->no_stateless, .force = o->force, .dry_run = o->dry_run,
				   .sha256 = o->sha256, .digest = o->digest };
	if (o->fs_word == FS_XFS) {
		warnmsg("--fs xfs: not made: this mkfs.xfs fills a filesystem from a protofile only (no hard links, "
			"extended attributes or file times), so --disk makes ext4 (--fs ext4, the default)");
		return 1;
	}
	d.clamp = source_date_epoch(&d.clamp_time);
	if (d.clamp < 0)
		return 1;
	return mkc_disk_make(&d);
}

static int build(struct opts *o, struct mkc_template *t)
{
	const char *dir = mkc_catalog_dir(o->templates);
	char err[1024];
	char *name = o->config && !strchr(o->config, '/') ? xasprintf("./%s", o->config) : xstrdup(o->template);
	int rc = mkc_catalog_load(dir, name, t, err, sizeof err);
	free(name);
	if (rc < 0) {
		warnmsg("%s", err);
		return 1;
	}
	struct mkc_strv pkgs = { 0 };
	if (o->packages)
		mkc_strv_add_words(&pkgs, o->packages);
	struct mkc_job j = {
		.b = { .t = t, .mirror = o->mirror, .packages = &pkgs, .nogpg = o->nogpg, .cache_dir = o->cache },
		.path = o->path, .source = o->source, .from = o->from, .excl = &o->excl,
		.dry_run = o->dry_run, .no_stateless = o->no_stateless,
	};
	rc = mkc_build_root(&j);
	mkc_strv_free(&pkgs);
	return rc;
}

/* --list: the templates on stdout; none at all is an error (exit 1). */
static int list(const struct opts *o)
{
	const char *dir = mkc_catalog_dir(o->templates);
	if (mkc_catalog_list(dir, stdout) > 0)
		return 0;
	warnmsg("no templates in %s", dir);
	return 1;
}

/*
 * With --json stdout holds the one object: while the work runs, what would
 * go to stdout (a backend's chatter) goes to stderr, or with -n and --list
 * into a temporary file whose lines become "commands" or "templates".
 * Returns the saved fd 1.
 */
static int stdout_aside(const struct opts *o, FILE **capture)
{
	fflush(stdout);
	int saved = dup(STDOUT_FILENO);
	*capture = o->dry_run || o->list ? tmpfile() : NULL;
	if (saved < 0 || dup2(*capture ? fileno(*capture) : STDERR_FILENO, STDOUT_FILENO) < 0)
		die_errno(1, "stdout");
	return saved;
}

/* Put stdout back; the captured lines, if any, as a JSON array. */
static json_t *stdout_back(int saved, FILE *capture)
{
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	if (!capture)
		return NULL;
	json_t *lines = json_array();
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	rewind(capture);
	while ((n = getline(&line, &cap, capture)) > 0) {
		json_t *one = json_object(); /* jsonl's UTF-8 rule for each line */
		jsonl_set_bytes(one, "l", line, (size_t)n - (line[n - 1] == '\n'));
		json_array_append(lines, json_object_get(one, "l"));
		json_decref(one);
	}
	free(line);
	fclose(capture);
	return lines;
}

/* The templates as [{"name", "folder", "overridden", "description"}]. */
static json_t *templates_json(const struct opts *o)
{
	struct mkc_catalog_entry *e;
	size_t n = mkc_catalog_entries(mkc_catalog_dir(o->templates), &e);
	json_t *v = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *one = json_object();
		jsonl_set_str(one, "name", e[i].name);
		jsonl_set_str(one, "folder", e[i].folder);
		json_object_set_new(one, "overridden", json_boolean(e[i].overridden));
		json_object_set_new(one, "broken", json_boolean(e[i].broken));
		jsonl_set_str(one, "description", e[i].description);
		json_array_append_new(v, one);
	}
	mkc_catalog_entries_free(e, n);
	return v;
}

/* The --json object: ok, exit, error (the first problem reported), then what was built or packed. */
/* The image's numbers in J. */
static void image_json(json_t *j, const struct mkc_vnfs_stats *st)
{
	json_object_set_new(j, "files", json_integer((json_int_t)st->files));
	json_object_set_new(j, "bytes_in", json_integer((json_int_t)st->bytes_in));
	json_object_set_new(j, "excluded", json_integer((json_int_t)st->excluded));
	json_object_set_new(j, "bytes", json_integer((json_int_t)st->bytes));
}

/* --netboot's part of the --json object: the folder, its files, the kernel and its command line. */
static void netboot_json(json_t *j, const struct opts *o, const struct mkc_netboot_result *r, json_t *lines)
{
	jsonl_set_str(j, "source", o->path);
	jsonl_set_str(j, "dir", o->netboot);
	jsonl_set_str(j, "kernel", MKC_NETBOOT_KERNEL);
	jsonl_set_str(j, "image", MKC_NETBOOT_IMAGE);
	jsonl_set_str(j, "script", MKC_NETBOOT_SCRIPT);
	jsonl_set_str(j, "kernel_version", r->kernel_version);
	jsonl_set_str(j, "cmdline", r->cmdline);
	jsonl_set_str(j, "compress", mkc_vnfs_compress_name(o->compress));
	json_object_set_new(j, "dry_run", json_boolean(o->dry_run));
	if (lines)
		json_object_set_new(j, "plan", json_incref(lines));
	else
		image_json(j, &r->image);
}

static void report(const struct opts *o, int rc, const struct mkc_template *t, const struct mkc_vnfs_stats *st,
		   const struct mkc_netboot_result *nb, json_t *lines, double seconds)
{
	const char *err = log_first_warning();
	json_t *j = jsonl_result(rc, rc ? (err ? err : "failed") : NULL);
	jsonl_set_str(j, "action", o->list ? "list" : o->vnfs ? "vnfs" : o->disk ? "disk" : o->netboot ? "netboot" : "build");
	if (o->list) {
		json_object_set_new(j, "templates", templates_json(o));
	} else if (o->disk) {
		jsonl_set_str(j, "source", o->path);
		jsonl_set_str(j, "output", o->disk);
		jsonl_set_str(j, "format", o->raw ? "raw" : "qcow2");
		if (o->digest[0])
			jsonl_set_str(j, "sha256", o->digest);
		json_object_set_new(j, "dry_run", json_boolean(o->dry_run));
		if (lines)
			json_object_set_new(j, "plan", json_incref(lines));
	} else if (o->vnfs) {
		jsonl_set_str(j, "source", o->path);
		jsonl_set_str(j, "output", o->vnfs);
		jsonl_set_str(j, "format", mkc_vnfs_format_name(o->format));
		jsonl_set_str(j, "compress", mkc_vnfs_compress_name(o->compress));
		image_json(j, st);
	} else if (o->netboot) {
		netboot_json(j, o, nb, lines);
	} else {
		jsonl_set_str(j, "template", o->template);
		jsonl_set_str(j, "target", o->path);
		jsonl_set_str(j, "backend", t->backend ? mkc_backend_name(t->backend) : NULL);
		json_object_set_new(j, "dry_run", json_boolean(o->dry_run));
		if (lines)
			json_object_set_new(j, "commands", json_incref(lines));
	}
	json_object_set_new(j, "seconds", json_real((double)(long long)(seconds * 1000 + 0.5) / 1000));
	jsonl_emit(stdout, j);
	json_decref(lines);
}

int main(int argc, char **argv)
{
	log_init(argv[0]);
	struct opts o = { .format_word = -1, .fs_word = -1, .disk_free = MKC_DISK_FREE_DEFAULT };
	parse_options(argc, argv, &o);
	log_set_verbosity(o.debug ? LOG_DEBUG : o.verbose ? LOG_VERBOSE : o.quiet ? LOG_QUIET : LOG_NORMAL);

	struct mkc_template t = { 0 };
	struct mkc_vnfs_stats st = { 0 };
	struct mkc_netboot_result nb = { 0 };
	FILE *capture = NULL;
	int saved = o.json ? stdout_aside(&o, &capture) : -1;
	double t0 = now_monotonic();
	int status = o.list ? list(&o) : o.vnfs ? pack(&o, &st) : o.disk ? disk(&o) : o.netboot ? netboot(&o, &nb)
													: build(&o, &t);
	double seconds = now_monotonic() - t0;
	json_t *lines = saved >= 0 ? stdout_back(saved, capture) : NULL;
	if (o.json)
		report(&o, status, &t, &st, &nb, lines, seconds);
	mkc_template_free(&t);
	mkc_netboot_result_free(&nb);
	exclude_free(&o.excl);
	free(o.mirror); free(o.packages); free(o.source); free(o.from); free(o.templates); free(o.config);
	free(o.cache); free(o.vnfs); free(o.exclude_from); free(o.disk); free(o.cmdline); free(o.uuid_seed);
	free(o.netboot);
	free(o.first);
	free(o.last);
	return status;
}
