#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "actions.h"
#include "choice.h"
#include "inifile.h"
#include "log.h"
#include "modpath.h"
#include "plan.h"
#include "shellcode.h"
#include "xalloc.h"

/* --- loading both files ---------------------------------------------------- */

static int load_one(struct envsw_choices *ch, const char *path, enum envsw_source src, int lenient)
{
	char err[512];
	if (!path)
		return 0;
	struct ini *ini = ini_load(path, err, sizeof err);
	int rc = ini ? envsw_choices_add(ch, ini, path, src, err, sizeof err) : -1;
	ini_free(ini);
	if (rc < 0) {
		if (!lenient)
			return warnmsg("%s", err), -1;
		warnmsg("%s (file ignored)", err);
	}
	return 0;
}

/* Both files; LENIENT (login time): a bad file is reported and skipped. */
static int load_choices(const struct envsw_ctx *c, struct envsw_choices *ch, int lenient)
{
	memset(ch, 0, sizeof *ch);
	if (load_one(ch, c->sysconf, ENVSW_SYSTEM, lenient) < 0 || load_one(ch, c->userconf, ENVSW_USER, lenient) < 0) {
		envsw_choices_free(ch);
		return -1;
	}
	return 0;
}

static int exists_in_modulepath(const char *module, void *arg)
{
	return envsw_module_exists(arg, module);
}

static int exists_in_avail(const char *module, void *arg)
{
	return envsw_avail_has(arg, module);
}

/* The module TAG = NAME loads now (quick stat check); NULL for none. Caller frees. */
static char *module_of(const char *tag, const char *name)
{
	if (strcmp(name, ENVSW_NONE) == 0)
		return NULL;
	return envsw_resolve(tag, name, exists_in_modulepath, getenv("MODULEPATH"));
}

/* --- set and remove ---------------------------------------------------------- */

struct edit_arg {
	const char *path, *tag, *name; /* name NULL: remove */
	int removed;
};

static int edit_setting(struct ini *ini, void *varg, char *err, size_t errlen)
{
	struct edit_arg *a = varg;
	if (envsw_choices_check(ini, a->path, err, errlen) < 0)
		return -1;
	if (!a->name) {
		a->removed = ini_unset(ini, "", a->tag);
		return a->removed > 0;
	}
	const char *cur = ini_get(ini, "", a->tag);
	if (cur && strcmp(cur, a->name) == 0)
		return 0;
	ini_set(ini, "", a->tag, a->name);
	return 1;
}

/* "mpi has: a b c" or why nothing is there. */
static void refuse_unknown(const char *tag, const char *name, struct envsw_avail *av, const char *modulepath)
{
	size_t n;
	const char **names = envsw_avail_under(av, tag, &n);
	size_t len = 1;
	for (size_t i = 0; i < n; i++)
		len += strlen(names[i]) + 1;
	char *list = xmalloc(len), *p = list;
	*p = '\0';
	for (size_t i = 0; i < n; i++)
		p += sprintf(p, "%s%s", i ? " " : "", names[i]);
	if (n)
		warnmsg("%s: no module provides '%s' (neither %s/%s nor %s) in MODULEPATH; %s has: %s", tag, name, tag,
			name, name, tag, list);
	else
		warnmsg("%s: no module provides '%s' in MODULEPATH, and there is no %s/ there at all (MODULEPATH=%s)",
			tag, name, tag, modulepath);
	warnmsg("use --force to save it anyway");
	free(list);
	free(names);
}

/* Is NAME loadable for TAG in the current MODULEPATH? */
static int check_name(const char *tag, const char *name)
{
	const char *mp = getenv("MODULEPATH");
	if (!mp || !*mp) {
		warnmsg("%s: MODULEPATH is not set, cannot check '%s' (use --force to save it anyway)", tag, name);
		return -1;
	}
	struct envsw_avail av = {0};
	envsw_avail_scan(&av, mp);
	char *module = envsw_resolve(tag, name, exists_in_avail, &av);
	int ok = envsw_avail_has(&av, module);
	if (ok)
		verbose("%s = %s loads module %s", tag, name, module);
	else
		refuse_unknown(tag, name, &av, mp);
	free(module);
	envsw_avail_free(&av);
	return ok ? 0 : -1;
}

