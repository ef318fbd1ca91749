#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# bench/cpush.sh — scatter and gather on a 32-node local test cluster:
#   a 64 MiB file pushed to 32 nodes: cpush vs pdcp -R ssh vs clush --copy
#   32 files of 16 MiB gathered:      cget vs rpdcp -R ssh vs clush --rcopy
# Every tool copies the same bytes to/from the same nodes in the same run;
# the peers use OpenSSH with the testbed's ssh_config. Prints a markdown section.
set -u
top=${CT_TOP:-$(cd "$(dirname "$0")/.." && pwd)}
bin=${CT_BIN:-$top/build/release/bin}
source "$top/bench/lib.sh"
N=${BENCH_NODES:-32}
bench_cluster "$N"
trap 'cluster stop >/dev/null 2>&1; rm -rf "$work"' EXIT
nodes=$CT_NODES
work=$(mktemp -d /tmp/ct-bench-cpush.XXXXXX)
sshopt="-F $CT_SSH_CONFIG"

wipe() { "$bin/cexec" -w "$nodes" rm -rf "$@" >/dev/null 2>&1 || for i in $(seq 1 "$N"); do on "$i" rm -rf "$@"; done; }
fmt() { printf '%.2f s' "$1"; }
ratio() { echo "scale=2; $1 / $2" | bc -l; }

# Each contender runs RUNS times (BENCH_CPUSH_RUNS, default 3), interleaved
# with the order rotated each round; the table shows medians, the text every run.
RUNS=${BENCH_CPUSH_RUNS:-3}
declare -A secs_of cpu_of
rounds() { # KIND(push|get) CONTENDER...: run every contender RUNS times, interleaved
	local kind=$1 round i k n
	shift
	n=$#
	local who=("$@")
	for ((round = 0; round < RUNS; round++)); do
		for ((i = 0; i < n; i++)); do
			k=${who[(round + i) % n]}
			"${kind}_$k"
			secs_of[$kind.$k]+="$secs "
			cpu_of[$kind.$k]+="$cpu "
		done
	done
}

# --- scatter -------------------------------------------------------------------
head -c $((64 << 20)) /dev/urandom >"$work/big"
sum=$(sha256sum <"$work/big" | cut -d' ' -f1)
check_push() { # PATH: the first and last node have the file
	local bad=0 i
	for i in 1 "$N"; do
		[ "$(on "$i" sh -c "sha256sum < $1" | cut -d' ' -f1)" = "$sum" ] || bad=1
	done
	[ $bad = 0 ] || echo "bench/cpush: wrong content at $1" >&2
}
fresh_push() { wipe "/tmp/$1"; "$bin/cexec" -w "$nodes" mkdir -p "/tmp/$1" >/dev/null; sync; }
push_ours() { fresh_push p1; bench_timed "$bin/cpush" -w "$nodes" "$work/big" /tmp/p1/big; check_push /tmp/p1/big; }
push_pdcp() { fresh_push p2; bench_timed pdcp -R ssh -f 64 -w "$nodes" "$work/big" /tmp/p2/big; check_push /tmp/p2/big; }
push_clush() { fresh_push p3; bench_timed clush -f 64 -o "$sshopt" -w "$nodes" --copy "$work/big" --dest /tmp/p3/; check_push /tmp/p3/big; }
rounds push ours pdcp clush
wipe /tmp/p1 /tmp/p2 /tmp/p3

# --- gather --------------------------------------------------------------------
for i in $(seq 1 "$N"); do
	on "$i" sh -c 'head -c $((16 << 20)) /dev/urandom > /tmp/g16' &
done
wait
check_get() { # DIR: N whole files
	local c; c=$(find "$1" -type f -size $((16 << 20))c | wc -l)
	[ "$c" = "$N" ] || echo "bench/cpush: $1 has $c complete files, not $N" >&2
}
fresh_get() { rm -rf "$work/$1"; mkdir "$work/$1"; sync; }
get_ours() { fresh_get g1; bench_timed "$bin/cget" -w "$nodes" /tmp/g16 "$work/g1"; check_get "$work/g1"; }
get_pdcp() { fresh_get g2; bench_timed rpdcp -R ssh -f 64 -w "$nodes" /tmp/g16 "$work/g2"; check_get "$work/g2"; }
get_clush() { fresh_get g3; bench_timed clush -f 64 -o "$sshopt" -w "$nodes" --rcopy /tmp/g16 --dest "$work/g3"; check_get "$work/g3"; }
rounds get ours pdcp clush

med() { bench_median ${secs_of[$1]}; }
t_ours=$(med push.ours) t_pdcp=$(med push.pdcp) t_clush=$(med push.clush)
g_ours=$(med get.ours) g_pdcp=$(med get.pdcp) g_clush=$(med get.clush)
best_push=$t_pdcp; best_push_name="pdcp -R ssh"
if (($(echo "$t_clush < $t_pdcp" | bc -l))); then best_push=$t_clush; best_push_name="clush --copy"; fi
best_get=$g_pdcp; best_get_name="rpdcp -R ssh"
if (($(echo "$g_clush < $g_pdcp" | bc -l))); then best_get=$g_clush; best_get_name="clush --rcopy"; fi

runs() { printf '%.2f ' ${secs_of[$1]}; }
{
	echo "$N local sshd nodes (tests/testbed), loopback, $(nproc) cores. Median of $RUNS runs per contender,"
	echo "interleaved (order rotated each round); every run writes to a fresh directory. Ratio = peer time / ours."
	echo "The head and the nodes share the cores, so the wall time follows the CPU of both sides."
	echo "Runs (s): cpush $(runs push.ours)| pdcp $(runs push.pdcp)| clush --copy $(runs push.clush)| cget $(runs get.ours)|"
	echo "rpdcp $(runs get.pdcp)| clush --rcopy $(runs get.clush)"
} | bench_section "cpush / cget"
echo "| 64 MiB file to $N nodes | $(fmt "$t_ours") | $(fmt "$t_pdcp") | $(ratio "$t_pdcp" "$t_ours") | \`cpush -w $nodes big /tmp/p/big\` vs \`pdcp -R ssh -f 64\` |"
echo "| 64 MiB file to $N nodes | $(fmt "$t_ours") | $(fmt "$t_clush") | $(ratio "$t_clush" "$t_ours") | \`cpush\` vs \`clush -f 64 --copy\` |"
echo "| $N files of 16 MiB gathered | $(fmt "$g_ours") | $(fmt "$g_pdcp") | $(ratio "$g_pdcp" "$g_ours") | \`cget -w $nodes /tmp/g16 dir\` vs \`rpdcp -R ssh -f 64\` |"
echo "| $N files of 16 MiB gathered | $(fmt "$g_ours") | $(fmt "$g_clush") | $(ratio "$g_clush" "$g_ours") | \`cget\` vs \`clush -f 64 --rcopy\` |"
echo
hcpu() { printf '%.2f s' "$(bench_median ${cpu_of[$1]})"; }
echo "Head-side CPU (median; the tool and its ssh processes, not the nodes' sshd): push: cpush $(hcpu push.ours),"
echo "pdcp $(hcpu push.pdcp), clush $(hcpu push.clush); gather: cget $(hcpu get.ours), rpdcp $(hcpu get.pdcp), clush $(hcpu get.clush)."
echo
echo "Fastest peer: scatter $best_push_name (ratio $(ratio "$best_push" "$t_ours")), gather $best_get_name (ratio $(ratio "$best_get" "$g_ours"))."
