#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Faults on the local test cluster for cexec, cpush, cget and imgsync -w:
# a node's sshd killed mid-command, mid-push and mid-sync; a node that
# accepts TCP but never speaks SSH; a node whose sshd stalls (SIGSTOP)
# mid-transfer; a full disk on a node. Every case must end by itself (each
# run is bounded by timeout: 124 = hang) with exit status 2, name the failed
# node on stderr, complete the other nodes, and leave no partial file at a
# final path (cpush's documented .cpush.*.tmp may stay only on a node whose
# session died; imgsync writes O_TMPFILE files that vanish with the process).
source "$CT_TOP/tests/lib.sh"
source "$CT_TOP/tests/cli/faults.inc"
cluster_setup
head -c 4M /dev/urandom >"$W/four"
echo small >"$W/small"
mkdir -p "$W/img2/etc"
for i in $(seq 1 50); do echo "file $i" >"$W/img2/etc/f$i"; done
cp "$W/four" "$W/img2/four"
same_on() { # NODE REMOTE LOCAL: REMOTE on NODE is identical to LOCAL
	cluster exec "$1" cmp -s "$2" "$3"
}
# every regular file under /tmp/img on NODE is whole (identical to the image's)
img_whole() {
	cluster exec "$1" sh -c 'cd /tmp/img 2>/dev/null || exit 0; find . -type f | while read -r f; do cmp -s "$f" "$1/$f" || echo "partial: $f"; done' sh "$W/img"
}

# --- sshd killed mid-command (cexec) -----------------------------------------------
# each command says it started, then waits for $W/go (made once node02's sshd is dead)
bg cexec -w "$ALL" "echo start; touch $W/started.\$(hostname); until [ -e $W/go ]; do sleep 0.1; done; echo end"
wait_for "node02's command to start" test -e "$W/started.node02"
kill_sshd node02
touch "$W/go"
bg_wait
no_hang "cexec, node02's sshd killed mid-command"
is "$rc" 2 "cexec: exit 2 when a node's sshd dies mid-command"
like "$err" 'cexec: node02: ' "cexec: node02 reported on stderr ($(head -c 200 <<<"$err"))"
is "$(grep -c '^end$' <<<"$out")" 3 "cexec: the three other nodes ran to the end"
cluster restart node02

# --- sshd killed mid-push (cpush) ------------------------------------------------------
clean_nodes
bg cpush -w 'node[01-02]' "$W/big" /tmp/big
wait_for "a cpush temporary file on node02" has_temp node02 /tmp && kill_sshd node02
bg_wait
no_hang "cpush, node02's sshd killed mid-push"
is "$rc" 2 "cpush: exit 2 when a node's sshd dies mid-push"
like "$err" 'cpush: node02' "cpush: node02 reported on stderr"
is "$(node_size node02 /tmp/big)" "" "cpush: no file at the target path on node02"
t "cpush: node01 got the whole file" same_on node01 /tmp/big "$W/big"
cluster restart node02

# --- sshd killed mid-sync (imgsync -w) -----------------------------------------------------
clean_nodes
base=$(tmp_used node02)
bg imgsync -q "${RI[@]}" -w 'node[01-02]' "$W/img" /tmp/img
node_growing() { [ $(($(tmp_used node02) - base)) -gt 16384 ]; }
wait_for "imgsync to write 16 MiB on node02" node_growing && kill_sshd node02
bg_wait
no_hang "imgsync -w, node02's sshd killed mid-sync"
is "$rc" 2 "imgsync: exit 2 when a node's sshd dies mid-sync"
like "$err" 'node02' "imgsync: node02 reported on stderr ($(head -c 200 <<<"$err"))"
is "$(img_whole node02)" "" "imgsync: every file on node02 is whole or absent"
is "$(cluster exec node01 cmp /tmp/img/data/big "$W/img/data/big" 2>&1)" "" "imgsync: node01 synced"
no_server() { [ -z "$(node_procs node02 imgsync)" ]; }
eventually "imgsync: no server left running on node02" no_server
cluster restart node02

# --- a node that accepts TCP and never speaks SSH -----------------------------------------------
clean_nodes
cluster kill node03
silent_listener 127.0.1.3 22 >"$S/listener" &
lpid=$!
at_exit "kill $lpid"
wait_line "$S/listener" ready
mkdir -p "$S/got"
silent_case() { # TOOL ARGS...
	local tool=$1
	bg "$@"
	bg_wait
	no_hang "$tool -t 2 against a silent node"
	is "$rc" 2 "$tool: exit 2 with a silent node"
	like "$err" "node03.*(timed out|timeout)" "$tool: node03 reported as timed out"
	like "$err" "node03: connect timed out after 2 s" "$tool: gave up on node03 at the connect timeout -t 2 (its report)"
}
silent_case cexec -t 2 -w "$ALL" true
silent_case cpush -t 2 -w "$ALL" "$W/small" /tmp/small
is "$(node_size node01 /tmp/small)" 6 "cpush: the other nodes got the file"
silent_case cget -t 2 -w "$ALL" /etc/hostname "$S/got"
is "$(ls -A "$S/got" | tr '\n' ' ')" "hostname_node01 hostname_node02 hostname_node04 " "cget: the other nodes' files, nothing else"
silent_case imgsync -q -t 2 "${RI[@]}" -w "$ALL" "$W/img2" /tmp/img2
t "imgsync: the other nodes synced" same_on node04 /tmp/img2/four "$W/four"
kill "$lpid" 2>/dev/null
wait "$lpid" 2>/dev/null
cluster restart node03

