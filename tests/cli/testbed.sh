#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The local test cluster itself: 4 nodes, each its own hostname over OpenSSH,
# a private /tmp, kill/restart, and stop leaves nothing behind.
source "$CT_TOP/tests/lib.sh"
need_root
# start and stop are what this test checks: it calls the testbed directly, not start_cluster
at_exit "cluster stop"
t "cluster start 4" cluster start 4
eval "$(cluster env)"
is "$CT_NODES" "node[01-04]" "env names the nodes"

names=""
for i in 1 2 3 4; do
	n=node0$i
	names+="$(ssh -F "$CT_SSH_CONFIG" "$n" hostname) "
done
is "$names" "node01 node02 node03 node04 " "each node answers hostname with its own name over OpenSSH"

ssh -F "$CT_SSH_CONFIG" node01 'echo secret > /tmp/ct-testbed-private'
run ssh -F "$CT_SSH_CONFIG" node01 cat /tmp/ct-testbed-private
is "$out" "secret" "a file in node01's /tmp is there for node01"
run ssh -F "$CT_SSH_CONFIG" node02 'ls /tmp/ct-testbed-private'
t "node02 does not see it (private /tmp)" [ "$rc" -ne 0 ]
t "the host does not see it either" [ ! -e /tmp/ct-testbed-private ]
is "$(cluster exec node03 hostname)" "node03" "cluster exec enters the node's namespaces"
t "cluster pid names a live process" kill -0 "$(cluster pid node02)"
like "$(getent hosts node04)" "^127\.0\.1\.4 +node04" "names are in /etc/hosts"

cluster kill node02
run ssh -F "$CT_SSH_CONFIG" -o ConnectTimeout=3 node02 true
t "a killed node refuses ssh" [ "$rc" -ne 0 ]
cluster restart node02
run ssh -F "$CT_SSH_CONFIG" node02 'hostname; ls /tmp'
is "$(without_checkout <<<"$out")" "node02" "after restart node02 answers again, same namespaces"

ns1=$(readlink "/proc/$(cluster pid node01)/ns/mnt")
cluster stop
t "stop removes the state" [ ! -e /run/ct-testbed ]
t "stop removes the /etc/hosts lines" bash -c '! grep -q ct-testbed /etc/hosts'
left=$(find /proc/[0-9]*/ns/mnt -maxdepth 0 -printf '%l\n' 2>/dev/null | grep -cx "$ns1")
is "$left" "0" "no process is left in a node's namespace"
t "stop twice is fine" cluster stop
