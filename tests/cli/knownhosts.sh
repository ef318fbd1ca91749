#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# cexec --known-hosts FILE: an ssh_known_hosts of the nodes that answer, each
# node's key as this run checked it, named by the node list's name, the
# address reached and what the node calls itself (plain names only). The
# oracle is OpenSSH: ssh with only FILE as its known hosts reaches a node by
# each of those names with strict checking. A stopped node is reported and
# left out; --host-keys off is refused.
source "$CT_TOP/tests/lib.sh"
need_root
need_cmd ssh
start_cluster 3
S=$(scratch)
addr() { getent hosts "$1" | awk '{print $1; exit}'; }
# the node's own public host key, "TYPE BASE64"
hostkey() { cut -d' ' -f1-2 "${CT_TESTBED:-/run/ct-testbed}/keys/${1#node0}.pub"; }
# ssh_only_file NAME: OpenSSH reaches NAME with FILE as its only known hosts, strict
ssh_only_file() {
	ssh -F "$CT_SSH_CONFIG" -o BatchMode=yes -o StrictHostKeyChecking=yes -o UserKnownHostsFile="$S/kh" \
		-o GlobalKnownHostsFile=/dev/null -o HostKeyAlias="$1" "$2" true 2>&1
}

run cexec --known-hosts "$S/kh" -w 'node[01-03]'
is "$rc:$out" "0:" "--known-hosts: exit 0, nothing on stdout"
is "$(wc -l <"$S/kh")" 3 "one line per node"
for n in node01 node02 node03; do
	line=$(grep "^$n," "$S/kh")
	is "$(cut -d' ' -f2- <<<"$line")" "$(hostkey "$n")" "$n: its own host key"
	is "$(cut -d' ' -f1 <<<"$line")" "$n,$(addr "$n")" "$n: named by its list name and its address (its hostname is the same; the addresses every node has are left out)"
done
is "$(cut -d, -f1 "$S/kh" | tr '\n' ' ')" "node01 node02 node03 " "in node-list order"
is "$(ssh_only_file node02 node02)" "" "OpenSSH, strict, with only FILE: node02 by name"
is "$(ssh_only_file "$(addr node03)" node03)" "" "OpenSSH, strict, with only FILE: node03 by its address"

# names a node gives for itself are untrusted: not a wildcard or a list, not another
# node's name, not one every node has (loopback testbed: the same addresses in every node)
sethost() { on "$1" sh -c 'printf %s "$1" >/proc/sys/kernel/hostname' sh "$2"; }
at_exit "sethost node02 node02; sethost node01 node01"
sethost node02 'evil,*'
run cexec --known-hosts "$S/kh" -w 'node[01-03]'
is "$(grep -c '[*]\|evil' "$S/kh")" 0 "a node calling itself 'evil,*' adds no name"
sethost node02 node03
sethost node01 solo01
run cexec --known-hosts "$S/kh" -w 'node[01-03]'
is "$(grep "^node02," "$S/kh" | cut -d' ' -f1)" "node02,$(addr node02)" "node02 calling itself node03: not named node03"
is "$(grep "^node03," "$S/kh" | cut -d' ' -f1)" "node03,$(addr node03)" "... node03 still is"
is "$(grep "^node01," "$S/kh" | cut -d' ' -f1)" "node01,$(addr node01),solo01" "a name only node01 gives: kept"
sethost node02 node02
sethost node01 node01

run cexec --known-hosts "$S/kh" --host-keys off -w node01
is "$rc" 1 "--known-hosts with --host-keys off: refused (exit 1)"
like "$err" "host-keys off" "... and says why"

ino=$(stat -c %i "$S/kh")
cluster kill node03
run cexec --known-hosts "$S/kh" -w 'node[01-03]'
is "$rc" 2 "a stopped node: exit 2"
like "$err" "node03" "... named on stderr"
is "$(cut -d, -f1 "$S/kh" | tr '\n' ' ')" "node01 node02 " "... and left out of the file"
t "the file was replaced, not rewritten in place (new inode)" test "$(stat -c %i "$S/kh")" != "$ino"
