/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include "fsutil.h"
#include "log.h"
#include "name.h"
#include "xalloc.h"

char *cgname_base(const char *source)
{
	size_t n = strlen(source);
	while (n > 1 && source[n - 1] == '/')
		n--;
	const char *s = source + n;
	while (s > source && s[-1] != '/')
		s--;
	size_t len = (size_t)(source + n - s);
	if (len == 0 || (len == 1 && *s == '/') || (len == 1 && *s == '.') || (len == 2 && s[0] == '.' && s[1] == '.'))
		return xstrdup("root");
	return xstrndup(s, len);
}

int cgname_component_ok(const char *name)
{
	return fs_name_is_safe(name) && !strchr(name, '/');
}

char *cgname_local(const char *base, const char *cluster, const char *node, int layout_dir)
{
	if (!cgname_component_ok(base) || !cgname_component_ok(node) ||
	    (cluster && !cgname_component_ok(cluster)))
		return NULL;
	if (layout_dir)
		return xasprintf("%s/%s", node, base);
	if (cluster)
		return xasprintf("%s_%s_%s", base, cluster, node);
	return xasprintf("%s_%s", base, node);
}

char *cgname_join(const char *dir, const char *local)
{
	size_t n = strlen(dir);
	while (n > 1 && dir[n - 1] == '/')
		n--;
	return xasprintf("%.*s%s%s", (int)n, dir, n == 0 || dir[n - 1] == '/' ? "" : "/", local);
}

int cgname_link_contained(const char *link_rel, const char *target)
{
	if (!target || !*target || *target == '/')
		return 0;
	/* depth of the directory holding the link, below the top */
	int depth = 0;
	for (const char *p = link_rel; *p; p++)
		if (*p == '/')
			depth++;
	/*
	 * Only a leading run of ".." is allowed, and no further up than the top:
	 * a ".." after a name could climb out through another symlink
	 * ("d/.." with d -> "."), so it is refused even when it looks harmless.
	 */
	int descended = 0;
	const char *p = target;
	while (*p) {
		const char *end = strchr(p, '/');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		if (n == 2 && p[0] == '.' && p[1] == '.') {
			if (descended || --depth < 0)
				return 0;
		} else if (n > 0 && !(n == 1 && p[0] == '.')) {
			descended = 1;
		}
		p += n;
		while (*p == '/')
			p++;
	}
	return 1;
}
