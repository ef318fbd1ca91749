/* SPDX-License-Identifier: BSD-3-Clause */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "log.h"
#include "meter.h"
#include "progress.h"
#include "xalloc.h"

struct imgs_meter {
	pthread_mutex_t mu;
	struct progress *line;
	uint64_t files, files_done, bytes, bytes_done;
	size_t nodes, nodes_done;
};

/* Before any diagnostic: erase the line, which the next update draws again. */
static void clear_for_message(void *arg)
{
	struct imgs_meter *m = arg;
	pthread_mutex_lock(&m->mu);
	progress_clear(m->line);
	pthread_mutex_unlock(&m->mu);
}

struct imgs_meter *imgs_meter_new(size_t nodes, int fd)
{
	struct imgs_meter *m = xcalloc(1, sizeof *m);
	pthread_mutex_init(&m->mu, NULL);
	m->line = progress_start("imgsync", 0, fd);
	m->nodes = nodes;
	log_set_before(clear_for_message, m);
	return m;
}

/* Redraw (lib/progress decides whether it is time); M locked. */
static void redraw(struct imgs_meter *m)
{
	struct progress_nodes c = { .files = m->files_done, .files_total = m->files, .done = m->nodes_done,
				    .total = m->nodes };
	char note[96];
	progress_nodes_note(note, sizeof note, &c);
	progress_update_note(m->line, m->bytes_done, note);
}

/* Add to the work planned (PLAN) or to the work done, and redraw. */
static void account(struct imgs_meter *m, int plan, uint64_t files, uint64_t bytes, size_t nodes)
{
	if (!m)
		return;
	pthread_mutex_lock(&m->mu);
	if (plan) {
		m->files += files;
		m->bytes += bytes;
		progress_set_total(m->line, m->bytes);
	} else {
		m->files_done += files;
		m->bytes_done += bytes;
	}
	m->nodes_done += nodes;
	redraw(m);
	pthread_mutex_unlock(&m->mu);
}

void imgs_meter_plan(struct imgs_meter *m, uint64_t files, uint64_t bytes)
{
	account(m, 1, files, bytes, 0);
}

void imgs_meter_add(struct imgs_meter *m, uint64_t bytes)
{
	account(m, 0, 0, bytes, 0);
}

void imgs_meter_file_done(struct imgs_meter *m, uint64_t size, uint64_t counted)
{
	account(m, 0, 1, size > counted ? size - counted : 0, 0);
}

void imgs_meter_node_done(struct imgs_meter *m)
{
	account(m, 0, 0, 0, 1);
}

void imgs_meter_end(struct imgs_meter *m)
{
	if (!m)
		return;
	log_set_before(NULL, NULL);
	progress_end(m->line);
	pthread_mutex_destroy(&m->mu);
	free(m);
}
