/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sftputil — small helpers around libssh2's SFTP calls shared by cpush and
 * cget: classify a libssh2 return code (would block / the server refused
 * this one path / the session is gone) and turn an SFTP status code into a
 * message a user understands; and the life of one node's SFTP session in a
 * fanout task (open on the first step, shut down on the last, torn down by
 * the cleanup whatever happened).
 */
#ifndef CT_SFTPUTIL_H
#define CT_SFTPUTIL_H

#include <libssh2.h>
#include <libssh2_sftp.h>

#include "fanout.h"
#include "ssh.h"

enum {
	SFTPU_OK = 0,
	SFTPU_AGAIN = 1,   /* would block: call again when the socket is ready */
	SFTPU_REFUSED = 2, /* the server answered with an error status for this path */
	SFTPU_BROKEN = 3,  /* the session failed (socket closed, protocol error) */
	SFTPU_YIELD = 4,   /* more to do, stopped to let other nodes (and signals) run: FANOUT_STEP_MORE */
};

/*
 * Classify RC (a libssh2 return value, or -1 for a NULL handle) of a call on
 * SFTP: for SFTPU_REFUSED *CODE is the SFTP status (LIBSSH2_FX_*).
 */
int sftpu_classify(LIBSSH2_SESSION *s, LIBSSH2_SFTP *sftp, int rc, unsigned long *code);

/* "No such file or directory", "Permission denied", ... for an SFTP status. */
const char *sftpu_strerror(unsigned long code);

/*
 * Close HANDLE (may be NULL) and shut SFTP down on session S, blocking for at
 * most TIMEOUT_MS (a dead peer must not hang the tool). For teardown after a
 * failure; the session is left in blocking mode with that timeout. Returns 0,
 * or -1 when the peer did not answer in time.
 */
int sftpu_teardown(LIBSSH2_SESSION *s, LIBSSH2_SFTP *sftp, LIBSSH2_SFTP_HANDLE *handle, long timeout_ms);

/*
 * Calls for a fanout step, each returning SFTPU_* (*CODE set for
 * SFTPU_REFUSED); repeat one while it returns SFTPU_AGAIN.
 *   sftpu_close: close *H; *H is NULL once it is closed or failed for good.
 *   sftpu_opendir: open the directory PATH into *H.
 *   sftpu_readdir: read H to its end, calling FN(NAME, ATTRS, ARG) for every
 *   entry but "." and "..".
 */
typedef void sftpu_entry_fn(const char *name, const LIBSSH2_SFTP_ATTRIBUTES *a, void *arg);
int sftpu_close(LIBSSH2_SESSION *s, LIBSSH2_SFTP *sftp, LIBSSH2_SFTP_HANDLE **h, unsigned long *code);
int sftpu_opendir(LIBSSH2_SESSION *s, LIBSSH2_SFTP *sftp, const char *path, LIBSSH2_SFTP_HANDLE **h,
		  unsigned long *code);
int sftpu_readdir(LIBSSH2_SESSION *s, LIBSSH2_SFTP *sftp, LIBSSH2_SFTP_HANDLE *h, sftpu_entry_fn *fn,
		  void *arg, unsigned long *code);

/*
 * A node's SFTP session in a fanout task's step(). sftpu_node_open: open it
 * on C into *SFTP; returns FANOUT_STEP_AGAIN, FANOUT_STEP_DONE (open) or
 * FANOUT_STEP_FAIL (n->error "cannot start SFTP: ..."). sftpu_node_close:
 * shut *SFTP down (set to NULL); returns FANOUT_STEP_AGAIN, FANOUT_STEP_DONE,
 * or FANOUT_STEP_FAIL with n->error "N paths failed" when ERRORS is not 0.
 */
int sftpu_node_open(struct fanout_node *n, struct ssh_conn *c, LIBSSH2_SFTP **sftp);
int sftpu_node_close(struct fanout_node *n, LIBSSH2_SFTP **sftp, unsigned long errors);

/* For the task's cleanup(): tear SFTP and HANDLE (either may be NULL) down within 2 s; -v says when the node did not answer. */
void sftpu_node_teardown(struct fanout_node *n, LIBSSH2_SFTP *sftp, LIBSSH2_SFTP_HANDLE *handle);

#endif
