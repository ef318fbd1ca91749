/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pipeline — a ring of buffers between the download and the writer thread.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "pipeline.h"
#include "xalloc.h"

#define NBUF 4
#define BUFSIZE (4u << 20)

struct slot {
	uint8_t *data;
	size_t len;
	uint64_t off;
};

struct pipeline {
	fetch_sink sink;
	void *arg;
	struct slot s[NBUF];
	int head, tail, count; /* worker consumes s[head]; producer fills s[tail] */
	int failed, stop;
	pthread_mutex_t mu;
	pthread_cond_t data, space;
	pthread_t thread;
};

static void *worker(void *arg)
{
	struct pipeline *p = arg;
	pthread_mutex_lock(&p->mu);
	for (;;) {
		while (p->count == 0 && !p->stop)
			pthread_cond_wait(&p->data, &p->mu);
		if (p->count == 0)
			break;
		struct slot *s = &p->s[p->head];
		int failed = p->failed;
		pthread_mutex_unlock(&p->mu);
		int rc = failed ? -1 : p->sink(p->arg, s->off, s->data, s->len);
		pthread_mutex_lock(&p->mu);
		if (rc < 0)
			p->failed = 1;
		s->len = 0;
		p->head = (p->head + 1) % NBUF;
		p->count--;
		pthread_cond_broadcast(&p->space);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

/* Free P's buffers, locks and P itself (the worker is not running). */
static void release(struct pipeline *p)
{
	for (int i = 0; i < NBUF; i++)
		free(p->s[i].data);
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->data);
	pthread_cond_destroy(&p->space);
	free(p);
}

struct pipeline *pipeline_start(fetch_sink sink, void *arg)
{
	struct pipeline *p = xcalloc(1, sizeof *p);
	p->sink = sink;
	p->arg = arg;
	for (int i = 0; i < NBUF; i++)
		p->s[i].data = xmalloc(BUFSIZE);
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->data, NULL);
	pthread_cond_init(&p->space, NULL);
	if (pthread_create(&p->thread, NULL, worker, p) != 0) {
		release(p);
		return NULL;
	}
	return p;
}

/* Give the slot being filled to the worker. */
static void submit(struct pipeline *p)
{
	pthread_mutex_lock(&p->mu);
	p->tail = (p->tail + 1) % NBUF;
	p->count++;
	pthread_cond_signal(&p->data);
	pthread_mutex_unlock(&p->mu);
}

/* Wait for a free slot to fill. 0, or -1 if the sink failed. */
static int wait_space(struct pipeline *p)
{
	pthread_mutex_lock(&p->mu);
	while (p->count == NBUF && !p->failed)
		pthread_cond_wait(&p->space, &p->mu);
	int failed = p->failed;
	pthread_mutex_unlock(&p->mu);
	return failed ? -1 : 0;
}

int pipeline_push(void *arg, uint64_t off, const uint8_t *data, size_t len)
{
	struct pipeline *p = arg;
	while (len > 0) {
		if (wait_space(p) < 0)
			return -1;
		struct slot *s = &p->s[p->tail];
		if (s->len > 0 && s->off + s->len != off) {
			submit(p); /* not contiguous: start a new buffer */
			continue;
		}
		if (s->len == 0)
			s->off = off;
		size_t n = BUFSIZE - s->len < len ? BUFSIZE - s->len : len;
		memcpy(s->data + s->len, data, n);
		s->len += n;
		data += n;
		off += n;
		len -= n;
		if (s->len == BUFSIZE)
			submit(p);
	}
	return 0;
}

int pipeline_drain(struct pipeline *p)
{
	if (wait_space(p) == 0 && p->s[p->tail].len > 0)
		submit(p);
	pthread_mutex_lock(&p->mu);
	while (p->count > 0)
		pthread_cond_wait(&p->space, &p->mu);
	int failed = p->failed;
	pthread_mutex_unlock(&p->mu);
	return failed ? -1 : 0;
}

void pipeline_stop(struct pipeline *p)
{
	pipeline_drain(p);
	pthread_mutex_lock(&p->mu);
	p->stop = 1;
	pthread_cond_signal(&p->data);
	pthread_mutex_unlock(&p->mu);
	pthread_join(p->thread, NULL);
	release(p);
}
