/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nodeimage — fetch a (sparse) qcow2 or raw image over HTTP and write it to
 * a disk or a file: header, L1, L2, then data in host-file order, once.
 *
 * Exit: 0 ok, 1 usage or local error, 2 download, 3 bad or unsupported
 * image, 4 write error, 5 checksum mismatch, 6 written but --kexec could
 * not boot it, 128+N stopped by signal N.
 */
#include <ctype.h>
#include <errno.h>
#include <curl/curl.h>
#include <inttypes.h>
#include <jansson.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "clock.h"
#include "grow.h"
#include "image.h"
#include "inifile.h"
#include "jsonl.h"
#include "kexec.h"
#include "log.h"
#include "progress.h"
#include "xalloc.h"

enum { EXIT_USAGE = 1, EXIT_CHECKSUM = 5, NODEIMAGE_MAX_RETRIES = 1000 };

struct opts {
	const char *source, *target;
	char *sha256, *config;
	int format_given;      /* --format was on the command line */
	enum qcow2_format fmt; /* --format, else format = in the config: what the body must be */
	int wipe, grow, json, quiet, retries, require_sha256;
	struct fetch_opts fetch;
	struct kexec_opts kexec;
};

struct result {
	struct qcow2_image img;
	struct qcow2_map map;
	struct image_stats copy;
	int loaded, grown;  /* the image's tables were read; --grow succeeded */
	uint64_t written;
	char sha256[65];
	double seconds;
};

static void report(const struct opts *o, struct fetch *f, const struct result *r, int rc, const char *msg);

/* Fail before any work: say why, with --json also as the JSON object; exit STATUS. */
__attribute__((format(printf, 3, 4), noreturn)) static void quit(const struct opts *o, int status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg;
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	warnmsg("%s", msg ? msg : "out of memory");
	struct result r;
	memset(&r, 0, sizeof r);
	report(o, NULL, &r, status, msg ? msg : "out of memory");
	free(msg);
	exit(status);
}

/* The signal that asked us to stop, or 0. */
static volatile sig_atomic_t stop_signal;

static void on_stop(int sig)
{
	stop_signal = sig;
}

/*
 * SIGINT, SIGTERM, SIGHUP (unless ignored, as under nohup): the download stops
 * within a second, a file target's temporary is removed and the outcome
 * reported (exit 128+N). A second signal kills at once (SA_RESETHAND).
 */
static void catch_stop_signals(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa = { .sa_handler = on_stop, .sa_flags = SA_RESTART | SA_RESETHAND }, old;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++)
		if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler != SIG_IGN)
			sigaction(sigs[i], &sa, NULL);
}

static const char *const formats[] = { "raw", "qcow2", NULL }; /* indexed by enum qcow2_format */

/* /etc/nodeimage.conf (or -c, or NODEIMAGE_CONF): defaults for the options. */
static void load_config(struct opts *o)
{
	static const char *const known[] = { "retries", "connect-timeout", "stall-timeout", "require-sha256", "wipe",
					     "format", NULL };
	int explicit;
	const char *path = cli_config_path(o->config, "NODEIMAGE_CONF", SYSCONFDIR "/nodeimage.conf", &explicit);
	char err[1024];
	struct ini *ini = ini_load(path, explicit, err, sizeof err);
	long retries = 5, connect = 10, stall = 30;
	int wipe = 0, format = QCOW2_FORMAT_QCOW2;
	if (!ini || ini_check_keys(ini, "", known, err, sizeof err) < 0 ||
	    ini_get_long(ini, "", "retries", 0, NODEIMAGE_MAX_RETRIES, &retries, err, sizeof err) < 0 ||
	    ini_get_long(ini, "", "connect-timeout", 0, 3600, &connect, err, sizeof err) < 0 ||
	    ini_get_long(ini, "", "stall-timeout", 0, 86400, &stall, err, sizeof err) < 0 ||
	    ini_get_bool(ini, "", "require-sha256", &o->require_sha256, err, sizeof err) < 0 ||
	    ini_get_bool(ini, "", "wipe", &wipe, err, sizeof err) < 0 ||
	    ini_get_choice(ini, "", "format", formats, &format, err, sizeof err) < 0) {
		ini_free(ini);
		quit(o, EXIT_USAGE, "%s", err);
	}
	ini_free(ini);
	if (o->retries < 0)
		o->retries = (int)retries;
	o->wipe |= wipe;
	if (!o->format_given)
		o->fmt = (enum qcow2_format)format;
	o->fetch.connect_timeout = connect;
	o->fetch.stall_timeout = stall;
	o->fetch.retries = o->retries;
	o->fetch.stop = &stop_signal;
}

