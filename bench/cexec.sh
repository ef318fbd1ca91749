#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# bench/cexec.sh — wall time of `true` on every node of a local test cluster:
#   32 nodes, 32 at once:  cexec -F 32 vs pdsh -R ssh -f 32 vs clush -f 32
#   256 nodes, 64 at once: the same with fanout 64, to see how time grows
# Best of several runs each, all in the same run; the peers use OpenSSH with
# the testbed's ssh_config. Prints a markdown section.
set -u
top=${CT_TOP:-$(cd "$(dirname "$0")/.." && pwd)}
bin=${CT_BIN:-$top/build/release/bin}
source "$top/bench/lib.sh"
BIG=${BENCH_NODES_BIG:-256}
RUNS=${BENCH_RUNS:-5}
bench_cluster "$BIG"
trap 'cluster stop >/dev/null 2>&1' EXIT
w=${#BIG}; [ "$w" -lt 2 ] && w=2
range() { printf 'node[%0*d-%0*d]' "$w" 1 "$w" "$1"; }

# best CMD...: the best wall time of $RUNS runs, in $best; complains if a run fails
best() {
	local i
	best=
	for ((i = 0; i < RUNS; i++)); do
		bench_timed "$@"
		if [ -z "$best" ] || [ "$(echo "$secs < $best" | bc -l)" = 1 ]; then best=$secs; fi
	done
}
fmt() { printf '%.3f s' "$1"; }
ratio() { printf '%.2f' "$(echo "$1 / $2" | bc -l)"; }
min() { if [ "$(echo "$1 < $2" | bc -l)" = 1 ]; then echo "$1"; else echo "$2"; fi; }

row() { # N FANOUT
	local n=$1 f=$2 nodes; nodes=$(range "$n")
	best "$bin/cexec" -F "$f" -w "$nodes" true; local ours=$best
	best pdsh -R ssh -f "$f" -w "$nodes" true; local pdsh=$best
	best clush -f "$f" -o "-F $CT_SSH_CONFIG" -w "$nodes" true; local clush=$best
	local peer; peer=$(min "$pdsh" "$clush")
	local name=pdsh; [ "$peer" = "$clush" ] && name=clush
	printf '| `true` on %d nodes, fanout %d | %s | %s %s (pdsh %s, clush %s) | %sx | `cexec -F %d -w %s true` |\n' \
		"$n" "$f" "$(fmt "$ours")" "$name" "$(fmt "$peer")" "$(fmt "$pdsh")" "$(fmt "$clush")" \
		"$(ratio "$peer" "$ours")" "$f" "$nodes"
	eval "t_ours_$n=$ours t_peer_$n=$peer"
}

echo "Best of $RUNS runs; peer = the faster of \`pdsh -R ssh\` and \`clush\` (OpenSSH, same sshd nodes)." |
	bench_section cexec
row 32 32
row "$BIG" 64
echo
printf 'Growth from 32 to %d nodes (x%d): cexec x%s, fastest peer x%s.\n' "$BIG" $((BIG / 32)) \
	"$(ratio "$(eval echo "\$t_ours_$BIG")" "$t_ours_32")" "$(ratio "$(eval echo "\$t_peer_$BIG")" "$t_peer_32")"
