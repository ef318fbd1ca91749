#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# cpush, cget and imgsync to the nodes of a C3 indirect cluster
# (cluster far { :GATEWAY }): the nodes come from the gateway's own c3.conf
# and are reached through the gateway's sshd. The head runs in a network
# namespace whose one way out is node01 (tests/cli/isolated.inc), so a file
# that lands on node02..node05 went through the gateway.
source "$CT_TOP/tests/lib.sh"
source "$CT_TOP/tests/cli/isolated.inc"
start_cluster 5
S=$(scratch)
H=$S/home
private_home "$H"
printf 'Host *\n    User root\n' >"$H/.ssh/config"
isolate_head node01

printf 'cluster inner {\n  node01\n  node[02-05]\n  exclude 4\n}\n' | cluster_gateway node01
printf 'cluster far {\n  :%s\n}\n' "$JUMP" >"$S/c3.conf"
sum() { sha256sum | cut -d' ' -f1; }

run inns cpush -f "$S/c3.conf" --list far:
is "$out" $'node02\nnode03\nnode05' "--list: the nodes behind the gateway (its c3.conf, its exclude), not the gateway"
run inns cpush -f "$S/c3.conf" --list far:1-3
is "$out" $'node03\nnode05' "a definition with positions is read on the gateway's c3.conf"

head -c 200000 /dev/urandom >"$S/blob"
run inns cpush -f "$S/c3.conf" --json far: "$S/blob" /tmp/ct-gw-blob
is "$rc" 0 "cpush through the gateway: exit 0"
is "$(jq -r '[.cluster, .node, .ok] | join(" ")' <<<"$out" | sort)" \
	$'far node02 true\nfar node03 true\nfar node05 true' "cpush --json: one result per node behind the gateway"
want=$(sum <"$S/blob")
for n in 02 03 05; do
	is "$(on node$n cat /tmp/ct-gw-blob | sum)" "$want" "cpush: node$n has the file (sha256)"
done
is "$(on node01 sh -c 'test -e /tmp/ct-gw-blob && echo there || echo absent')" absent \
	"cpush: nothing was written on the gateway"

mkdir "$S/got"
run inns cget -f "$S/c3.conf" far: /tmp/ct-gw-blob "$S/got"
is "$rc" 0 "cget through the gateway: exit 0"
is "$(find "$S/got" -type f | wc -l)" 3 "cget: one copy per node"
bad=0
for f in $(find "$S/got" -type f); do [ "$(sum <"$f")" = "$want" ] || bad=$((bad + 1)); done
is "$bad" 0 "cget: every copy has the sha256 of what was pushed"

on node03 mv /tmp/ct-gw-blob /tmp/ct-gw-gone
run inns cget -f "$S/c3.conf" far: /tmp/ct-gw-blob "$S/got2"
is "$rc" 2 "cget: a node behind the gateway without the file: exit 2"
like "$err" "node03" "... the failure names that node"

mkdir -p "$S/img/etc" "$S/img/usr/bin"
echo image >"$S/img/etc/motd"
head -c 100000 /dev/urandom >"$S/img/usr/bin/tool"
run inns imgsync -q -f "$S/c3.conf" --cluster far: --remote-imgsync "$CT_BIN/imgsync" "$S/img" /tmp/ct-gw-img
is "$rc" 0 "imgsync through the gateway: exit 0 ($err)"
want=$(sum <"$S/img/usr/bin/tool")
for n in 02 03 05; do
	is "$(on node$n cat /tmp/ct-gw-img/usr/bin/tool | sum)" "$want" "imgsync: node$n holds the image (sha256)"
done

printf 'cluster far {\n  :%s\n}\n' "$JUMP" >"$S/c3.conf"
on node01 sh -c 'echo "cluster broken {" >/etc/c3.conf'
run inns cpush -f "$S/c3.conf" far: "$S/blob" /var/tmp/x
like "$err" "cluster far: gateway $JUMP: $JUMP:c3.conf:" "a broken c3.conf on the gateway is named"
is "$rc" 1 "... exit 1"
for n in 02 03 05; do on node$n rm -rf /tmp/ct-gw-blob /tmp/ct-gw-gone /tmp/ct-gw-img; done
