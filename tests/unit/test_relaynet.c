/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * relaynet's listener handshake driven a step at a time over a socketpair
 * (the peer's half written by hand), a connect that gives up when asked,
 * and ctrelay's rule for who gets a handshake slot.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../../ctrelay/ctrelay.h"
#include "relaynet.h"

static struct relay_key key, other;

static int setup(void **state)
{
	(void)state;
	unsigned char s1[RELAY_KEY_LEN] = { 1 }, s2[RELAY_KEY_LEN] = { 2 };
	relay_key_derive(&key, s1);
	relay_key_derive(&other, s2);
	return 0;
}

/* Drive the listener over SV[0] while the peer, on SV[1], answers with key K. */
static int shake(const struct relay_key *k, int trickle, int *refused, uint32_t *e, uint64_t *off)
{
	int sv[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	struct relay_shake h;
	char err[256];
	assert_int_equal(relay_shake_begin(&h, sv[0], err, sizeof err), 0);
	assert_int_equal(relay_shake_step(&h, &key, 7, 3 * RELAY_BLOCK, refused, err, sizeof err), 0);
	unsigned char chal[RELAY_CHAL_LEN], hello[RELAY_MAC_LEN], resume[RELAY_RESUME_LEN];
	assert_int_equal(read(sv[1], chal, sizeof chal), sizeof chal);
	assert_int_equal(relay_challenge_check(chal), 0);
	relay_hello(k, chal, hello);
	int rc;
	if (trickle) { /* a byte at a time: the listener waits, never blocks */
		for (size_t i = 0; i + 1 < sizeof hello; i++) {
			assert_int_equal(write(sv[1], hello + i, 1), 1);
			assert_int_equal(relay_shake_step(&h, &key, 7, 3 * RELAY_BLOCK, refused, err, sizeof err), 0);
		}
		assert_int_equal(write(sv[1], hello + sizeof hello - 1, 1), 1);
	} else {
		assert_int_equal(write(sv[1], hello, sizeof hello), sizeof hello);
	}
	rc = relay_shake_step(&h, &key, 7, 3 * RELAY_BLOCK, refused, err, sizeof err);
	if (rc > 0) {
		assert_int_equal(read(sv[1], resume, sizeof resume), sizeof resume);
		assert_int_equal(relay_resume_check(&key, chal, resume, e, off), 0);
	}
	close(sv[0]);
	close(sv[1]);
	return rc;
}

static void test_shake(void **state)
{
	(void)state;
	int refused;
	uint32_t e = 0;
	uint64_t off = 0;
	assert_int_equal(shake(&key, 0, &refused, &e, &off), 1);
	assert_int_equal(e, 7);
	assert_int_equal(off, 3 * RELAY_BLOCK);
	assert_int_equal(shake(&key, 1, &refused, &e, &off), 1);
	assert_int_equal(shake(&other, 0, &refused, &e, &off), -1);
	assert_int_equal(refused, 1);
}

static void test_shake_peer_leaves(void **state)
{
	(void)state;
	int sv[2], refused;
	char err[256];
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	struct relay_shake h;
	assert_int_equal(relay_shake_begin(&h, sv[0], err, sizeof err), 0);
	assert_int_equal(relay_shake_step(&h, &key, 0, 0, &refused, err, sizeof err), 0);
	close(sv[1]);
	assert_int_equal(relay_shake_step(&h, &key, 0, 0, &refused, err, sizeof err), -1);
	assert_int_equal(refused, 0);
	close(sv[0]);
}

static int cancel_now(void *arg)
{
	(void)arg;
	return 1;
}

static void test_connect(void **state)
{
	(void)state;
	int l = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t sl = sizeof sa;
	assert_int_equal(bind(l, (struct sockaddr *)&sa, sizeof sa), 0);
	assert_int_equal(listen(l, 1), 0);
	getsockname(l, (struct sockaddr *)&sa, &sl);
	char port[16];
	snprintf(port, sizeof port, "%d", ntohs(sa.sin_port));
	int fd = relay_connect_start("127.0.0.1", port, "127.0.0.1");
	assert_true(fd >= 0);
	assert_int_equal(relay_connect_wait(fd, 5000, NULL, NULL), 0);
	close(fd);
	close(l); /* now nothing listens there */
	fd = relay_connect_start("127.0.0.1", port, NULL);
	if (fd >= 0) {
		assert_int_equal(relay_connect_wait(fd, 5000, NULL, NULL), -1);
		assert_int_equal(errno, ECONNREFUSED);
		close(fd);
	}
	assert_int_equal(relay_connect_start("not-an-address", port, NULL), -1);
	/* a connect that cannot finish (the listener's queue is full: its SYN is dropped) gives up when asked */
	l = socket(AF_INET, SOCK_STREAM, 0);
	sa.sin_port = 0;
	assert_int_equal(bind(l, (struct sockaddr *)&sa, sizeof sa), 0);
	assert_int_equal(listen(l, 0), 0);
	sl = sizeof sa;
	getsockname(l, (struct sockaddr *)&sa, &sl);
	snprintf(port, sizeof port, "%d", ntohs(sa.sin_port));
	int filler[4];
	for (int i = 0; i < 3; i++) { /* the first fills the queue, the others wait behind it */
		filler[i] = relay_connect_start("127.0.0.1", port, NULL);
		relay_connect_wait(filler[i], 200, NULL, NULL);
	}
	filler[3] = relay_connect_start("127.0.0.1", port, NULL);
	assert_true(filler[3] >= 0);
	assert_int_equal(relay_connect_wait(filler[3], 5000, cancel_now, NULL), -1);
	assert_int_equal(errno, ECANCELED);
	for (int i = 0; i < 4; i++)
		close(filler[i]);
	close(l);
}

static void test_addr(void **state)
{
	(void)state;
	char out[64];
	assert_int_equal(relay_addr_norm("10.1.2.3", out, sizeof out), 0);
	assert_string_equal(out, "10.1.2.3");
	assert_int_equal(relay_addr_norm("fe80:0::1", out, sizeof out), 0);
	assert_string_equal(out, "fe80::1");
	assert_int_equal(relay_addr_norm("node01", out, sizeof out), -1);
	assert_int_equal(relay_route_src("127.0.1.7", out, sizeof out), 0);
	assert_true(strncmp(out, "127.", 4) == 0);
}

static void test_pending_slot(void **state)
{
	(void)state;
	struct pending p[4];
	for (int i = 0; i < 4; i++)
		p[i] = (struct pending){ .h.fd = -1 };
	assert_int_equal(pending_slot(p, 4, 0), 0);
	p[0].h.fd = 10, p[0].deadline = 5, p[0].announced = 0;
	assert_int_equal(pending_slot(p, 4, 1), 1);
	p[1].h.fd = 11, p[1].deadline = 3, p[1].announced = 1;
	p[2].h.fd = 12, p[2].deadline = 4, p[2].announced = 0;
	p[3].h.fd = 13, p[3].deadline = 2, p[3].announced = 1;
	/* full: a stranger is turned away; the announced peer takes the oldest stranger's slot */
	assert_int_equal(pending_slot(p, 4, 0), -1);
	assert_int_equal(pending_slot(p, 4, 1), 2);
	/* all announced: the oldest goes */
	p[0].announced = p[2].announced = 1;
	assert_int_equal(pending_slot(p, 4, 1), 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shake),
		cmocka_unit_test(test_shake_peer_leaves),
		cmocka_unit_test(test_connect),
		cmocka_unit_test(test_addr),
		cmocka_unit_test(test_pending_slot),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
