/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "relayctl.h"

static enum relayctl parse(const char *text, char **w, int *nw, char *buf)
{
	strcpy(buf, text);
	return relayctl_parse(buf, w, 4, nw);
}

static void test_control(void **state)
{
	(void)state;
	char buf[256], *w[4];
	int nw;
	assert_int_equal(parse("next 10.0.0.2 4242", w, &nw, buf), RCTL_NEXT);
	assert_int_equal(nw, 2);
	assert_string_equal(w[0], "10.0.0.2");
	assert_string_equal(w[1], "4242");
	assert_int_equal(parse("from 10.0.0.1", w, &nw, buf), RCTL_FROM);
	assert_string_equal(w[0], "10.0.0.1");
	assert_int_equal(parse("last", w, &nw, buf), RCTL_LAST);
	assert_int_equal(nw, 0);
	assert_int_equal(parse("quit", w, &nw, buf), RCTL_QUIT);
	assert_int_equal(parse("start k p t 10.0.0.0/8", w, &nw, buf), RCTL_START);
	assert_int_equal(nw, 4);
	assert_string_equal(w[1], "p");
	assert_string_equal(w[3], "10.0.0.0/8");
	assert_int_equal(parse("start k t 10.0.0.0/8", w, &nw, buf), RCTL_UNKNOWN); /* protocol 1: no key */
	/* too few or too many words, unknown or glued keywords */
	assert_int_equal(parse("next 10.0.0.2", w, &nw, buf), RCTL_UNKNOWN);
	assert_int_equal(parse("next a b c", w, &nw, buf), RCTL_UNKNOWN);
	assert_int_equal(parse("last x", w, &nw, buf), RCTL_UNKNOWN);
	assert_int_equal(parse("quitnow", w, &nw, buf), RCTL_UNKNOWN);
	assert_int_equal(parse("from", w, &nw, buf), RCTL_UNKNOWN);
	assert_int_equal(parse("", w, &nw, buf), RCTL_UNKNOWN);
}

static void test_reports(void **state)
{
	(void)state;
	char buf[256], *w[4];
	int nw;
	assert_int_equal(parse("fail down 10.0.0.3 99 cannot connect: timed out", w, &nw, buf), RCTL_FAIL_DOWN);
	assert_int_equal(nw, 3);
	assert_string_equal(w[0], "10.0.0.3");
	assert_string_equal(w[1], "99");
	assert_string_equal(w[2], "cannot connect: timed out");
	assert_int_equal(parse("fail downstream: closed", w, &nw, buf), RCTL_FAIL);
	assert_string_equal(w[0], "downstream: closed");
	assert_int_equal(parse("fail upstream: connection closed", w, &nw, buf), RCTL_FAIL);
	assert_int_equal(parse("stalled downstream", w, &nw, buf), RCTL_STALLED);
	assert_int_equal(parse("stalled", w, &nw, buf), RCTL_UNKNOWN);
	assert_int_equal(parse("err 7 No space left on device", w, &nw, buf), RCTL_ERR);
	assert_string_equal(w[0], "7");
	assert_string_equal(w[1], "No space left on device");
	assert_int_equal(parse("closed 10.0.0.9 not the announced predecessor", w, &nw, buf), RCTL_CLOSED);
	assert_string_equal(w[1], "not the announced predecessor");
	assert_int_equal(parse("linked 10.0.0.3 99", w, &nw, buf), RCTL_LINKED);
	assert_int_equal(parse("ready 10.0.0.3 99", w, &nw, buf), RCTL_READY);
	assert_int_equal(parse("ok 3", w, &nw, buf), RCTL_OK);
	assert_int_equal(parse("end", w, &nw, buf), RCTL_END);
	assert_int_equal(parse("refused 4 /etc/x: block 2 is not the one the head signed", w, &nw, buf), RCTL_REFUSED);
	assert_int_equal(nw, 2);
	assert_string_equal(w[0], "4");
	assert_string_equal(w[1], "/etc/x: block 2 is not the one the head signed");
	assert_int_equal(parse("refused 4", w, &nw, buf), RCTL_UNKNOWN);
	assert_int_equal(parse("closed 10.0.0.9 peer does not hold the transfer key", w, &nw, buf), RCTL_CLOSED);
	assert_string_equal(w[0], "10.0.0.9");
}

static void test_version_line(void **state)
{
	(void)state;
	char want[64];
	snprintf(want, sizeof want, "ctrelay %s proto %d", CT_VERSION, RELAY_PROTO);
	assert_string_equal(RELAYCTL_VERSION_LINE, want);
	assert_string_equal(RELAY_STALL_TEXT, "20 s");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_control),
		cmocka_unit_test(test_reports),
		cmocka_unit_test(test_version_line),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
