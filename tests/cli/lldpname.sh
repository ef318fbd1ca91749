#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# lldpname live: two "switch" network namespaces, each running its own lldpd
# (own control socket, tx-interval 1, a system name), joined by veth pairs to
# a "node" namespace where lldpname listens:
#
#   sw1: swp12 (lldpd, leaf01) <-> node: eth1
#   sw2: swp12 (lldpd, leaf02) <-> node: eth2
#
# Port ID as interface name, as a local value with the name in the port
# description, as a MAC with a description, CDP (lldpd -cc), two switch names
# mapped to two offsets, the name within 2 s, exit 3 and 4, --set, and a
# capture recorded with tcpdump read back with --pcap.
source "$CT_TOP/tests/lib.sh"
need_root
need_cmd lldpd lldpcli ip

d=$(scratch)
chmod 711 "$d" # lldpcli is setuid _lldpd: it must reach the control sockets in here
id=ln$$
node=$id-node
for ns in $id-sw1 $id-sw2 $node; do
	ip netns add "$ns" || skip_all "cannot create network namespaces"
	at_exit "ip netns del $ns"
	ip -n "$ns" link set lo up
done

# cable SWITCH-NS NODE-IF: a veth pair, swp12 on the switch side
cable() {
	ip link add "$id-a" type veth peer name "$id-b" &&
		ip link set "$id-a" netns "$1" && ip -n "$1" link set "$id-a" name swp12 &&
		ip -n "$1" link set swp12 up &&
		ip link set "$id-b" netns "$node" && ip -n "$node" link set "$id-b" name "$2" &&
		ip -n "$node" link set "$2" up
}
cable "$id-sw1" eth1 || skip_all "cannot create veth pairs"
cable "$id-sw2" eth2

# lldpd_start NAME SWITCH-NS HOSTNAME [LLDPD-OPTIONS] -- [LLDPCLI-COMMAND;]...
# Starts lldpd paused (no lldpcli at start-up), configures it, then resumes.
lldpd_start() {
	local name=$1 ns=$2 host=$3
	shift 3
	local opts=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do opts+=("$1"); shift; done
	shift
	local o ifopt=(-I swp12)
	for o in "${opts[@]}"; do [ "$o" = -I ] && ifopt=(); done
	ip netns exec "$ns" lldpd -d "${opts[@]}" "${ifopt[@]}" -u "$d/$name.sock" -L "" >"$d/$name.log" 2>&1 &
	local pid=$!
	eval "pid_$name=$pid"
	at_exit "kill $pid"
	wait_for "lldpd $name's control socket" test -S "$d/$name.sock"
	lldpctl_ "$name" "$ns" configure system hostname "$host"
	lldpctl_ "$name" "$ns" configure lldp tx-interval 1
	local cmd
	for cmd in "$@"; do
		# shellcheck disable=SC2086
		lldpctl_ "$name" "$ns" $cmd
	done
	lldpctl_ "$name" "$ns" resume
}
lldpctl_() {
	local name=$1 ns=$2
	shift 2
	ip netns exec "$ns" lldpcli -u "$d/$name.sock" "$@" >>"$d/$name.cli.log" 2>&1 ||
		echo "# lldpcli $* failed: $(tail -1 "$d/$name.cli.log")"
}
lldpd_stop() {
	local pid
	eval "pid=\$pid_$1"
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	rm -f "$d/$1.sock" "$d/$1.sock.lock"
}
in_node() { ip netns exec "$node" "$@"; }

cat >"$d/lldpname.conf" <<'EOF'
[leaf01]
template = node-%02d
[leaf02]
template = node-%02d
offset = 48
EOF
cat >"$d/portdesc.conf" <<'EOF'
[leaf01]
source = portdesc
template = node-%02d
EOF
conf=$d/lldpname.conf

# --- port ID as interface name; two switches, two offsets -----------------
lldpd_start s1 "$id-sw1" leaf01 -- "configure lldp portidsubtype ifname"
in_node tcpdump -i eth1 -c 1 -U -w "$d/recorded.pcap" ether proto 0x88cc >/dev/null 2>&1 &
tcpdump_pid=$!
at_exit "kill $tcpdump_pid"
# -t 3600: lldpname must leave on the first frame; if it waited out -t, timeout kills it (124)
run timeout "$CT_WAIT" ip netns exec "$node" lldpname -c "$conf" -I eth1 -t 3600
is "$out" node-12 "port ID ifname swp12 on leaf01 -> node-12"
is "$rc" 0 "exit 0 when named: on the first frame, not at the end of -t 3600"
run in_node lldpname -c "$conf" -t 10
is "$out" node-12 "without -i: listens on every up Ethernet interface"

