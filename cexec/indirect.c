/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * indirect — hierarchical fan-out through a gateway: build the remote cexec
 * command for an indirect cluster and read back its --json result lines.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytebuf.h"
#include "indirect.h"
#include "log.h"
#include "shquote.h"
#include "xalloc.h"

/* Append " WORD" as it is, then " 'VALUE'" when there is a value. */
static void append(struct bytebuf *b, const char *word, const char *value)
{
	bytebuf_add(b, " ", 1);
	bytebuf_add(b, word, strlen(word));
	if (value) {
		bytebuf_add(b, " ", 1);
		sh_quote_add(b, value, SH_ALWAYS);
	}
}

char *cexec_indirect_command(const char *def, const struct cexec_fwd_opts *o, char *const *argv,
			     size_t argc)
{
	struct bytebuf b = { 0 };
	char num[64];
	snprintf(num, sizeof num, "cexec --json -F %d", o->fanout > 0 ? o->fanout : 64);
	bytebuf_add(&b, num, strlen(num));
	if (o->connect_timeout > 0) {
		snprintf(num, sizeof num, "-t %g", o->connect_timeout);
		append(&b, num, NULL);
	}
	if (o->timeout > 0) {
		snprintf(num, sizeof num, "-u %g", o->timeout);
		append(&b, num, NULL);
	}
	if (o->host_keys)
		append(&b, "--host-keys", o->host_keys);
	if (o->exclude)
		append(&b, "-x", o->exclude);
	if (o->send_stdin)
		append(&b, "--stdin", NULL);
	append(&b, "--", def);
	for (size_t i = 0; i < argc; i++) {
		bytebuf_add(&b, " ", 1);
		sh_quote_add(&b, argv[i], SH_ALWAYS);
	}
	return b.p;
}

static char *opt_string(json_t *o, const char *key, size_t *len)
{
	json_t *v = json_object_get(o, key);
	if (!json_is_string(v)) {
		if (len)
			*len = 0;
		return NULL;
	}
	size_t l = json_string_length(v);
	if (len)
		*len = l;
	char *s = xmalloc(l + 1);
	memcpy(s, json_string_value(v), l);
	s[l] = '\0';
	return s;
}

int cexec_indirect_parse(const char *line, size_t len, struct cexec_remote_result *r)
{
	memset(r, 0, sizeof *r);
	json_t *o = json_loadb(line, len, JSON_ALLOW_NUL, NULL); /* output may hold NUL bytes */
	if (!json_is_object(o) || !json_is_string(json_object_get(o, "node"))) {
		json_decref(o);
		return -1;
	}
	r->node = opt_string(o, "node", NULL);
	json_t *ex = json_object_get(o, "exit");
	r->exit = json_is_integer(ex) ? (int)json_integer_value(ex) : -1;
	r->signal = opt_string(o, "signal", NULL);
	r->error = opt_string(o, "error", NULL);
	r->out = opt_string(o, "stdout", &r->outlen);
	r->err = opt_string(o, "stderr", &r->errlen);
	json_t *s = json_object_get(o, "seconds");
	r->seconds = json_is_number(s) ? json_number_value(s) : 0;
	json_decref(o);
	return 0;
}

void cexec_remote_result_free(struct cexec_remote_result *r)
{
	free(r->node);
	free(r->signal);
	free(r->error);
	free(r->out);
	free(r->err);
	memset(r, 0, sizeof *r);
}
