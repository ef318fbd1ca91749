/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: what cpush and cget take from outside as names. cpush's
 * --list file (cpush/plan: "source [target]" lines) and the remote path each
 * pair gives; cget's handling of names a node sends (cget/name): one safe
 * component, the local name of a copy, and whether a remote symlink stays in
 * the node's tree. A link said to be contained must never climb above the
 * top at any step (checked here with a plain component walk).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "../../cget/name.h"
#include "../../cpush/plan.h"
#include "xalloc.h"

/* Walk LINK_REL's directory then TARGET component by component: 0 if it ever leaves the top. */
static int walk_stays(const char *link_rel, const char *target)
{
	if (target[0] == '/')
		return 0;
	long depth = 0;
	const char *slash = strrchr(link_rel, '/');
	char *path = xasprintf("%.*s/%s", slash ? (int)(slash - link_rel) : 0, link_rel, target);
	int ok = 1;
	for (char *save = NULL, *c = strtok_r(path, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		if (!strcmp(c, "."))
			continue;
		depth += !strcmp(c, "..") ? -1 : 1;
		if (depth < 0) {
			ok = 0;
			break;
		}
	}
	free(path);
	return ok;
}

/* A link path as cget's walk makes it: safe components joined by single slashes. */
static int clean_rel(const char *rel)
{
	char *copy = xstrdup(rel);
	int ok = *rel && rel[strlen(rel) - 1] != '/' && !strstr(rel, "//") && rel[0] != '/';
	for (char *save = NULL, *c = strtok_r(copy, "/", &save); ok && c; c = strtok_r(NULL, "/", &save))
		ok = cgname_component_ok(c);
	free(copy);
	return ok;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 4096)
		return 0;
	char err[512];
	struct cpplan_pairs pairs = { 0 };
	if (cpplan_parse_list((const char *)data, size, "fuzz.list", &pairs, err, sizeof err) == 0) {
		for (size_t i = 0; i < pairs.n && i < 16; i++) {
			char *t = cpplan_target(pairs.p[i].src, pairs.p[i].dst, 0, "/home/u");
			if (!t || !*t) /* a relative target stays relative (SFTP: the login directory) */
				abort();
			free(t);
		}
		cpplan_pairs_free(&pairs);
	}
	/* the input split at its first NUL or newline: a remote name and a link text */
	char *s = xstrndup((const char *)data, size);
	char *nl = strchr(s, '\n');
	const char *target = nl ? (*nl = '\0', nl + 1) : "";
	if (cgname_component_ok(s)) {
		if (!*s || strchr(s, '/') || !strcmp(s, ".") || !strcmp(s, ".."))
			abort();
		char *l = cgname_local(s, "c", "node01", 1);
		if (l && (l[0] == '/' || !walk_stays("", l)))
			abort();
		free(l);
	}
	if (*target && clean_rel(s) && cgname_link_contained(s, target) && !walk_stays(s, target))
		abort();
	free(s);
	return 0;
}
