#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# imgsync against the local test cluster (lib/ssh, `imgsync --server` on the
# nodes): push to a node, pull from one, one image to 16 nodes with a delta
# computed once, a remote server killed midway. The oracle runs inside each
# node (private /tmp) via `cluster exec`.
source "$CT_TOP/tests/lib.sh"
source "$CT_TOP/tests/cli/imgsync.inc"
start_cluster 16 --or-skip
# the image lives outside /tmp: every node sees the host's files but has its own /tmp
W=$(scratch /var/tmp)
mk_old "$W/old"
mk_new "$W/src"
RI=(--remote-imgsync "$CT_BIN/imgsync")
EXC=(--exclude /etc/hostname --exclude '/var/log/*')
node_oracle() { # NODE [IMAGE [DIR]] -> differences between the image and NODE:DIR (/tmp/img)
	cluster exec "$1" rsync -aHAXn --delete --checksum --itemize-changes --numeric-ids \
		"${ORACLE_EXCLUDES[@]}" "${2:-$W/src}/" "${3:-/tmp/img}/" 2>&1
}
node_sums() { # NODE [DIR]: every path of NODE:DIR (/tmp/img) with type, mode, size, mtime, content hash
	cluster exec "$1" sh -c 'cd "$1" && find . -printf "%p %y %m %s %T@\n" | sort &&
		find . -type f -size -10M -print0 | sort -z | xargs -0r sha256sum' sh "${2:-/tmp/img}"
}

# --- push to one node: old image first, then the new one ----------------------
run imgsync -q "${RI[@]}" "$W/old" node01:/tmp/img
is "$rc" 0 "push the old image to node01 ($err)"
is "$(node_oracle node01 "$W/old")" "" "node01 holds the old image"
run imgsync --itemize "${RI[@]}" "${EXC[@]}" "$W/src" node01:/tmp/img
is "$rc" 0 "push the new image over it"
like "$out" 'deleting +etc/deleted' "itemize comes back from the node"
is "$(node_oracle node01)" "" "rsync on node01 finds no difference"
is "$(cluster exec node01 cat /tmp/img/etc/hostname)" "node01" "excluded file untouched on the node"
t "sparse file stays sparse on the node" test "$(cluster exec node01 du -k /tmp/img/data/sparse | cut -f1)" -lt 1024
run imgsync -n --itemize "${RI[@]}" "${EXC[@]}" "$W/src" node01:/tmp/img
is "$(printf '%s\n' "$out" | grep -vE 'created [0-9]+, updated')" "" "dry run after the sync lists nothing"

# --- pull from a node ------------------------------------------------------------
run imgsync -q "${RI[@]}" node01:/tmp/img "$W/pulled"
is "$rc" 0 "pull from node01 ($err)"
is "$(oracle "$W/src" "$W/pulled")" "" "the pulled copy equals the image"

# --- one image to 16 nodes ----------------------------------------------------------
run imgsync -w "$CT_NODES" --json "${RI[@]}" "${EXC[@]}" "$W/src" /tmp/img
is "$rc" 0 "push to 16 nodes ($err)"
is "$(printf '%s\n' "$out" | grep -c '"ok":true')" 16 "16 JSON summaries, all ok"
bad=0
for i in $(seq -w 1 16); do [ -z "$(node_oracle "node$i")" ] || bad=$((bad + 1)); done
is "$bad" 0 "all 16 nodes equal the image"

# a 20 MiB file changes: the delta is computed once for the 16 identical nodes
head -c 20M /dev/urandom >"$W/src/data/blob"
imgsync -q -w "$CT_NODES" "${RI[@]}" "${EXC[@]}" "$W/src" /tmp/img
dd if=/dev/urandom of="$W/src/data/blob" bs=64K count=1 seek=100 conv=notrunc status=none
run imgsync -v -w "$CT_NODES" --json "${RI[@]}" "${EXC[@]}" "$W/src" /tmp/img
like "$err" 'deltas computed 1, shared 15' "one delta for 16 nodes"
sent=$(printf '%s\n' "$out" | sed -n 's/.*"bytes_sent":\([0-9]*\).*/\1/p' | sort -n | tail -1)
t "each node received < 1 MiB for a 64 KiB change (max $sent)" test "${sent:-99999999}" -lt $((1 << 20))
is "$(node_oracle node16)" "" "node16 equals the image after the delta"