enum { OPT_RETRIES = 1, OPT_FORMAT };

static void parse_options(int argc, char **argv, struct opts *o)
{
	struct poptOption table[] = {
		{ "sha256", 0, POPT_ARG_STRING, &o->sha256, 0, "verify the written image against this SHA-256", "HEX" },
		{ "format", 0, POPT_ARG_STRING, NULL, OPT_FORMAT,
		  "what the image is (default qcow2): a body that is not is refused", "qcow2|raw" },
		{ "wipe", 0, POPT_ARG_NONE, &o->wipe, 0, "zero the first and last MiB of the device first", NULL },
		{ "grow", 0, POPT_ARG_NONE, &o->grow, 0, "grow the last partition and its filesystem to the disk", NULL },
		{ "kexec", 0, POPT_ARG_NONE, &o->kexec.kexec, 0, "boot the written system's kernel now (kexec_file_load)", NULL },
		{ "append", 0, POPT_ARG_STRING, &o->kexec.append, 0, "with --kexec: add these kernel arguments", "ARGS" },
		{ "hostname", 0, POPT_ARG_STRING, &o->kexec.hostname, 0, "write NAME into the written root's /etc/hostname", "NAME" },
		{ "dry-run", 'n', POPT_ARG_NONE, &o->kexec.dry_run, 0, "with --kexec: print what would be loaded, load nothing", NULL },
		{ "retries", 0, POPT_ARG_STRING, NULL, OPT_RETRIES, "resume a broken transfer up to N times (default 5)",
		  "N" },
		{ "json", 0, POPT_ARG_NONE, &o->json, 0, "print the result, or the failure, as one JSON object", NULL },
		{ "quiet", 'q', POPT_ARG_NONE, &o->quiet, 0, "no progress, no summary", NULL },
		{ "config", 'c', POPT_ARG_STRING, &o->config, 0,
		  "config file (default $NODEIMAGE_CONF, else " SYSCONFDIR "/nodeimage.conf)", "FILE" },
		CLI_VERSION_OPTION,
		POPT_AUTOHELP POPT_TABLEEND
	};
	struct cli c;
	cli_begin(&c, "nodeimage", argc, argv, table, "[OPTIONS] URL|FILE TARGET", CLI_JSON_FAILURES | CLI_ARGS_ANYWHERE);
	while (cli_next(&c) > 0)
		if (c.opt == OPT_RETRIES)
			o->retries = (int)cli_long(&c, 0, NODEIMAGE_MAX_RETRIES);
		else if (c.opt == OPT_FORMAT) {
			o->fmt = (enum qcow2_format)cli_choice(&c, formats);
			o->format_given = 1;
		}
	size_t n;
	char **args = cli_args(&c, &n);
	if (n == 2) {
		o->source = xstrdup(args[0]);
		o->target = xstrdup(args[1]);
	}
	cli_args_free(args, n);
	if (n != 2)
		cli_usage_error(&c, "want two arguments, URL|FILE and TARGET, not %zu", n);
	cli_end(&c);
}

