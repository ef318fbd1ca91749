#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Failing nodes are seen (issue 16): cexec reports non-zero exits, signals,
# timeouts and unreachable nodes on stderr in every output mode, folded like
# clush ("cexec: node[03,07]: exited with exit code 3"), with the C3/clush
# exit status; cpush, cget and imgsync -w name every failed node on stderr
# even with -q, and count the nodes. Progress lines are drawn on a terminal
# (a pseudo-terminal from script(1)) and never through a pipe: cpush, cget,
# mkchroot --vnfs.
source "$CT_TOP/tests/lib.sh"
need_root
need_cmd script jq
start_cluster 8 --or-skip
S=$(scratch /var/tmp)
export MKCHROOT_TEMPLATES=$CT_TOP/etc/mkchroot.d
ALL='node[01-08]'
# exit 3 on node03 and node07, a normal line everywhere
FAIL37='h=$(hostname); echo $h; case $h in node03|node07) exit 3;; esac'
# on a terminal: CMD... in a pseudo-terminal, its output (stdout and stderr) in $out, $rc its status
tty_run() {
	out=$(script -qe -c "$(printf '%q ' "$@")" /dev/null </dev/null)
	rc=$?
}

# --- cexec: exit 3 on two nodes, every output mode ---------------------------------
blocks=$(for i in $(seq 1 8); do printf -- '--------- node%02d---------\nnode%02d\n' "$i" "$i"; done)
run cexec -w "$ALL" "$FAIL37"
is "$out" "$blocks" "C3 blocks: stdout unchanged"
is "$rc" 0 "exit 3 on two nodes: exit 0 (C3/clush)"
like "$err" "^cexec: node\[03,07\]: exited with exit code 3$" "C3 blocks: the failing nodes folded on stderr"
like "$err" "cexec: 8 nodes: 6 ok, 2 failed" "... and counted"
for mode in -p -b --json; do
	run cexec "$mode" -w "$ALL" "$FAIL37"
	like "$rc: $err" "^0: cexec: node\[03,07\]: exited with exit code 3" "$mode: folded stderr line, exit 0"
done
run cexec -b -w "$ALL" "$FAIL37"
like "$out" "node03 \(exit 3\)" "-b keeps the exit code in the group header"
run cexec --json -w "$ALL" "$FAIL37"
is "$(jq -r 'select(.exit == 3) | .node' <<<"$out" | tr '\n' ' ')" "node03 node07 " "--json: exit 3 in the objects"
run cexec -S -w "$ALL" "$FAIL37"
is "$rc" 3 "-S: the largest remote status"
run cexec -w "$ALL" true
is "$rc: $err" "0: " "all fine: nothing on stderr"
tty_run cexec -w 'node[01-02]' hostname
is "$(tr -d '\r' <<<"$out")" $'--------- node01---------\nnode01\n--------- node02---------\nnode02' \
	"all fine on a terminal: the C3 blocks alone"

# --- cexec: a signal, a timeout, unreachable nodes ------------------------------------
run cexec -w 'node[04-06]' 'case $(hostname) in node05) kill -9 $$;; esac; true'
like "$err" "^cexec: node05: killed by signal 9 \(KILL\)$" "signal: named with its number"
is "$rc" 0 "signal: exit 0 without -S"
run cexec -u 1 -w 'node[02-04]' sleep 30
like "$err" "^cexec: node\[02-04\]: timed out after 1 s: command killed$" "timeout: folded and named"
is "$rc" 2 "timeout: exit 2"
cluster kill node06 >/dev/null
run cexec -p -w "$ALL" "$FAIL37"
like "$err" "cexec: node06: .*refused" "unreachable node on stderr"
like "$err" "cexec: node\[03,07\]: exited with exit code 3" "... next to the exit codes"
like "$err" "cexec: 8 nodes: 5 ok, 3 failed" "... counted"
is "$rc" 2 "unreachable node: exit 2"
is "$(grep -c node06 <<<"$err")" 1 "the unreachable node is reported once"

