/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lldpname — derive this node's hostname from the switch port it is cabled
 * to: wait for an LLDP or CDP frame, apply /etc/lldpname.conf, print the
 * name (and with --set make it the hostname).
 *
 * Exit: 0 named, 1 usage or local error, 3 no LLDP/CDP frame in time,
 * 4 frames seen but no rule gave a name.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture.h"
#include "cli.h"
#include "clock.h"
#include "frame.h"
#include "log.h"
#include "rules.h"
#include "sethost.h"
#include "show.h"
#include "xalloc.h"

enum { EXIT_NAMED = 0, EXIT_USAGE = 1, EXIT_NO_FRAME = 3, EXIT_NO_RULE = 4 };

#define LLDPNAME_MIN_TIMEOUT 0.01 /* -t: a positive number of seconds */

struct opts {
	char **ifs;
	size_t nifs;
	char *pcap;
	char *config;
	double timeout;
	int set, show, all, json;
	char *hostname_file;
};

enum { OPT_IF = 1, OPT_TIMEOUT, OPT_QUIET, OPT_VERBOSE };

/* A failure before any frame was named: say why (with --json also as the JSON object) and exit STATUS. */
__attribute__((format(printf, 3, 4), noreturn)) static void fail(const struct opts *o, int status, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	warnmsg("%s", msg);
	if (o->json)
		lldpn_show_json(stdout, status, msg, NULL, NULL, NULL);
	exit(status);
}

static void parse_options(int argc, char **argv, struct opts *o)
{
	struct poptOption table[] = {
		{"interface", 'I', POPT_ARG_STRING, NULL, OPT_IF,
		 "listen on IF (repeatable; default: every up Ethernet interface)", "IF"},
		{"pcap", 0, POPT_ARG_STRING, &o->pcap, 0, "read frames from a capture file instead", "FILE"},
		{"config", 'c', POPT_ARG_STRING, &o->config, 0,
		 "rules file (default $LLDPNAME_CONF, else " SYSCONFDIR "/lldpname.conf)", "FILE"},
		{"timeout", 't', POPT_ARG_STRING, NULL, OPT_TIMEOUT, "wait at most S seconds for a frame (default 65)",
		 "S"},
		{"set", 0, POPT_ARG_NONE, &o->set, 0, "also set the hostname and write /etc/hostname", NULL},
		{"hostname-file", 0, POPT_ARG_STRING, &o->hostname_file, 0,
		 "file --set writes (default /etc/hostname)", "FILE"},
		{"show", 0, POPT_ARG_NONE, &o->show, 0, "print every TLV of the frame, then the name", NULL},
		{"all", 'a', POPT_ARG_NONE, &o->all, 0,
		 "with --show or --json: every frame until the timeout or the end of the file, no naming", NULL},
		{"json", 0, POPT_ARG_NONE, &o->json, 0, "print the neighbour and the result as JSON", NULL},
		{"quiet", 'q', POPT_ARG_NONE, NULL, OPT_QUIET, "only errors on stderr (no countdown, no warnings)", NULL},
		{"verbose", 'v', POPT_ARG_NONE, NULL, OPT_VERBOSE, "say more on stderr (twice: debug)", NULL},
		CLI_VERSION_OPTION,
		POPT_AUTOHELP POPT_TABLEEND};
	struct cli c;
	cli_begin(&c, "lldpname", argc, argv, table, "[OPTIONS]", CLI_JSON_FAILURES | CLI_ARGS_ANYWHERE);
	while (cli_next(&c) > 0) {
		switch (c.opt) {
		case OPT_IF:
			o->ifs = xreallocarray(o->ifs, o->nifs + 1, sizeof *o->ifs);
			o->ifs[o->nifs++] = (char *)cli_value(&c); /* popt's copy, ours to free */
			break;
		case OPT_TIMEOUT:
			o->timeout = cli_seconds(&c, LLDPNAME_MIN_TIMEOUT, 86400);
			break;
		case OPT_QUIET:
			log_set_verbosity(LOG_QUIET);
			break;
		case OPT_VERBOSE:
			log_set_verbosity(log_verbosity() + 1);
			break;
		}
	}
	size_t n;
	char **args = cli_args(&c, &n), first[256];
	snprintf(first, sizeof first, "%s", n ? args[0] : "");
	cli_args_free(args, n);
	if (n)
		cli_usage_error(&c, "unexpected argument '%s'", first);
	if (o->pcap && o->nifs)
		cli_usage_error(&c, "--pcap and -I exclude each other");
	if (o->all && !o->show && !o->json)
		cli_usage_error(&c, "--all goes with --show or --json");
	if (o->all && o->set)
		cli_usage_error(&c, "--all and --set exclude each other");
	cli_end(&c);
	if (!o->hostname_file)
		o->hostname_file = xstrdup("/etc/hostname");
}

/* The rules: -c FILE or $LLDPNAME_CONF must exist, the default may be absent. */
static struct lldpn_rules *load_rules(const struct opts *o)
{
	int explicit;
	const char *path = cli_config_path(o->config, "LLDPNAME_CONF", SYSCONFDIR "/lldpname.conf", &explicit);
	char err[1024];
	struct lldpn_rules *r = lldpn_rules_load(path, explicit, err, sizeof err);
	if (!r)
		fail(o, EXIT_USAGE, "%s", err);
	return r;
}

