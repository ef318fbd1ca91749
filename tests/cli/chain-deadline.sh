#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# cpush --chain when a peer will not keep up, on the local test cluster with
# real relays: every socket has a deadline.
#   - peers without the key trickle a byte every 2 s into a relay's port (from
#     its predecessor's address, more of them than it has handshake slots, and
#     one from an address it was not told about): the relay closes each and
#     says so, and the transfer completes on every node;
#   - the first node's relay, then the last node's, is frozen (SIGSTOP): cpush
#     cuts it out, the others get the whole file, exit 2 naming it;
#   - a successor that accepts the connection and never answers: its
#     predecessor says so and cpush cuts it out at once;
#   - Ctrl-C while the head's feeder connects to an address that drops SYNs
#     (a network namespace made here): cpush stops at once, before the kernel
#     retries the SYN (and long before its own connect deadline).
source "$CT_TOP/tests/lib.sh"
d=$(scratch)
N=5
start_cluster $N --or-skip
nodes=$CT_NODES

# await DESC CMD...: until CMD succeeds (at most 60 s); fails naming DESC
await() {
	local desc=$1 i; shift
	for i in $(seq 1 3000); do "$@" 2>/dev/null && return 0; sleep 0.02; done
	echo "# waited 60 s in vain for: $desc"
	return 1
}
# finished PID: the process has exited
finished() { ! kill -0 "$1" 2>/dev/null; }
# relay_port NODE: the TCP port NODE's ctrelay listens on
relay_port() {
	local p
	p=$(node_procs "$1" ctrelay | head -1)
	[ -n "$p" ] && ss -Htlnp | grep "pid=$p," | awk '{print $4}' | sed 's/.*://' | head -1
}
has_port() { [ -n "$(relay_port "$1")" ]; }
# temp_grows NODE: the node's temporary file of huge holds more than 2 MB
temp_grows() { [ -n "$(find "/proc/$(cluster pid "$1")/root/tmp" -maxdepth 1 -name '.cpush.huge.*' -size +2M | head -1)" ]; }
node_sum() { on "$1" sh -c 'sha256sum < /tmp/huge' 2>/dev/null | cut -d' ' -f1; }
clean_nodes() { local i; for i in $(seq 1 $N); do on $i sh -c 'rm -f /tmp/huge /tmp/.cpush.huge.*'; done; }
# cpush_bg ARGS...: cpush in the background (Ctrl-C and SIGTERM as in a terminal), $cp its pid
cpush_bg() {
	env --default-signal=INT,TERM "$CT_BIN/cpush" "$@" >"$d/out" 2>"$d/err" &
	cp=$!
	at_exit "kill -9 $cp"
}
# cpush_rc: wait (bounded) for cpush's exit: its status in $rc, stderr in $err
cpush_rc() {
	await "cpush to exit" finished "$cp" || kill -9 "$cp"
	wait "$cp"; rc=$?
	err=$(cat "$d/err")
}

head -c 200000000 /dev/zero | tr '\0' x >"$d/huge"
want=$(sha256sum <"$d/huge" | cut -d' ' -f1)

# --- peers without the key trickle into node03's relay port ----------------------
# node05's relay is held (SIGSTOP, well inside the stall time) while they do, so
# the transfer cannot end before node03 has dealt with them; then it goes on.
trickle() { # FROM PORT: connect from FROM, send a byte every 2 s, reconnect when closed
	while :; do
		socat -u SYSTEM:'while printf x; do sleep 2; done' "TCP:127.0.1.3:$2,bind=$1" 2>/dev/null
		sleep 0.2
	done
}
cpush_bg --chain -v -w "$nodes" "$d/huge" /tmp/huge
await "node03's relay listening" has_port node03
port=$(relay_port node03)
pids=
for i in 1 2 3 4 5; do trickle 127.0.1.2 "$port" & pids="$pids $!"; done # node02's address: the predecessor's
trickle 127.0.1.9 "$port" & pids="$pids $!"                                # an address nobody announced
at_exit "kill $pids"
await "node05's temporary file to grow" temp_grows node05
p5=$(node_procs node05 ctrelay)
kill -STOP $p5
at_exit "kill -CONT $p5"
await "node03 to report the slow peers" grep -q 'node03: relay closed a connection from 127.0.1.2: handshake not done' "$d/err"
await "node03 to turn away the stranger" grep -q 'node03: relay closed a connection from 127.0.1.9' "$d/err"
kill -CONT $p5
cpush_rc
kill $pids 2>/dev/null
is "$rc" 0 "slow peers: the transfer completes, exit 0"
for i in $(seq 1 $N); do
	is "$(node_sum $i)" "$want" "slow peers: node0$i has the whole file"
done
like "$err" "node03: relay closed a connection from 127.0.1.2: handshake not done in 2000 ms" \
	"slow peers: node03 closed a peer from its predecessor's address that did not prove the key in time"
like "$err" "node03: relay closed a connection from 127.0.1.9: (not the announced predecessor|too many connections)" \
	"slow peers: node03 closed a peer from an address it was not told about"
like "$err" "node03: relay closed a connection from 127.0.1.2: too many connections in their handshake" \
	"slow peers: node03 keeps at most 4 connections in their handshake"
t "slow peers: no node was cut out" sh -c "! grep -q 'relay lost' '$d/err'"
clean_nodes

