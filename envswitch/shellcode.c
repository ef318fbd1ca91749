/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "shellcode.h"
#include "xalloc.h"

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

/* Strings are built on a memory stream (open_memstream), written to with fputs. */
static FILE *mem_open(char **buf, size_t *len)
{
	FILE *f = open_memstream(buf, len);
	if (!f)
		die(1, "out of memory");
	return f;
}

static char *mem_close(FILE *f, char **buf)
{
	if (fclose(f) != 0)
		die(1, "out of memory");
	return *buf;
}

char *envsw_quote(enum envsw_shell sh, const char *s)
{
	char *buf = NULL;
	size_t len;
	FILE *f = mem_open(&buf, &len);
	fputc('\'', f);
	for (const char *p = s; *p; p++) {
		if (*p == '\'')
			fputs(sh == ENVSW_FISH ? "\\'" : "'\\''", f);
		else if (sh == ENVSW_FISH && *p == '\\')
			fputs("\\\\", f);
		else if (sh == ENVSW_CSH && *p == '!')
			fputs("\\!", f);
		else if (sh == ENVSW_CSH && (unsigned char)*p < 0x20) {
			free(mem_close(f, &buf));
			return NULL;
		} else
			fputc(*p, f);
	}
	fputc('\'', f);
	return mem_close(f, &buf);
}

static void put_quoted(FILE *f, enum envsw_shell sh, const char *s)
{
	char *q = envsw_quote(sh, s);
	fputs(q ? q : "''", f);
	free(q);
}

static void put_module_cmd(FILE *f, enum envsw_shell sh, const char *verb, char **mods, size_t n)
{
	if (n == 0)
		return;
	fprintf(f, "module %s", verb);
	for (size_t i = 0; i < n; i++) {
		fputc(' ', f);
		put_quoted(f, sh, mods[i]);
	}
	fputc(';', f);
}

char *envsw_apply_code(enum envsw_shell sh, const struct envsw_plan *plan)
{
	char *buf = NULL;
	size_t len;
	FILE *f = mem_open(&buf, &len);
	put_module_cmd(f, sh, "unload", plan->unload, plan->n_unload);
	put_module_cmd(f, sh, "load", plan->load, plan->n_load);
	if (plan->record[0] == '\0') {
		fputs(sh == ENVSW_SH ? "unset " : sh == ENVSW_CSH ? "unsetenv " : "set -e ", f);
		fputs("ENVSWITCH_LOADED", f);
	} else {
		fputs(sh == ENVSW_SH ? "ENVSWITCH_LOADED=" : sh == ENVSW_CSH ? "setenv ENVSWITCH_LOADED "
									  : "set -gx ENVSWITCH_LOADED ", f);
		put_quoted(f, sh, plan->record);
		if (sh == ENVSW_SH)
			fputs(";export ENVSWITCH_LOADED", f);
	}
	fputs(";\n", f);
	return mem_close(f, &buf);
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