lldpd_start s2 "$id-sw2" leaf02 -- "configure lldp portidsubtype ifname"
run in_node lldpname -c "$conf" -I eth2 -t 10
is "$out" node-60 "leaf02 swp12 -> node-60 (offset 48)"
run in_node lldpname -c "$conf" -I eth1 -t 10
is "$out" node-12 "leaf01 swp12 -> node-12 (offset 0)"
run in_node lldpname -c "$conf" -I eth1 -t 10 --json
like "$out" '"port_id":"swp12","port_id_subtype":"ifname".*"system_name":"leaf01".*"hostname":"node-12"' "--json: neighbour and hostname"
run in_node lldpname -c "$conf" -I eth2 -t 10 --show
like "$out" 'System Name: leaf02' "--show: system name"
like "$out" 'Port ID: ifname swp12' "--show: port ID"
like "$out" 'Hostname: node-60' "--show: hostname"

# --set inside the node's own UTS namespace; /etc/hostname replaced by a scratch file
run in_node unshare --uts sh -c "lldpname -c '$conf' -I eth2 -t 10 --set --hostname-file '$d/hostname' && hostname"
is "$out" "node-60
node-60" "--set: the hostname is set"
is "$(cat "$d/hostname" 2>/dev/null)" node-60 "--set: the hostname file is written"

# the node runs lldpd too: its own outgoing frames never name it
lldpd_start self "$node" node-self -I eth1 -- "configure lldp portidsubtype ifname"
run in_node lldpname -c "$conf" -I eth1 -t 2.5 --show --all
like "$out" 'System Name: leaf01' "with lldpd on the node: leaf01's frames seen"
is "$(grep -c node-self <<<"$out")" 0 "with lldpd on the node: its own frames are not captured"
lldpd_stop self

# no rule matches: exit 4 naming the switch and the port
printf '[spine*]\ntemplate = node-%%02d\n' >"$d/spine.conf"
run in_node lldpname -c "$d/spine.conf" -I eth1 -t 10
is "$rc" 4 "frames but no rule: exit 4"
like "$err" 'switch leaf01 .*port swp12' "exit 4 message names the switch and port"

# a capture tcpdump recorded from lldpd reads back the same
wait_gone "$tcpdump_pid" # tcpdump -c 1 leaves after its frame
run lldpname -c "$conf" --pcap "$d/recorded.pcap"
is "$out" node-12 "a tcpdump recording of lldpd gives the same name with --pcap"
lldpd_stop s1
lldpd_stop s2

# --- no frame within -t: exit 3 --------------------------------------------
start=${EPOCHREALTIME/./}
run in_node lldpname -c "$conf" -I eth1 -t 1
ms=$(((${EPOCHREALTIME/./} - start) / 1000))
is "$rc" 3 "no frame within -t 1: exit 3"
like "$err" 'no valid LLDP or CDP frame on eth1 within 1 s' "exit 3 message"
t "exit 3 not before -t 1 is out ($ms ms)" test "$ms" -ge 1000

# --- port ID a local value, the name in the port description ----------------
lldpd_start s1 "$id-sw1" leaf01 -- "configure ports swp12 lldp portidsubtype local 517" \
	"configure ports swp12 lldp portdescription ge-0/0/12"
run in_node lldpname -c "$d/portdesc.conf" -I eth1 -t 10 --json
like "$out" '"port_id":"517","port_id_subtype":"local","port_description":"ge-0/0/12"' "local port ID 517, description ge-0/0/12"
like "$out" '"hostname":"node-12"' "source = portdesc: ge-0/0/12 -> node-12"
lldpd_stop s1

# --- port ID a MAC address, the name in the port description ----------------
lldpd_start s1 "$id-sw1" leaf01 -- "configure lldp portidsubtype macaddress" \
	"configure ports swp12 lldp portdescription Ethernet1/12"
run in_node lldpname -c "$d/portdesc.conf" -I eth1 -t 10
is "$out" node-12 "MAC port ID, description Ethernet1/12 -> node-12"
run in_node lldpname -c "$conf" -I eth1 -t 10
is "$rc" 4 "MAC port ID with source = portid: exit 4"
like "$err" 'port ID is a MAC address' "... saying why"
lldpd_stop s1

# --- CDP only (lldpd -cc forces CDPv1, -ll disables LLDP) -------------------
ip -n "$id-sw1" addr add 192.0.2.1/24 dev swp12
lldpd_start s1 "$id-sw1" leaf01 -cc -ll --
run in_node lldpname -c "$conf" -I eth1 -t 10 --show
like "$out" 'via CDP' "CDP frame received"
like "$out" 'Device-ID: leaf01' "CDP Device-ID"
like "$out" 'Port-ID: swp12' "CDP Port-ID"
like "$out" 'Platform: Linux' "CDP Platform"
like "$out" 'Addresses: ipv4 192.0.2.1' "CDP Addresses"
like "$out" 'Hostname: node-12' "CDP leaf01 swp12 -> node-12"
lldpd_stop s1
