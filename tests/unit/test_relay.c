/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <fcntl.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "relay.h"
#include "relayio.h"

static struct relay_key key, other;

static int setup(void **state)
{
	(void)state;
	unsigned char s1[RELAY_KEY_LEN], s2[RELAY_KEY_LEN];
	assert_int_equal(relay_secret_new(s1), 0);
	assert_int_equal(relay_secret_new(s2), 0);
	relay_key_derive(&key, s1);
	relay_key_derive(&other, s2);
	return 0;
}

static void test_secret_hex(void **state)
{
	(void)state;
	unsigned char s[RELAY_KEY_LEN], back[RELAY_KEY_LEN];
	char hex[2 * RELAY_KEY_LEN + 1];
	relay_secret_new(s);
	relay_secret_hex(s, hex);
	assert_int_equal(strlen(hex), 64);
	assert_int_equal(relay_secret_parse(hex, back), 0);
	assert_memory_equal(s, back, sizeof s);
	hex[5] = 'X';
	assert_int_equal(relay_secret_parse(hex, back), -1);
	assert_int_equal(relay_secret_parse("abcd", back), -1);
}

/* Seal one DATA frame of LEN bytes of PLAIN into OUT; returns the frame length. */
static size_t seal_data(const struct relay_key *k, const unsigned char *plain, uint32_t len, unsigned char *out)
{
	struct relay_frame f = { RELAY_DATA, 3, 7, len };
	return relay_seal(k, &f, plain, out);
}

static void test_seal_open(void **state)
{
	(void)state;
	unsigned char *plain = malloc(RELAY_BLOCK), *out = malloc(RELAY_MAX_FRAME), *back = malloc(RELAY_BLOCK);
	for (size_t i = 0; i < RELAY_BLOCK; i++)
		plain[i] = (unsigned char)(i * 7);
	size_t n = seal_data(&key, plain, RELAY_BLOCK, out);
	assert_int_equal(n, RELAY_MAX_FRAME);
	struct relay_frame f;
	char err[128];
	assert_int_equal(relay_frame_parse(out, &f, err, sizeof err), 0);
	assert_int_equal(f.entry, 3);
	assert_int_equal(f.block, 7);
	assert_int_equal(relay_open(&key, &f, out, back), 0);
	assert_memory_equal(plain, back, RELAY_BLOCK);
	/* same nonce, same plaintext: same frame, so it can be forwarded or re-fed */
	unsigned char *again = malloc(RELAY_MAX_FRAME);
	seal_data(&key, plain, RELAY_BLOCK, again);
	assert_memory_equal(out, again, n);
	free(plain);
	free(out);
	free(back);
	free(again);
}

static void test_tampered_block(void **state)
{
	(void)state;
	unsigned char plain[1000], out[RELAY_HDR + 1000 + RELAY_TAG], back[1000];
	memset(plain, 'a', sizeof plain);
	seal_data(&key, plain, sizeof plain, out);
	struct relay_frame f;
	char err[128];
	assert_int_equal(relay_frame_parse(out, &f, err, sizeof err), 0);
	out[RELAY_HDR + 500] ^= 1; /* a payload bit */
	assert_int_equal(relay_open(&key, &f, out, back), -1);
	out[RELAY_HDR + 500] ^= 1;
	out[RELAY_HDR + 1000 + 3] ^= 0x80; /* the tag */
	assert_int_equal(relay_open(&key, &f, out, back), -1);
	out[RELAY_HDR + 1000 + 3] ^= 0x80;
	assert_int_equal(relay_open(&key, &f, out, back), 0);
	/* the header is authenticated: a block moved to another index is refused */
	out[12] ^= 1;
	assert_int_equal(relay_frame_parse(out, &f, err, sizeof err), 0);
	assert_int_equal(relay_open(&key, &f, out, back), -1);
}

static void test_wrong_key(void **state)
{
	(void)state;
	unsigned char plain[64] = "data", out[RELAY_HDR + 64 + RELAY_TAG], back[64];
	seal_data(&key, plain, sizeof plain, out);
	struct relay_frame f;
	char err[128];
	relay_frame_parse(out, &f, err, sizeof err);
	assert_int_equal(relay_open(&other, &f, out, back), -1);

	unsigned char chal[RELAY_CHAL_LEN], hello[RELAY_MAC_LEN], resume[RELAY_RESUME_LEN];
	assert_int_equal(relay_challenge_new(chal), 0);
	assert_int_equal(relay_challenge_check(chal), 0);
	relay_hello(&other, chal, hello);
	assert_int_equal(relay_hello_check(&key, chal, hello), -1);
	relay_hello(&key, chal, hello);
	assert_int_equal(relay_hello_check(&key, chal, hello), 0);
	uint32_t e;
	uint64_t off;
	relay_resume(&key, chal, 5, 3 * (uint64_t)RELAY_BLOCK, resume);
	assert_int_equal(relay_resume_check(&other, chal, resume, &e, &off), -1);
	assert_int_equal(relay_resume_check(&key, chal, resume, &e, &off), 0);
	assert_int_equal(e, 5);
	assert_int_equal(off, 3 * (uint64_t)RELAY_BLOCK);
}

