#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# bench/chain-ab.sh — two builds of cpush --chain side by side on one testbed:
# did a change cost the chain time or CPU? BENCH_A and BENCH_B are bin
# directories (B defaults to this tree's release build); each round pushes
# the same file with A, then with B. Wall time is noisy on a shared machine;
# CPU is not: every process the bench starts (cpush, the nodes' sshd and
# their relays) runs in a cgroup v1 cpuacct group of its own, read before and
# after each push (when /sys/fs/cgroup/cpuacct exists).
#   BENCH_AB_NET=100mbit   bridge-mode links at that rate (default: loopback)
#   BENCH_AB_MIB=16 BENCH_AB_NODES=32 BENCH_AB_RUNS=5
# Prints a markdown section: medians of wall and CPU seconds, B / A.
set -u
top=${CT_TOP:-$(cd "$(dirname "$0")/.." && pwd)}
source "$top/bench/lib.sh"
if [ -z "${BENCH_A:-}" ]; then # make bench runs every script: this one only when asked
	echo "$bench_name: not run (BENCH_A names the bin directory of the build to compare with)" >&2
	exit 0
fi
A=$BENCH_A
B=${BENCH_B:-$top/build/release/bin}
NET=${BENCH_AB_NET:-} MIB=${BENCH_AB_MIB:-16} N=${BENCH_AB_NODES:-32} RUNS=${BENCH_AB_RUNS:-5}
cg=
if [ -d /sys/fs/cgroup/cpuacct ] && mkdir /sys/fs/cgroup/cpuacct/ct-bench.$$ 2>/dev/null; then
	cg=/sys/fs/cgroup/cpuacct/ct-bench.$$
	echo $$ >"$cg/cgroup.procs"
fi
work=$(mktemp -d /tmp/ct-bench-ab.XXXXXX)
leave_cgroup() {
	[ -n "$cg" ] || return 0
	echo $$ >/sys/fs/cgroup/cpuacct/cgroup.procs
	rmdir "$cg" 2>/dev/null || true # a node's leftover process may hold it until it ends
}
trap 'cluster stop >/dev/null 2>&1; rm -rf "$work"; leave_cgroup' EXIT
[ -z "$NET" ] || export CT_TESTBED_NET=bridge CT_TESTBED_RATE=$NET
load=$(cut -d' ' -f1-3 /proc/loadavg)
bench_cluster "$N"
nodes=$CT_NODES f=$work/f
head -c $((MIB << 20)) /dev/urandom >"$f"
sum=$(sha256sum <"$f" | cut -d' ' -f1)
cpu_ns() { if [ -n "$cg" ]; then cat "$cg/cpuacct.usage"; else echo 0; fi; }

# push BIN: wall seconds and CPU seconds of one push into $wall and $cpu_all
push() {
	local i u0
	for i in $(seq 1 "$N"); do on "$i" sh -c 'rm -rf /tmp/c && mkdir /tmp/c'; done
	u0=$(cpu_ns)
	bench_timed ${NET:+cluster head} "$1/cpush" --chain -w "$nodes" "$f" /tmp/c/f
	wall=$secs
	cpu_all=$(echo "scale=3; ($(cpu_ns) - $u0) / 1000000000" | bc -l)
	for i in 1 "$N"; do
		[ "$(on "$i" sh -c 'sha256sum < /tmp/c/f' | cut -d' ' -f1)" = "$sum" ] ||
			echo "$bench_name: $1: wrong content at node $i" >&2
	done
}

wa=() wb=() ca=() cb=()
for r in $(seq 1 "$RUNS"); do
	push "$A"; wa+=("$wall"); ca+=("$cpu_all")
	push "$B"; wb+=("$wall"); cb+=("$cpu_all")
	echo "$bench_name: round $r: A ${wa[-1]} s ${ca[-1]} cpu, B ${wb[-1]} s ${cb[-1]} cpu" >&2
done
ma=$(bench_median "${wa[@]}") mb=$(bench_median "${wb[@]}")
mca=$(bench_median "${ca[@]}") mcb=$(bench_median "${cb[@]}")
r2() { printf '%.3f' "$(echo "scale=4; $1 / $2" | bc -l)"; }
bench_section "cpush --chain, two builds: $MIB MiB to $N nodes${NET:+ over $NET links}" build wall "CPU (all processes)" <<EOT
A: $A, B: $B. Medians of $RUNS interleaved rounds (A then B); CPU from a cpuacct cgroup
holding cpush, the nodes' sshd and the relays$([ -n "$cg" ] || echo ' (no cgroup here: CPU not measured)').
Load before the cluster started: $load. Node homes isolated by the testbed.
EOT
printf '| A | %.2f s | %.2f s |\n| B | %.2f s | %.2f s |\n| B / A | %s | %s |\n' "$ma" "$mca" "$mb" "$mcb" "$(r2 "$mb" "$ma")" "$([ -n "$cg" ] && r2 "$mcb" "$mca" || echo -)"