static struct lldpn_capture *open_capture(const struct opts *o)
{
	char err[1024];
	struct lldpn_capture *c = o->pcap ? lldpn_capture_file(o->pcap, err, sizeof err)
					  : lldpn_capture_live(o->ifs, o->nifs, err, sizeof err);
	if (!c)
		fail(o, EXIT_USAGE, "%s", err);
	return c;
}

/* Name neighbour N (heard on IFNAME), print it, maybe set it. The exit status. */
static int name_neighbor(const struct opts *o, const char *ifname, const struct lldpn_neighbor *n,
			 const struct lldpn_rules *rules)
{
	char err[1024];
	struct lldpn_naming nm;
	int status = EXIT_NAMED;
	if (o->show && !o->json)
		lldpn_show_text(stdout, ifname, n);
	if (lldpn_rules_apply(rules, n, &nm, err, sizeof err) < 0)
		status = EXIT_NO_RULE;
	else if (o->set && lldpn_set_hostname(nm.hostname, o->hostname_file, err, sizeof err) < 0)
		status = EXIT_USAGE;
	if (status != EXIT_NAMED)
		warnmsg("%s", err);
	if (o->json)
		lldpn_show_json(stdout, status, status == EXIT_NAMED ? NULL : err, ifname, n, &nm);
	else if (status == EXIT_NAMED)
		printf(o->show ? "Hostname: %s\n" : "%s\n", nm.hostname);
	free(nm.hostname);
	return status;
}

/* A malformed frame is skipped with a warning (not under -q); files say which frame. */
static void warn_malformed(const struct lldpn_capture *cap, const char *ifname, size_t frame, const char *why)
{
	if (log_verbosity() < LOG_NORMAL)
		return;
	if (lldpn_capture_is_file(cap))
		warnmsg("%s: frame %zu: skipping malformed frame: %s", ifname, frame, why);
	else
		warnmsg("%s: skipping malformed frame: %s", ifname, why);
}

/*
 * The next frame before DEADLINE. Waiting live with stderr on a terminal,
 * a line counts the seconds left (not under -q); it is erased before returning.
 */
static int next_frame(struct lldpn_capture *cap, double deadline, struct lldpn_frame *f, char *err, size_t errlen)
{
	if (lldpn_capture_is_file(cap) || !isatty(STDERR_FILENO) || log_verbosity() < LOG_NORMAL)
		return lldpn_capture_next(cap, deadline, f, err, errlen);
	int rc = 0;
	double now;
	while ((now = now_monotonic()) < deadline) {
		fprintf(stderr, "\r%s: waiting for LLDP or CDP on %s, %.0f s left \033[K", log_progname(),
			lldpn_capture_what(cap), deadline - now);
		rc = lldpn_capture_next(cap, now + 1 < deadline ? now + 1 : deadline, f, err, errlen);
		if (rc != 0)
			break;
	}
	fputs("\r\033[K", stderr);
	return rc;
}

static int run(const struct opts *o, struct lldpn_capture *cap, const struct lldpn_rules *rules)
{
	double deadline = now_monotonic() + o->timeout;
	struct lldpn_frame f;
	char err[1024];
	size_t frames = 0, good = 0;
	int rc;
	while ((rc = next_frame(cap, deadline, &f, err, sizeof err)) == 1) {
		struct lldpn_neighbor n;
		frames++;
		int r = lldpn_frame_parse(f.link, f.data, f.len, &n, err, sizeof err);
		if (r == LLDPN_FRAME_OTHER)
			continue;
		if (r == LLDPN_FRAME_BAD) {
			warn_malformed(cap, f.ifname, frames, err);
			continue;
		}
		if (n.proto == LLDPN_LLDP && n.ttl == 0 && !o->all) {
			verbose("%s: ignoring a shutdown LLDPDU (TTL 0) from %s", f.ifname, n.src_mac);
			lldpn_neighbor_free(&n);
			continue;
		}
		good++;
		if (!o->all) {
			int status = name_neighbor(o, f.ifname, &n, rules);
			lldpn_neighbor_free(&n);
			return status;
		}
		if (o->json)
			lldpn_show_json(stdout, EXIT_NAMED, NULL, f.ifname, &n, NULL);
		else
			lldpn_show_text(stdout, f.ifname, &n);
		lldpn_neighbor_free(&n);
	}
	if (rc < 0)
		fail(o, EXIT_USAGE, "%s", err);
	if (o->all && good)
		return EXIT_NAMED;
	if (lldpn_capture_is_file(cap))
		snprintf(err, sizeof err, "no valid LLDP or CDP frame in %s", lldpn_capture_what(cap));
	else
		snprintf(err, sizeof err, "no valid LLDP or CDP frame on %s within %g s", lldpn_capture_what(cap),
			 o->timeout);
	warnmsg("%s", err);
	if (o->json)
		lldpn_show_json(stdout, EXIT_NO_FRAME, err, NULL, NULL, NULL);
	return EXIT_NO_FRAME;
}

int main(int argc, char **argv)
{
	log_init(argv[0]);
	struct opts o = {.timeout = 65};
	parse_options(argc, argv, &o);
	struct lldpn_rules *rules = o.all ? NULL : load_rules(&o);
	struct lldpn_capture *cap = open_capture(&o);
	int status = run(&o, cap, rules);
	lldpn_capture_close(cap);
	lldpn_rules_free(rules);
	for (size_t i = 0; i < o.nifs; i++)
		free(o.ifs[i]);
	free(o.ifs);
	free(o.pcap);
	free(o.config);
	free(o.hostname_file);
	if (fflush(stdout) != 0)
		die_errno(EXIT_USAGE, "stdout");
	return status;
}
