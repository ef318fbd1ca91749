/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * receiver — the side that makes a destination tree equal to the image it
 * is sent: reads the file list (validated entry by entry), deletes what the
 * image does not have, creates and fixes what differs, asks for the content
 * it lacks (a librsync signature with each delta request), applies the
 * data as it streams in, links hard-link groups and finally sets directory
 * times. Dry runs decide and report the same changes and touch nothing.
 */
#ifndef IMGSYNC_RECEIVER_H
#define IMGSYNC_RECEIVER_H

#include "excl.h"
#include "proto.h"
#include "xport.h"

struct imgs_report {
	char **items;
	size_t nitems;
	struct imgs_summary sum;
	char *error;     /* the run failed: why */
};
void imgs_report_item(struct imgs_report *r, char *line); /* takes LINE */
void imgs_report_free(struct imgs_report *r);

/*
 * Receive into ROOT over X (after HELLO). FLAGS, MAX_DELETE (with
 * IMGS_F_MAX_DELETE) and EX as agreed in HELLO. Before anything changes,
 * the run is refused (see safety.h) when ROOT's parent is missing (ROOT
 * itself is made), when the image is empty or not a root filesystem
 * (unless IMGS_F_FORCE) or when it would delete more than MAX_DELETE paths.
 * 0 when the run completed (per-path errors are counted in sum.errors),
 * -1 with rep->error when it could not.
 */
int imgs_receive(struct imgs_xport *x, const char *root, uint32_t flags, uint64_t max_delete,
		 const struct exclude *ex, struct imgs_report *rep);

/* "imgsync --server --receiver ROOT" on stdin/stdout. Exit status. */
int imgs_serve_receiver(const char *root);

/* Read HELLO from X into FLAGS and EX (built-ins plus the peer's). 0 or -1 with ERR. */
int imgs_read_hello(struct imgs_xport *x, uint32_t *flags, struct exclude *ex, char *err, size_t errlen);

#endif