static void test_frame_parse_bad(void **state)
{
	(void)state;
	unsigned char h[RELAY_HDR] = { 0 };
	struct relay_frame f;
	char err[128];
	h[0] = 9;
	assert_int_equal(relay_frame_parse(h, &f, err, sizeof err), -1);
	assert_string_equal(err, "unknown frame type");
	h[0] = RELAY_DATA; /* length 0 */
	assert_int_equal(relay_frame_parse(h, &f, err, sizeof err), -1);
	h[13] = 0x7f; /* length far above a block */
	assert_int_equal(relay_frame_parse(h, &f, err, sizeof err), -1);
	h[0] = RELAY_ENTRY; /* block index must be the entry one */
	assert_int_equal(relay_frame_parse(h, &f, err, sizeof err), -1);
}

static void test_entry_roundtrip(void **state)
{
	(void)state;
	struct relay_entry e = { .type = RELAY_E_FILE, .mode = 0644, .mtime = 1700000000, .size = 12345 }, d;
	strcpy(e.path, "/tmp/a/b.txt");
	memset(e.sha256, 0x5a, 32);
	unsigned char buf[8192];
	char err[128];
	size_t n = relay_entry_encode(&e, buf);
	assert_int_equal(relay_entry_decode(buf, n, &d, err, sizeof err), 0);
	assert_string_equal(d.path, e.path);
	assert_int_equal(d.size, e.size);
	assert_int_equal(d.mtime, e.mtime);
	const char *bad[] = { "relative", "/a/../etc/passwd", "/a//b", "/a/./b", "/a/", "/" };
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		strcpy(e.path, bad[i]);
		n = relay_entry_encode(&e, buf);
		assert_int_equal(relay_entry_decode(buf, n, &d, err, sizeof err), -1);
	}
	assert_int_equal(relay_entry_decode(buf, 10, &d, err, sizeof err), -1);
}

/* A source of one file: DIR/src (SIZE bytes) to be landed at DIR/dst. */
struct one {
	char src[256], dst[256];
	uint64_t size;
	unsigned char sha[32];
};

static int one_get(void *arg, uint32_t i, struct relay_entry *e, const char **data_path)
{
	struct one *o = arg;
	if (i != 0)
		return -1;
	memset(e, 0, sizeof *e);
	e->type = RELAY_E_FILE;
	e->mode = 0640;
	e->mtime = 1600000000;
	e->size = o->size;
	memcpy(e->sha256, o->sha, 32);
	snprintf(e->path, sizeof e->path, "%s", o->dst);
	*data_path = o->src;
	return 0;
}

static void make_one(struct one *o, const char *dir, uint64_t size)
{
	snprintf(o->src, sizeof o->src, "%s/src", dir);
	snprintf(o->dst, sizeof o->dst, "%s/dst", dir);
	o->size = size;
	unsigned char *buf = malloc(size + 1);
	for (uint64_t i = 0; i < size; i++)
		buf[i] = (unsigned char)(i * 31 + i / 1000);
	FILE *f = fopen(o->src, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(buf, 1, size, f), size);
	fclose(f);
	SHA256(buf, size, o->sha);
	free(buf);
}

/* Lowest block index of the DATA frames the last pump() delivered (UINT64_MAX: none). */
static uint64_t first_data_block;

/*
 * Feed O's file over a socketpair into SINK, from where the sink's RESUME says
 * (the feeder exits 2 unless that is where SINK stands), up to CUT bytes and
 * no END when CUT is not 0 (a transfer cut short). Returns 0 when the END
 * frame arrived, 1 at EOF without it, -1 when refused or the stream broke,
 * -2 when a frame did not open (TAMPER flips a bit of the third), -3 when
 * the sink refused a frame. It checks the feeder exited 0 whenever the sink
 * did not stop it early (0 or 1).
 */
