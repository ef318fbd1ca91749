#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# bench/chain.sh — cpush's broadcast chain against the peers, on real links:
# the testbed's bridge mode (CT_TESTBED_NET=bridge: head and nodes in their
# own network namespaces, every link limited by tbf). A scale model: the 2
# cores here cannot encrypt 32 links at 10 Gb/s, so the links are slowed.
#   1. 100 Mbit/s links, 16 MiB to 32 nodes: cpush --chain, --direct,
#      clush --copy, pdcp, and a bare socat TCP chain (no crypto, no files:
#      the floor); the head's transmitted bytes from its eth0 counters
#   2. 10 Mbit/s links, 2 MiB to 8 and to 32 nodes: chain and socat floor
#   3. loopback cluster, 64 MiB to 32 nodes: cpush --chain vs clush --copy
# Chain and socat rows are medians of BENCH_CHAIN_RUNS (3) interleaved runs, the
# slow peers one run each (BENCH_CHAIN_PARTS=1,2,3 picks parts). Prints markdown sections.
set -u
top=${CT_TOP:-$(cd "$(dirname "$0")/.." && pwd)}
bin=${CT_BIN:-$top/build/release/bin}
source "$top/bench/lib.sh"
N=${BENCH_NODES:-32}
PARTS=${BENCH_CHAIN_PARTS:-1,2,3}
work=$(mktemp -d /tmp/ct-bench-chain.XXXXXX)
trap 'cluster stop >/dev/null 2>&1; rm -rf "$work"' EXIT
fmt() { printf '%.2f s' "$1"; }
ratio() { printf "%.2f" "$(echo "scale=3; $1 / $2" | bc -l)"; }
mib() { echo "scale=1; $1 / 1048576" | bc -l; }

# start_net N RATE: a bridge-mode cluster (the previous one stopped first)
start_net() {
	cluster stop >/dev/null 2>&1
	export CT_TESTBED_NET=bridge CT_TESTBED_RATE=$2
	bench_cluster "$1"
	unset CT_TESTBED_NET CT_TESTBED_RATE
}
head_tx() { cluster head cat /sys/class/net/eth0/statistics/tx_bytes; }
wipe() { # DIR on nodes 1..N
	local i
	for i in $(seq 1 "$1"); do on "$i" sh -c "rm -rf $2 && mkdir -p $2"; done
}
check() { # NODES-COUNT PATH SUM: first and last node
	local i
	for i in 1 "$1"; do
		[ "$(on "$i" sh -c "sha256sum < $2" | cut -d' ' -f1)" = "$3" ] || echo "$bench_name: wrong content at node $i:$2" >&2
	done
}
node_ip() { getent hosts "$(cluster nodes | sed -n "${1}p")" | awk '{print $1}'; }

# socat_chain COUNT FILE: node 1..COUNT relay a bare TCP stream, the last one drops it
socat_chain() {
	local n=$1 f=$2 i pids=()
	for ((i = n; i >= 1; i--)); do
		if [ "$i" = "$n" ]; then
			on "$i" socat -u TCP-LISTEN:9555,reuseaddr OPEN:/dev/null &
		else
			on "$i" socat -u TCP-LISTEN:9555,reuseaddr "TCP:$(node_ip $((i + 1))):9555,retry=50,interval=0.05" &
		fi
		pids+=($!)
	done
	sleep 0.5
	cluster head socat -u "OPEN:$f" "TCP:$(node_ip 1):9555,retry=50,interval=0.05"
	wait "${pids[@]}"
}

# one CONTENDER-NAME COUNT CMD...: time CMD, note head tx bytes (by name and count);
# a chain run is verbose and its "relays running ... after S s" goes to setup[COUNT]
declare -A times tx setup
one() {
	local name=$1 count=$2 tx0 tx1 key=$1_$2
	shift 2
	tx0=$(head_tx)
	bench_err=$work/err bench_timed "$@"
	tx1=$(head_tx)
	times[$key]+="$secs "
	tx[$key]=$((tx1 - tx0))
	[ "$name" != chain ] || setup[$count]+="$(sed -n 's/.*relays running on [0-9]* nodes after \([0-9.]*\) s.*/\1/p' "$work/err") "
}
med() { bench_median ${times[$1_$2]}; }
# row NAME COUNT: the median time of its runs, the last run's head tx
row() { echo "| $1 | $2 | $(fmt "$(med "$1" "$2")") | $(mib "${tx[$1_$2]}") MiB |"; }
RUNS=${BENCH_CHAIN_RUNS:-3}

