/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <fcntl.h>
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
/* the head's signing key of the transfer, and another one (a node's forgery) */
static EVP_PKEY *head, *forger;
static unsigned char head_pub[RELAY_PUB_LEN], forger_pub[RELAY_PUB_LEN];

static int setup(void **state)
{
	(void)state;
	unsigned char s1[RELAY_KEY_LEN], s2[RELAY_KEY_LEN];
	assert_int_equal(relay_secret_new(s1), 0);
	assert_int_equal(relay_secret_new(s2), 0);
	relay_key_derive(&key, s1);
	relay_key_derive(&other, s2);
	head = relay_signer_new(head_pub);
	forger = relay_signer_new(forger_pub);
	assert_non_null(head);
	assert_non_null(forger);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	EVP_PKEY_free(head);
	EVP_PKEY_free(forger);
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

/* Seal one DATA frame of LEN bytes of PLAIN into OUT (a sealing session of its own); returns the frame length. */
static size_t seal_data(const struct relay_key *k, const unsigned char *plain, uint32_t len, unsigned char *out)
{
	struct relay_sealer s;
	assert_int_equal(relay_sealer_new(&s), 0);
	struct relay_frame f = { RELAY_DATA, 3, 7, len, { 0 } };
	return relay_seal(k, &s, &f, plain, out);
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
	/* sealed again (another session: a re-feed): another nonce, whatever the bytes */
	unsigned char *again = malloc(RELAY_MAX_FRAME);
	seal_data(&key, plain, RELAY_BLOCK, again);
	assert_memory_not_equal(out + RELAY_HDR - RELAY_NONCE_LEN, again + RELAY_HDR - RELAY_NONCE_LEN,
				RELAY_NONCE_LEN);
	/* within one session the counter moves on */
	struct relay_sealer se;
	struct relay_frame g = { RELAY_DATA, 3, 7, 16, { 0 } }, h = g;
	relay_sealer_new(&se);
	relay_seal(&key, &se, &g, plain, again);
	relay_seal(&key, &se, &h, plain, again);
	assert_memory_equal(g.nonce, h.nonce, 8);
	assert_memory_not_equal(g.nonce, h.nonce, RELAY_NONCE_LEN);
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
	out[12] ^= 1;
	/* and so is the nonce it carries */
	out[RELAY_HDR - 1] ^= 1;
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
	memset(h, 0xff, 13); /* an END without its signed count */
	h[0] = RELAY_END;
	h[12] = 0xfe;
	memset(h + 13, 0, 4);
	assert_int_equal(relay_frame_parse(h, &f, err, sizeof err), -1);
	h[16] = RELAY_END_LEN;
	assert_int_equal(relay_frame_parse(h, &f, err, sizeof err), 0);
}

static void test_entry_signature(void **state)
{
	(void)state;
	struct relay_entry e = { .type = RELAY_E_FILE, .mode = 04755, .mtime = 1, .size = 3 }, d;
	strcpy(e.path, "/etc/cron.d/x");
	unsigned char *p = malloc(relay_signed_max());
	char err[128];
	uint32_t count;
	size_t n = relay_entry_sign(head, 2, 5, &e, p);
	assert_true(n > 0);
	EVP_PKEY *pk = relay_verifier_new(head_pub);
	assert_int_equal(relay_entry_verify(pk, 2, p, n, &d, &count, err, sizeof err), 0);
	assert_int_equal(count, 5);
	assert_string_equal(d.path, e.path);
	/* another index, a changed byte, another signer: refused */
	assert_int_equal(relay_entry_verify(pk, 3, p, n, &d, &count, err, sizeof err), -1);
	assert_string_equal(err, "entry 3 is not signed by the head");
	p[n - 1] ^= 1;
	assert_int_equal(relay_entry_verify(pk, 2, p, n, &d, &count, err, sizeof err), -1);
	n = relay_entry_sign(forger, 2, 5, &e, p);
	assert_int_equal(relay_entry_verify(pk, 2, p, n, &d, &count, err, sizeof err), -1);
	/* an index beyond the count the head signed */
	n = relay_entry_sign(head, 5, 5, &e, p);
	assert_int_equal(relay_entry_verify(pk, 5, p, n, &d, &count, err, sizeof err), -1);
	assert_string_equal(err, "entry 5 is beyond the 5 the head signed");
	/* block hashes of a larger file: signed per chunk */
	unsigned char hashes[32 * 3], hp[RELAY_SIG_LEN + sizeof hashes];
	memset(hashes, 7, sizeof hashes);
	assert_int_equal(relay_hashes_sign(head, 2, 1, hashes, 3, hp), sizeof hp);
	assert_int_equal(relay_hashes_verify(pk, 2, 1, hp, sizeof hp, NULL), 0);
	assert_int_equal(relay_hashes_verify(pk, 2, 0, hp, sizeof hp, NULL), -1);
	assert_int_equal(relay_hashes_verify(pk, 3, 1, hp, sizeof hp, NULL), -1);
	hp[RELAY_SIG_LEN + 40] ^= 1;
	assert_int_equal(relay_hashes_verify(pk, 2, 1, hp, sizeof hp, NULL), -1);
	assert_int_equal(relay_hashes_sign(forger, 2, 1, hashes, 3, hp), sizeof hp);
	assert_int_equal(relay_hashes_verify(pk, 2, 1, hp, sizeof hp, NULL), -1);
	/* a file's only chunk: its digest, signed in the entry, covers it */
	unsigned char digest[32];
	relay_digest(hashes, 3, digest);
	assert_int_equal(relay_hashes_sign(NULL, 2, 0, hashes, 3, hp), sizeof hp);
	assert_int_equal(relay_hashes_verify(pk, 2, 0, hp, sizeof hp, digest), 0);
	hp[RELAY_SIG_LEN] ^= 1;
	assert_int_equal(relay_hashes_verify(pk, 2, 0, hp, sizeof hp, digest), -1);
	unsigned char end[RELAY_END_LEN];
	assert_int_equal(relay_end_sign(head, 7, end), 0);
	assert_int_equal(relay_end_verify(pk, end, &count), 0);
	assert_int_equal(count, 7);
	end[3] = 6;
	assert_int_equal(relay_end_verify(pk, end, &count), -1);
	EVP_PKEY_free(pk);
	free(p);
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

/* A source of one file: DIR/src (SIZE bytes) to be landed at DIR/dst, signed by SIGNER. */
struct one {
	char src[256], dst[256];
	uint64_t size;
	unsigned char sha[32];
	unsigned char entry[8192], end[RELAY_END_LEN];
	size_t entry_len;
	unsigned char hashes[RELAY_SIG_LEN + 32 * 16]; /* one chunk: files of 16 blocks at most */
	size_t hashes_len;
};

static void one_entry(const struct one *o, struct relay_entry *e)
{
	memset(e, 0, sizeof *e);
	e->type = RELAY_E_FILE;
	e->mode = 0640;
	e->mtime = 1600000000;
	e->size = o->size;
	memcpy(e->sha256, o->sha, 32);
	snprintf(e->path, sizeof e->path, "%s", o->dst);
}

static int one_get(void *arg, uint32_t i, struct relay_entry *e, const unsigned char **signed_entry, size_t *len,
		   const char **data_path)
{
	struct one *o = arg;
	if (i != 0)
		return -1;
	one_entry(o, e);
	*signed_entry = o->entry;
	*len = o->entry_len;
	*data_path = o->src;
	return 0;
}

static const unsigned char *one_hashes(void *arg, uint32_t i, uint64_t chunk, size_t *len)
{
	struct one *o = arg;
	if (i != 0 || chunk != 0)
		return NULL;
	*len = o->hashes_len;
	return o->hashes;
}

static void fill_src(const struct one *o, unsigned char salt)
{
	unsigned char *buf = malloc(o->size + 1);
	for (uint64_t i = 0; i < o->size; i++)
		buf[i] = (unsigned char)(i * 31 + i / 1000 + salt);
	FILE *f = fopen(o->src, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(buf, 1, o->size, f), o->size);
	fclose(f);
	free(buf);
}

static void make_one(struct one *o, const char *dir, uint64_t size, EVP_PKEY *signer)
{
	snprintf(o->src, sizeof o->src, "%s/src", dir);
	snprintf(o->dst, sizeof o->dst, "%s/dst", dir);
	o->size = size;
	fill_src(o, 0);
	unsigned char *buf = malloc(size + 1), h[32 * 16];
	FILE *f = fopen(o->src, "r");
	assert_int_equal(fread(buf, 1, size, f), size);
	fclose(f);
	uint64_t n = relay_blocks(size);
	assert_true(n <= 16);
	for (uint64_t b = 0; b < n; b++)
		relay_block_hash(buf + b * RELAY_BLOCK, b + 1 < n ? RELAY_BLOCK : size - b * RELAY_BLOCK, h + 32 * b);
	relay_digest(h, n, o->sha);
	o->hashes_len = relay_hashes_sign(signer, 0, 0, h, n, o->hashes);
	assert_int_equal(o->hashes_len, RELAY_SIG_LEN + 32 * n);
	free(buf);
	struct relay_entry e;
	one_entry(o, &e);
	o->entry_len = relay_entry_sign(signer, 0, 1, &e, o->entry);
	assert_true(o->entry_len > 0);
	assert_int_equal(relay_end_sign(signer, 1, o->end), 0);
}

/* Every nonce the sink side has seen in this test (to prove none comes twice). */
static unsigned char nonces[4096][RELAY_NONCE_LEN];
static size_t nnonces;

/*
 * A feeder (child process) sends entry 0 of O with key K from where SINK
 * says it is, up to TO bytes (the whole file and END when TO >= its size);
 * the sink lands what it reads until END, EOF or an error. Returns 0 (END
 * or EOF), -1 handshake or stream, -2 authentication, or the sink's
 * refusal; *FEEDER gets the feeder's exit status (relay_feed's result).
 */
static int pump(struct relay_sink *sink, const struct relay_key *k, struct one *o, uint64_t to, int tamper,
		int *feeder)
{
	int sv[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	pid_t pid = fork();
	if (pid == 0) {
		close(sv[0]);
		struct relay_source src = { one_get, one_hashes, o->end, o, NULL };
		char err[256];
		uint32_t e;
		uint64_t resume;
		if (relay_hello_send(sv[1], k, &e, &resume, err, sizeof err) < 0)
			_exit(9);
		int rc = to >= o->size ? relay_feed(sv[1], k, &src, e, resume, 1, 0, RELAY_FEED_END, err, sizeof err)
				       : relay_feed(sv[1], k, &src, e, resume, 0, to, RELAY_FEED_LAST, err, sizeof err);
		_exit(rc == 0 ? 0 : rc == RELAY_REFUSED ? 2 : 1);
	}
	close(sv[1]);
	char err[256];
	int rc = relay_accept(sv[0], &key, sink->have_entry, sink->have_off, err, sizeof err);
	unsigned char *buf = malloc(RELAY_MAX_FRAME), *plain = malloc(RELAY_BLOCK);
	struct relay_frame f;
	int frames = 0;
	while (rc == 0 && !sink->ended) {
		ssize_t n = relay_read_frame(sv[0], buf, &f, err, sizeof err);
		if (n <= 0) {
			rc = n == 0 ? 0 : -1;
			break;
		}
		if (nnonces < sizeof nonces / sizeof *nonces)
			memcpy(nonces[nnonces++], f.nonce, RELAY_NONCE_LEN);
		if (tamper && ++frames == 3)
			buf[RELAY_HDR + 10] ^= 0x10;
		if (relay_open(&key, &f, buf, plain) < 0) {
			rc = -2;
			break;
		}
		int r = relay_sink_frame(sink, &f, plain, err, sizeof err);
		if (r < 0)
			rc = r == RELAY_REFUSED ? RELAY_REFUSED : -3;
	}
	close(sv[0]);
	int st;
	waitpid(pid, &st, 0);
	*feeder = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	free(buf);
	free(plain);
	return rc;
}

static void no_nonce_twice(void)
{
	for (size_t i = 0; i < nnonces; i++)
		for (size_t j = i + 1; j < nnonces; j++)
			assert_memory_not_equal(nonces[i], nonces[j], RELAY_NONCE_LEN);
}

static int temp_exists(const char *dst, const char *tag)
{
	struct stat st;
	char *tmp = relay_tmp_name(dst, tag);
	int rc = stat(tmp, &st) == 0;
	free(tmp);
	return rc;
}

static void test_sink_lands(void **state)
{
	(void)state;
	char dir[] = "/tmp/test_relay.XXXXXX";
	assert_non_null(mkdtemp(dir));
	struct one o;
	make_one(&o, dir, 3 * RELAY_BLOCK + 777, head);
	struct relay_sink sink;
	int fed;
	assert_int_equal(relay_sink_init(&sink, "t1", head_pub), 0);
	assert_int_equal(pump(&sink, &key, &o, UINT64_MAX, 0, &fed), 0);
	assert_int_equal(fed, 0);
	assert_int_equal(sink.have_entry, 1);
	assert_true(sink.ended);
	assert_int_equal(sink.e[0].result, RELAY_R_OK);
	struct stat st;
	assert_int_equal(stat(o.dst, &st), 0);
	assert_int_equal(st.st_size, o.size);
	assert_int_equal(st.st_mode & 07777, 0640);
	assert_int_equal(st.st_mtime, 1600000000);
	relay_sink_free(&sink);

	/* the same file again: unchanged, skipped */
	assert_int_equal(relay_sink_init(&sink, "t2", head_pub), 0);
	assert_int_equal(pump(&sink, &key, &o, UINT64_MAX, 0, &fed), 0);
	assert_int_equal(fed, 0);
	assert_int_equal(sink.e[0].result, RELAY_R_SKIP);
	relay_sink_free(&sink);
	unlink(o.src);
	unlink(o.dst);
	rmdir(dir);
}

/* A feed cut after two blocks, then resumed by another feeder from what the sink holds. */
static void test_sink_resumes(void **state)
{
	(void)state;
	char dir[] = "/tmp/test_relay.XXXXXX";
	assert_non_null(mkdtemp(dir));
	struct one o;
	make_one(&o, dir, 5 * RELAY_BLOCK + 99, head);
	struct relay_sink sink;
	int fed;
	nnonces = 0;
	assert_int_equal(relay_sink_init(&sink, "t5", head_pub), 0);
	assert_int_equal(pump(&sink, &key, &o, 2 * RELAY_BLOCK, 0, &fed), 0);
	assert_int_equal(fed, 0);
	assert_int_equal(sink.have_entry, 0);
	assert_int_equal(sink.have_off, 2 * RELAY_BLOCK);
	assert_false(sink.ended);
	assert_true(temp_exists(o.dst, "t5"));
	size_t first = nnonces;
	assert_int_equal(first, 5); /* ENTRY, HASHES, two blocks, HASHES for the blocks ahead */
	assert_int_equal(pump(&sink, &key, &o, UINT64_MAX, 0, &fed), 0);
	assert_int_equal(fed, 0);
	assert_true(sink.ended);
	assert_int_equal(sink.e[0].result, RELAY_R_OK);
	assert_int_equal(nnonces, first + 7); /* ENTRY and HASHES again, four blocks, END */
	no_nonce_twice(); /* two feeds of the same file: no nonce used twice */
	relay_sink_free(&sink);
	struct stat st;
	assert_int_equal(stat(o.dst, &st), 0);
	assert_int_equal(st.st_size, o.size);
	assert_false(temp_exists(o.dst, "t5"));
	unlink(o.src);
	unlink(o.dst);
	rmdir(dir);
}

/* The source changes after it was hashed and signed: the feeder stops before the changed block. */
static void test_feed_changed(void **state)
{
	(void)state;
	char dir[] = "/tmp/test_relay.XXXXXX";
	assert_non_null(mkdtemp(dir));
	struct one o;
	make_one(&o, dir, 3 * RELAY_BLOCK + 5, head);
	FILE *f = fopen(o.src, "r+");
	fseek(f, 2 * RELAY_BLOCK + 100, SEEK_SET);
	fputc('!', f);
	fclose(f);
	struct relay_sink sink;
	int fed;
	assert_int_equal(relay_sink_init(&sink, "t6", head_pub), 0);
	assert_int_equal(pump(&sink, &key, &o, UINT64_MAX, 0, &fed), 0);
	assert_int_equal(fed, 2);
	assert_false(sink.ended);
	assert_int_equal(sink.have_off, 2 * RELAY_BLOCK);
	relay_sink_free(&sink);
	struct stat st;
	assert_int_equal(stat(o.dst, &st), -1);
	assert_false(temp_exists(o.dst, "t6"));
	unlink(o.src);
	rmdir(dir);
}

static void test_sink_refuses(void **state)
{
	(void)state;
	char dir[] = "/tmp/test_relay.XXXXXX";
	assert_non_null(mkdtemp(dir));
	struct one o;
	make_one(&o, dir, 2 * RELAY_BLOCK + 5, head);
	struct relay_sink sink;
	int fed;
	/* a sender without the key: refused before any frame */
	assert_int_equal(relay_sink_init(&sink, "t3", head_pub), 0);
	assert_int_equal(pump(&sink, &other, &o, UINT64_MAX, 0, &fed), -1);
	assert_int_equal(sink.n, 0);
	relay_sink_free(&sink);
	/* a tampered block: refused, nothing at the target, no temporary file left */
	assert_int_equal(relay_sink_init(&sink, "t4", head_pub), 0);
	assert_int_equal(pump(&sink, &key, &o, UINT64_MAX, 1, &fed), -2);
	relay_sink_free(&sink);
	struct stat st;
	assert_int_equal(stat(o.dst, &st), -1);
	assert_false(temp_exists(o.dst, "t4"));
	/* a key holder's entry, signed by another key than the head's: refused, nothing created */
	make_one(&o, dir, 2 * RELAY_BLOCK + 5, forger);
	assert_int_equal(relay_sink_init(&sink, "t7", head_pub), 0);
	assert_int_equal(pump(&sink, &key, &o, UINT64_MAX, 0, &fed), RELAY_REFUSED);
	assert_int_equal(sink.n, 0);
	assert_true(sink.refused);
	relay_sink_free(&sink);
	assert_int_equal(stat(o.dst, &st), -1);
	assert_false(temp_exists(o.dst, "t7"));
	unlink(o.src);
	rmdir(dir);
}

/* Frames handed to the sink directly: what a key holder could send. */
static int give(struct relay_sink *s, uint8_t type, uint32_t i, uint64_t block, const void *p, size_t len)
{
	struct relay_frame f = { type, i, block, (uint32_t)len, { 0 } };
	char err[256];
	return relay_sink_frame(s, &f, p, err, sizeof err);
}

static void test_sink_refuses_forgeries(void **state)
{
	(void)state;
	char dir[] = "/tmp/test_relay.XXXXXX";
	assert_non_null(mkdtemp(dir));
	struct one o;
	make_one(&o, dir, 1000, head);
	unsigned char data[1000], p[8192], end[RELAY_END_LEN];
	struct relay_entry e;
	struct relay_sink s;
	struct stat st;
	FILE *f = fopen(o.src, "r");
	assert_int_equal(fread(data, 1, sizeof data, f), sizeof data);
	fclose(f);
	/* the right entry with other bytes: refused at its end, nothing installed, no temporary file */
	assert_int_equal(relay_sink_init(&s, "f1", head_pub), 0);
	assert_int_equal(give(&s, RELAY_ENTRY, 0, UINT64_MAX, o.entry, o.entry_len), 1);
	assert_true(temp_exists(o.dst, "f1"));
	assert_int_equal(give(&s, RELAY_HASHES, 0, 0, o.hashes, o.hashes_len), 1);
	data[500] ^= 1;
	assert_int_equal(give(&s, RELAY_DATA, 0, 0, data, sizeof data), RELAY_REFUSED);
	data[500] ^= 1;
	assert_false(temp_exists(o.dst, "f1"));
	assert_int_equal(stat(o.dst, &st), -1);
	/* and nothing more is taken, not even the right bytes */
	assert_int_equal(give(&s, RELAY_DATA, 0, 0, data, sizeof data), RELAY_REFUSED);
	relay_sink_free(&s);
	/* a block before its hashes, hashes not signed by the head */
	assert_int_equal(relay_sink_init(&s, "f8", head_pub), 0);
	assert_int_equal(give(&s, RELAY_ENTRY, 0, UINT64_MAX, o.entry, o.entry_len), 1);
	assert_int_equal(give(&s, RELAY_DATA, 0, 0, data, sizeof data), RELAY_REFUSED);
	relay_sink_free(&s);
	assert_int_equal(relay_sink_init(&s, "f9", head_pub), 0);
	assert_int_equal(give(&s, RELAY_ENTRY, 0, UINT64_MAX, o.entry, o.entry_len), 1);
	o.hashes[RELAY_SIG_LEN] ^= 1;
	assert_int_equal(give(&s, RELAY_HASHES, 0, 0, o.hashes, o.hashes_len), RELAY_REFUSED);
	o.hashes[RELAY_SIG_LEN] ^= 1;
	relay_sink_free(&s);
	assert_false(temp_exists(o.dst, "f9"));
	/* entries out of order, beyond the count, an early or unsigned END */
	one_entry(&o, &e);
	size_t n = relay_entry_sign(head, 1, 2, &e, p);
	assert_int_equal(relay_sink_init(&s, "f2", head_pub), 0);
	assert_int_equal(give(&s, RELAY_ENTRY, 1, UINT64_MAX, p, n), RELAY_REFUSED);
	relay_sink_free(&s);
	n = relay_entry_sign(head, 0, 0, &e, p);
	assert_int_equal(relay_sink_init(&s, "f3", head_pub), 0);
	assert_int_equal(give(&s, RELAY_ENTRY, 0, UINT64_MAX, p, n), RELAY_REFUSED);
	relay_sink_free(&s);
	relay_end_sign(head, 2, end);
	assert_int_equal(relay_sink_init(&s, "f4", head_pub), 0);
	assert_int_equal(give(&s, RELAY_ENTRY, 0, UINT64_MAX, o.entry, o.entry_len), 1);
	assert_int_equal(give(&s, RELAY_HASHES, 0, 0, o.hashes, o.hashes_len), 1);
	assert_int_equal(give(&s, RELAY_DATA, 0, 0, data, sizeof data), 1);
	assert_int_equal(give(&s, RELAY_END, UINT32_MAX, UINT64_MAX - 1, end, sizeof end), RELAY_REFUSED);
	relay_sink_free(&s);
	relay_end_sign(forger, 1, end);
	assert_int_equal(relay_sink_init(&s, "f6", head_pub), 0);
	assert_int_equal(give(&s, RELAY_ENTRY, 0, UINT64_MAX, o.entry, o.entry_len), 1);
	assert_int_equal(give(&s, RELAY_HASHES, 0, 0, o.hashes, o.hashes_len), 1);
	assert_int_equal(give(&s, RELAY_DATA, 0, 0, data, sizeof data), 1);
	assert_int_equal(give(&s, RELAY_END, UINT32_MAX, UINT64_MAX - 1, end, sizeof end), RELAY_REFUSED);
	assert_int_equal(give(&s, RELAY_END, UINT32_MAX, UINT64_MAX - 1, o.end, sizeof o.end), RELAY_REFUSED);
	relay_sink_free(&s);
	assert_int_equal(relay_sink_init(&s, "f7", head_pub), 0);
	assert_int_equal(give(&s, RELAY_ENTRY, 0, UINT64_MAX, o.entry, o.entry_len), 1);
	assert_int_equal(give(&s, RELAY_HASHES, 0, 0, o.hashes, o.hashes_len), 1);
	assert_int_equal(give(&s, RELAY_DATA, 0, 0, data, sizeof data), 1);
	assert_int_equal(give(&s, RELAY_END, UINT32_MAX, UINT64_MAX - 1, o.end, sizeof o.end), 1);
	assert_true(s.ended);
	relay_sink_free(&s);
	unlink(o.src);
	unlink(o.dst);
	rmdir(dir);
}

/*
 * A node that holds an entry's block hashes but no block yet feeds a new
 * successor at its own place (the hashes went to a node since lost): the
 * successor gets them, so the next block, coming live, is taken.
 */
static void test_refeed_hashes(void **state)
{
	(void)state;
	char dir[] = "/tmp/test_relay.XXXXXX";
	assert_non_null(mkdtemp(dir));
	struct one o;
	make_one(&o, dir, 2 * RELAY_BLOCK + 5, head);
	unsigned char *block = malloc(RELAY_BLOCK), *buf = malloc(RELAY_MAX_FRAME), *plain = malloc(RELAY_BLOCK);
	FILE *f = fopen(o.src, "r");
	assert_int_equal(fread(block, 1, RELAY_BLOCK, f), RELAY_BLOCK);
	fclose(f);
	struct relay_sink a, b;
	assert_int_equal(relay_sink_init(&a, "r1", head_pub), 0);
	assert_int_equal(relay_sink_init(&b, "r2", head_pub), 0);
	assert_int_equal(give(&a, RELAY_ENTRY, 0, UINT64_MAX, o.entry, o.entry_len), 1);
	assert_int_equal(give(&a, RELAY_HASHES, 0, 0, o.hashes, o.hashes_len), 1);
	assert_int_equal(give(&b, RELAY_ENTRY, 0, UINT64_MAX, o.entry, o.entry_len), 1);
	int sv[2];
	char err[256];
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	struct relay_source src;
	relay_sink_source(&a, &src);
	assert_int_equal(relay_feed(sv[1], &key, &src, 0, 0, 0, 0, RELAY_FEED_LAST, err, sizeof err), 0);
	close(sv[1]);
	struct relay_frame fr;
	int applied = 0;
	while (relay_read_frame(sv[0], buf, &fr, err, sizeof err) > 0) {
		assert_int_equal(relay_open(&key, &fr, buf, plain), 0);
		applied += relay_sink_frame(&b, &fr, plain, err, sizeof err);
	}
	close(sv[0]);
	assert_int_equal(applied, 1); /* the ENTRY again (ignored), the hashes (taken) */
	assert_int_equal(give(&b, RELAY_DATA, 0, 0, block, RELAY_BLOCK), 1);
	relay_sink_free(&a);
	relay_sink_free(&b);
	free(block);
	free(buf);
	free(plain);
	unlink(o.src);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_secret_hex),     cmocka_unit_test(test_seal_open),
		cmocka_unit_test(test_tampered_block), cmocka_unit_test(test_wrong_key),
		cmocka_unit_test(test_frame_parse_bad), cmocka_unit_test(test_entry_roundtrip),
		cmocka_unit_test(test_entry_signature), cmocka_unit_test(test_sink_lands),
		cmocka_unit_test(test_sink_resumes),   cmocka_unit_test(test_feed_changed),
		cmocka_unit_test(test_sink_refuses),   cmocka_unit_test(test_sink_refuses_forgeries),
		cmocka_unit_test(test_refeed_hashes),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