static const char *target_file(const struct envsw_ctx *c, int system)
{
	if (!system && !c->userconf)
		warnmsg("no home directory for ~/.envswitch.conf (set HOME)");
	return system ? c->sysconf : c->userconf;
}

int envsw_cmd_set(const struct envsw_ctx *c, const char *tag, const char *name, int system)
{
	if (!envsw_tag_is_valid(tag))
		return warnmsg("bad tag '%s' (letters, digits, '_', '.', '+', '-')", tag), 1;
	if (!envsw_name_is_valid(name))
		return warnmsg("%s: bad name '%s'", tag, name), 1;
	if (strcmp(name, ENVSW_NONE) != 0 && !c->force && check_name(tag, name) < 0)
		return 1;
	const char *path = target_file(c, system);
	if (!path)
		return 1;
	struct edit_arg a = {.path = path, .tag = tag, .name = name};
	char err[512];
	if (ini_edit(path, 0644, edit_setting, &a, err, sizeof err) < 0)
		return warnmsg("%s", err), 1;
	verbose("%s = %s in %s; new shells get it (or: eval \"$(envswitch --apply SHELL)\")", tag, name, path);
	return 0;
}

int envsw_cmd_rm(const struct envsw_ctx *c, const char *tag, int system)
{
	if (!envsw_tag_is_valid(tag))
		return warnmsg("bad tag '%s'", tag), 1;
	const char *path = target_file(c, system);
	if (!path)
		return 1;
	if (access(path, F_OK) < 0 && errno == ENOENT) {
		warnmsg("%s: not set in %s", tag, path);
		return 0;
	}
	struct edit_arg a = {.path = path, .tag = tag};
	char err[512];
	if (ini_edit(path, 0644, edit_setting, &a, err, sizeof err) < 0)
		return warnmsg("%s", err), 1;
	if (!a.removed)
		warnmsg("%s: not set in %s", tag, path);
	return 0;
}

/* --- show and list ------------------------------------------------------------ */

static json_t *choice_json(const struct envsw_choice *ch)
{
	enum envsw_source from;
	const char *name = envsw_choice_effective(ch, &from);
	char *module = name ? module_of(ch->tag, name) : NULL;
	json_t *o = json_pack("{s:s, s:s?, s:s, s:s?, s:s?, s:s?}", "tag", ch->tag, "name", name, "from",
			      envsw_source_name(from), "system", ch->system, "user", ch->user, "module", module);
	free(module);
	return o;
}

/* "TAG = NAME\t# user (system: X)" */
static void print_choice(const struct envsw_choice *ch)
{
	enum envsw_source from;
	const char *name = envsw_choice_effective(ch, &from);
	if (!name)
		printf("%s = %s\t# unset\n", ch->tag, ENVSW_NONE);
	else if (from == ENVSW_USER && ch->system)
		printf("%s = %s\t# user (system: %s)\n", ch->tag, name, ch->system);
	else
		printf("%s = %s\t# %s\n", ch->tag, name, envsw_source_name(from));
}

static void print_json(json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT);
	if (s)
		puts(s);
	free(s);
	json_decref(j);
}

int envsw_cmd_show(const struct envsw_ctx *c, const char *tag)
{
	struct envsw_choices ch;
	if (tag && !envsw_tag_is_valid(tag))
		return warnmsg("bad tag '%s'", tag), 1;
	if (load_choices(c, &ch, 0) < 0)
		return 1;
	struct envsw_choice unset = {.tag = (char *)tag};
	json_t *arr = c->json ? json_array() : NULL;
	for (size_t i = 0; i < ch.n || (tag && i == 0); i++) {
		const struct envsw_choice *one = tag ? envsw_choices_find(&ch, tag) : &ch.v[i];
		if (!one)
			one = &unset;
		if (arr)
			json_array_append_new(arr, choice_json(one));
		else
			print_choice(one);
		if (tag)
			break;
	}
	if (arr)
		print_json(arr);
	envsw_choices_free(&ch);
	return 0;
}

