#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Documentation in step with the code: every option a tool's --help shows is in
# its man page's option list and in README's "Options at a glance", and every
# option those list is in --help. An option is compared as its spelling pair
# ("-p --pipe", "--stdin", "-w"), so a letter that moved shows up too. Also:
# every man page passes mandoc's lint, `man cexecs` has a page, and each tool
# page's --json points to clustertools-json(7). ctrelay (a node's end of cpush
# --chain) is held to the same.
source "$(dirname "$0")/../lib.sh"
man=$CT_TOP/man
readme=$CT_TOP/README.md
tools="cexec:1 cpush:1 cget:1 envswitch:1 imgsync:8 lldpname:8 mkchroot:8 nodeimage:8 ctrelay:8"

# Option spellings in, pairs out: a short option starts an entry, a long one
# joins an entry that has a short one and no long one yet, else starts its own.
pairs() {
	awk '{
		for (i = 1; i <= NF; i++) {
			if ($i ~ /^--/) {
				if (cur != "" && cur !~ / --/ && cur !~ /^--/) cur = cur " " $i
				else { if (cur != "") print cur; cur = $i }
			} else { if (cur != "") print cur; cur = $i }
		}
		if (cur != "") print cur; cur = ""
	}'
}

# popt's --help: an option line is "  -x, --long=ARG  text" or "      --long ARG  text"
# (description continuation lines are indented further and never match).
help_opts() {
	"$CT_BIN/$1" --help 2>/dev/null |
		grep -E '^(  -[^- ]|      --[^ ])' |
		sed -E 's/^ +//; s/  .*//; s/, / /g' |
		awk '{ out = ""; for (i = 1; i <= NF; i++) if ($i ~ /^-/) { sub(/=.*/, "", $i); out = out " " $i }; print out }' |
		pairs | sort -u
}

# mdoc: the ".It Fl ..." entries of the OPTIONS section (its subsections
# included). After "Fl" every word is a flag until another macro (Ar, Cm, ...).
man_opts() {
	awk '
		/^\.Sh / { in_opts = ($0 ~ /^\.Sh OPTIONS/); next }
		in_opts && /^\.It Fl / {
			fl = 0; line = ""
			for (i = 2; i <= NF; i++) {
				if ($i == "Fl") { fl = 1; continue }
				if ($i ~ /^[A-Z][a-z]$/) { fl = 0; continue }
				if (fl && $i != "," && $i != "|") line = line " -" $i
			}
			print line
		}' "$1" | pairs | sort -u
}

# README: the backticked items of the tool's "- **TOOL**:" line, minus
# -?/--help and --usage (README says once that every tool takes them).
readme_opts() {
	grep -E "^- \*\*$1\*\*:" "$readme" | grep -oE '`[^`]*`' | tr -d '`' |
		sed -E 's/, / /g' |
		awk '{ out = ""; for (i = 1; i <= NF; i++) if ($i ~ /^-/) { sub(/=.*/, "", $i); out = out " " $i } else break; print out }' |
		pairs | sort -u
}

# the text of the ".It Fl -json" entry of a page
json_entry() { awk '/^\.It / { on = ($0 ~ /^\.It Fl -json( |$)/) } /^\.(El|Sh)/ { on = 0 } on' "$1"; }

no_help_opts() { grep -vxE -- '-\? --help|--usage'; }

# missing A B: the lines of A that B lacks, on one line
missing() { comm -23 <(printf '%s\n' "$1") <(printf '%s\n' "$2") | sed '/^$/d' | paste -sd';' | sed 's/;/; /g'; }

for ts in $tools; do
	tool=${ts%:*} sec=${ts#*:}
	page=$man/$tool.$sec
	if ! [ -x "$CT_BIN/$tool" ] || ! [ -f "$page" ]; then
		t "$tool: binary in \$CT_BIN and man/$tool.$sec exist" false
		continue
	fi
	h=$(help_opts "$tool")
	m=$(man_opts "$page")
	r=$(readme_opts "$tool")
	hr=$(printf '%s\n' "$h" | no_help_opts)
	t "$tool: --help lists options" test -n "$h"
	is "$(missing "$h" "$m")" "" "$tool: every --help option is in $tool.$sec (missing there)"
	is "$(missing "$m" "$h")" "" "$tool: every option of $tool.$sec is in --help (missing there)"
	is "$(missing "$hr" "$r")" "" "$tool: every --help option is in README (missing there)"
	is "$(missing "$r" "$hr")" "" "$tool: every README option of $tool is in --help (missing there)"
	case "$h" in *--json*) # ctrelay has none
		is "$(json_entry "$page" | grep -c '^\.Xr clustertools-json 7')" 1 "$tool.$sec: the --json entry points to clustertools-json(7)" ;;
	esac
done

t "man cexecs: man/cexecs.1 sources cexec.1" grep -qx '\.so man1/cexec\.1' "$man/cexecs.1"
t "man/clustertools-json.7 exists" test -f "$man/clustertools-json.7"
t "every man page is mdoc" sh -c "! grep -l '^\.TH ' '$man'/*.[1-8]"

if has_cmd "mandoc -Tlint: the man pages have no warning" mandoc; then
	for page in "$man"/*.[1-8]; do
		grep -q '^\.so ' "$page" && continue
		is "$(mandoc -Tlint -Wwarning "$page" 2>&1)" "" "mandoc -Tlint: ${page##*/} has no warning"
	done
fi

# --- the licence: LICENSE, and a header line naming it in every source file -----
t "LICENSE is the BSD-3-Clause text" grep -q "Redistribution and use in source and binary forms" "$CT_TOP/LICENSE"
is "$(cd "$CT_TOP" && git ls-files '*.c' '*.h' '*.sh' 2>/dev/null | while read -r f; do
	head -3 "$f" | grep -q 'SPDX-License-Identifier: BSD-3-Clause' || echo "$f"; done)" "" \
	"every .c, .h and .sh file names its licence (SPDX-License-Identifier: BSD-3-Clause)"

# --- a merge that left its conflict markers (mandoc reads them as text) -------------
is "$(cd "$CT_TOP" && git grep -nE '^(<<<<<<<|>>>>>>>) ' -- . ':!tests/cli/docs.sh' 2>/dev/null | head -5)" "" \
	"no tracked file holds a merge conflict marker"
echo "1..$_tap_n"
