/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * meter — imgsync's progress line on a terminal: bytes of the files to send
 * done of the total, the rate, files done of the total and, when pushing to
 * many nodes, nodes done of the total. Senders and receivers of every node
 * thread add to one meter (it locks); the total grows as each node asks for
 * its files. A delta counts as its whole file once sent. Drawing, throttling
 * and erasing are lib/progress's; while a meter lives, every diagnostic
 * (lib/log) erases the line first. Every function takes NULL (no meter).
 */
#ifndef IMGSYNC_METER_H
#define IMGSYNC_METER_H

#include <stddef.h>
#include <stdint.h>

struct imgs_meter;

/* A meter drawing on FD; NODES > 0 shows "done/NODES nodes". */
struct imgs_meter *imgs_meter_new(size_t nodes, int fd);
/* A destination will take FILES files of BYTES bytes. */
void imgs_meter_plan(struct imgs_meter *m, uint64_t files, uint64_t bytes);
/* BYTES more bytes of a file are done. */
void imgs_meter_add(struct imgs_meter *m, uint64_t bytes);
/*
 * A file of SIZE bytes is finished, COUNTED of them already added as they
 * went: the file counts, and so does the rest of its bytes (a delta, holes,
 * a file that shrank meanwhile).
 */
void imgs_meter_file_done(struct imgs_meter *m, uint64_t size, uint64_t counted);
/* One more node is finished (done or failed). */
void imgs_meter_node_done(struct imgs_meter *m);
/* Erase the line and free M. */
void imgs_meter_end(struct imgs_meter *m);

#endif
