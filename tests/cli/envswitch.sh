#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# envswitch end to end: real Environment Modules and real Lmod (unpacked privately),
# modulefiles written here in a private MODULEPATH, a private HOME, real login shells.
source "$(dirname "$0")/../lib.sh"
source "$CT_TOP/tests/helpers/envswitch-fixture.sh"
d=$(scratch)
unset ENVSWITCH_LOADED LOADEDMODULES
esw_setup "$d" sys.conf
t "--init prints a snippet for every shell" test -s "$d/envswitch.sh" -a -s "$d/envswitch.csh" -a -s "$d/envswitch.fish"
run envswitch --init pwsh
is "$rc" 1 "--init refuses an unknown shell"

uconf=$HOME/.envswitch.conf
no_asan() { ! grep -q Sanitizer <<<"$1"; }

# --- settings: set, show, override, rm, none, list ----------------------------------
printf '# my module choices\n\n' >"$uconf"
run envswitch mpi = openmpi-4.1
is "$rc:$err" "0:" "envswitch mpi = openmpi-4.1"
is "$(cat "$uconf")" "$(printf '# my module choices\n\nmpi = openmpi-4.1')" "the user file keeps its comment and gains the setting"
run envswitch mpi --show
is "$out" "$(printf 'mpi = openmpi-4.1\t# user')" "TAG --show"
run envswitch compiler=gcc-12 --system
is "$rc" 0 "TAG=NAME --system"
is "$(cat "$ENVSWITCH_CONF")" "compiler = gcc-12" "the system file holds the default"
envswitch mpi = mpich-4.0 --system
run envswitch --show
is "$out" "$(printf 'compiler = gcc-12\t# system\nmpi = openmpi-4.1\t# user (system: mpich-4.0)')" \
	"--show: the user setting overrides the system default"
run envswitch --list
is "$out" "$(printf 'compiler: gcc-12 (current: gcc-12, system)\nmpi: mpich-4.0 openmpi-4.1 (current: openmpi-4.1, user)')" \
	"--list: each tag, its names and the current choice"
run envswitch --list --json
like "$out" '^\{"ok":true,"exit":0,"error":null,"tags":\[.*"tag":"mpi","available":\["mpich-4.0","openmpi-4.1"\],"current":"openmpi-4.1","from":"user"' "--list --json"
run envswitch mpi --show --json
is "$out" '{"ok":true,"exit":0,"error":null,"choices":[{"tag":"mpi","name":"openmpi-4.1","from":"user","system":"mpich-4.0","user":"openmpi-4.1","module":"mpi/openmpi-4.1"}]}' \
	"--show --json"
run envswitch mpi --rm
is "$rc" 0 "TAG --rm"
run envswitch mpi --show
is "$out" "$(printf 'mpi = mpich-4.0\t# system')" "after --rm the system default is back"
run envswitch mpi --rm
like "$rc:$err" "^0:.*mpi: not set in $uconf" "--rm of an unset tag says so"

