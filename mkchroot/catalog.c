/* SPDX-License-Identifier: BSD-3-Clause */
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

const char *mkc_catalog_dir(const char *dirs)
{
	if (dirs && *dirs)
		return dirs;
	const char *env = getenv("MKCHROOT_TEMPLATES");
	if (env && *env)
		return env;
	return MKC_CATALOG_PATH;
}

/* The folders of DIRS from the Ith on (':' between them), or NULL past the last. */
static const char *folders_from(const char *dirs, int i)
{
	for (; i > 0 && dirs; i--)
		if ((dirs = strchr(dirs, ':')))
			dirs++;
	return dirs;
}

/* Folder I of DIRS, a new string ("." for an empty one), or NULL past the last. */
static char *folder_at(const char *dirs, int i)
{
	const char *d = folders_from(dirs, i);
	if (!d)
		return NULL;
	size_t n = strcspn(d, ":");
	return n ? xstrndup(d, n) : xstrdup(".");
}

/* Length of template name S without its ".conf". */
static size_t stem_len(const char *s)
{
	size_t n = strlen(s);
	return n > 5 && strcmp(s + n - 5, ".conf") == 0 ? n - 5 : n;
}

static char *template_path(const char *dir, const char *name)
{
	if (strchr(name, '/'))
		return xstrdup(name);
	return xasprintf("%s/%.*s.conf", dir, (int)stem_len(name), name);
}

/* Is template A (a name or a file) the one named B? */
static int same_template(const char *a, const char *b)
{
	const char *slash = strrchr(a, '/');
	a = slash ? slash + 1 : a;
	size_t n = stem_len(a);
	return n == stem_len(b) && strncmp(a, b, n) == 0;
}

/*
 * The file of template NAME: NAME itself if it holds a '/', else the first
 * FOLDER/NAME.conf from folder FROM of DIRS on, with that folder's index in
 * *AT. NULL with the message in ERR if there is none.
 */
static char *find_template(const char *dirs, int from, const char *name, int *at, char *err, size_t errlen)
{
	*at = from;
	if (strchr(name, '/'))
		return xstrdup(name);
	const char *rest = folders_from(dirs, from);
	char *dir;
	for (int i = from; (dir = folder_at(dirs, i)); i++) {
		char *path = template_path(dir, name);
		free(dir);
		if (access(path, F_OK) == 0) {
			*at = i;
			return path;
		}
		if (!strchr(rest, ':')) { /* one folder searched: its file and why */
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			free(path);
			return NULL;
		}
		free(path);
	}
	if (rest)
		snprintf(err, errlen, "template %s: not in %s", name, rest);
	else
		snprintf(err, errlen, "template %s: no other %s.conf after this one", name, name);
	return NULL;
}

struct load_ctx {
	const char *dirs;  /* the search path */
	const char *name;  /* the template being read, and the index of its folder */
	int at;
	int lastline;
};

static int load_file(struct load_ctx *c, const char *name, int from, struct mkc_template *t,
		     char **file, char *err, size_t errlen);

static int include_cb(void *arg, const char *name, struct mkc_template *t, char *err, size_t errlen)
{
	if (!fs_name_is_safe(name) || strchr(name, '/')) {
		snprintf(err, errlen, "not a template name");
		return -1;
	}
	struct load_ctx *c = arg;
	/* a template that includes its own name extends the one it overrides */
	int from = c->name && same_template(c->name, name) ? c->at + 1 : 0;
	return load_file(c, name, from, t, NULL, err, errlen);
}

/* Load NAME, found from folder FROM on, into T; its file in *FILE if FILE. */
static int load_file(struct load_ctx *c, const char *name, int from, struct mkc_template *t,
		     char **file, char *err, size_t errlen)
{
	int at;
	char *path = find_template(c->dirs, from, name, &at, err, errlen);
	if (!path)
		return -1;
	size_t len;
	char *text = fs_read_file(path, MKC_TEMPLATE_MAX, &len);
	if (!text) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		free(path);
		return -1;
	}
	const char *outer = c->name;
	int outer_at = c->at;
	c->name = name;
	c->at = at;
	int rc = mkc_template_parse(t, text, len, path, include_cb, c, err, errlen);
	c->name = outer;
	c->at = outer_at;
	c->lastline = mkc_text_lines(text, len);
	free(text);
	if (file)
		*file = path;
	else
		free(path);
	return rc;
}