part1() {
	start_net "$N" 100mbit
	local nodes=$CT_NODES f=$work/f16 sum
	head -c $((16 << 20)) /dev/urandom >"$f"
	sum=$(sha256sum <"$f" | cut -d' ' -f1)
	local r
	for r in $(seq 1 "$RUNS"); do
		wipe "$N" /tmp/c; one chain "$N" cluster head "$bin/cpush" -v --chain -w "$nodes" "$f" /tmp/c/f
		check "$N" /tmp/c/f "$sum"
		one socat "$N" socat_chain "$N" "$f"
	done
	wipe "$N" /tmp/d; one direct "$N" cluster head "$bin/cpush" --direct -w "$nodes" "$f" /tmp/d/f; check "$N" /tmp/d/f "$sum"
	wipe "$N" /tmp/k; one clush "$N" cluster head clush -f 64 -o "-F $CT_SSH_CONFIG" -w "$nodes" --copy "$f" --dest /tmp/k/
	check "$N" /tmp/k/f16 "$sum"
	wipe "$N" /tmp/p; one pdcp "$N" cluster head pdcp -R ssh -f 64 -w "$nodes" "$f" /tmp/p/f; check "$N" /tmp/p/f "$sum"
	bench_section "Broadcast chain: 16 MiB to $N nodes over 100 Mbit/s links" contender nodes time "head tx" <<-EOF
		\`CT_TESTBED_NET=bridge CT_TESTBED_RATE=100mbit\`: head and every node in its own network
		namespace on one bridge, tbf at 100 Mbit/s on both directions of every link; all commands
		run in the head's namespace (\`cluster head\`). chain and socat: medians of $RUNS
		interleaved runs; the slow peers one run each. "head tx" is the head's eth0 transmitted
		bytes during the (last) run. socat: a bare TCP chain node to node (no crypto, no files),
		the floor on this 2-core machine. chain vs clush: $(ratio "$(med clush "$N")" "$(med chain "$N")")x;
		chain / socat floor: $(ratio "$(med chain "$N")" "$(med socat "$N")"); the relays were
		running on every node after $(bench_median ${setup[$N]}) s (median; cpush -v).
	EOF
	local c
	for c in chain socat direct clush pdcp; do row "$c" "$N"; done
}

part2() {
	start_net "$N" 10mbit
	local f=$work/f2 sum k
	head -c $((2 << 20)) /dev/urandom >"$f"
	sum=$(sha256sum <"$f" | cut -d' ' -f1)
	local r
	for r in $(seq 1 "$RUNS"); do
		for k in 8 "$N"; do
			local nodes; nodes=$(cluster nodes | head -"$k" | paste -sd,)
			wipe "$k" /tmp/c; one chain "$k" cluster head "$bin/cpush" -v --chain -w "$nodes" "$f" /tmp/c/f
			check "$k" /tmp/c/f "$sum"
			one socat "$k" socat_chain "$k" "$f"
		done
	done
	local s8 sn c8 cn
	s8=$(bench_median ${setup[8]}) sn=$(bench_median ${setup[$N]}) c8=$(med chain 8) cn=$(med chain "$N")
	bench_section "Broadcast chain: 2 MiB to 8 and $N nodes over 10 Mbit/s links" contender nodes time "head tx" <<-EOF
		Same testbed at 10 Mbit/s: the link, not the CPU, is the limit. Medians of $RUNS interleaved
		runs. Chain time $N nodes / 8 nodes: $(ratio "$cn" "$c8"); socat floor:
		$(ratio "$(med socat "$N")" "$(med socat 8)"). Where the chain's time went (cpush -v, medians):
		the relays were running on every node after $s8 s (8 nodes) and $sn s ($N nodes), then the
		data, the end and the teardown took $(echo "$c8 - $s8" | bc -l | xargs printf '%.2f') s and $(echo "$cn - $sn" | bc -l | xargs printf '%.2f') s ($N / 8: $(ratio "$(echo "$cn - $sn" | bc -l)" "$(echo "$c8 - $s8" | bc -l)")).
	EOF
	for k in 8 "$N"; do row chain "$k"; row socat "$k"; done
}

part3() {
	cluster stop >/dev/null 2>&1
	CT_TESTBED_NET=loopback bench_cluster "$N"
	local nodes=$CT_NODES f=$work/f64 sum
	head -c $((64 << 20)) /dev/urandom >"$f"
	sum=$(sha256sum <"$f" | cut -d' ' -f1)
	rows=
	wipe "$N" /tmp/c; bench_timed "$bin/cpush" --chain -w "$nodes" "$f" /tmp/c/f; check "$N" /tmp/c/f "$sum"
	local tc=$secs
	wipe "$N" /tmp/k; bench_timed clush -f 64 -o "-F $CT_SSH_CONFIG" -w "$nodes" --copy "$f" --dest /tmp/k/
	check "$N" /tmp/k/f64 "$sum"
	local tk=$secs
	bench_section "Broadcast chain on the loopback cluster: 64 MiB to $N nodes" <<-EOF
		Loopback testbed (no link limit: the 2 cores are the limit), one run each.
	EOF
	echo "| 64 MiB to $N nodes | $(fmt "$tc") | $(fmt "$tk") | $(ratio "$tk" "$tc")x | cpush --chain vs clush --copy |"
}

case ",$PARTS," in *,1,*) part1 ;; esac
case ",$PARTS," in *,2,*) part2 ;; esac
case ",$PARTS," in *,3,*) part3 ;; esac