static void check_options(struct opts *o)
{
	char err[1024];
	if (fetch_check_source(o->source, err, sizeof err) < 0)
		quit(o, EXIT_USAGE, "%s", err);
	if (o->sha256) {
		size_t n = strlen(o->sha256);
		if (n != 64 || strspn(o->sha256, "0123456789abcdefABCDEF") != 64)
			quit(o, EXIT_USAGE, "--sha256 %s: want 64 hex digits", o->sha256);
		for (size_t i = 0; i < n; i++)
			o->sha256[i] = (char)tolower((unsigned char)o->sha256[i]);
	} else if (o->require_sha256) {
		quit(o, EXIT_USAGE, "the config requires --sha256 (require-sha256 = yes)");
	}
	if (kexec_check(&o->kexec, o->target, err, sizeof err) < 0)
		quit(o, EXIT_USAGE, "%s", err);
	struct stat st;
	if (o->grow && (stat(o->target, &st) < 0 || !S_ISBLK(st.st_mode)))
		quit(o, EXIT_USAGE, "%s: --grow needs a block device", o->target);
}

/* Hash the written target; 0 if it matches, EXIT_CHECKSUM if not, 4 on a read error. */
static int verify(struct writer *w, const struct opts *o, struct result *r, char *err, size_t errlen)
{
	uint8_t sum[32];
	if (writer_sha256(w, sum, err, errlen) < 0)
		return IMAGE_EXIT_WRITE;
	for (int i = 0; i < 32; i++)
		sprintf(r->sha256 + 2 * i, "%02x", sum[i]);
	if (strcmp(r->sha256, o->sha256) != 0) {
		snprintf(err, errlen, "%s: SHA-256 mismatch: written image is %s, expected %s%s", o->target, r->sha256,
			 o->sha256, writer_is_blockdev(w) ? "" : " (file not written)");
		return EXIT_CHECKSUM;
	}
	return 0;
}

/* Fetch, write, verify, commit. Returns the exit status; ERR says why. */
static int write_image(struct fetch *f, const struct opts *o, struct result *r, char *err, size_t errlen)
{
	int rc = image_load(f, o->fmt, &r->img, &r->map, err, errlen);
	if (rc)
		return rc;
	r->loaded = 1;
	struct writer *w = writer_open(o->target, r->img.virtual_size, o->wipe, err, errlen);
	if (!w)
		return IMAGE_EXIT_WRITE;
	rc = image_copy(f, &r->img, &r->map, w, progress_wanted(o->quiet), &r->copy, err, errlen);
	if (rc == 0 && o->sha256)
		rc = verify(w, o, r, err, errlen);
	r->written = writer_bytes_written(w);
	if (rc != 0 && !(rc == EXIT_CHECKSUM && writer_is_blockdev(w))) {
		writer_abort(w);
		return rc;
	}
	if (writer_commit(w, err, errlen) < 0)
		return IMAGE_EXIT_WRITE;
	return rc;
}

static void set_int(json_t *j, const char *key, uint64_t v)
{
	json_object_set_new(j, key, json_integer((json_int_t)v));
}

/*
 * The one JSON object, for success and failure alike: what was asked, how
 * far it got (F is NULL before the source was opened) and, once the image
 * was read, what it is.
 */