int mkc_catalog_load(const char *dirs, const char *name, struct mkc_template *t, char *err, size_t errlen)
{
	/* a template given as a file: its includes are looked up in its folder first */
	const char *slash = strrchr(name, '/');
	char *search = !slash ? xstrdup(dirs) : slash == name ? xasprintf("/:%s", dirs) :
		       xasprintf("%.*s:%s", (int)(slash - name), name, dirs);
	struct load_ctx c = { .dirs = search };
	char *file = NULL;
	int rc = load_file(&c, name, 0, t, &file, err, errlen);
	if (rc == 0)
		rc = mkc_template_check(t, file, c.lastline, err, errlen);
	free(file);
	free(search);
	return rc;
}

static int conf_filter(const struct dirent *d)
{
	size_t n = strlen(d->d_name);
	return n > 5 && d->d_name[0] != '.' && strcmp(d->d_name + n - 5, ".conf") == 0;
}

static int entry_cmp(const void *a, const void *b)
{
	const struct mkc_catalog_entry *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	return c ? c : x->at - y->at;
}

/* Append the templates of folder AT of DIRS to *E (*N of them). */
static void scan_folder(const char *dirs, int at, struct mkc_catalog_entry **e, size_t *n)
{
	char *dir = folder_at(dirs, at);
	struct dirent **names;
	int k = scandir(dir, &names, conf_filter, alphasort);
	/* the local folder of the default path need not exist */
	if (k < 0 && (errno != ENOENT || !strchr(dirs, ':')))
		warnmsg_errno("%s", dir);
	for (int i = 0; i < k; i++) {
		*e = xgrowarray(*e, *n, sizeof **e);
		(*e)[(*n)++] = (struct mkc_catalog_entry){
			.name = xstrndup(names[i]->d_name, stem_len(names[i]->d_name)),
			.folder = xstrdup(dir),
			.at = at,
		};
		free(names[i]);
	}
	if (k >= 0)
		free(names);
	free(dir);
}

/* E's description, or why it does not load. */
static void describe(const char *dirs, struct mkc_catalog_entry *e)
{
	char *path = template_path(e->folder, e->name);
	struct mkc_template t = { 0 };
	char err[512];
	/* an overridden one by its file: by name it would be the one overriding it */
	if (mkc_catalog_load(dirs, e->overridden ? path : e->name, &t, err, sizeof err) < 0) {
		e->broken = 1;
		e->description = xstrdup(err);
	} else {
		e->description = xstrdup(t.description ? t.description : "");
	}
	mkc_template_free(&t);
	free(path);
}

size_t mkc_catalog_entries(const char *dirs, struct mkc_catalog_entry **entries)
{
	struct mkc_catalog_entry *e = NULL;
	size_t n = 0;
	for (int at = 0; folders_from(dirs, at); at++)
		scan_folder(dirs, at, &e, &n);
	if (n)
		qsort(e, n, sizeof *e, entry_cmp);
	for (size_t i = 0; i < n; i++) {
		e[i].overridden = i > 0 && strcmp(e[i].name, e[i - 1].name) == 0;
		describe(dirs, &e[i]);
	}
	*entries = e;
	return n;
}

void mkc_catalog_entries_free(struct mkc_catalog_entry *e, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(e[i].name);
		free(e[i].folder);
		free(e[i].description);
	}
	free(e);
}

int mkc_catalog_list(const char *dirs, FILE *out)
{
	struct mkc_catalog_entry *e;
	size_t n = mkc_catalog_entries(dirs, &e);
	char **desc = xcalloc(n ? n : 1, sizeof *desc);
	int width = 0;
	for (size_t i = 0; i < n; i++) {
		desc[i] = e[i].broken ? xasprintf("(broken: %s)", e[i].description) : xstrdup(e[i].description);
		int w = (int)strlen(desc[i]);
		width = w > width && w <= 50 ? w : width;
	}
	for (size_t i = 0; i < n; i++) {
		if (!strchr(dirs, ':'))
			fprintf(out, "  %-20s %s\n", e[i].name, desc[i]);
		else
			fprintf(out, "  %-20s %-*s  %s%s\n", e[i].name, width, desc[i], e[i].folder,
				e[i].overridden ? " (overridden)" : "");
		free(desc[i]);
	}
	free(desc);
	mkc_catalog_entries_free(e, n);
	return (int)n;
}
