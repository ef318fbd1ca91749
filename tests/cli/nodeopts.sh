#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The node options every C3 tool shares select the same nodes: --list
# connects to nothing.
source "$(dirname "$0")/../lib.sh"
d=$(scratch)
printf 'cluster a {\n  head\n  n[01-06]\n  exclude 3\n}\ncluster b {\n  bh\n  m[1-3]\n}\n' >"$d/c3.conf"
want=$'n01\nn02\nn04\nn05\nn06\nadmin@m2\nadmin@m3'
for tool in cexec cget cpush imgsync; do
	if [[ $tool == imgsync ]]; then # imgsync takes definitions with --cluster
		run $tool --list -f "$d/c3.conf" --cluster :0-5 --cluster admin@b:1-2 /tmp/x
	else
		run $tool --list -f "$d/c3.conf" :0-5 admin@b:1-2 /tmp/x
	fi
	is "$out" "$want" "$tool: machine definitions select the same nodes"
	is "$rc" 0 "$tool: exit 0"
	run $tool --list -w 'r[1-2]n[01-02]' -x r2n01 /tmp/x
	is "$out" $'r1n01\nr1n02\nr2n02' "$tool: -w host list minus the excluded node"
done
run cpush --list-nodes -w 'r[1-2]n[01-02]' --exclude-nodes r2n01 /tmp/x
is "$out" $'r1n01\nr1n02\nr2n02' "cpush: the old --list-nodes and --exclude-nodes still work"
run cexec --list -f "$d/c3.conf" nosuch:1 true
is "$rc" 1 "an unknown cluster is a usage error"
like "$err" "unknown cluster 'nosuch'" "... and says which"
run cexec --list -w 'n[1-' true
is "$rc" 1 "a bad host list is a usage error"
like "$err" "missing '\]'" "... and says what is wrong"