# --- unknown names, --force, malformed files -------------------------------------------
before=$(sha256sum <"$uconf")
run envswitch mpi = openmpi-9.9
is "$rc" 1 "a name no modulefile provides is refused"
like "$err" "mpi: no module provides 'openmpi-9.9'.*mpi has: mpich-4.0 openmpi-4.1" "the message names the tag and what exists"
is "$(sha256sum <"$uconf")" "$before" "the refused name left the file untouched"
run envswitch gpu = cuda-12
like "$rc:$err" "^1:.*gpu: no module provides 'cuda-12'.*no gpu/ there" "a tag with no modules at all is refused too"
run env -u MODULEPATH envswitch mpi = openmpi-4.1
like "$rc:$err" "^1:.*MODULEPATH is not set" "without MODULEPATH nothing can be checked"
run envswitch gpu = cuda-12 --force
is "$rc" 0 "--force saves it anyway"
run envswitch gpu --rm --user
is "$rc:$(grep -c gpu "$uconf")" "0:0" "--rm --user removes it"
mkdir -p "$d/mf/mpi"
printf '#%%Module\nmodule-alias mpi/ompi mpi/openmpi-4.1\n' >"$d/mf/mpi/.modulerc"
run envswitch mpi = ompi
is "$rc" 0 "an alias from .modulerc counts as a name"
envswitch mpi --rm
cp "$uconf" "$d/good.conf"
printf 'this line is not a setting\n' >>"$uconf"
before=$(sha256sum <"$uconf")
run envswitch compiler = gcc-12
like "$rc:$err" "^1:envswitch: $uconf:3: expected 'key = value'" "a malformed line is reported as file:line"
is "$(sha256sum <"$uconf")" "$before" "and the file is left untouched"
run envswitch --show
like "$rc:$err" "^1:.*$uconf:3:" "--show reports it too"
run envswitch --apply bash
like "$out:$err" "module load 'compiler/gcc-12' 'mpi/mpich-4.0'.*$uconf:3: .*file ignored" \
	"--apply warns and still applies the system file"
printf '[extra]\nmpi = x\n' >"$uconf"
run envswitch --show
like "$rc:$err" "^1:.*$uconf:2: setting 'mpi' in section \[extra\]" "a setting inside a section is reported as file:line"
cp "$d/good.conf" "$uconf"

# --- --apply code ----------------------------------------------------------------------
run env LOADEDMODULES=mpi/mpich-4.0:compiler/gcc-12 ENVSWITCH_LOADED='mpi=mpi/mpich-4.0 compiler=compiler/gcc-12' \
	envswitch --apply bash
is "$out" "ENVSWITCH_LOADED='compiler=compiler/gcc-12 mpi=mpi/mpich-4.0';export ENVSWITCH_LOADED;" \
	"--apply with the choices loaded already loads nothing"
envswitch mpi = openmpi-4.1
run env LOADEDMODULES=mpi/mpich-4.0:compiler/gcc-12 envswitch --apply tcsh
is "$out" "module unload 'mpi/mpich-4.0';module load 'mpi/openmpi-4.1';setenv ENVSWITCH_LOADED 'compiler=compiler/gcc-12 mpi=mpi/openmpi-4.1';" \
	"--apply tcsh: a loaded mpi/... other than the choice goes, the choice comes"
envswitch mpi --rm

