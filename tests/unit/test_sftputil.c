/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "sftputil.h"

static void test_strerror(void **state)
{
	(void)state;
	assert_string_equal(sftpu_strerror(LIBSSH2_FX_NO_SUCH_FILE), "No such file or directory");
	assert_string_equal(sftpu_strerror(LIBSSH2_FX_PERMISSION_DENIED), "Permission denied");
	assert_string_equal(sftpu_strerror(LIBSSH2_FX_NO_SPACE_ON_FILESYSTEM), "No space left on device");
	assert_string_equal(sftpu_strerror(999), "Unknown SFTP error");
}

static void test_classify_success(void **state)
{
	(void)state;
	unsigned long code = 7;
	/* a non-negative return never looks at the session */
	assert_int_equal(sftpu_classify(NULL, NULL, 0, &code), SFTPU_OK);
	assert_int_equal(sftpu_classify(NULL, NULL, 42, &code), SFTPU_OK);
	assert_int_equal(sftpu_classify(NULL, NULL, LIBSSH2_ERROR_EAGAIN, &code), SFTPU_AGAIN);
	assert_int_equal(sftpu_classify(NULL, NULL, LIBSSH2_ERROR_SOCKET_DISCONNECT, &code), SFTPU_BROKEN);
	assert_int_equal(code, 7);
	sftpu_teardown(NULL, NULL, NULL, 10); /* no session: nothing to do */
}

static void test_node_close(void **state)
{
	(void)state;
	struct fanout_node n = {.name = "node01"};
	LIBSSH2_SFTP *sftp = NULL; /* already shut down: only the verdict is left */
	assert_int_equal(sftpu_node_close(&n, &sftp, 0), FANOUT_STEP_DONE);
	assert_null(n.error);
	assert_int_equal(sftpu_node_close(&n, &sftp, 1), FANOUT_STEP_FAIL);
	assert_string_equal(n.error, "1 path failed");
	free(n.error);
	n.error = NULL;
	assert_int_equal(sftpu_node_close(&n, &sftp, 3), FANOUT_STEP_FAIL);
	assert_string_equal(n.error, "3 paths failed");
	free(n.error);
	sftpu_node_teardown(&n, NULL, NULL); /* nothing open, no connection: nothing to do */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strerror),
		cmocka_unit_test(test_classify_success),
		cmocka_unit_test(test_node_close),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
