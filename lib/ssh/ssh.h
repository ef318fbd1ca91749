/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ssh — one SSH connection to one node over libssh2, entirely non-blocking so
 * that a single process can drive hundreds of them from one poll() loop
 * (see fanout.h).
 *
 * Every call that talks to the network returns SSH_AGAIN when it would
 * block: poll ssh_fd() for ssh_poll_events() and call it again. SSH_OK means
 * done, SSH_ERR failed (ssh_error() says why, naming the node).
 *
 *   struct ssh_conn *c = ssh_conn_new("node01", &opts);
 *   while ((rc = ssh_connect(c)) == SSH_AGAIN) poll(...);   TCP, handshake, host key, auth
 *   struct ssh_exec *e = ssh_exec_new(c, "uname -a");
 *   ssh_exec_start(e) until SSH_OK, then ssh_exec_read / ssh_exec_write /
 *   ssh_exec_send_eof, ssh_exec_wait (exit status/signal), ssh_exec_free.
 *   ssh_sftp_open(c, &sftp) gives a LIBSSH2_SFTP handle on the same session.
 *
 * Timeouts are the caller's: ssh_connect only keeps trying; the connect
 * deadline lives in fanout (or in the caller's own poll loop).
 *
 * This header is the one face of the module; the code is split by concern:
 * ssh.c (connect, authentication, the per-process caches), sshproxy.c
 * (ProxyJump and ProxyCommand transports), sshhostkey.c
 * (known_hosts policy), sshchan.c (exec channels), sshsftp.c (SFTP).
 */
#ifndef CT_SSH_H
#define CT_SSH_H

#include <stddef.h>
#include <sys/types.h>

#include <libssh2.h>
#include <libssh2_sftp.h>

enum { SSH_OK = 0, SSH_ERR = -1, SSH_AGAIN = -2 };

/* Host key policy against known_hosts. */
enum ssh_hostkey_policy {
	SSH_HOSTKEY_STRICT = 0,  /* unknown or changed key: refuse */
	SSH_HOSTKEY_ACCEPT_NEW,  /* unknown: append to the user file; changed: refuse */
	SSH_HOSTKEY_OFF,         /* no check at all */
};

/* Parse "strict", "accept-new", "off" (also ssh's yes/no/accept-new). -1 if unknown. */
int ssh_hostkey_policy_parse(const char *s);

struct ssh_opts {
	const char *host;          /* name or address to connect to (default: the node name) */
	int port;                  /* 0: 22 */
	const char *user;          /* NULL: the local user name */
	const char *identity;      /* -i FILE: only this key (no agent); NULL: agent then defaults */
	enum ssh_hostkey_policy hostkeys;
	int hostkeys_set;          /* policy given on the command line (beats ~/.ssh/config) */
	const char *known_hosts;   /* user file; NULL: ~/.ssh/known_hosts */
	const char *global_known_hosts; /* NULL: /etc/ssh/ssh_known_hosts */
	int use_ssh_config;        /* apply ~/.ssh/config and /etc/ssh/ssh_config (HostName, Port, User, ...) */
	const char *proxy_jump;    /* "[user@]host[:port],...": through these (beats the config); "none": direct */
	int connect_timeout;       /* seconds, reported by ssh_conn_connect_timeout(); 0: leave to caller */
};

struct ssh_conn;

/*
 * A connection (not yet started) to NODE with OPTS. Strings are copied.
 * ~/.ssh/config is applied here when opts->use_ssh_config is set.
 */
struct ssh_conn *ssh_conn_new(const char *node, const struct ssh_opts *opts);
/* Advance connect + handshake + host key check + authentication. */
int ssh_connect(struct ssh_conn *c);
/* Socket to poll, -1 before the connect started. */
int ssh_fd(const struct ssh_conn *c);
/* POLLIN and/or POLLOUT the last SSH_AGAIN waits for. */
short ssh_poll_events(const struct ssh_conn *c);
/* Last error, e.g. "node07: host key mismatch (known_hosts:12)"; "" if none. */
const char *ssh_error(const struct ssh_conn *c);
const char *ssh_node(const struct ssh_conn *c);
/* Connect timeout in seconds from ~/.ssh/config ConnectTimeout, else opts->connect_timeout. */
int ssh_conn_connect_timeout(const struct ssh_conn *c);
/*
 * C's server host key as a known_hosts line names it after the host names:
 * "ssh-ed25519 AAAA..." (malloced), with *PORT the port C reached (names
 * other than 22 are written "[NAME]:PORT"). NULL before the handshake, or
 * when C's policy (--host-keys off) did not check the key.
 */
char *ssh_hostkey_text(struct ssh_conn *c, int *port);
/* The libssh2 session (NULL before the handshake started). */
LIBSSH2_SESSION *ssh_session(struct ssh_conn *c);
/* Disconnect (best effort, never blocks) and free. NULL is fine. */
void ssh_conn_free(struct ssh_conn *c);
/*
 * Shut the socket down (the peer stopped answering): every later call on the
 * session fails at once instead of waiting, so freeing it cannot block or leak.
 */
void ssh_conn_cut(struct ssh_conn *c);

/* --- exec channel -------------------------------------------------------- */
struct ssh_exec;

struct ssh_exec *ssh_exec_new(struct ssh_conn *c, const char *command);
/* Open the session channel and send "exec". */
int ssh_exec_start(struct ssh_exec *e);
/*
 * Read from stream 0 (stdout) or 1 (stderr): bytes read (>0), 0 at end of
 * that stream, SSH_AGAIN, SSH_ERR. Reading one stream may pull the other
 * stream's data off the socket into memory: read BOTH streams until each
 * says SSH_AGAIN (or 0) before polling the socket.
 */
ssize_t ssh_exec_read(struct ssh_exec *e, int stream, char *buf, size_t len);
/* Write to the remote stdin: bytes written (>0), SSH_AGAIN, SSH_ERR. */
ssize_t ssh_exec_write(struct ssh_exec *e, const char *buf, size_t len);
/* Close the remote stdin. */
int ssh_exec_send_eof(struct ssh_exec *e);
/* Both streams at EOF? */
int ssh_exec_eof(struct ssh_exec *e);
/*
 * Would a read of STREAM return at once (data already in memory, or EOF)?
 * Reading one stream can take the other's data or EOF off the socket: a
 * caller that then waits for the socket to be readable waits for nothing.
 */
int ssh_exec_readable(struct ssh_exec *e, int stream);
/*
 * Wait for the channel to close, then fetch exit status and signal.
 * SSH_OK: *status is the exit status (or -1) and *signal a malloced signal
 * name without "SIG" (or NULL, caller frees).
 */
int ssh_exec_wait(struct ssh_exec *e, int *status, char **signal);
/*
 * Ask the server to send SIG (e.g. "KILL") to the remote command's process
 * group (needs libssh2 >= 1.11: SSH_ERR otherwise; see SSH_KILL_SIBLINGS).
 */
int ssh_exec_signal(struct ssh_exec *e, const char *sig);
/*
 * A command that, run on a second channel of the same connection, kills
 * the process groups of the other commands of that connection (they are
 * all children of the same sshd process): the portable way to stop a
 * remote command. Needs only /bin/sh and /proc (no ps), whatever the
 * user's login shell.
 */
#define SSH_KILL_SIBLINGS                                                                          \
	"exec /bin/sh -c 'for d in /proc/[0-9]*; do read -r s < \"$d/stat\" || continue; "             \
	"s=${s##*) }; set -- $s; p=${d#/proc/}; "                                                   \
	"[ \"$2\" = \"$PPID\" ] && [ \"$p\" != \"$$\" ] && kill -KILL -\"$p\"; done 2>/dev/null; exit 0'"
/* Free the channel (best effort, never blocks). */
void ssh_exec_free(struct ssh_exec *e);

/* --- SFTP ---------------------------------------------------------------- */
/* Start the SFTP subsystem on C: *out is set on SSH_OK. Free with libssh2_sftp_shutdown. */
int ssh_sftp_open(struct ssh_conn *c, LIBSSH2_SFTP **out);
/* Map a libssh2 return code (LIBSSH2_ERROR_EAGAIN etc.) to SSH_OK / SSH_AGAIN / SSH_ERR. */
int ssh_rc(int libssh2_rc);
/* Message for the last libssh2 error on C's session (static storage in C). */
const char *ssh_last_error(struct ssh_conn *c);

/*
 * ssh_config lines from the command line (-o Keyword=Value, -J as
 * ProxyJump), one a line: read before ~/.ssh/config and /etc/ssh/ssh_config,
 * so they win. Call before the first connection. 0, or -1 with ERR
 * ("-o Foo=1: Foo not supported").
 */
int ssh_config_options(const char *text, char *err, size_t errlen);

/* libssh2_init once per process (fanout and the tools call it; idempotent). */
void ssh_global_init(void);

#endif
