#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# SIGINT and SIGTERM mid-run for cexec, cpush, cget and imgsync -w on the
# local test cluster. cexec: a double Ctrl-C exits 130, SIGTERM 143, and the
# remote commands are killed; cpush and cget exit 2 (after a double Ctrl-C or
# SIGTERM); imgsync exits 2 after one SIGINT or SIGTERM. Every case ends by itself (bounded by timeout), names
# the interrupted nodes on stderr, leaves no partial file at a final path and
# no temporary file behind, and no process on the nodes.
source "$CT_TOP/tests/lib.sh"
source "$CT_TOP/tests/cli/faults.inc"
cluster_setup
# stop_it SIG: SIGINT twice (C3's abort) or SIGTERM once to the running tool
first_int_taken() { grep -qs 'still running' "$S/bg.err" || _gone "$bgpid"; }
stop_it() {
	if [ "$1" = INT ]; then
		kill -INT "$bgpid"
		# the first says which nodes still run (cpush --chain stops at once instead)
		wait_for "the tool to say what still runs, or to end" first_int_taken
		_gone "$bgpid" || kill -INT "$bgpid"
	else
		kill -TERM "$bgpid"
	fi
}
remote_left() { # PATTERN: processes on the nodes whose command line matches
	local n
	for n in node01 node02 node03 node04; do node_procs $n "$1"; done
}
all_nodes() { # every node's temp dir entries
	local n
	for n in node01 node02 node03 node04; do node_ls $n /tmp | sed "s/^/$n: /"; done
}

local_growing() { [ "$(du -sk "$S/got" | cut -f1)" -gt 4096 ]; }
sleeps_are() { [ "$(remote_left sleep | wc -l)" -eq "$1" ]; }
no_server() { [ -z "$(remote_left imgsync)" ]; }
for sig in INT TERM; do
	want=$([ $sig = INT ] && echo 130 || echo 143)
	# --- cexec ------------------------------------------------------------------
	bg cexec -w "$ALL" 'exec sleep 41'
	wait_for "4 remote sleep 41 beside the 4 holders" sleeps_are 8 # 4 holders + 4 commands
	stop_it $sig
	bg_wait
	no_hang "cexec, SIG$sig"
	is "$rc" "$want" "cexec: SIG$sig mid-command exits $want"
	like "$err" 'node(0[1-4]|\[0[1-4][-,0-9]*\]).*interrupted' "cexec: SIG$sig: interrupted nodes named on stderr"
	eventually "cexec: SIG$sig: the remote commands are killed" sleeps_are 4

	# --- cpush ------------------------------------------------------------------
	clean_nodes
	bg cpush -w "$ALL" "$W/big" /tmp/big
	wait_for "a cpush temporary file on node01" has_temp node01 /tmp
	stop_it $sig
	bg_wait
	no_hang "cpush, SIG$sig"
	is "$rc" 2 "cpush: SIG$sig mid-push exits 2"
	like "$err" 'node(0[1-4]|\[0[1-4][-,0-9]*\]).*interrupted' "cpush: SIG$sig: interrupted nodes named on stderr"
	is "$(all_nodes | grep -v ': big$')" "" "cpush: SIG$sig: no temporary file left on the nodes"
	for n in node01 node02 node03 node04; do
		s=$(node_size $n /tmp/big)
		[ -z "$s" ] || [ "$s" = "$(stat -c %s "$W/big")" ] || echo "partial /tmp/big on $n: $s"
	done >"$S/partial"
	is "$(cat "$S/partial")" "" "cpush: SIG$sig: /tmp/big whole or absent on every node"

	# --- cget -------------------------------------------------------------------
	clean_nodes
	for n in node01 node02 node03 node04; do cluster exec $n cp "$W/big" /tmp/big; done
	rm -rf "$S/got" && mkdir "$S/got"
	bg cget -w "$ALL" /tmp/big "$S/got"
	wait_for "cget to receive 4 MiB" local_growing
	stop_it $sig
	bg_wait
	no_hang "cget, SIG$sig"
	is "$rc" 2 "cget: SIG$sig mid-gather exits 2"
	like "$err" 'node(0[1-4]|\[0[1-4][-,0-9]*\]).*interrupted' "cget: SIG$sig: interrupted nodes named on stderr"
	is "$(cd "$S/got" && for f in $(ls -A); do cmp -s "$f" "$W/big" || echo "$f"; done)" "" \
		"cget: SIG$sig: only whole files in the target dir, no temporary file"

	# --- imgsync -w ---------------------------------------------------------------
	clean_nodes
	bg imgsync -q "${RI[@]}" -w "$ALL" "$W/img" /tmp/img
	# the sync takes well under a second: hold node01's session as soon as it exists, so the signal lands mid-sync
	wait_for "an sshd session on node01" has_session node01 && freeze node01
	kill -$sig "$bgpid" # one signal: imgsync ends every session (a second one kills it)
	bg_wait
	thaw node01
	no_hang "imgsync -w, SIG$sig"
	is "$rc" 2 "imgsync: SIG$sig mid-sync exits 2"
	like "$err" 'node(0[1-4]|\[0[1-4][-,0-9]*\])' "imgsync: SIG$sig: nodes named on stderr ($(head -c 300 <<<"$err"))"
	for n in node01 node02 node03 node04; do
		cluster exec $n sh -c 'cd /tmp/img 2>/dev/null || exit 0; find . -type f | while read -r f; do cmp -s "$f" "$2/$f" || echo "$1: partial $f"; done' sh $n "$W/img"
	done >"$S/partial"
	is "$(cat "$S/partial")" "" "imgsync: SIG$sig: every file on the nodes whole or absent"
	eventually "imgsync: SIG$sig: no server left running on the nodes" no_server
done

echo "1..$_tap_n"
