/*
 * sftputil — small helpers around libssh2's SFTP calls shared by cpush and
 * cget: classify a libssh2 return code (would block / the server refused
 * this one path / the session is gone) and turn an SFTP status code into a
 * message a user understands.
 */
#ifndef CT_SFTPUTIL_H
#define CT_SFTPUTIL_H

#include <libssh2.h>
#include <libssh2_sftp.h>

enum {
	SFTPU_OK = 0,
	SFTPU_AGAIN = 1,   /* would block: call again when the socket is ready */
	SFTPU_REFUSED = 2, /* the server answered with an error status for this path */
	SFTPU_BROKEN = 3,  /* the session failed (socket closed, protocol error) */
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
 * failure; the session is left in blocking mode with that timeout.
 */
void sftpu_teardown(LIBSSH2_SESSION *s, LIBSSH2_SFTP *sftp, LIBSSH2_SFTP_HANDLE *handle, long timeout_ms);

#endif
