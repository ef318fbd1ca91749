/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pipeline — run a fetch_sink on a second thread, so receiving the next
 * bytes from the network overlaps writing the previous ones to the disk.
 * pipeline_push() is itself a fetch_sink: it copies bytes into one of a few
 * large buffers and hands full ones to the worker, in order.
 */
#ifndef NODEIMAGE_PIPELINE_H
#define NODEIMAGE_PIPELINE_H

#include <stddef.h>
#include <stdint.h>

#include "fetch.h"

struct pipeline;

/* Start the worker thread; NULL if it cannot be started. */
struct pipeline *pipeline_start(fetch_sink sink, void *arg);
/* A fetch_sink: queue LEN bytes at OFF. -1 once the worker's sink has failed. */
int pipeline_push(void *p, uint64_t off, const uint8_t *data, size_t len);
/* Hand over what is buffered and wait until the worker has consumed it. 0, or -1 if the sink failed. */
int pipeline_drain(struct pipeline *p);
/* Drain, stop the worker and free P. */
void pipeline_stop(struct pipeline *p);

#endif
