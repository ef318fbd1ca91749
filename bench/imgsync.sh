#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# bench/imgsync.sh: imgsync vs rsync -aHAX --delete --numeric-ids on the same
# change sets of a ~10k-file root (the first FILES files of /usr, copied with
# their tree): (c) first full copy, (a) nothing changed, (b) 1% of the files
# changed. Local to local, then (if the test cluster starts) to one node over
# ssh and one image to 16 nodes vs 16 parallel rsyncs. One run each; seconds
# and bytes sent (imgsync: --json bytes_sent; rsync: --stats "Total bytes sent").
set -u
CT_TOP=${CT_TOP:-$(cd "$(dirname "$0")/.." && pwd)}
CT_BIN=${CT_BIN:-$CT_TOP/build/release/bin}
export PATH=$CT_BIN:$PATH
FILES=${FILES:-10000}
NODES=${NODES:-16}
CL=$CT_TOP/tests/testbed/cluster
d=$(mktemp -d /var/tmp/ct-bench-imgsync.XXXXXX) # not /tmp: nodes have a private /tmp
cluster_up=
trap '[ -n "$cluster_up" ] && "$CL" stop >/dev/null 2>&1; rm -rf "$d"' EXIT

find /usr -xdev \( -type f -o -type l \) 2>/dev/null | head -n "$FILES" | sed 's|^/||' >"$d/list"
rsync -a --files-from="$d/list" / "$d/src/"
nfiles=$(find "$d/src" | wc -l)
change_1pct() { # append to every 100th regular file
	find "$d/src" -type f | sort | awk 'NR % 100 == 0' | while read -r f; do echo "changed $RANDOM" >>"$f"; done
}

secs() { # run, print seconds with 2 decimals; output of the command to $d/out
	sync # earlier writes are not charged to this run
	local t0=$EPOCHREALTIME
	"$@" >"$d/out" 2>"$d/err" || { echo "bench/imgsync: failed: $*" >&2; tail -3 "$d/err" >&2; }
	local t1=$EPOCHREALTIME
	awk -v a="${t0/./}" -v b="${t1/./}" 'BEGIN { printf "%.2f", (b - a) / 1e6 }'
}
isent() { sed -n 's/.*"bytes_sent":\([0-9]*\).*/\1/p' "$d/out" | awk '{s += $1} END {print s + 0}'; }
rsent() { awk '/^Total bytes sent:/ {gsub(",", "", $4); s += $4} END {print s + 0}' "$d/out"; }
mb() { awk -v b="$1" 'BEGIN { printf "%.2f MB", b / 1e6 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a > 0) printf "%.2f", b / a; else print "-" }'; }
row() { # work ours_s ours_bytes peer_s peer_bytes command
	echo "| $1 | $2 s, $(mb "$3") | $4 s, $(mb "$5") | $(ratio "$2" "$4") | \`$6\` |"
}

RS=(rsync -aHAX --delete --numeric-ids --stats)
echo "## imgsync"
echo
echo "A root of $nfiles paths (the first $FILES files of /usr). One run per row; seconds and bytes"
echo "sent. Ratio = rsync time / imgsync time (above 1: imgsync is faster)."
echo
echo "| work | ours (imgsync) | peer (rsync) | ratio | command |"
echo "|---|---|---|---|---|"

# --- local to local --------------------------------------------------------
for step in full same one_pct; do
	[ "$step" = one_pct ] && change_1pct
	a=$(secs imgsync --json "$d/src" "$d/dst_i"); ab=$(isent)
	b=$(secs "${RS[@]}" "$d/src/" "$d/dst_r/"); bb=$(rsent)
	case $step in full) w="local, (c) first full copy" ;; same) w="local, (a) nothing changed" ;; *) w="local, (b) 1% of files changed" ;; esac
	row "$w" "$a" "$ab" "$b" "$bb" "imgsync SRC DEST vs rsync -aHAX --delete --numeric-ids SRC/ DEST/"
done

# --- over ssh to the test cluster -------------------------------------------
# the cluster belongs to this script (under timeout, its owner would be timeout itself)
if CT_TESTBED_OWNER=$$ timeout 900 "$CL" start "$NODES" >/dev/null 2>&1; then
	cluster_up=1
	eval "$("$CL" env)"
	RI=(--remote-imgsync "$CT_BIN/imgsync")
	SSH="ssh -F $CT_SSH_CONFIG"
	# a node's private /tmp (256 MiB) cannot hold 4 copies of the root: grow it (tmpfs uses only what is written)
	for i in $(seq -w 1 "$NODES"); do "$CL" exec "node$i" mount -o remount,size=2g /tmp; done
	for step in full same one_pct; do
		[ "$step" = one_pct ] && change_1pct
		a=$(secs imgsync --json "${RI[@]}" "$d/src" node01:/tmp/bi); ab=$(isent)
		b=$(secs "${RS[@]}" -e "$SSH" "$d/src/" node01:/tmp/br/); bb=$(rsent)
		case $step in full) w="1 node over ssh, (c) first full copy" ;; same) w="1 node over ssh, (a) nothing changed" ;; *) w="1 node over ssh, (b) 1% changed" ;; esac
		row "$w" "$a" "$ab" "$b" "$bb" "imgsync SRC node01:DEST vs rsync ... -e ssh SRC/ node01:DEST/"
	done
	many() { # 16 parallel rsyncs
		local i pids=()
		for i in $(seq -w 1 "$NODES"); do
			"${RS[@]}" -e "$SSH" "$d/src/" "node$i:/tmp/mr/" >"$d/out.$i" 2>&1 &
			pids+=($!)
		done
		wait "${pids[@]}"
		cat "$d"/out.[0-9]*
	}
	for step in full one_pct; do
		[ "$step" = one_pct ] && change_1pct
		a=$(secs imgsync --json -w "$CT_NODES" "${RI[@]}" "$d/src" /tmp/mi); ab=$(isent)
		b=$(secs many); bb=$(rsent)
		case $step in full) w="$NODES nodes, (c) first full copy" ;; *) w="$NODES nodes, (b) 1% changed" ;; esac
		row "$w" "$a" "$ab" "$b" "$bb" "imgsync -w node[01-$NODES] SRC DEST vs $NODES parallel rsync -e ssh"
	done
else
	echo "| over ssh | - | - | - | test cluster not available |"
fi