# --- real login shells, both module systems ----------------------------------------------
systems=em
if esw_lmod; then systems="em lmod"; else _fail "Lmod could be neither found nor unpacked: its half is not run"; fi
shells="sh bash"
for s in zsh tcsh fish; do has_cmd "$s: login shells with both module systems" $s && shells="$shells $s"; done
for sys in $systems; do
	esw_profiles "$sys" "$d"
	envswitch mpi = openmpi-4.1
	for sh in $shells; do
		out=$(esw_login "$sh")
		like "$out" "PATH=$d/opt/openmpi-4.1/bin" "$sys/$sh: a new login shell has openmpi-4.1's bin on PATH"
		like "$out" "mpi/openmpi-4.1" "$sys/$sh: module list shows mpi/openmpi-4.1"
		like "$out" "compiler/gcc-12" "$sys/$sh: and the system default compiler/gcc-12"
		t "$sys/$sh: no sanitizer report, no error" eval '! grep -qiE "sanitizer|error" <<<"$out"'
	done
	out=$(esw_login bash 'which-openmpi-4.1')
	is "$out" "openmpi-4.1" "$sys: the module's command runs in the login shell"

	envswitch -q mpi --rm
	out=$(esw_login bash 'echo "$LOADEDMODULES"')
	is "$out" "compiler/gcc-12:mpi/mpich-4.0" "$sys: with no user setting the system default applies"
	envswitch mpi = none
	out=$(esw_login bash 'echo "$LOADEDMODULES|$PATH"')
	like "$out" "^compiler/gcc-12\|" "$sys: none loads nothing for the tag"
	t "$sys: none: neither mpi bin dir on PATH" eval '! grep -q "/opt/mpi\|/opt/openmpi" <<<"$out"'
	envswitch -q mpi --rm

	# a running shell with the system's mpich: choose openmpi and switch in place
	out=$(esw_login bash 'echo "before=$LOADEDMODULES"; '"$CT_BIN"'/envswitch mpi = openmpi-4.1 &&
		eval "$('"$CT_BIN"'/envswitch --apply bash)"; echo "after=$LOADEDMODULES"; echo "PATH=$PATH"; which-openmpi-4.1
		command -v which-mpich-4.0 || echo "mpich gone"; echo "ESW=${ESW_mpich_4_0:-unset}"')
	like "$out" "before=compiler/gcc-12:mpi/mpich-4.0" "$sys: --apply: the shell starts with mpich"
	like "$out" "after=compiler/gcc-12:mpi/openmpi-4.1$" "$sys: --apply bash swaps mpich for openmpi"
	like "$out" "mpich gone" "$sys: --apply: mpich's bin dir left PATH"
	like "$out" "ESW=unset" "$sys: --apply: mpich's variables were unset"
	envswitch -q mpi --rm
done

if [ "${systems#*lmod}" != "$systems" ]; then
	esw_profiles lmod "$d"
	mkdir -p "$d/mf/compiler"
	printf 'prepend_path("PATH", "%s/opt/clang-16/bin")\n' "$d" >"$d/mf/compiler/clang-16.lua"
	run envswitch compiler = clang-16
	is "$rc" 0 "lmod: a .lua modulefile is a name"
	out=$(esw_login bash 'echo "$LOADEDMODULES"')
	is "$out" "compiler/clang-16:mpi/mpich-4.0" "lmod: the user's Lua module loads at login"
	envswitch compiler --rm
	rm "$d/mf/compiler/clang-16.lua"
fi

# --- 100 concurrent writers, one reader: nothing lost, never a partial file ----------------
cp "$d/good.conf" "$uconf"
( while [ ! -e "$d/stop" ]; do envswitch --show >/dev/null 2>"$d/reader.err" || { echo bad >>"$d/reader.fail"; cat "$d/reader.err" >>"$d/reader.fail"; }; done ) &
reader=$!
at_exit "kill $reader"
pids=()
for i in $(seq 1 100); do envswitch "tag$i" = "name-$i" --force 2>>"$d/writers.err" & pids+=($!); done
fails=0
for p in "${pids[@]}"; do reap "$p" || fails=$((fails + 1)); done
touch "$d/stop"; reap "$reader"
is "$fails" 0 "100 concurrent envswitch runs all succeed"
n=0
for i in $(seq 1 100); do grep -qx "tag$i = name-$i" "$uconf" && n=$((n + 1)); done
is "$n" 100 "none of the 100 settings was lost"
is "$(head -1 "$uconf")" "# my module choices" "the comment survived them all"
t "a reader running alongside always found a whole, valid file" test ! -e "$d/reader.fail"
is "$(ls -A "$HOME" | grep -v -x -e .envswitch.conf -e .bash_profile -e .zprofile -e .login -e .profile -e .config -e .local -e .cache -e .lmod.d)" "" \
	"no temporary files left beside it"

# --- a tag set twice is refused, naming both lines, and the file is left as it is --------
cp "$uconf" "$d/uconf.keep"
printf 'mpi = openmpi-4.1\nfoo = bar\nmpi = mpich-4.0\n' >"$uconf"
run envswitch --show
is "$rc:$err" "1:envswitch: $uconf:3: tag 'mpi' is set twice (lines 1 and 3): keep one" "a tag set twice: exit 1 naming both lines"
run envswitch compiler = gcc-12
is "$rc" 1 "and no setting is written into such a file"
is "$(cat "$uconf")" "$(printf 'mpi = openmpi-4.1\nfoo = bar\nmpi = mpich-4.0')" "the file is unchanged"
cp "$d/uconf.keep" "$uconf"
echo "1..$_tap_n"