static void print_json(const struct opts *o, struct fetch *f, const struct result *r, int rc, const char *msg)
{
	json_t *j = jsonl_result(rc, rc ? msg : NULL);
	if (o->source)
		jsonl_set_str(j, "source", o->source);
	if (o->target)
		jsonl_set_str(j, "target", o->target);
	if (r->loaded) {
		json_object_set_new(j, "format", json_string(r->img.format == QCOW2_FORMAT_RAW ? "raw" : "qcow2"));
		set_int(j, "version", r->img.version);
		set_int(j, "virtual_size", r->img.virtual_size);
		set_int(j, "cluster_size", r->img.cluster_size);
		set_int(j, "data_bytes", r->map.data_bytes);
	}
	const struct fetch_stats none = { 0 }, *fs = f ? fetch_stats(f) : &none;
	set_int(j, "bytes_written", r->written);
	set_int(j, "bytes_downloaded", fs->bytes);
	set_int(j, "requests", fs->requests);
	set_int(j, "data_ranges", r->copy.ranges);
	set_int(j, "resumed", fs->resumed);
	json_object_set_new(j, "spooled", json_boolean(fs->spooled));
	json_object_set_new(j, "grown", json_boolean(r->grown));
	json_object_set_new(j, "seconds", json_real(r->seconds));
	if (r->sha256[0])
		json_object_set_new(j, "sha256", json_string(r->sha256));
	jsonl_emit(stdout, j);
}

/* The outcome on stdout: JSON always with --json, else a summary line on success unless -q. */
static void report(const struct opts *o, struct fetch *f, const struct result *r, int rc, const char *msg)
{
	if (o->json) {
		print_json(o, f, r, rc, msg);
	} else if (rc == 0 && !o->quiet) {
		printf("%s: %s image, %" PRIu64 " bytes (%" PRIu64 " data), %" PRIu64 " bytes written, %" PRIu64
		       " requests, %.2f s%s%s\n", o->target, r->img.format == QCOW2_FORMAT_RAW ? "raw" : "qcow2",
		       r->img.virtual_size, r->map.data_bytes, r->written, fetch_stats(f)->requests, r->seconds,
		       r->sha256[0] ? ", sha256 " : "", r->sha256);
	}
}

int main(int argc, char **argv)
{
	log_init(argv[0]);
	struct opts o = { .retries = -1 };
	parse_options(argc, argv, &o);
	load_config(&o);
	check_options(&o);
	if (o.quiet)
		log_set_verbosity(LOG_QUIET);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	catch_stop_signals();

	char err[1024] = "";
	struct result r;
	memset(&r, 0, sizeof r);
	double t0 = now_monotonic();
	struct fetch *f = fetch_new(o.source, &o.fetch);
	int rc = fetch_open(f, err, sizeof err) < 0 ? IMAGE_EXIT_DOWNLOAD : write_image(f, &o, &r, err, sizeof err);
	if (rc == 0 && o.grow && !stop_signal) {
		if (grow_disk(o.target, o.quiet, err, sizeof err) < 0)
			rc = IMAGE_EXIT_WRITE;
		else
			r.grown = 1;
	}
	if (rc == 0 && !stop_signal)
		rc = kexec_prepare(o.target, &o.kexec, o.json ? stderr : stdout, err, sizeof err);
	r.seconds = now_monotonic() - t0;
	char *msg;
	if (stop_signal && (rc != 0 || (o.grow && !r.grown))) {
		rc = 128 + stop_signal;
		struct stat st;
		int partial = r.written && stat(o.target, &st) == 0 && S_ISBLK(st.st_mode);
		msg = xasprintf("%s: stopped by SIG%s%s", o.target, sigabbrev_np(stop_signal),
				partial ? "; the device holds part of the image" : "");
	} else if (rc == IMAGE_EXIT_BAD_IMAGE) {
		msg = xasprintf("%s: %s", o.source, err); /* the parser does not know the source's name */
	} else {
		msg = xstrdup(err);
	}
	if (rc)
		warnmsg("%s", msg);
	report(&o, f, &r, rc, msg);
	free(msg);
	if (rc == 0 && o.kexec.kexec && !o.kexec.dry_run && (rc = kexec_execute(err, sizeof err)))
		warnmsg("%s", err);

	qcow2_map_free(&r.map);
	fetch_close(f);
	curl_global_cleanup();
	free(o.sha256);
	free(o.config);
	free(o.kexec.append);
	free(o.kexec.hostname);
	free((char *)o.source);
	free((char *)o.target);
	return rc;
}
