/* SPDX-License-Identifier: BSD-3-Clause */
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
#include "jsonl.h"
#include "log.h"
#include "modpath.h"
#include "plan.h"
#include "shellcode.h"
#include "xalloc.h"

/* --- loading both files ---------------------------------------------------- */

/* PATH into CH. MUST_EXIST: a missing file is an error (the system file named by -c or $ENVSWITCH_CONF). */
static int load_one(struct envsw_choices *ch, const char *path, int must_exist, enum envsw_source src, char *err,
		    size_t errlen)
{
	if (!path)
		return 0;
	struct ini *ini = ini_load(path, must_exist, err, errlen);
	int rc = ini ? envsw_choices_add(ch, ini, path, src, err, errlen) : -1;
	ini_free(ini);
	return rc;
}

/* Both files, or -1 with ERR. LENIENT (login time): a bad file is reported and skipped. */
static int load_choices(const struct envsw_ctx *c, struct envsw_choices *ch, int lenient, char *err, size_t errlen)
{
	memset(ch, 0, sizeof *ch);
	const char *paths[] = { c->sysconf, c->userconf };
	for (int i = 0; i < 2; i++) {
		if (load_one(ch, paths[i], i == 0 && c->sysconf_given, i == 0 ? ENVSW_SYSTEM : ENVSW_USER, err,
			     errlen) == 0)
			continue;
		if (!lenient) {
			envsw_choices_free(ch);
			return -1;
		}
		warnmsg("%s (file ignored)", err);
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
	json_t *o = json_object();
	jsonl_set_str(o, "tag", ch->tag);
	jsonl_set_str(o, "name", name);
	jsonl_set_str(o, "from", envsw_source_name(from));
	jsonl_set_str(o, "system", ch->system);
	jsonl_set_str(o, "user", ch->user);
	jsonl_set_str(o, "module", module);
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

/* The --json object: ok, exit, error, then KEY = ARR (NULL on failure). The exit status. */
static int print_json(int exit, const char *error, const char *key, json_t *arr)
{
	json_t *o = jsonl_result(exit, error);
	if (arr)
		json_object_set_new(o, key, arr);
	jsonl_emit(stdout, o);
	return exit;
}

/* A failure of --show or --list: the message, and with --json the object. 1. */
static int fail(const struct envsw_ctx *c, const char *err)
{
	warnmsg("%s", err);
	return c->json ? print_json(1, err, NULL, NULL) : 1;
}

int envsw_cmd_show(const struct envsw_ctx *c, const char *tag)
{
	struct envsw_choices ch;
	char err[1024];
	if (tag && !envsw_tag_is_valid(tag)) {
		snprintf(err, sizeof err, "bad tag '%s'", tag);
		return fail(c, err);
	}
	if (load_choices(c, &ch, 0, err, sizeof err) < 0)
		return fail(c, err);
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
		print_json(0, NULL, "choices", arr);
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

/* S as a JSON string for an array (lib/jsonl's rule without the _base64 key: bad bytes become U+FFFD). */
static json_t *json_text(const char *s)
{
	json_t *tmp = json_object();
	jsonl_set_str(tmp, "s", s);
	json_t *v = json_incref(json_object_get(tmp, "s"));
	json_decref(tmp);
	return v;
}

static void list_one(const char *tag, const char **names, size_t nn, const struct envsw_choice *choice, json_t *arr)
{
	enum envsw_source from = ENVSW_UNSET;
	const char *cur = choice ? envsw_choice_effective(choice, &from) : NULL;
	if (arr) {
		json_t *avail = json_array(), *o = json_object();
		for (size_t k = 0; k < nn; k++)
			json_array_append_new(avail, json_text(names[k]));
		jsonl_set_str(o, "tag", tag);
		json_object_set_new(o, "available", avail);
		jsonl_set_str(o, "current", cur);
		jsonl_set_str(o, "from", envsw_source_name(from));
		json_array_append_new(arr, o);
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
	char err[1024];
	if (load_choices(c, &ch, 0, err, sizeof err) < 0)
		return fail(c, err);
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
		print_json(0, NULL, "tags", arr);
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
	char err[1024];
	load_choices(c, &ch, 1, err, sizeof err);
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