# --- the first node's relay frozen: cut out, its successors fed by the head --------
# stopped ARG NODE: cpush stops NODE's relay once its temporary file grows; it is
# let go at the end (it then finds its session gone and leaves)
stopped() {
	local node=$1 p
	cpush_bg --chain -w "$nodes" "$d/huge" /tmp/huge
	await "$node's temporary file to grow" temp_grows "$node"
	p=$(node_procs "$node" ctrelay)
	kill -STOP $p
	cpush_rc
	kill -CONT $p
}
stopped node01
is "$rc" 2 "first relay frozen: exit 2"
like "$err" "node01.*relay lost mid-stream \(stalled" "first relay frozen: node01 is named"
for i in 2 3 4 5; do
	is "$(node_sum $i)" "$want" "first relay frozen: node0$i has the whole file"
done
t "first relay frozen: no file at node01's target" on 1 sh -c '! test -e /tmp/huge'
clean_nodes

stopped node05
is "$rc" 2 "last relay frozen: exit 2"
like "$err" "node05.*relay lost mid-stream \(stalled" "last relay frozen: node05 is named"
for i in 1 2 3 4; do
	is "$(node_sum $i)" "$want" "last relay frozen: node0$i has the whole file"
done
clean_nodes

# --- a successor that accepts but never answers: its predecessor's report cuts it out --
# node03's "relay" says it listens where a silent listener is (a node that took the
# connection and froze); the real ctrelay runs everywhere else
sport=$((40000 + RANDOM % 20000))
silent_listener 127.0.1.3 $sport >"$d/silent" &
at_exit "kill $!"
await "the silent listener" grep -q ready "$d/silent"
wrap=$(scratch /var/tmp)/ctrelay
cat >"$wrap" <<EOS
#!/bin/sh
if [ "\$1" != -V ] && [ "\$(hostname)" = node03 ]; then
	read -r line; echo "ready 127.0.1.3 $sport"
	while read -r line; do [ "\$line" = quit ] && exit 0; done; exit 0
fi
exec "$CT_BIN/ctrelay" "\$@"
EOS
chmod 755 "$wrap"
head -c 9000000 /dev/urandom >"$d/mid"
export CT_RELAY_PATH=$wrap
run cpush --chain -w "$nodes" "$d/mid" /tmp/mid
unset CT_RELAY_PATH
is "$rc" 2 "silent successor: exit 2"
like "$err" "node03.*relay lost mid-stream \(node02 could not feed it: no relay challenge from the peer in 2000 ms\)" \
	"silent successor: node02's report names node03 and cuts it out (not the stall rule)"
same=0
for i in 1 2 4 5; do [ "$(on $i sh -c 'sha256sum < /tmp/mid' | cut -d' ' -f1)" = "$(sha256sum <"$d/mid" | cut -d' ' -f1)" ] && same=$((same + 1)); done
is "$same" 4 "silent successor: every other node has the whole file"

# --- Ctrl-C while connecting to an address that drops SYNs -------------------------
# The namespace's veth end has no address: what is routed to $bh through it is
# dropped there (no forwarding), and counted.
ns=ctdl$$ hv=ctdlh$$ bh=10.251.77.6
ip netns add $ns
at_exit "ip netns del $ns; ip link del $hv"
ip link add $hv type veth peer name eth0 netns $ns
sysctl -qw net.ipv6.conf.$hv.disable_ipv6=1
ip netns exec $ns sysctl -qw net.ipv6.conf.eth0.disable_ipv6=1
ip addr add 10.251.77.1/30 dev $hv
ip link set $hv up
ip -n $ns link set eth0 up
mac=$(ip -n $ns -o link show eth0 | grep -o 'link/ether [0-9a-f:]*' | cut -d' ' -f2)
ip route add $bh/32 dev $hv
ip neigh replace $bh lladdr "$mac" dev $hv nud permanent
syns() { ip netns exec $ns cat /sys/class/net/eth0/statistics/rx_packets; }
some_syn() { [ "$(syns)" -ge 1 ]; }
# a relay that says it listens at the black hole (cpush runs CT_RELAY_PATH on the nodes)
fake=$(scratch /var/tmp)/ctrelay
cat >"$fake" <<EOS
#!/bin/sh
[ "\$1" = -V ] && { echo '$("$CT_BIN/ctrelay" -V)'; exit 0; }
read -r line
echo "ready $bh 9"
while read -r line; do [ "\$line" = quit ] && exit 0; done
EOS
chmod 755 "$fake"
is "$(syns)" 0 "black hole: nothing received yet"
export CT_RELAY_PATH=$fake
cpush_bg --chain -w "$nodes" "$d/huge" /tmp/huge
unset CT_RELAY_PATH
await "the head's first SYN to the black hole" some_syn
kill -INT "$cp"
cpush_rc
is "$rc" 2 "Ctrl-C during a connect: exit 2"
like "$err" "interrupted" "Ctrl-C during a connect: the nodes are reported interrupted"
t "Ctrl-C during a connect: the connect did not run into its own deadline" \
	sh -c "! grep -q 'cannot connect' '$d/err'"
# the kernel sends the SYN again 1 s after the first: cpush was gone by then
is "$(syns)" 1 "Ctrl-C during a connect: cpush let go of the connect before the SYN was sent again"