# --- a node that stalls mid-transfer (its sshd session SIGSTOPped) ------------------------------------
clean_nodes
# node02's command outlives -u 4 (its session is frozen anyway); the others answer at once
bg cexec -u 4 -w "$ALL" '[ "$(hostname)" != node02 ] || sleep 30; echo done'
wait_for "an sshd session on node02" has_session node02 && freeze node02
bg_wait
thaw node02
no_hang "cexec -u 4, node02 stalled"
is "$rc" 2 "cexec: exit 2 with a stalled node"
like "$err" 'node02.*timed out' "cexec: node02 reported as timed out"
is "$(grep -c '^done$' <<<"$out")" 3 "cexec: the other nodes answered"

clean_nodes
bg cpush -u 5 -w 'node[01-02]' "$W/big" /tmp/big
wait_for "a cpush temporary file on node02" has_temp node02 /tmp && freeze node02
bg_wait
thaw node02
no_hang "cpush -u 5, node02 stalled mid-push"
is "$rc" 2 "cpush: exit 2 with a stalled node"
like "$err" 'node02.*timed out' "cpush: node02 reported as timed out"
is "$(node_size node02 /tmp/big)" "" "cpush: no file at the target path on node02"
t "cpush: node01 got the whole file" same_on node01 /tmp/big "$W/big"

clean_nodes
cluster exec node02 cp "$W/big" /tmp/big
rm -rf "$S/got" && mkdir "$S/got"
bg cget -u 5 -w 'node[01-02]' /tmp/big "$S/got"
local_growing() { [ "$(du -sk "$S/got" | cut -f1)" -gt 4096 ]; }
wait_for "cget to receive 4 MiB" local_growing && freeze node02
bg_wait
thaw node02
no_hang "cget -u 5, node02 stalled mid-transfer"
is "$rc" 2 "cget: exit 2 with a stalled node"
like "$err" 'node02.*timed out' "cget: node02 reported as timed out"
like "$err" 'node01.*(No such file|not found)' "cget: node01 without the file reported"
is "$(ls -A "$S/got")" "" "cget: no partial or temporary file left locally"

# SIGTERM while a peer is frozen: cget has nothing to tidy on the node, so it must not wait on it
cluster exec node02 cp "$W/big" /tmp/big
bg cget -v -w 'node[01-02]' /tmp/big "$S/got"
wait_for "cget to receive 4 MiB" local_growing && freeze node02
kill -TERM "$bgpid"
bg_wait
thaw node02
no_hang "cget, SIGTERM with node02 stalled"
is "$rc" 2 "cget: SIGTERM with a stalled node exits 2"
# node01 (no such file) may not have answered yet under load: then it is folded in with node02
like "$err" "cget: node(02|\[01-02\]): interrupted" "cget: SIGTERM with a stalled node: node02 reported interrupted"
# cget -v says when it waited on a node: at the end of the abort grace, or closing SFTP politely
is "$(grep 'no answer' <<<"$err")" "" "cget: SIGTERM with a stalled node: its connection cut at once, cget never waits on it"

clean_nodes
# imgsync moves 160 MiB to a node in well under a second: freeze node02's
# session as soon as it exists, so imgsync is sending into a frozen peer
bg imgsync -q -u 5 "${RI[@]}" -w 'node[01-02]' "$W/img" /tmp/img
wait_for "an sshd session on node02" has_session node02 && freeze node02
bg_wait
thaw node02
no_hang "imgsync -u 5 -w, node02 stalled mid-sync"
is "$rc" 2 "imgsync: exit 2 with a stalled node"
like "$err" 'node02.*timed out' "imgsync: node02 reported as timed out ($(grep node02 <<<"$err" | head -c 200))"
is "$(img_whole node02)" "" "imgsync: every file on the stalled node02 is whole or absent"
is "$(cluster exec node01 cmp /tmp/img/data/big "$W/img/data/big" 2>&1)" "" "imgsync: node01 synced"
kill -9 $(node_sessions node02) 2>/dev/null

# --- a full disk on a node -------------------------------------------------------------------
clean_nodes
for n in node01 node02 node03 node04; do cluster exec $n mkdir /tmp/full; done
cluster exec node02 mount -t tmpfs -o size=1m ct-full /tmp/full
bg cpush -w "$ALL" "$W/four" /tmp/full/four
bg_wait
no_hang "cpush to a full disk"
is "$rc" 2 "cpush: exit 2 when a node's disk is full"
like "$err" 'node02.*(space|quota|full|Failure)' "cpush: node02 reported ($(grep node02 <<<"$err" | head -c 200))"
is "$(node_ls node02 /tmp/full)" "" "cpush: nothing left on the full node (no partial, no temp)"
t "cpush: the other nodes got the file" same_on node04 /tmp/full/four "$W/four"

bg imgsync -q "${RI[@]}" -w "$ALL" "$W/img2" /tmp/full/img
bg_wait
no_hang "imgsync to a full disk"
is "$rc" 2 "imgsync: exit 2 when a node's disk is full"
like "$err" 'node02.*(space|full)' "imgsync: node02 reported ($(grep node02 <<<"$err" | head -c 200))"
is "$(cluster exec node02 sh -c 'cd /tmp/full/img 2>/dev/null && find . -type f | while read -r f; do cmp -s "$f" "$1/$f" || echo "partial: $f"; done' sh "$W/img2")" "" \
	"imgsync: every file on the full node is whole or absent"
t "imgsync: the other nodes synced" same_on node03 /tmp/full/img/four "$W/four"
cluster exec node02 umount /tmp/full

echo "1..$_tap_n"
