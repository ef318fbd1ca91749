#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# bench/envswitch.sh: what the envswitch login snippet costs a login shell.
# `bash -l -c true` in a private HOME whose profile starts the module system
# (Lmod, then Environment Modules) and brings back the same choice
# (compiler/gcc-12 + mpi/openmpi-4.1) four ways: not at all, `module load` by
# hand, the envswitch --init snippet, and the module system's own
# `module restore` of a saved collection. Median of $RUNS runs, in ms.
set -u
CT_TOP=${CT_TOP:-$(cd "$(dirname "$0")/.." && pwd)}
CT_BIN=${CT_BIN:-$CT_TOP/build/release/bin}
export PATH=$CT_BIN:$PATH
RUNS=${RUNS:-31}
source "$CT_TOP/tests/helpers/envswitch-fixture.sh"
source "$CT_TOP/bench/lib.sh"
d=$(mktemp -d /tmp/ct-bench-envswitch.XXXXXX)
trap 'rm -rf "$d"' EXIT
esw_setup "$d" sys.conf
envswitch --system compiler = gcc-12 && envswitch mpi = openmpi-4.1 || exit 1

# median of a list of µs values, printed in ms with one decimal
median() { printf '%s\n' "$@" | sort -n | awk '{v[NR]=$1} END {printf "%.1f", v[int((NR+1)/2)]/1000}'; }
# time_us CMD...: one run's wall time in µs
time_us() {
	local t0=$EPOCHREALTIME
	"$@" >/dev/null 2>&1
	local t1=$EPOCHREALTIME
	echo $((${t1/./} - ${t0/./}))
}
median_ms() {
	local i times=()
	"$@" >/dev/null 2>&1
	for ((i = 0; i < RUNS; i++)); do times+=("$(time_us "$@")"); done
	median "${times[@]}"
}

# One HOME per variant, each with a ~/.bash_profile that starts the module system, then:
#   none: nothing; load: module load by hand; snippet: the envswitch snippet;
#   restore: module restore of a collection saved beforehand.
variants="none load snippet restore"
setup_home() { # SYSTEM INIT VARIANT
	local h=$d/h-$1-$3 what
	mkdir -p "$h"
	case $3 in
	none) what= ;;
	load) what="module load compiler/gcc-12 mpi/openmpi-4.1" ;;
	snippet) what=". $d/envswitch.sh"; cp "$HOME/.envswitch.conf" "$h/" ;;
	restore) what="module restore envsw >/dev/null 2>&1" ;;
	esac
	printf '. %s/bash\nexport MODULEPATH=%s/mf\n%s\n' "$2" "$d" "$what" >"$h/.bash_profile"
	if [ "$3" = restore ]; then
		env -i HOME="$h" PATH=/usr/bin:/bin USER=root bash -l -c \
			'module load compiler/gcc-12 mpi/openmpi-4.1 && module save envsw' >/dev/null 2>&1
	fi
}
login() { env -i HOME="$1" PATH="$CT_BIN:/usr/bin:/bin" USER=root TERM=dumb ENVSWITCH_CONF="$ENVSWITCH_CONF" bash -l -c "${2:-true}"; }

declare -A ms
systems="em:$ESW_EM_INIT"
if esw_lmod; then systems="lmod:$ESW_LMOD_INIT $systems"; else echo "bench: Lmod not available" >&2; fi
for s in $systems; do
	sys=${s%%:*} init=${s#*:}
	declare -A t=()
	for v in $variants; do
		setup_home "$sys" "$init" "$v"
		loaded=$(login "$d/h-$sys-$v" 'echo "$LOADEDMODULES"' 2>/dev/null)
		echo "bench: $sys/$v loads: ${loaded:-nothing}" >&2
		login "$d/h-$sys-$v" >/dev/null 2>&1
	done
	for ((i = 0; i < RUNS; i++)); do # interleaved, so load on the machine hits every variant alike
		for v in $variants; do t[$v]+=" $(time_us login "$d/h-$sys-$v")"; done
	done
	for v in $variants; do ms[$sys.$v]=$(median ${t[$v]}); done
	unset t
done
# The snippet by itself, with module a no-op: what it adds on top of the module loads.
bare() { HOME=$HOME bash --norc --noprofile -c "module() { :; }; $1"; }
snip=() nosnip=()
for ((i = 0; i < RUNS; i++)); do
	snip+=("$(time_us bare ". $d/envswitch.sh")")
	nosnip+=("$(time_us bare ":")")
done
snip_ms=$(median "${snip[@]}") nosnip_ms=$(median "${nosnip[@]}")
apply_ms=$(median_ms envswitch --apply bash) true_ms=$(median_ms /bin/true)
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a > 0 && b > 0) printf "%.2f", b / a; else print "-" }'; }
over() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a - b }'; }

bench_section envswitch <<EOF
Login shell time (\`bash -l -c true\`, median of $RUNS runs, ms) bringing back compiler/gcc-12 + mpi/openmpi-4.1;
peer: the module system's own \`module restore\` of the same saved collection.
EOF
for s in $systems; do
	sys=${s%%:*}
	name=$([ "$sys" = lmod ] && echo "Lmod 8.6" || echo "Environment Modules 5")
	echo "| login shell, $name | ${ms[$sys.snippet]} | ${ms[$sys.restore]} | $(ratio "${ms[$sys.snippet]}" "${ms[$sys.restore]}") | envswitch --init snippet vs module restore |"
	o=$(over "${ms[$sys.snippet]}" "${ms[$sys.load]}") p=$(over "${ms[$sys.restore]}" "${ms[$sys.load]}")
	echo "| cost over a plain \`module load\`, $name | $o | $p | $(ratio "$o" "$p") | (snippet or restore) - (module load in the profile) |"
done
echo "| envswitch --apply bash alone | $apply_ms | | | fork+exec, read both files, stat MODULEPATH (fork+exec of /bin/true: $true_ms) |"
echo "| the snippet itself (module a no-op) | $(over "$snip_ms" "$nosnip_ms") | | | bash -c '. envswitch.sh' minus bash -c ':' |"
echo
for s in $systems; do
	sys=${s%%:*}
	echo "- $sys: login with nothing loaded ${ms[$sys.none]} ms, with \`module load\` in the profile ${ms[$sys.load]} ms,"
	echo "  with the envswitch snippet ${ms[$sys.snippet]} ms (snippet adds $(over "${ms[$sys.snippet]}" "${ms[$sys.none]}") ms in all, $(over "${ms[$sys.snippet]}" "${ms[$sys.load]}") ms beyond the module load itself; target < 5 ms)."
done
