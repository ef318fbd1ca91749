#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "shellcode.h"

int envsw_shell_parse(const char *name, enum envsw_shell *sh)
{
	static const char *const sh_family[] = {"sh", "bash", "zsh", "ksh", "dash", "mksh", NULL};
	for (size_t i = 0; sh_family[i]; i++) {
		if (strcmp(name, sh_family[i]) == 0) {
			*sh = ENVSW_SH;
			return 0;
		}
	}
	if (strcmp(name, "csh") == 0 || strcmp(name, "tcsh") == 0) {
		*sh = ENVSW_CSH;
		return 0;
	}
	if (strcmp(name, "fish") == 0) {
		*sh = ENVSW_FISH;
		return 0;
	}
	return -1;
}

/* A growing string. */
struct sbuf {
	char *s;
	size_t len, cap;
};

static void sb_addn(struct sbuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->s = xrealloc(b->s, b->cap);
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void sb_add(struct sbuf *b, const char *s) { sb_addn(b, s, strlen(s)); }

char *envsw_quote(enum envsw_shell sh, const char *s)
{
	struct sbuf b = {0};
	sb_add(&b, "'");
	for (const char *p = s; *p; p++) {
		if (*p == '\'')
			sb_add(&b, sh == ENVSW_FISH ? "\\'" : "'\\''");
		else if (sh == ENVSW_FISH && *p == '\\')
			sb_add(&b, "\\\\");
		else if (sh == ENVSW_CSH && *p == '!')
			sb_add(&b, "\\!");
		else if (sh == ENVSW_CSH && (unsigned char)*p < 0x20) {
			free(b.s);
			return NULL;
		} else
			sb_addn(&b, p, 1);
	}
	sb_add(&b, "'");
	return b.s;
}

static void add_quoted(struct sbuf *b, enum envsw_shell sh, const char *s)
{
	char *q = envsw_quote(sh, s);
	sb_add(b, q ? q : "''");
	free(q);
}

static void add_module_cmd(struct sbuf *b, enum envsw_shell sh, const char *verb, char **mods, size_t n)
{
	if (n == 0)
		return;
	sb_add(b, "module ");
	sb_add(b, verb);
	for (size_t i = 0; i < n; i++) {
		sb_add(b, " ");
		add_quoted(b, sh, mods[i]);
	}
	sb_add(b, ";");
}

char *envsw_apply_code(enum envsw_shell sh, const struct envsw_plan *plan)
{
	struct sbuf b = {0};
	sb_add(&b, "");
	add_module_cmd(&b, sh, "unload", plan->unload, plan->n_unload);
	add_module_cmd(&b, sh, "load", plan->load, plan->n_load);
	const char *var = "ENVSWITCH_LOADED";
	if (plan->record[0] == '\0') {
		sb_add(&b, sh == ENVSW_SH ? "unset " : sh == ENVSW_CSH ? "unsetenv " : "set -e ");
		sb_add(&b, var);
	} else {
		sb_add(&b, sh == ENVSW_SH ? "" : sh == ENVSW_CSH ? "setenv " : "set -gx ");
		sb_add(&b, var);
		sb_add(&b, sh == ENVSW_SH ? "=" : " ");
		add_quoted(&b, sh, plan->record);
		if (sh == ENVSW_SH)
			sb_add(&b, ";export ENVSWITCH_LOADED");
	}
	sb_add(&b, ";\n");
	return b.s;
}

static const char snippet_head[] =
	"# envswitch(1) login snippet: load the module choices of envswitch\n"
	"# (~/.envswitch.conf over the system file). Runs after the module system's own\n"
	"# snippet, which defines the module command.\n";

char *envsw_init_snippet(const char *shellname, const char *exe, const char *sysconf, int config_arg)
{
	enum envsw_shell sh;
	if (envsw_shell_parse(shellname, &sh) < 0)
		return NULL;
	char *qexe = envsw_quote(sh, exe), *qconf = envsw_quote(sh, sysconf);
	char *qshell = envsw_quote(sh, shellname);
	char *cmd = NULL, *out = NULL;
	if (!qexe || !qconf || !qshell)
		goto done;
	cmd = config_arg ? xasprintf("%s --config %s --apply %s", qexe, qconf, qshell)
			 : xasprintf("%s --apply %s", qexe, qshell);
	switch (sh) {
	case ENVSW_SH:
		out = xasprintf("%s"
				"if [ -x %s ] && { [ -s %s ] || [ -s \"${HOME:-/nonexistent}/.envswitch.conf\" ]; } &&\n"
				"   command -v module >/dev/null 2>&1; then\n"
				"\teval \"$(%s)\"\n"
				"fi\n",
				snippet_head, qexe, qconf, cmd);
		break;
	case ENVSW_CSH:
		out = xasprintf("%s"
				"if ( -x %s && $?MODULESHOME ) then\n"
				"\tif ( ( -e %s && ! -z %s ) || ( -e \"$HOME/.envswitch.conf\" && ! -z \"$HOME/.envswitch.conf\" ) ) then\n"
				"\t\teval \"`%s`\"\n"
				"\tendif\n"
				"endif\n",
				snippet_head, qexe, qconf, qconf, cmd);
		break;
	case ENVSW_FISH:
		out = xasprintf("%s"
				"if test -x %s; and functions -q module\n"
				"\tif test -s %s; or test -s \"$HOME/.envswitch.conf\"\n"
				"\t\t%s | source\n"
				"\tend\n"
				"end\n",
				snippet_head, qexe, qconf, cmd);
		break;
	}
done:
	free(qexe);
	free(qconf);
	free(qshell);
	free(cmd);
	return out;
}