/* Tags to list: directories of MODULEPATH and configured tags, sorted. */
static const char **list_tags(struct envsw_avail *av, const struct envsw_choices *ch, size_t *n)
{
	size_t nd;
	const char **dirs = envsw_avail_dirs(av, &nd);
	const char **v = xcalloc(nd + ch->n + 1, sizeof *v);
	memcpy(v, dirs, nd * sizeof *v);
	*n = nd;
	for (size_t i = 0; i < ch->n; i++) {
		size_t j = 0;
		while (j < *n && strcmp(v[j], ch->v[i].tag) != 0)
			j++;
		if (j == *n)
			v[(*n)++] = ch->v[i].tag;
	}
	free(dirs);
	for (size_t i = 1; i < *n; i++) /* insertion sort: few tags */
		for (size_t j = i; j > 0 && strcmp(v[j - 1], v[j]) > 0; j--) {
			const char *t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	return v;
}

static void list_one(const char *tag, const char **names, size_t nn, const struct envsw_choice *choice, json_t *arr)
{
	enum envsw_source from = ENVSW_UNSET;
	const char *cur = choice ? envsw_choice_effective(choice, &from) : NULL;
	if (arr) {
		json_t *avail = json_array();
		for (size_t k = 0; k < nn; k++)
			json_array_append_new(avail, json_string(names[k]));
		json_array_append_new(arr, json_pack("{s:s, s:o, s:s?, s:s}", "tag", tag, "available", avail, "current",
						     cur, "from", envsw_source_name(from)));
		return;
	}
	printf("%s:", tag);
	for (size_t k = 0; k < nn; k++)
		printf(" %s", names[k]);
	if (nn == 0)
		printf(" (no modules)");
	if (cur)
		printf(" (current: %s, %s)\n", cur, envsw_source_name(from));
	else
		printf(" (current: unset)\n");
}

int envsw_cmd_list(const struct envsw_ctx *c)
{
	struct envsw_choices ch;
	if (load_choices(c, &ch, 0) < 0)
		return 1;
	struct envsw_avail av = {0};
	envsw_avail_scan(&av, getenv("MODULEPATH"));
	size_t nt;
	const char **tags = list_tags(&av, &ch, &nt);
	json_t *arr = c->json ? json_array() : NULL;
	for (size_t i = 0; i < nt; i++) {
		size_t nn;
		const char **names = envsw_avail_under(&av, tags[i], &nn);
		list_one(tags[i], names, nn, envsw_choices_find(&ch, tags[i]), arr);
		free(names);
	}
	if (arr)
		print_json(arr);
	free(tags);
	envsw_avail_free(&av);
	envsw_choices_free(&ch);
	return 0;
}

/* --- apply and init ------------------------------------------------------------ */

int envsw_cmd_apply(const struct envsw_ctx *c, const char *shell)
{
	enum envsw_shell sh;
	if (envsw_shell_parse(shell, &sh) < 0)
		return warnmsg("--apply: unknown shell '%s' (sh, bash, zsh, ksh, csh, tcsh, fish)", shell), 1;
	struct envsw_choices ch;
	load_choices(c, &ch, 1);
	struct envsw_want *want = xcalloc(ch.n + 1, sizeof *want);
	char **mods = xcalloc(ch.n + 1, sizeof *mods);
	for (size_t i = 0; i < ch.n; i++) {
		mods[i] = module_of(ch.v[i].tag, envsw_choice_effective(&ch.v[i], NULL));
		want[i].tag = ch.v[i].tag;
		want[i].module = mods[i];
	}
	struct envsw_plan plan;
	envsw_plan_make(&plan, want, ch.n, getenv("ENVSWITCH_LOADED"), getenv("LOADEDMODULES"));
	char *code = envsw_apply_code(sh, &plan);
	fputs(code, stdout);
	free(code);
	envsw_plan_free(&plan);
	for (size_t i = 0; i < ch.n; i++)
		free(mods[i]);
	free(mods);
	free(want);
	envsw_choices_free(&ch);
	return 0;
}

int envsw_cmd_init(const struct envsw_ctx *c, const char *shell)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n <= 0)
		snprintf(exe, sizeof exe, "envswitch");
	else
		exe[n] = '\0';
	char *s = envsw_init_snippet(shell, exe, c->sysconf, c->sysconf_given);
	if (!s)
		return warnmsg("--init: unknown shell '%s' or a path it cannot quote (sh, bash, zsh, ksh, csh, tcsh, fish)",
			       shell),
		       1;
	fputs(s, stdout);
	free(s);
	return 0;
}
