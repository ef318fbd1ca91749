/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * indirect — C3 indirect clusters (":gateway" head line): the command line
 * that makes cexec on the gateway run the work on its own c3.conf, and the
 * parser for the JSON lines it sends back, so that the gateway's nodes are
 * reported here as if they had been reached directly (hierarchical fan-out).
 */
#ifndef CEXEC_INDIRECT_H
#define CEXEC_INDIRECT_H

#include <stddef.h>

/* What the gateway's cexec is asked to pass on. */
struct cexec_fwd_opts {
	int fanout;
	double connect_timeout; /* <= 0: not given */
	double timeout;         /* <= 0: not given */
	const char *host_keys;  /* or NULL */
	const char *exclude;    /* -x host list, or NULL */
	int send_stdin;
};

/*
 * "cexec --json ... -- DEF 'arg' 'arg'..." with every argument shell-quoted.
 * Caller frees.
 */
char *cexec_indirect_command(const char *def, const struct cexec_fwd_opts *o, char *const *argv,
			     size_t argc);

/* One node's result as the gateway reported it. */
struct cexec_remote_result {
	char *node;
	int exit;          /* -1: none */
	char *signal;      /* or NULL */
	char *error;       /* or NULL */
	char *out, *err;   /* stdout / stderr bytes */
	size_t outlen, errlen;
	double seconds;
};

/* Parse one JSON line from the gateway. 0, or -1 if it is not a result line. */
int cexec_indirect_parse(const char *line, size_t len, struct cexec_remote_result *r);
void cexec_remote_result_free(struct cexec_remote_result *r);

#endif