static int pump(struct relay_sink *sink, const struct relay_key *k, struct one *o, uint64_t cut, int tamper)
{
	int sv[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	pid_t pid = fork();
	if (pid == 0) {
		close(sv[0]);
		struct relay_source src = { one_get, o, NULL };
		char err[256];
		uint32_t e;
		uint64_t resume;
		if (relay_hello_send(sv[1], k, &e, &resume, err, sizeof err) < 0)
			_exit(1);
		if (e != sink->have_entry || resume != sink->have_off)
			_exit(2);
		int fed = cut ? relay_feed(sv[1], k, &src, e, resume, 0, cut, RELAY_FEED_LAST, err, sizeof err)
			      : relay_feed(sv[1], k, &src, e, resume, 1, 0, RELAY_FEED_END, err, sizeof err);
		_exit(fed < 0 ? 1 : 0);
	}
	close(sv[1]);
	char err[256];
	int rc = relay_accept(sv[0], &key, sink->have_entry, sink->have_off, err, sizeof err);
	unsigned char *buf = malloc(RELAY_MAX_FRAME), *plain = malloc(RELAY_BLOCK);
	struct relay_frame f;
	int frames = 0;
	first_data_block = UINT64_MAX;
	while (rc == 0) {
		ssize_t n = relay_read_frame(sv[0], buf, &f, err, sizeof err);
		if (n <= 0) {
			rc = n == 0 && cut ? 1 : -1;
			break;
		}
		if (f.type == RELAY_DATA && f.block < first_data_block)
			first_data_block = f.block;
		if (tamper && ++frames == 3)
			buf[RELAY_HDR + 10] ^= 0x10;
		if (relay_open(&key, &f, buf, plain) < 0) {
			rc = -2;
			break;
		}
		if (relay_sink_frame(sink, &f, plain, err, sizeof err) < 0) {
			rc = -3;
			break;
		}
		if (sink->ended)
			break;
	}
	close(sv[0]);
	int st;
	waitpid(pid, &st, 0);
	if (rc == 0 || rc == 1)
		assert_int_equal(WIFEXITED(st) ? WEXITSTATUS(st) : -1, 0);
	free(buf);
	free(plain);
	return rc;
}

static void test_sink_lands(void **state)
{
	(void)state;
	char dir[] = "/tmp/test_relay.XXXXXX";
	assert_non_null(mkdtemp(dir));
	struct one o;
	make_one(&o, dir, 3 * RELAY_BLOCK + 777);
	struct relay_sink sink;
	relay_sink_init(&sink, "t1");
	assert_int_equal(pump(&sink, &key, &o, 0, 0), 0);
	assert_int_equal(sink.have_entry, 1);
	assert_int_equal(sink.e[0].result, RELAY_R_OK);
	struct stat st;
	assert_int_equal(stat(o.dst, &st), 0);
	assert_int_equal(st.st_size, o.size);
	assert_int_equal(st.st_mode & 07777, 0640);
	assert_int_equal(st.st_mtime, 1600000000);
	relay_sink_free(&sink);

	/* the same file again: unchanged, skipped */
	relay_sink_init(&sink, "t2");
	assert_int_equal(pump(&sink, &key, &o, 0, 0), 0);
	assert_int_equal(sink.e[0].result, RELAY_R_SKIP);
	relay_sink_free(&sink);
	unlink(o.src);
	unlink(o.dst);
	rmdir(dir);
}

/* A transfer cut after two blocks resumes from the third: the sink's RESUME says where. */
static void test_sink_resumes(void **state)
{
	(void)state;
	char dir[] = "/tmp/test_relay.XXXXXX";
	assert_non_null(mkdtemp(dir));
	struct one o;
	make_one(&o, dir, 5 * RELAY_BLOCK + 100);
	struct relay_sink sink;
	relay_sink_init(&sink, "t5");
	assert_int_equal(pump(&sink, &key, &o, 2 * RELAY_BLOCK, 0), 1);
	assert_int_equal(first_data_block, 0);
	assert_int_equal(sink.have_entry, 0);
	assert_int_equal(sink.have_off, 2 * RELAY_BLOCK);
	struct stat st;
	assert_int_equal(stat(o.dst, &st), -1);
	char *tmp = relay_tmp_name(o.dst, "t5");
	assert_int_equal(stat(tmp, &st), 0);
	assert_int_equal(st.st_size, 2 * RELAY_BLOCK);

	assert_int_equal(pump(&sink, &key, &o, 0, 0), 0);
	assert_int_equal(first_data_block, 2);
	assert_int_equal(sink.have_entry, 1);
	assert_int_equal(sink.e[0].result, RELAY_R_OK);
	assert_int_equal(stat(o.dst, &st), 0);
	assert_int_equal(st.st_size, o.size);
	assert_int_equal(stat(tmp, &st), -1);
	relay_sink_free(&sink);
	free(tmp);
	unlink(o.src);
	unlink(o.dst);
	rmdir(dir);
}

static void test_sink_refuses(void **state)
{
	(void)state;
	char dir[] = "/tmp/test_relay.XXXXXX";
	assert_non_null(mkdtemp(dir));
	struct one o;
	make_one(&o, dir, 2 * RELAY_BLOCK + 5);
	struct relay_sink sink;
	/* a sender without the key: refused before any frame */
	relay_sink_init(&sink, "t3");
	assert_int_equal(pump(&sink, &other, &o, 0, 0), -1);
	assert_int_equal(sink.n, 0);
	relay_sink_free(&sink);
	/* a tampered block: refused, nothing at the target, no temporary file left */
	relay_sink_init(&sink, "t4");
	assert_int_equal(pump(&sink, &key, &o, 0, 1), -2);
	relay_sink_free(&sink);
	struct stat st;
	assert_int_equal(stat(o.dst, &st), -1);
	char *tmp = relay_tmp_name(o.dst, "t4");
	assert_int_equal(stat(tmp, &st), -1);
	free(tmp);
	unlink(o.src);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_secret_hex),   cmocka_unit_test(test_seal_open),
		cmocka_unit_test(test_tampered_block), cmocka_unit_test(test_wrong_key),
		cmocka_unit_test(test_frame_parse_bad), cmocka_unit_test(test_entry_roundtrip),
		cmocka_unit_test(test_sink_lands),   cmocka_unit_test(test_sink_resumes),
		cmocka_unit_test(test_sink_refuses),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
