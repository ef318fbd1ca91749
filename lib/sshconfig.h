/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sshconfig — the part of OpenSSH's ssh_config(5) clustertools honours:
 * Host patterns (*, ?, !negation, several per line), HostName (with %h),
 * Port, User, IdentityFile (~ and %h, %u, %r expanded by the caller via
 * sshconfig_expand), UserKnownHostsFile, GlobalKnownHostsFile (the first
 * file of each), StrictHostKeyChecking,
 * ConnectTimeout, ProxyJump, ProxyCommand (the rest of the line), and
 * Include (done by sshconfig_load; the parser only records it). As in ssh,
 * the first value found for a keyword wins, and ProxyJump and ProxyCommand
 * exclude each other (the first one found wins).
 *
 * Every other keyword is kept so that sshconfig_unsupported can name it;
 * "Match" blocks never apply (and are reported). A few keywords are ignored
 * silently because ignoring them changes nothing a user relies on (Debian's
 * own /etc/ssh/ssh_config sets them for every host): SendEnv (we pass no
 * environment), HashKnownHosts (hashing only hides names in a file we seldom
 * write), GSSAPIAuthentication and GSSAPIDelegateCredentials (an auth method
 * we do not offer; public keys still work), BatchMode (we never prompt:
 * always "yes"), LogLevel (ssh's own diagnostics), IdentitiesOnly (an
 * IdentityFile that applies is the only key tried: always "yes").
 *
 * Parsing is pure (bytes in); sshconfig_load reads files and follows Include.
 */
#ifndef CT_SSHCONFIG_H
#define CT_SSHCONFIG_H

#include <stddef.h>

struct sshconfig_entry {
	char *key;         /* keyword as written (compare with strcasecmp) */
	char *value;       /* first argument, unquoted (ProxyCommand: the rest of the line) */
	const char *file;  /* owned by the config */
	int line;
};

struct sshconfig_block {
	char **patterns;  /* NULL for the implicit block before the first Host; "!x" negates */
	size_t npatterns;
	int is_match;     /* "Match": never applies */
	int guard;        /* index of the block an Include was read in (it must apply too), -1: none */
	const char *file;
	int line;
	struct sshconfig_entry *e;
	size_t n;
};

struct sshconfig {
	struct sshconfig_block *b;
	size_t n;
	char **files;     /* names the entries point to */
	size_t nfiles;
};

/* Result of a lookup; unset values are NULL / 0. Strings point into the config. */
struct sshconfig_host {
	const char *hostname;
	int port;
	const char *user;
	const char *identity_file;
	const char *known_hosts;
	const char *global_known_hosts;
	const char *strict;        /* yes|no|accept-new|off|ask */
	int connect_timeout;
	const char *proxy_jump;    /* "[user@]host[:port],..." or "none" */
	const char *proxy_command; /* "none" or a shell command with %h %p %r */
};

/* Parse TEXT. 0, or -1 with ERR "FNAME:LINE: problem". */
int sshconfig_parse(const char *text, size_t len, const char *fname, struct sshconfig *cfg, char *err,
		    size_t errlen);
void sshconfig_free(struct sshconfig *cfg);
/* Collect the values that apply to HOST. */
void sshconfig_lookup(const struct sshconfig *cfg, const char *host, struct sshconfig_host *out);
/*
 * Call FN for every entry, in the blocks that apply to HOST, whose keyword
 * clustertools does not implement (the silent ones aside), and for every
 * Match line (key "Match").
 */
void sshconfig_unsupported(const struct sshconfig *cfg, const char *host,
			   void (*fn)(const struct sshconfig_entry *e, void *arg), void *arg);
/* 1: keyword implemented (Include and Host included), 2: ignored silently, 0: not supported. */
int sshconfig_keyword(const char *key);
/* Does HOST match one ssh pattern list entry ("*.example", "node?", ...)? */
int sshconfig_match_pattern(const char *pattern, const char *host);
/* Expand a leading "~/" (HOME) and %h %u %r %% in VALUE. Caller frees. */
char *sshconfig_expand(const char *value, const char *home, const char *host, const char *user);
/*
 * ProxyCommand: %h HOST, %p PORT, %r USER, %n NAME (as given), %% in VALUE.
 * Caller frees. NULL with ERR if a host name or user name expanded holds
 * shell syntax (OpenSSH 9.6's rule: no leading '-', none of '`"\;&<>|(){}
 * and control characters; in a host name also no $ , or blanks).
 */
char *sshconfig_expand_command(const char *value, const char *name, const char *host, int port,
			       const char *user, char *err, size_t errlen);

/* For the loader: a new block of CFG like LIKE (NULL: no patterns) guarded by GUARD; its index. */
int sshconfig_add_block(struct sshconfig *cfg, const struct sshconfig_block *like, int guard);
/* For the loader: a copy of E at the end of block IDX of CFG. */
void sshconfig_add_entry(struct sshconfig *cfg, int idx, const struct sshconfig_entry *e);

/*
 * Load FILES (NULL-terminated, in order: ~/.ssh/config then
 * /etc/ssh/ssh_config) into CFG after what it holds. A missing top file is
 * skipped. Include (several words, globs, ~ for HOME) is followed where it
 * stands, its blocks guarded by the Host block it is in: relative names are
 * taken under INCDIRS[i] of the top file they come from (~/.ssh, /etc/ssh),
 * at most 16 deep; a file including one being read is an error (a cycle).
 * 0, or -1 with ERR "FILE:LINE: problem" (CFG then holds what was read).
 */
int sshconfig_load(struct sshconfig *cfg, const char *const *files, const char *const *incdirs,
		   const char *home, char *err, size_t errlen);

#endif
