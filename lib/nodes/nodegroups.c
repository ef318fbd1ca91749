/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "clushgroups.h"
#include "fsutil.h"
#include "nodegroups.h"
#include "xalloc.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif

typedef int (*parse_fn)(struct groups *, const char *, const char *, char *, size_t);

/* Read and parse PATH; 1 if read, 0 if absent and not EXPLICIT, -1 with ERR. */
static int load_file(struct groups *g, parse_fn parse, const char *path, int explicit, char *err,
		     size_t errlen)
{
	char *text = fs_read_file(path, 64u << 20, NULL);
	if (!text) {
		if (errno == ENOENT && !explicit)
			return 0;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	int rc = parse(g, text, path, err, errlen);
	free(text);
	return rc < 0 ? -1 : 1;
}

/* c3.conf, read on first use: 1 if there, 0 if absent, -1 with ERR. */
static int c3_read(struct nodegroups *ng, char *err, size_t errlen)
{
	if (ng->c3_state == 0) {
		if (!ng->c3_path || access(ng->c3_path, F_OK) != 0)
			ng->c3_state = -1;
		else if (c3conf_load(ng->c3_path, &ng->c3, err, errlen) < 0)
			return -1;
		else
			ng->c3_state = 1;
	}
	return ng->c3_state > 0;
}

/* "@cluster": the nodes of that c3.conf cluster that are neither excluded nor dead. */
static int c3_lookup(void *arg, const char *name, struct nodeset *ns, char *err, size_t errlen)
{
	struct nodegroups *ng = arg;
	int rc = c3_read(ng, err, errlen);
	if (rc <= 0)
		return rc;
	const struct c3_cluster *c = c3conf_find(&ng->c3, name);
	if (!c)
		return 0;
	if (c->gateway) {
		snprintf(err, errlen, "@%s: the nodes of an indirect cluster are reached through %s: use '%s:'",
			 name, c->gateway, name);
		return -1;
	}
	for (size_t i = 0; i < c->n; i++)
		if (!c->nodes[i].excluded && !c->nodes[i].dead)
			nodeset_add(ns, c->nodes[i].name);
	return 1;
}

/* ClusterShell's configuration, read on first use: 0, or -1 with ERR. */
static int clush_read(struct nodegroups *ng, char *err, size_t errlen)
{
	if (!ng->clush)
		ng->clush = clush_load(err, errlen);
	return ng->clush ? 0 : -1;
}

static int clush_source(void *arg, const char *source, const char *group, char **text, const char **resolved,
			char *err, size_t errlen)
{
	struct nodegroups *ng = arg;
	if (clush_read(ng, err, errlen) < 0)
		return -1;
	return clush_group_text(ng->clush, source, group, text, resolved, err, errlen);
}

int nodegroups_load(struct nodegroups *ng, const char *groups_file, const char *c3_path, char *err,
		    size_t errlen)
{
	int explicit, rc;
	memset(ng, 0, sizeof *ng);
	ng->g = groups_new();
	ng->c3_path = c3_path;
	groups_set_lookup(ng->g, c3_lookup, ng);
	const char *path = cli_config_path(groups_file, "CT_GROUPS", SYSCONFDIR "/clustertools/groups",
					   &explicit);
	if (load_file(ng->g, groups_parse_flat, path, explicit, err, errlen) < 0)
		return -1;
	path = cli_config_path(NULL, "CT_GENDERS", SYSCONFDIR "/genders", &explicit);
	ng->genders_path = xstrdup(path);
	rc = load_file(ng->g, groups_parse_genders, path, explicit, err, errlen);
	ng->have_genders = rc > 0;
	if (rc < 0)
		return -1;
	groups_set_sources(ng->g, clush_source, ng);
	return 0;
}

void nodegroups_free(struct nodegroups *ng)
{
	groups_free(ng->g);
	if (ng->c3_state > 0)
		c3conf_free(&ng->c3);
	free(ng->genders_path);
	clush_free(ng->clush);
	memset(ng, 0, sizeof *ng);
}

int nodegroups_read_all(struct nodegroups *ng, char *err, size_t errlen)
{
	return c3_read(ng, err, errlen) < 0 || clush_read(ng, err, errlen) < 0 ? -1 : 0;
}

int nodegroups_print(struct nodegroups *ng, char *err, size_t errlen)
{
	for (size_t i = 0; i < groups_count(ng->g); i++)
		printf("%s\t%s\n", groups_name(ng->g, i), groups_source(ng->g, i));
	int rc = c3_read(ng, err, errlen);
	for (size_t i = 0; rc > 0 && i < ng->c3.n; i++)
		printf("%s\tc3 %s\n", ng->c3.clusters[i].name, ng->c3_path);
	if (rc < 0 || clush_read(ng, err, errlen) < 0)
		return -1;
	clush_print(ng->clush);
	return 0;
}
