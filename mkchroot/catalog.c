/*
 * catalog — template files on disk (see catalog.h): the only I/O around the
 * template parser.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "catalog.h"
#include "fsutil.h"
#include "log.h"
#include "xalloc.h"

#define MKC_TEMPLATE_MAX (1u << 20)

const char *mkc_catalog_dir(const char *dir)
{
	if (dir && *dir)
		return dir;
	const char *env = getenv("MKCHROOT_TEMPLATES");
	if (env && *env)
		return env;
	return SYSCONFDIR "/mkchroot.d";
}

static char *template_path(const char *dir, const char *name)
{
	if (strchr(name, '/'))
		return xstrdup(name);
	size_t n = strlen(name);
	if (n > 5 && strcmp(name + n - 5, ".conf") == 0)
		return xasprintf("%s/%s", dir, name);
	return xasprintf("%s/%s.conf", dir, name);
}

struct load_ctx {
	const char *dir;
	char *filedir; /* a template given as a path: its folder, searched first */
	int lastline;
};

static int load_file(struct load_ctx *c, const char *name, struct mkc_template *t, char *err, size_t errlen);

static int include_cb(void *arg, const char *name, struct mkc_template *t, char *err, size_t errlen)
{
	if (!fs_name_is_safe(name) || strchr(name, '/')) {
		snprintf(err, errlen, "not a template name");
		return -1;
	}
	struct load_ctx *c = arg;
	if (c->filedir) {
		char *path = template_path(c->filedir, name);
		int here = access(path, F_OK) == 0;
		free(path);
		if (here) {
			struct load_ctx sub = { .dir = c->filedir, .filedir = c->filedir };
			return load_file(&sub, name, t, err, errlen);
		}
	}
	return load_file(c, name, t, err, errlen);
}

static int load_file(struct load_ctx *c, const char *name, struct mkc_template *t, char *err, size_t errlen)
{
	char *path = template_path(c->dir, name);
	size_t len;
	char *text = fs_read_file(path, MKC_TEMPLATE_MAX, &len);
	if (!text) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		free(path);
		return -1;
	}
	int rc = mkc_template_parse(t, text, len, path, include_cb, c, err, errlen);
	c->lastline = mkc_text_lines(text, len);
	free(text);
	free(path);
	return rc;
}

int mkc_catalog_load(const char *dir, const char *name, struct mkc_template *t, char *err, size_t errlen)
{
	struct load_ctx c = { .dir = dir };
	const char *slash = strrchr(name, '/');
	if (slash)
		c.filedir = xstrndup(name, slash == name ? 1 : (size_t)(slash - name));
	int rc = load_file(&c, name, t, err, errlen);
	if (rc == 0) {
		char *path = template_path(dir, name);
		rc = mkc_template_check(t, path, c.lastline, err, errlen);
		free(path);
	}
	free(c.filedir);
	return rc;
}

static int conf_filter(const struct dirent *d)
{
	size_t n = strlen(d->d_name);
	return n > 5 && d->d_name[0] != '.' && strcmp(d->d_name + n - 5, ".conf") == 0;
}

int mkc_catalog_list(const char *dir, FILE *out)
{
	struct dirent **names;
	int n = scandir(dir, &names, conf_filter, alphasort);
	if (n < 0) {
		warnmsg_errno("%s", dir);
		return 0;
	}
	for (int i = 0; i < n; i++) {
		char *name = xstrndup(names[i]->d_name, strlen(names[i]->d_name) - 5);
		struct mkc_template t = { 0 };
		char err[512];
		if (mkc_catalog_load(dir, name, &t, err, sizeof err) < 0)
			fprintf(out, "  %-20s (broken: %s)\n", name, err);
		else
			fprintf(out, "  %-20s %s\n", name, t.description ? t.description : "");
		mkc_template_free(&t);
		free(name);
		free(names[i]);
	}
	free(names);
	return n;
}
