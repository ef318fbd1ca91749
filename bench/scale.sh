#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# bench/scale.sh — the suite at 1,000 nodes (BENCH_SCALE_NODES): cexec `true`,
# cpush of 1 MiB, cget of a small file, against pdsh (-R ssh, pdcp, rpdcp)
# and clush (--copy, --rcopy) on the same sshd nodes (OpenSSH with the
# testbed's ssh_config), fanout 64 for all; then hierarchical fan-out: cexec
# through 4 gateways (indirect clusters) vs directly. Wall seconds and peak
# RSS (GNU time %M: the largest single process; the peers also run one ssh
# client per node in flight). Best of BENCH_SCALE_RUNS (1) runs by time.
set -u
top=${CT_TOP:-$(cd "$(dirname "$0")/.." && pwd)}
bin=${CT_BIN:-$top/build/release/bin}
source "$top/bench/lib.sh"
N=${BENCH_SCALE_NODES:-1000}
RUNS=${BENCH_SCALE_RUNS:-1}
F=64
t0=$SECONDS
bench_cluster "$N"
start_secs=$((SECONDS - t0))
trap 'cluster stop >/dev/null 2>&1; rm -rf "$W"' EXIT
W=$(mktemp -d /var/tmp/ct-bench-scale.XXXXXX)
head -c 1M /dev/urandom >"$W/onemeg"
nodes=$CT_NODES
w=$([ "$N" -le 99 ] && echo 2 || { [ "$N" -le 999 ] && echo 3 || echo 4; })
name() { printf 'node%0*d' "$w" "$1"; }

# measure CMD...: best wall time of $RUNS runs in $secs, that run's peak RSS (KiB) in $rss
measure() {
	local i s r
	secs= rss=
	for ((i = 0; i < RUNS; i++)); do
		rm -rf "$W/got" && mkdir "$W/got"
		if ! /usr/bin/time -o "$W/time" -f '%e %M' "$@" >/dev/null 2>"$W/err"; then
			echo "bench/scale: failed: $*" >&2
			tail -3 "$W/err" >&2
		fi
		read -r s r < <(tail -1 "$W/time") # "Command exited with non-zero status" may come first
		if [ -z "$secs" ] || [ "$(echo "$s < $secs" | bc -l)" = 1 ]; then secs=$s rss=$r; fi
	done
}
mib() { printf '%.1f MiB' "$(echo "$1 / 1024" | bc -l)"; }
ratio() { printf '%.2f' "$(echo "$1 / $2" | bc -l)"; }
min_peer() { # pdsh-secs clush-secs -> name
	if [ "$(echo "$1 <= $2" | bc -l)" = 1 ]; then echo pdsh; else echo clush; fi
}

row() { # WORK OURS-CMD -- PDSH-CMD -- CLUSH-CMD
	local work=$1; shift
	local ours=() pd=() cl=()
	while [ "$1" != -- ]; do ours+=("$1"); shift; done; shift
	while [ "$1" != -- ]; do pd+=("$1"); shift; done; shift
	cl=("$@")
	measure "${ours[@]}"; local os=$secs or=$rss
	measure "${pd[@]}"; local ps=$secs pr=$rss
	measure "${cl[@]}"; local cs=$secs cr=$rss
	local peer; peer=$(min_peer "$ps" "$cs")
	local best=$ps; [ $peer = clush ] && best=$cs
	local cmd="${ours[*]#$bin/}"
	printf '| %s | %.2f s, %s | %s %.2f s, %s; clush %.2f s, %s | %sx time; RSS %sx (%s), %sx (clush) | `%s` |\n' \
		"$work" "$os" "$(mib "$or")" "${pd[0]}" "$ps" "$(mib "$pr")" "$cs" "$(mib "$cr")" "$(ratio "$best" "$os")" \
		"$(ratio "$pr" "$or")" "${pd[0]}" "$(ratio "$cr" "$or")" "${cmd//$W\//}"
}

bench_section scale work ours peers ratio command <<EOF
$N sshd nodes on loopback (started in ${start_secs} s), fanout $F for every tool, best of $RUNS run(s).
Peak RSS is the largest single process (GNU time %M); pdsh and clush also run an ssh client per node in flight.
Ratio = fastest peer's time / ours (above 1: we are faster); RSS ratio = peer / ours.
EOF
row "\`true\` on $N nodes" "$bin/cexec" -F $F -w "$nodes" true -- \
	pdsh -R ssh -f $F -w "$nodes" true -- clush -f $F -o "-F $CT_SSH_CONFIG" -w "$nodes" true
row "push 1 MiB to $N nodes" "$bin/cpush" -b -F $F -w "$nodes" "$W/onemeg" /tmp/onemeg -- \
	pdcp -R ssh -f $F -w "$nodes" "$W/onemeg" /tmp/onemeg -- \
	clush -f $F -o "-F $CT_SSH_CONFIG" -w "$nodes" --copy "$W/onemeg" --dest /tmp/
row "gather /etc/hostname from $N nodes" "$bin/cget" -F $F -w "$nodes" /etc/hostname "$W/got" -- \
	rpdcp -R ssh -f $F -w "$nodes" /etc/hostname "$W/got" -- \
	clush -f $F -o "-F $CT_SSH_CONFIG" -w "$nodes" --rcopy /etc/hostname --dest "$W/got"

# --- hierarchical fan-out: 4 gateways, each with its own c3.conf over a quarter ----
q=$(((N - 4) / 4))
: >"$W/c3g.conf"
members=()
for g in 0 1 2 3; do
	gw=$((1 + g * (q + 1))) ; lo=$((gw + 1)) hi=$((gw + q))
	[ $g = 3 ] && hi=$N
	printf 'cluster sub {\n  %s\n  node[%0*d-%0*d]\n}\n' "$(name $gw)" $w $lo $w $hi | cluster_gateway "$(name $gw)" "$bin"
	printf 'cluster g%d {\n  :%s\n}\n' $g "$(name $gw)" >>"$W/c3g.conf"
	members+=("$(printf 'node[%0*d-%0*d]' $w $lo $w $hi)")
done
direct=$(IFS=,; echo "${members[*]}")
# -F 16 is forwarded: 4 gateways x 16 = 64 sessions at once, as the direct run
n_ok=$("$bin/cexec" -F 16 -t 30 -f "$W/c3g.conf" --all --json true | jq -s 'map(select(.exit == 0)) | length')
measure "$bin/cexec" -F 16 -t 30 -f "$W/c3g.conf" --all true; hs=$secs hr=$rss
measure "$bin/cexec" -F $F -w "$direct" true; ds=$secs dr=$rss
echo
echo "Hierarchical fan-out: the same $((N - 4)) nodes through 4 gateways (indirect clusters \`:gateway\`, each gateway"
echo "runs cexec with its own c3.conf over a quarter, -F 16 forwarded: 64 sessions in all) vs directly from here, -F 64 ($n_ok nodes answered through the gateways)."
echo
echo "| work | through 4 gateways | direct | ratio | command |"
echo "|---|---|---|---|---|"
printf '| `true` on %d nodes | %.2f s, %s | %.2f s, %s | %sx | `cexec -F 16 -t 30 -f c3g.conf --all true` |\n' \
	$((N - 4)) "$hs" "$(mib "$hr")" "$ds" "$(mib "$dr")" "$(ratio "$ds" "$hs")"
