/*
 * sshconfig — the part of OpenSSH's ~/.ssh/config clustertools honours:
 * Host patterns (*, ?, !negation, several per line), HostName (with %h),
 * Port, User, IdentityFile (~ and %h, %u, %r expanded by the caller via
 * sshconfig_expand), UserKnownHostsFile, StrictHostKeyChecking,
 * ConnectTimeout. As in ssh, the first value found for a keyword wins.
 * Other keywords are ignored; "Match" blocks are skipped. Pure: bytes in.
 */
#ifndef CT_SSHCONFIG_H
#define CT_SSHCONFIG_H

#include <stddef.h>

struct sshconfig_entry {
	char *key;    /* keyword, lower case */
	char *value;  /* first argument, unquoted */
	int line;
};

struct sshconfig_block {
	char **patterns;  /* NULL for the implicit block before the first Host; "!x" negates */
	size_t npatterns;
	int is_match;     /* "Match": never applies */
	struct sshconfig_entry *e;
	size_t n;
};

struct sshconfig {
	struct sshconfig_block *b;
	size_t n;
};

/* Result of a lookup; unset values are NULL / 0. Strings point into the config. */
struct sshconfig_host {
	const char *hostname;
	int port;
	const char *user;
	const char *identity_file;
	const char *known_hosts;
	const char *strict;        /* yes|no|accept-new|off|ask */
	int connect_timeout;
};

/* Parse TEXT. 0, or -1 with ERR "FNAME:LINE: problem". */
int sshconfig_parse(const char *text, size_t len, const char *fname, struct sshconfig *cfg, char *err,
		    size_t errlen);
void sshconfig_free(struct sshconfig *cfg);
/* Collect the values that apply to HOST. */
void sshconfig_lookup(const struct sshconfig *cfg, const char *host, struct sshconfig_host *out);
/* Does HOST match one ssh pattern list entry ("*.example", "node?", ...)? */
int sshconfig_match_pattern(const char *pattern, const char *host);
/* Expand a leading "~/" (HOME) and %h %u %r %% in VALUE. Caller frees. */
char *sshconfig_expand(const char *value, const char *home, const char *host, const char *user);

#endif