# --- cpush, cget, imgsync -w: a failed node even with -q -------------------------------
echo alpha >"$S/a"
run cpush -q -w "$ALL" "$S/a" /tmp/a
is "$rc" 2 "cpush -q, node06 down: exit 2"
like "$err" "^cpush: node06: .*refused" "cpush -q: node06 on stderr"
unlike() { if grep -qE -- "$2" <<<"$1"; then _fail "$3"; echo "#   got: $1"; else _pass "$3"; fi; }
unlike "$err" "nodes: " "cpush -q: no count line"
run cpush -w "$ALL" "$S/a" /tmp/a
like "$err" "cpush: 8 nodes: 7 ok, 1 failed" "cpush: the count line"
on 2 sh -c 'mkdir -p /tmp/ro && chmod 755 /tmp/ro'
on 3 sh -c 'mkdir -p /tmp/ro && chmod 755 /tmp/ro'
for i in 1 4; do on $i sh -c 'mkdir -p /tmp/ro && chown cttest /tmp/ro'; done
run cpush -q --user cttest -w 'node[01-04]' "$S/a" /tmp/ro/a
is "$rc" 2 "cpush -q, unwritable target on two nodes: exit 2"
like "$err" "cpush: node02: /tmp/ro/a: Permission denied" "cpush -q: the path error names the node"
like "$err" "^cpush: node\[02-03\]: 1 path failed" "cpush -q: the failed nodes folded"
run cget -q -w "$ALL" /tmp/a "$S/got"
is "$rc" 2 "cget -q, node06 down: exit 2"
like "$err" "^cget: node06: .*refused" "cget -q: node06 on stderr"
unlike "$err" "nodes: " "cget -q: no count line"
is "$(ls "$S/got" | wc -l)" 7 "cget: the other nodes' files"
mkdir -p "$S/img/etc" "$S/img/usr"
echo x >"$S/img/etc/x"
run imgsync -q --remote-imgsync "$CT_BIN/imgsync" -w 'node[05-07]' "$S/img" /tmp/img
is "$rc" 2 "imgsync -q, node06 down: exit 2"
like "$err" "^imgsync: node06: " "imgsync -q: node06 on stderr"
is "$(grep -c node06 <<<"$err")" 1 "imgsync: node06 reported once"
cluster restart node06 >/dev/null

# --- progress: on a terminal, not through a pipe ---------------------------------------
head -c 8M /dev/urandom >"$S/big"
tty_run cpush --direct -w "$ALL" "$S/big" /tmp/big
like "$out" $'\rcpush  .* / 64.0 MiB' "cpush on a terminal: a progress line (bytes of the total)"
like "$out" "[0-9]+/8 files  [0-9]/8 nodes" "cpush on a terminal: files and nodes"
like "$out" "cpush: 8 nodes: 8 ok" "cpush on a terminal: the count line"
is "$rc" 0 "cpush on a terminal: exit 0"
run sh -c "cpush --direct -w '$ALL' '$S/big' /tmp/big 2>&1 | cat"
is "$out" "" "cpush through a pipe: nothing"
tty_run cpush --direct -q -w "$ALL" "$S/big" /tmp/big
is "$out" "" "cpush -q on a terminal: nothing"
# the broadcast chain (the default from 4 nodes and 8 MiB) draws the same line
tty_run cpush --chain -w "$ALL" "$S/big" /tmp/bigc
like "$out" $'\rcpush  .* / 64.0 MiB' "cpush --chain on a terminal: a progress line (bytes of the total)"
like "$out" "cpush: 8 nodes: 8 ok" "cpush --chain on a terminal: the count line"
is "$rc" 0 "cpush --chain on a terminal: exit 0"
run sh -c "cpush --chain -w '$ALL' '$S/big' /tmp/bigc2 2>&1 | cat"
is "$out" "" "cpush --chain through a pipe: nothing"
tty_run cget -w "$ALL" /tmp/big "$S/gotbig"
like "$out" $'\rcget  .*[0-9]+ files  [0-9]/8 nodes' "cget on a terminal: a progress line"
run sh -c "cget -w '$ALL' /tmp/big '$S/gotbig2' 2>&1 | cat"
is "$out" "" "cget through a pipe: nothing"
mkdir -p "$S/root/usr/bin" "$S/root/etc"
cp "$S/big" "$S/root/usr/bin/big"
tty_run mkchroot --vnfs "$S/v.cpio.gz" --exclude-from /dev/null "$S/root"
like "$out" $'\rpacking  .* / 8.0 MiB' "mkchroot --vnfs on a terminal: packing bytes of the tree's size"
is "$rc" 0 "mkchroot --vnfs on a terminal: exit 0"
run sh -c "mkchroot --vnfs '$S/v2.cpio.gz' --exclude-from /dev/null '$S/root' 2>&1 | cat"
is "$out" "" "mkchroot --vnfs through a pipe: nothing"
t "the image is the same either way" cmp "$S/v.cpio.gz" "$S/v2.cpio.gz"
