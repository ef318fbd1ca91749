#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# cpush --chain end-to-end on the local test cluster: a file, several files
# and a -r tree land byte-identical (sha256, mode, mtime on every node) in
# both modes; -n names the mode and the rule; a relay killed mid-stream is
# cut out (the others complete, that node is reported, exit 2, no file at
# its target); a node without the relay gets it uploaded and removed; a
# connection to a relay port without the key is closed and nothing is
# written, while what the head's key signs does land (that one needs no
# cluster).
source "$CT_TOP/tests/lib.sh"
d=$(scratch)

# --- a relay refuses a peer without the key (local, no cluster) --------------
hex32() { head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n'; }
key=$(hex32) head_seed=$(hex32)
mkdir -p "$d/refuse"
coproc RELAY { cd "$d/refuse" && exec "$CT_BIN/ctrelay"; }
echo "start $key $("$CT_BIN/relay_rogue" pubkey "$head_seed") tagref 127.0.0.1" >&"${RELAY[1]}"
read -r -t "$CT_WAIT" ready raddr rport <&"${RELAY[0]}"
is "$ready $raddr" "ready 127.0.0.1" "relay: listens on the address it is given"
# a peer that answers the challenge with garbage, then sends a would-be frame
{ head -c 40 >/dev/null; head -c 32 /dev/urandom; printf '\001\000\000\000\000'; head -c 200 /dev/urandom; } \
	<>/dev/tcp/127.0.0.1/"$rport" >&0 2>/dev/null &
read -r -t "$CT_WAIT" what peer rest <&"${RELAY[0]}"
is "$what $peer $rest" "closed 127.0.0.1 peer does not hold the transfer key" \
	"relay: a peer without the key is closed, reported as a drop, never as a content refusal"
is "$(ls -A "$d/refuse"; find /tmp -maxdepth 1 -name '.cpush.*tagref*')" "" "relay: nothing written for it (no file, no temporary)"
# the positive control: the same relay, the same check, a peer with the key sending what
# the head's key signed (relay_rogue given the head's signing key)
out=$(RELAY_ROGUE_SEED=$head_seed "$CT_BIN/relay_rogue" forge 127.0.0.1 "$rport" "$key" "$d/refuse/signed" 2>&1)
like "$out" "resume 0 0" "relay: still serves after the stranger, and takes a peer with the key"
wait_file "$d/refuse/signed"
is "$(ls -A "$d/refuse")" signed "relay: what the head's key signed lands (the check above sees a write)"
echo quit >&"${RELAY[1]}"
reap "$RELAY_PID" 2>/dev/null
is "$?" 0 "relay: leaves on quit"

N=5
start_cluster $N --or-skip
nodes=$CT_NODES

leftovers() { # temporary files and uploaded relays left on the nodes
	local i
	for i in $(seq 1 $N); do on $i sh -c 'find /tmp -name ".cpush.*" -o -name ".ctrelay.*"' 2>/dev/null; done | wc -l
}

# --- -n: the mode and its rule ------------------------------------------------
head -c 9000000 /dev/urandom >"$d/big"; chmod 640 "$d/big"; touch -d '2022-02-02 02:02:02' "$d/big"
echo small >"$d/small"
run cpush -n -w "$nodes" "$d/big" /tmp/big
like "$out" "mode: chain \($N nodes, 8.6 MiB" "-n: 9 MB to $N nodes goes by the chain"
run cpush -n -w "$nodes" "$d/small" /tmp/small
like "$out" "mode: direct \($N nodes, 0.0 MiB; the chain needs at least 4 nodes and 8 MiB\)" "-n: a small file goes direct"
run cpush -n -w node01,node02 "$d/big" /tmp/big
like "$out" "mode: direct \(2 nodes" "-n: two nodes go direct"
run cpush -n --direct -w "$nodes" "$d/big" /tmp/big
like "$out" "mode: direct \(--direct\)" "-n --direct"
run cpush -n --chain -w node01 "$d/small" /tmp/small
like "$out" "mode: chain \(--chain\)" "-n --chain"

# --- one file, both modes -----------------------------------------------------
for mode in --chain --direct; do
	run cpush $mode -w "$nodes" "$d/big" /tmp/big$mode
	is "$rc" 0 "$mode one file: exit 0${err:+ ($err)}"
	same_on_all "$d/big" /tmp/big$mode "$mode one file: same sha256, mode and mtime on every node"
done
ino=$(on 1 stat -c %i /tmp/big--chain)
run cpush --chain -w "$nodes" "$d/big" /tmp/big--chain
is "$rc/$(on 1 stat -c %i /tmp/big--chain)" "0/$ino" "--chain: an unchanged file is left alone"
json_field() { # FIELD: sum of that field over the --json lines in $out
	printf '%s\n' "$out" | sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p" | awk '{s+=$1} END {print s+0}'
}
run cpush --chain -b --json -w "$nodes" "$d/big" /tmp/big--chain
is "$rc" 0 "--chain -b: exit 0${err:+ ($err)}"
t "--chain -b: written again (new inode)" test "$(on 1 stat -c %i /tmp/big--chain)" != "$ino"
is "$(json_field sent)/$(json_field unchanged)/$(json_field bytes)" "$N/0/$((9000000 * N))" "--chain --json: the chain's files count as sent"
same_on_all "$d/big" /tmp/big--chain "--chain -b: content, mode and mtime right"

# --- several files, both modes ------------------------------------------------
head -c 3000000 /dev/urandom >"$d/a"; echo beta >"$d/b"; chmod 600 "$d/b"; : >"$d/empty"
for mode in --chain --direct; do
	for i in $(seq 1 $N); do on $i mkdir -p /tmp/many$mode; done
	run cpush $mode -w "$nodes" "$d/a" "$d/b" "$d/empty" /tmp/many$mode
	is "$rc" 0 "$mode several files: exit 0${err:+ ($err)}"
	for f in a b empty; do same_on_all "$d/$f" /tmp/many$mode/$f "$mode several files: $f"; done
done

# --- -r tree with --exclude and a symlink, both modes ---------------------------
mkdir -p "$d/tree/sub/deep" "$d/tree/emptydir"
echo one >"$d/tree/one"; echo obj >"$d/tree/x.o"; head -c 2500000 /dev/urandom >"$d/tree/sub/deep/blob"
chmod 711 "$d/tree/sub"; ln -s one "$d/tree/link"; touch -d '2020-01-01' "$d/tree/sub/deep"
listing() { (cd "$1" && find . -printf '%p %y %m %l\n' | LC_ALL=C sort); }
want=$(listing "$d/tree" | grep -v 'x\.o')
for mode in --chain --direct; do
	run cpush $mode -r -w "$nodes" --exclude '*.o' "$d/tree" /tmp/tree$mode
	is "$rc" 0 "$mode -r tree: exit 0${err:+ ($err)}"
	for i in 1 $N; do
		is "$(on $i sh -c "cd /tmp/tree$mode && find . -printf '%p %y %m %l\n' | LC_ALL=C sort")" "$want" \
			"$mode -r tree on node $i: same names, types, modes, links; *.o excluded"
	done
	same_on_all "$d/tree/sub/deep/blob" /tmp/tree$mode/sub/deep/blob "$mode -r tree: deep file identical"
	is "$(on $N stat -c %Y /tmp/tree$mode/sub/deep)" "$(stat -c %Y "$d/tree/sub/deep")" "$mode -r tree: directory mtime kept"
done
is "$(leftovers)" 0 "no temporary files or relays left on the nodes"

# --- two chains; the relays' addresses picked by --relay-net ---------------------
run cpush --chain --chains 2 -w "$nodes" "$d/a" /tmp/two-chains
is "$rc" 0 "--chains 2: exit 0${err:+ ($err)}"
same_on_all "$d/a" /tmp/two-chains "--chains 2: the file landed everywhere"
run cpush --chain --relay-net 127.0.0.0/8 -w "$nodes" "$d/a" /tmp/relay-net
is "$rc" 0 "--relay-net 127.0.0.0/8: exit 0${err:+ ($err)}"
same_on_all "$d/a" /tmp/relay-net "--relay-net: the file landed everywhere"
# a documentation range (RFC 5737) in which no node has an address: the nodes may
# share the host's network namespace, and the host may use one of them
for i in $(seq 1 $N); do on $i ip -o -4 addr show; done >"$d/node-addrs"
unused=
for net in 203.0.113 198.51.100 192.0.2; do
	grep -q " inet ${net//./\\.}\." "$d/node-addrs" || { unused=$net.0/24; break; }
done
t "a TEST-NET range no node has an address in (${unused:-none})" test -n "$unused"
run cpush --chain --relay-net "$unused" -w "$nodes" "$d/a" /tmp/relay-net-none
is "$rc" 0 "--relay-net without a matching address: the nodes go direct${err:+ ($err)}"
like "$err" "no relay \(relay did not start: fail cannot listen on ${unused//./\\.}" "--relay-net without a matching address: said"

# --- a node without the relay gets it uploaded, and it goes again -------------
run env CT_RELAY_PATH=/nonexistent/ctrelay cpush -v --chain -w "$nodes" "$d/a" /tmp/uploaded
is "$rc" 0 "missing relay: exit 0${err:+ ($err)}"
like "$err" "node01: uploading ctrelay to /tmp/\.ctrelay\." "missing relay: uploaded over SFTP (-v says so)"
same_on_all "$d/a" /tmp/uploaded "missing relay: the file landed everywhere"
is "$(leftovers)" 0 "missing relay: the uploaded copies are gone"
like "$err" "chain: relays running on $N nodes after [0-9.]+ s; first node done [0-9.]+ s later, last [0-9.]+ s later" \
	"-v says where the chain's time went (start, first and last node done)"

# --- a relay killed mid-stream: cut out, the others complete -------------------
# temp_grown DIR: huge's temporary file in DIR is past 2 MB (the chain is mid-stream)
temp_grown() { [ -n "$(find "$1" -maxdepth 1 -name '.cpush.huge.*' -size +2M 2>/dev/null | head -1)" ]; }
head -c 200000000 /dev/zero | tr '\0' x >"$d/huge"
on 2 sh -c 'rm -f /tmp/huge'
# node02's relay (only it: the nodes share the pid namespace) is killed once its
# temporary file grows; node02's /tmp is seen through its holder's root
n2tmp=/proc/$(cluster pid node02)/root/tmp
(
	_wait_until temp_grown "$n2tmp" || exit 1
	p=$(node_procs node02 ctrelay)
	[ -n "$p" ] && kill -KILL $p
) &
killer=$!
run cpush --chain -w "$nodes" "$d/huge" /tmp/huge
t "killed relay: node02's relay was killed mid-stream" wait $killer
is "$rc" 2 "killed relay: exit 2"
like "$err" "node02.*relay lost mid-stream" "killed relay: node02 is reported"
t "killed relay: no file at node02's target" on 2 sh -c '! test -e /tmp/huge'
want=$(sha256sum <"$d/huge" | cut -d' ' -f1)
for i in 1 3 4 5; do
	is "$(on $i sh -c 'sha256sum < /tmp/huge' | cut -d' ' -f1)" "$want" "killed relay: node0$i has the whole file"
done
for i in $(seq 1 $N); do on $i sh -c 'rm -f /tmp/huge /tmp/.cpush.huge.*'; done

# --- a relay that stalls (SIGSTOP) is cut out after 20 s --------------------------
n3tmp=/proc/$(cluster pid node03)/root/tmp
(
	_wait_until temp_grown "$n3tmp" || exit 1
	p=$(node_procs node03 ctrelay)
	[ -n "$p" ] && kill -STOP $p
) &
stopper=$!
run cpush --chain -w "$nodes" "$d/huge" /tmp/huge
t "stalled relay: node03's relay was stopped mid-stream" wait $stopper
p3=$(node_procs node03 ctrelay)
[ -z "$p3" ] || kill -CONT $p3 # it finds its session gone and leaves
is "$rc" 2 "stalled relay: exit 2"
like "$err" "node03.*relay lost mid-stream \(stalled" "stalled relay: node03 is reported"
t "stalled relay: no file at node03's target" on 3 sh -c '! test -e /tmp/huge'
for i in 1 2 4 5; do
	is "$(on $i sh -c 'sha256sum < /tmp/huge' | cut -d' ' -f1)" "$want" "stalled relay: node0$i has the whole file"
done
no_temp3() { [ "$(on 3 sh -c 'ls /tmp/.cpush.huge.* 2>/dev/null' | wc -l)" = 0 ]; }
eventually "stalled relay: its temporary file is gone once it runs again" no_temp3
for i in $(seq 1 $N); do on $i sh -c 'rm -f /tmp/huge /tmp/.cpush.huge.*'; done


# --- SIGTERM mid-chain: every relay stops and removes its temporary file --------
n1tmp=/proc/$(cluster pid node01)/root/tmp
timeout -k 5 120 env --default-signal=INT,TERM "$CT_BIN/cpush" --chain -q -w "$nodes" "$d/huge" /tmp/huge \
	>"$d/term.out" 2>"$d/term.err" &
cp_pid=$!
wait_for "node01's temporary file to pass 2 MB" temp_grown "$n1tmp"
cp_child=$(pgrep -P $cp_pid | head -1)
kill -TERM "${cp_child:-$cp_pid}"
wait $cp_pid
rc=$?
is "$rc" 2 "SIGTERM mid-chain: cpush exits 2"
no_relay() {
	local i
	for i in $(seq 1 $N); do [ -z "$(node_procs "$(printf 'node%02d' $i)" ctrelay)" ] || return 1; done
}
eventually "SIGTERM mid-chain: no relay left running on any node" no_relay
is "$(for i in $(seq 1 $N); do on $i sh -c 'ls /tmp/huge /tmp/.cpush.huge.* 2>/dev/null'; done | wc -l)" 0 \
	"SIGTERM mid-chain: no temporary and no partial file on any node"
for i in $(seq 1 $N); do on $i sh -c 'rm -f /tmp/huge /tmp/.cpush.huge.*'; done