# text crosses compressed (one zstd frame per chunk, made once for all nodes); --no-compress sends it as it is
max_sent() { printf '%s\n' "$out" | sed -n 's/.*"bytes_sent":\([0-9]*\).*/\1/p' | sort -n | tail -1; }
seq 1 2000000 >"$W/src/data/text"
size=$(stat -c %s "$W/src/data/text")
run imgsync -w "$CT_NODES" --json "${RI[@]}" "${EXC[@]}" "$W/src" /tmp/img
sent=$(max_sent)
t "a $size-byte text file reaches each node as less than a third of it (max $sent)" test "${sent:-0}" -gt 0 -a "${sent:-0}" -lt $((size / 3))
is "$(node_oracle node09)" "" "node09 equals the image after a compressed push"
seq 2 2000001 >"$W/src/data/text2"
run imgsync --no-compress --json "${RI[@]}" "${EXC[@]}" "$W/src" node02:/tmp/img
sent=$(max_sent)
t "--no-compress: the new text file crosses whole ($sent bytes)" test "${sent:-0}" -ge "$size"
is "$(node_oracle node02)" "" "node02 equals the image after an uncompressed push"

# --- refusals: an empty or half-built image, too many deletions, a missing parent ---------
mkdir -p "$W/empty" "$W/half/boot" "$W/half/home"
echo kernel >"$W/half/boot/vmlinuz"
sums1=$(node_sums node01) sums2=$(node_sums node02)
t "node01 and node02 hold populated roots" test "$(wc -l <<<"$sums1")" -gt 20 -a "$(wc -l <<<"$sums2")" -gt 20
run imgsync "${RI[@]}" "${EXC[@]}" "$W/empty" node01:/tmp/img
is "$rc" 1 "an empty image to node01: exit 1"
is "$err" "imgsync: $W/empty: the image is empty (syncing it would delete everything at the destination); refused, --force overrides" \
	"an empty image: the message names it, says why and that --force overrides"
is "$(node_sums node01)" "$sums1" "an empty image: node01 is unchanged"
run imgsync -w 'node[01-02]' "${RI[@]}" "${EXC[@]}" "$W/half" /tmp/img
is "$rc" 1 "an image without etc/ and usr/ to node[01-02]: exit 1"
like "$err" "^imgsync: $W/half: the image has neither etc/ nor usr/: .*--force overrides$" "and says so"
is "$(node_sums node01)$(node_sums node02)" "$sums1$sums2" "node01 and node02 are unchanged"
run imgsync -q --force "${RI[@]}" "$W/half" node03:/tmp/img
is "$rc" 0 "--force: the image without etc/ and usr/ goes to node03"
is "$(node_oracle node03 "$W/half")" "" "--force: node03 holds that image"

# --max-delete: node02 holds one more file (data/text2) than node01
rsync -aHAX --exclude=/data "$W/src/" "$W/fewer/"
run imgsync -n --itemize "${RI[@]}" "${EXC[@]}" "$W/fewer" node01:/tmp/img
n=$(grep -c '^\*deleting' <<<"$out")
t "a dry run plans $n deletions on node01" test "$n" -gt 10
run imgsync -w 'node[01-02]' --max-delete $((n - 1)) "${RI[@]}" "${EXC[@]}" "$W/fewer" /tmp/img
is "$rc" 2 "--max-delete $((n - 1)): exit 2"
like "$err" "node01: would delete $n paths, more than --max-delete $((n - 1)); nothing changed" "node01 is reported"
like "$err" "node02: would delete $((n + 1)) paths, more than --max-delete $((n - 1)); nothing changed" "node02 is reported"
is "$(node_sums node01)$(node_sums node02)" "$sums1$sums2" "--max-delete $((n - 1)): node01 and node02 are unchanged"
run imgsync -q -w 'node[01-02]' --max-delete $n --failed "$W/md-failed" "${RI[@]}" "${EXC[@]}" "$W/fewer" /tmp/img
is "$rc" 2 "--max-delete $n: exit 2 (node02 is over)"
is "$(cat "$W/md-failed")" node02 "--failed lists node02 only"
is "$(node_oracle node01 "$W/fewer")" "" "node01, at the limit, now holds the smaller image"
is "$(node_sums node02)" "$sums2" "node02, over it, is unchanged"
run imgsync -q "${RI[@]}" "${EXC[@]}" "$W/src" node01:/tmp/img
is "$(node_oracle node01)" "" "node01 holds the full image again"

