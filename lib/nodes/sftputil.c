/* SPDX-License-Identifier: BSD-3-Clause */
#include <stddef.h>
#include <string.h>

#include "log.h"
#include "sftputil.h"
#include "xalloc.h"

int sftpu_classify(LIBSSH2_SESSION *s, LIBSSH2_SFTP *sftp, int rc, unsigned long *code)
{
	if (rc >= 0)
		return SFTPU_OK;
	int e = rc == -1 ? libssh2_session_last_errno(s) : rc;
	if (e == LIBSSH2_ERROR_EAGAIN)
		return SFTPU_AGAIN;
	if (e == LIBSSH2_ERROR_SFTP_PROTOCOL) {
		*code = libssh2_sftp_last_error(sftp);
		return SFTPU_REFUSED;
	}
	return SFTPU_BROKEN;
}

const char *sftpu_strerror(unsigned long code)
{
	switch (code) {
	case LIBSSH2_FX_OK: return "Success";
	case LIBSSH2_FX_EOF: return "End of file";
	case LIBSSH2_FX_NO_SUCH_FILE: return "No such file or directory";
	case LIBSSH2_FX_PERMISSION_DENIED: return "Permission denied";
	case LIBSSH2_FX_FAILURE: return "Operation failed";
	case LIBSSH2_FX_BAD_MESSAGE: return "Bad message";
	case LIBSSH2_FX_NO_CONNECTION: return "No connection";
	case LIBSSH2_FX_CONNECTION_LOST: return "Connection lost";
	case LIBSSH2_FX_OP_UNSUPPORTED: return "Operation not supported by the server";
	case LIBSSH2_FX_INVALID_HANDLE: return "Invalid handle";
	case LIBSSH2_FX_NO_SUCH_PATH: return "No such path";
	case LIBSSH2_FX_FILE_ALREADY_EXISTS: return "File exists";
	case LIBSSH2_FX_WRITE_PROTECT: return "Read-only file system";
	case LIBSSH2_FX_NO_MEDIA: return "No medium";
	case LIBSSH2_FX_NO_SPACE_ON_FILESYSTEM: return "No space left on device";
	case LIBSSH2_FX_QUOTA_EXCEEDED: return "Disk quota exceeded";
	case LIBSSH2_FX_UNKNOWN_PRINCIPAL: return "Unknown principal";
	case LIBSSH2_FX_LOCK_CONFLICT: return "Lock conflict";
	case LIBSSH2_FX_DIR_NOT_EMPTY: return "Directory not empty";
	case LIBSSH2_FX_NOT_A_DIRECTORY: return "Not a directory";
	case LIBSSH2_FX_INVALID_FILENAME: return "Invalid file name";
	case LIBSSH2_FX_LINK_LOOP: return "Too many levels of symbolic links";
	}
	return "Unknown SFTP error";
}

int sftpu_teardown(LIBSSH2_SESSION *s, LIBSSH2_SFTP *sftp, LIBSSH2_SFTP_HANDLE *handle, long timeout_ms)
{
	int rc = 0;
	if (!s)
		return 0;
	libssh2_session_set_timeout(s, timeout_ms);
	libssh2_session_set_blocking(s, 1);
	if (handle && libssh2_sftp_close_handle(handle) == LIBSSH2_ERROR_TIMEOUT)
		rc = -1;
	if (sftp && libssh2_sftp_shutdown(sftp) == LIBSSH2_ERROR_TIMEOUT)
		rc = -1;
	return rc;
}

int sftpu_close(LIBSSH2_SESSION *s, LIBSSH2_SFTP *sftp, LIBSSH2_SFTP_HANDLE **h, unsigned long *code)
{
	int rc = libssh2_sftp_close_handle(*h);
	if (rc != LIBSSH2_ERROR_EAGAIN)
		*h = NULL;
	return sftpu_classify(s, sftp, rc, code);
}

int sftpu_opendir(LIBSSH2_SESSION *s, LIBSSH2_SFTP *sftp, const char *path, LIBSSH2_SFTP_HANDLE **h,
		  unsigned long *code)
{
	*h = libssh2_sftp_open_ex(sftp, path, (unsigned)strlen(path), 0, 0, LIBSSH2_SFTP_OPENDIR);
	return sftpu_classify(s, sftp, *h ? 0 : -1, code);
}

int sftpu_readdir(LIBSSH2_SESSION *s, LIBSSH2_SFTP *sftp, LIBSSH2_SFTP_HANDLE *h, sftpu_entry_fn *fn,
		  void *arg, unsigned long *code)
{
	char name[1024];
	LIBSSH2_SFTP_ATTRIBUTES a;
	for (;;) {
		int rc = libssh2_sftp_readdir_ex(h, name, sizeof name - 1, NULL, 0, &a);
		if (rc <= 0)
			return sftpu_classify(s, sftp, rc, code);
		name[rc] = '\0';
		if (strcmp(name, ".") != 0 && strcmp(name, "..") != 0)
			fn(name, &a, arg);
	}
}

int sftpu_node_open(struct fanout_node *n, struct ssh_conn *c, LIBSSH2_SFTP **sftp)
{
	int rc = ssh_sftp_open(c, sftp);
	if (rc == SSH_AGAIN)
		return FANOUT_STEP_AGAIN;
	if (rc != SSH_OK) {
		n->error = xasprintf("cannot start SFTP: %s", ssh_error(c));
		return FANOUT_STEP_FAIL;
	}
	return FANOUT_STEP_DONE;
}

int sftpu_node_close(struct fanout_node *n, LIBSSH2_SFTP **sftp, unsigned long errors)
{
	if (*sftp && libssh2_sftp_shutdown(*sftp) == LIBSSH2_ERROR_EAGAIN)
		return FANOUT_STEP_AGAIN;
	*sftp = NULL;
	if (errors) {
		n->error = xasprintf("%lu path%s failed", errors, errors == 1 ? "" : "s");
		return FANOUT_STEP_FAIL;
	}
	return FANOUT_STEP_DONE;
}

void sftpu_node_teardown(struct fanout_node *n, LIBSSH2_SFTP *sftp, LIBSSH2_SFTP_HANDLE *handle)
{
	if (sftp)
		if (sftpu_teardown(n->conn ? ssh_session(n->conn) : NULL, sftp, handle, 2000) < 0)
			verbose("%s: no answer to closing its SFTP session within 2 s", n->name);
}
