/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sshchan — exec channels on a lib/ssh connection: start a command, read
 * its stdout and stderr, write its stdin, fetch its exit status or signal,
 * signal it. Non-blocking like the rest (SSH_AGAIN). See ssh.h.
 */
#include <stdlib.h>
#include <string.h>

#include "ssh_internal.h"
#include "xalloc.h"

struct ssh_exec {
	struct ssh_conn *c;
	LIBSSH2_CHANNEL *ch;
	char *command;
	int opened, execed, eof_sent, closing, closed;
};

struct ssh_exec *ssh_exec_new(struct ssh_conn *c, const char *command)
{
	struct ssh_exec *e = xcalloc(1, sizeof *e);
	e->c = c;
	e->command = xstrdup(command);
	return e;
}

int ssh_exec_start(struct ssh_exec *e)
{
	if (!e->ch) {
		e->ch = libssh2_channel_open_session(e->c->sess);
		if (!e->ch) {
			if (libssh2_session_last_errno(e->c->sess) == LIBSSH2_ERROR_EAGAIN)
				return SSH_AGAIN;
			return ssh_fail(e->c, "cannot open a channel: %s", ssh_last_error(e->c));
		}
	}
	if (!e->execed) {
		int rc = libssh2_channel_exec(e->ch, e->command);
		if (rc == LIBSSH2_ERROR_EAGAIN)
			return SSH_AGAIN;
		if (rc < 0)
			return ssh_fail(e->c, "exec refused: %s", ssh_last_error(e->c));
		e->execed = 1;
	}
	return SSH_OK;
}

ssize_t ssh_exec_read(struct ssh_exec *e, int stream, char *buf, size_t len)
{
	ssize_t n = libssh2_channel_read_ex(e->ch, stream, buf, len);
	if (n > 0)
		return n;
	if (n == LIBSSH2_ERROR_EAGAIN)
		return libssh2_channel_eof(e->ch) ? 0 : SSH_AGAIN;
	/*
	 * 0: the remote sent EOF (or closed) and nothing is left for THIS
	 * stream. libssh2_channel_eof() would still say 0 while the other
	 * stream has data queued in memory, and a caller told SSH_AGAIN would
	 * then poll a socket on which nothing more ever arrives.
	 */
	if (n == 0)
		return 0;
	ssh_fail(e->c, "read: %s", ssh_last_error(e->c));
	return SSH_ERR;
}

int ssh_exec_eof(struct ssh_exec *e) { return libssh2_channel_eof(e->ch); }

int ssh_exec_readable(struct ssh_exec *e, int stream)
{
	return libssh2_poll_channel_read(e->ch, stream) > 0 || ssh_exec_eof(e);
}

ssize_t ssh_exec_write(struct ssh_exec *e, const char *buf, size_t len)
{
	ssize_t n = libssh2_channel_write(e->ch, buf, len);
	if (n >= 0)
		return n;
	if (n == LIBSSH2_ERROR_EAGAIN)
		return SSH_AGAIN;
	ssh_fail(e->c, "write: %s", ssh_last_error(e->c));
	return SSH_ERR;
}

int ssh_exec_send_eof(struct ssh_exec *e)
{
	if (e->eof_sent)
		return SSH_OK;
	int rc = libssh2_channel_send_eof(e->ch);
	if (rc == LIBSSH2_ERROR_EAGAIN)
		return SSH_AGAIN;
	e->eof_sent = 1;
	return SSH_OK; /* the remote may have closed already: not an error */
}

int ssh_exec_wait(struct ssh_exec *e, int *status, char **signal)
{
	if (!e->closing) {
		int rc = libssh2_channel_close(e->ch);
		if (rc == LIBSSH2_ERROR_EAGAIN)
			return SSH_AGAIN;
		e->closing = 1;
	}
	if (!e->closed) {
		int rc = libssh2_channel_wait_closed(e->ch);
		if (rc == LIBSSH2_ERROR_EAGAIN)
			return SSH_AGAIN;
		e->closed = 1;
	}
	char *sig = NULL;
	size_t siglen = 0;
	libssh2_channel_get_exit_signal(e->ch, &sig, &siglen, NULL, NULL, NULL, NULL);
	*signal = sig && siglen ? xstrndup(sig, siglen) : NULL;
	if (sig)
		libssh2_free(e->c->sess, sig);
	*status = *signal ? -1 : libssh2_channel_get_exit_status(e->ch);
	return SSH_OK;
}

int ssh_exec_signal(struct ssh_exec *e, const char *sig)
{
	if (!e->ch)
		return SSH_OK;
#if LIBSSH2_VERSION_NUM >= 0x010b00
	/* RFC 4254 6.9 "signal": OpenSSH's sshd sends it to the command's process group */
	int rc = libssh2_channel_signal_ex(e->ch, sig, strlen(sig));
	if (rc == LIBSSH2_ERROR_EAGAIN)
		return SSH_AGAIN;
	return rc < 0 ? SSH_ERR : SSH_OK;
#else
	(void)sig; /* libssh2 < 1.11 cannot send a second request on an exec channel */
	return SSH_ERR;
#endif
}

void ssh_exec_free(struct ssh_exec *e)
{
	if (!e)
		return;
	if (e->ch)
		libssh2_channel_free(e->ch);
	free(e->command);
	free(e);
}
