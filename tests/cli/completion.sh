#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Shell completion (completions/): the bash and zsh scripts load without
# errors (bash through bash-completion's on-demand loader, zsh through
# compinit), complete every tool's options as its --help lists them, option
# values by kind, mkchroot templates and envswitch tags and names.
source "${CT_TOP:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
source "$CT_TOP/tests/helpers/envswitch-fixture.sh"
s=$(scratch)
tools="cexec cexecs cpush cget imgsync mkchroot envswitch nodeimage lldpname"
export MKCHROOT_TEMPLATES=$CT_TOP/etc/mkchroot.d
esw_modulefiles "$s"
export MODULEPATH=$s/mf ENVSWITCH_CONF=$s/envswitch.conf HOME=$s
: >"$ENVSWITCH_CONF"
mkdir -p "$s/bc/completions"
cp "$CT_TOP"/completions/bash/* "$s/bc/completions/"

# complete WORDS...: what bash completes for the last word (the tool's file
# loaded by bash-completion), one candidate a line, sorted
complete_bash() {
	BASH_COMPLETION_USER_DIR=$s/bc bash --norc --noprofile -c '
		source /usr/share/bash-completion/bash_completion
		__load_completion "$1" || exit 3
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
		_clustertools "$1" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
		printf "%s\n" "${COMPREPLY[@]}" | sort' complete_bash "$@"
}

# --- loading ----------------------------------------------------------------
t "the bash script parses" bash -n "$CT_TOP/completions/bash/clustertools"
t "the zsh script parses" zsh -n "$CT_TOP/completions/zsh/_clustertools"
for tool in $tools; do
	run env BASH_COMPLETION_USER_DIR="$s/bc" bash --norc --noprofile -c \
		'source /usr/share/bash-completion/bash_completion; __load_completion "$1" && complete -p "$1"' x "$tool"
	is "$rc:$err:$out" "0::complete -F _clustertools $tool" "bash-completion loads $tool's completion without errors"
done
run zsh -f -c "fpath=($CT_TOP/completions/zsh \$fpath); autoload -U compinit; compinit -u -D; print -r -- \$_comps[cexec] \$_comps[mkchroot] \$_comps[envswitch]"
is "$rc:$err:$out" "0::_clustertools _clustertools _clustertools" "zsh's compinit finds _clustertools for the tools without errors"

# --- options: the same as --help, for every tool ------------------------------
for tool in $tools; do
	want=$("$tool" --help | grep -E '^ {1,8}-' | sed -E 's/^ +//; s/  .*//' |
		grep -oE -- '(^|[ ,])-[-A-Za-z0-9?]+' | tr -d ' ,' | grep -vxE -- '-\?|--usage' | sort)
	is "$(complete_bash "$tool" -)" "$want" "bash: $tool - completes the options of $tool --help"
done
is "$(complete_bash cexec --host-keys a)" "accept-new" "bash: an option's choices from --help (--host-keys a)"
like "$(complete_bash cexec -f /etc/host)" "^/etc/hosts$" "bash: a FILE option completes paths"
is "$(complete_bash envswitch --init=z)" "zsh" "bash: --opt=value form"
is "$(complete_bash cexec -t "")" "" "bash: a number completes to nothing"

# --- mkchroot templates, envswitch tags and names ------------------------------
is "$(complete_bash mkchroot deb)" $'debian-11\ndebian-12' "bash: mkchroot completes template names"
is "$(complete_bash mkchroot -v --level 3 gold)" "golden-system" "bash: ... after options and their values"
mkdir -p "$s/tpl" && printf 'description = mine\nbackend = golden\nsource = /\n' >"$s/tpl/mine.conf"
is "$(complete_bash mkchroot --templates "$s/tpl" "")" "mine" "bash: ... from --templates DIR of the command line"
like "$(complete_bash mkchroot debian-12 "$s/t")" "^$s/tpl$" "bash: mkchroot's PATH completes directories"
is "$(complete_bash envswitch m)" "mpi" "bash: envswitch completes tags"
is "$(complete_bash envswitch mpi = "")" $'mpich-4.0\nopenmpi-4.1' "bash: envswitch TAG = completes the tag's names"
is "$(complete_bash envswitch --system compiler = g)" "gcc-12" "bash: ... after options"

# --- zsh, in a terminal: TAB completes a template name, an option, a tag -------
zsh_tab() { # zsh_tab LINE WANT: the terminal after typing LINE and TAB, read until WANT shows
	# (for $CT_WAIT s at most: without WANT by then, it prints nothing and the check fails)
	timeout "$CT_WAIT" zsh -f -c '
		zmodload zsh/zpty
		zpty z "env TERM=dumb PS1=\"> \" zsh -f -i"
		zpty -w z "fpath=($1 \$fpath); autoload -U compinit; compinit -u -D; PATH=$PATH; print -r -- READY"
		zpty -r -m z x "*READY*READY*" || exit 3
		zpty -w -n z "$2"$'"'"'\t'"'"'
		zpty -r -m z out "*$3*"
		zpty -d z
		print -r -- "${out//$'"'"'\r'"'"'/}"' zsh_tab "$CT_TOP/completions/zsh" "$1" "$2"
}
like "$(zsh_tab "mkchroot gold" "mkchroot golden-system")" "mkchroot golden-system" "zsh: mkchroot gold<TAB> completes the template"
like "$(zsh_tab "cexec --host-" "cexec --host-keys")" "cexec --host-keys" "zsh: cexec --host-<TAB> completes the option"
like "$(zsh_tab "envswitch compi" "envswitch compiler")" "envswitch compiler" "zsh: envswitch compi<TAB> completes the tag"
like "$(zsh_tab "envswitch mpi = openm" "envswitch mpi = openmpi-4.1")" "envswitch mpi = openmpi-4.1" "zsh: envswitch TAG = na<TAB> completes the name"

# --- node names and @groups (TOOL --groups, TOOL --list) ------------------------
printf 'compute: node[01-03]\ngpu: node03 gpu1\n' >"$s/groups"
printf 'cluster alpha {\n\thead\n\tn[1-2]\n}\n' >"$s/c3.conf"
export CT_GROUPS=$s/groups
is "$(complete_bash cexec -w @c)" "@compute" "bash: -w @<prefix> completes group names"
is "$(complete_bash cpush -f "$s/c3.conf" -w @)" $'@alpha\n@compute\n@gpu' "bash: ... with the c3.conf clusters of -f"
is "$(complete_bash cget -x node01,@g)" "node01,@gpu" "bash: ... after a comma"
is "$(complete_bash imgsync -f "$s/c3.conf" -w "")" $'gpu1\nn1\nn2\nnode01\nnode02\nnode03' "bash: node names from c3.conf and the groups file"
like "$(zsh_tab "cexec -w node01,@gp" "cexec -w node01,@gpu")" "cexec -w node01,@gpu" "zsh: -w node01,@gp<TAB> completes the group"
