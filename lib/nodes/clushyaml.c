/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "bytebuf.h"
#include "clushyaml.h"

static int fail(const char *file, const yaml_node_t *n, const char *what, char *err, size_t errlen)
{
	snprintf(err, errlen, "%s:%lu: %s", file, (unsigned long)n->start_mark.line + 1, what);
	return -1;
}

static const char *scalar(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

/* A group's value: text, or a list of text joined with ','. Caller frees *OUT. */
static int group_value(yaml_document_t *doc, const yaml_node_t *v, const char *file, char **out, char *err,
		       size_t errlen)
{
	struct bytebuf b = {0};
	if (v->type == YAML_SCALAR_NODE && v->data.scalar.length > 0) {
		bytebuf_add(&b, scalar(v), v->data.scalar.length);
	} else if (v->type == YAML_SEQUENCE_NODE) {
		for (yaml_node_item_t *i = v->data.sequence.items.start; i < v->data.sequence.items.top; i++) {
			const char *s = scalar(yaml_document_get_node(doc, *i));
			if (!s || !*s) {
				free(b.p);
				return fail(file, yaml_document_get_node(doc, *i), "a list item that is not a node set", err, errlen);
			}
			if (b.len)
				bytebuf_add(&b, ",", 1);
			bytebuf_add(&b, s, strlen(s));
		}
	}
	if (!b.len) {
		free(b.p);
		return fail(file, v, "expected a node set or a list of node sets", err, errlen);
	}
	bytebuf_add(&b, "", 1);
	*out = b.p;
	return 0;
}

static int source_groups(yaml_document_t *doc, const char *source, const yaml_node_t *m, const char *file,
			 clushyaml_fn fn, void *arg, char *err, size_t errlen)
{
	if (m->type != YAML_MAPPING_NODE)
		return fail(file, m, "expected the groups of the source as 'group: nodes' lines", err, errlen);
	for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
		const yaml_node_t *k = yaml_document_get_node(doc, p->key), *v = yaml_document_get_node(doc, p->value);
		char *nodes;
		if (!scalar(k) || !*scalar(k))
			return fail(file, k, "expected a group name", err, errlen);
		if (group_value(doc, v, file, &nodes, err, errlen) < 0)
			return -1;
		fn(arg, source, scalar(k), nodes, (int)v->start_mark.line + 1);
		free(nodes);
	}
	return 0;
}

static int walk(yaml_document_t *doc, const char *file, clushyaml_fn fn, void *arg, char *err, size_t errlen)
{
	const yaml_node_t *root = yaml_document_get_root_node(doc);
	if (!root) {
		snprintf(err, errlen, "%s: no group source (an empty file)", file);
		return -1;
	}
	if (root->type != YAML_MAPPING_NODE)
		return fail(file, root, "expected 'source:' mappings at the top level", err, errlen);
	for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
		const yaml_node_t *k = yaml_document_get_node(doc, p->key);
		if (!scalar(k) || !*scalar(k))
			return fail(file, k, "expected a group source name", err, errlen);
		if (source_groups(doc, scalar(k), yaml_document_get_node(doc, p->value), file, fn, arg, err,
				  errlen) < 0)
			return -1;
	}
	return 0;
}

int clushyaml_parse(const char *text, size_t len, const char *file, clushyaml_fn fn, void *arg, char *err,
		    size_t errlen)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	int rc = -1;
	if (!yaml_parser_initialize(&parser)) {
		snprintf(err, errlen, "%s: out of memory", file);
		return -1;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &doc)) {
		snprintf(err, errlen, "%s:%lu: %s", file, (unsigned long)parser.problem_mark.line + 1,
			 parser.problem ? parser.problem : "not YAML");
	} else {
		rc = walk(&doc, file, fn, arg, err, errlen);
		yaml_document_delete(&doc);
	}
	yaml_parser_delete(&parser);
	return rc;
}
