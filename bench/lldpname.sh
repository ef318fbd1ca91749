#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# bench/lldpname.sh: decoding a capture file of LLDP and CDP frames.
# lldpname has no natural peer; tcpdump -v decodes the same TLVs, so both
# read one pcap of the 7 switch styles of tests/lldpname/ repeated to
# FRAMES frames and print every frame in full (lldpname --show --all,
# tcpdump -r -v -n), output to /dev/null. Median of RUNS runs.
set -u
CT_TOP=${CT_TOP:-$(cd "$(dirname "$0")/.." && pwd)}
CT_BIN=${CT_BIN:-$CT_TOP/build/release/bin}
export PATH=$CT_BIN:$PATH
source "$CT_TOP/bench/lib.sh"
RUNS=${RUNS:-5}
DOUBLINGS=${DOUBLINGS:-14}
d=$(mktemp -d /tmp/ct-bench-lldpname.XXXXXX)
trap 'rm -rf "$d"' EXIT
caps=$CT_TOP/tests/lldpname

# pcap = the 24-byte file header + records; concatenate the records, then double them
head -c 24 "$caps/cumulus-swp12.pcap" >"$d/hdr"
for f in ios-gi1-0-37 nxos-ethernet1-12 eos-ethernet12 breakout-ethernet5-35-1 junos-ge-0-0-12 \
	cumulus-swp12 cdp-gigabitethernet1-0-7; do
	tail -c +25 "$caps/$f.pcap"
done >"$d/recs"
for ((i = 0; i < DOUBLINGS; i++)); do cat "$d/recs" "$d/recs" >"$d/r2" && mv "$d/r2" "$d/recs"; done
cat "$d/hdr" "$d/recs" >"$d/big.pcap"
frames=$((7 << DOUBLINGS))

# median_ms CMD...: median wall time of RUNS runs, in ms (bash's time, TIMEFORMAT %R)
median_ms() {
	local i TIMEFORMAT=%R
	for ((i = 0; i < RUNS; i++)); do
		{ time "$@" >/dev/null 2>&1; } 2>&1
	done | sort -n | awk '{v[NR] = $1} END {printf "%.0f", v[int((NR + 1) / 2)] * 1000}'
}

ours=$(median_ms lldpname --pcap "$d/big.pcap" --show --all)
peer=$(median_ms tcpdump -r "$d/big.pcap" -v -n)
n_ours=$(lldpname --pcap "$d/big.pcap" --show --all 2>/dev/null | grep -c '^Interface:')
ratio=$(awk -v a="$ours" -v b="$peer" 'BEGIN { if (a > 0) printf "%.1f", b / a; else print "-" }')

bench_section lldpname work "ours (ms)" "peer (ms)" ratio command <<EOF
Decode and print every TLV of $frames LLDP/CDP frames from one pcap (7 switch styles;
lldpname decoded $n_ours). Median of $RUNS runs, ms. Peer: tcpdump -v, which decodes the same TLVs.
EOF
echo "| $frames frames, full decode | $ours | $peer | $ratio | \`lldpname --pcap big.pcap --show --all\` vs \`tcpdump -r big.pcap -v -n\` |"
