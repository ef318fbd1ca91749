/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sshsftp — the SFTP subsystem on a lib/ssh connection (sftputil.h has the
 * helpers cpush and cget build on it). See ssh.h.
 */
#include "ssh_internal.h"

int ssh_sftp_open(struct ssh_conn *c, LIBSSH2_SFTP **out)
{
	*out = libssh2_sftp_init(c->sess);
	if (*out)
		return SSH_OK;
	if (libssh2_session_last_errno(c->sess) == LIBSSH2_ERROR_EAGAIN)
		return SSH_AGAIN;
	ssh_fail(c, "sftp: %s", ssh_last_error(c));
	return SSH_ERR;
}