# only the last component of a destination is made
run imgsync -q -w 'node[04-05]' "${RI[@]}" "$W/src" /tmp/nonexistent/dst
is "$rc" 2 "a destination whose parent is missing: exit 2"
like "$err" "imgsync: node\\[04-05\\]: /tmp/nonexistent/dst: parent directory /tmp/nonexistent: No such file or directory" \
	"node04 and node05, folded, say which parent"
is "$(cluster exec node04 ls -d /tmp/nonexistent 2>&1 | grep -c 'No such')" 1 "nothing was made on node04"
run imgsync -q "${RI[@]}" "${EXC[@]}" "$W/src" node04:/tmp/newdst
is "$rc" 0 "a missing last component is made on node04"
is "$(node_oracle node04 "$W/src" /tmp/newdst)" "" "and holds the image"

# --- a remote server killed midway ----------------------------------------------------
mkdir -p "$W/k"
for i in $(seq 1 12); do head -c 8M /dev/urandom >"$W/k/f$i"; done
imgsync -q --force "${RI[@]}" "$W/k" node03:/tmp/kimg
(cd "$W/k" && sha256sum f*) >"$W/old.sums"
for i in $(seq 1 12); do head -c 8M /dev/urandom >"$W/k/f$i"; done
(cd "$W/k" && sha256sum f*) >"$W/new.sums"
imgsync -q --force "${RI[@]}" "$W/k" node03:/tmp/kimg 2>/dev/null &
client=$!
pid=
# the server on node03 (its mount namespace: not another test's imgsync) once f2 is there whole
f2_landed() {
	pid=$(node_procs node03 imgsync | head -1)
	[ -n "$pid" ] && [ "$(cluster exec node03 sha256sum /tmp/kimg/f2 2>/dev/null | cut -c1-64)" = "$(grep ' f2$' "$W/new.sums" | cut -c1-64)" ]
}
wait_for "node03's imgsync server to have landed f2" f2_landed
[ -n "$pid" ] && kill -9 "$pid"
reap "$client"
crc=$?
t "killing the node's server fails the run (status $crc)" test "$crc" -eq 2
bad=0
for i in $(seq 1 12); do
	h=$(cluster exec node03 sha256sum /tmp/kimg/f$i | cut -c1-64)
	grep -q "^$h  f$i\$" "$W/new.sums" "$W/old.sums" || bad=$((bad + 1))
done
is "$bad" 0 "every file on the node is old or new"
run imgsync -q --force "${RI[@]}" "$W/k" node03:/tmp/kimg
is "$rc" 0 "the next run completes"
is "$(cluster exec node03 rsync -an --delete --checksum -i "$W/k/" /tmp/kimg/)" "" "node03 equals the image"

# --- failures --------------------------------------------------------------------------
cluster kill node05 >/dev/null
run imgsync -q --force -w 'node[04-06]' --failed "$W/failed" "${RI[@]}" "$W/k" /tmp/kimg
is "$rc" 2 "an unreachable node makes the exit status 2"
is "$(cat "$W/failed")" "node05" "--failed lists it"
like "$err" 'node05' "the error names the node"
cluster restart node05 >/dev/null
