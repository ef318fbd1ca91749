#!/usr/bin/env bash
# The node options every C3 tool shares select the same nodes: --list
# (cpush: --list-nodes, its --list is the file list) connects to nothing.
source "$(dirname "$0")/../lib.sh"
d=$(scratch)
printf 'cluster a {\n  head\n  n[01-06]\n  exclude 3\n}\ncluster b {\n  bh\n  m[1-3]\n}\n' >"$d/c3.conf"
want=$'n01\nn02\nn04\nn05\nn06\nadmin@m2\nadmin@m3'
for tool in cexec cget "cpush --list-nodes" "imgsync --list"; do
	opt=--list
	case $tool in cpush*|imgsync*) opt= ;; esac
	if [[ $tool == imgsync* ]]; then # imgsync takes definitions with -c
		run $tool -f "$d/c3.conf" -c :0-5 -c admin@b:1-2 /tmp/x
	else
		run $tool $opt -f "$d/c3.conf" :0-5 admin@b:1-2 /tmp/x
	fi
	is "$out" "$want" "${tool%% *}: machine definitions select the same nodes"
	is "$rc" 0 "${tool%% *}: exit 0"
	run $tool $opt -w 'r[1-2]n[01-02]' -x r2n01 /tmp/x
	case $tool in cpush*) want_w=$'r1n01\nr1n02\nr2n01\nr2n02' ;; *) want_w=$'r1n01\nr1n02\nr2n02' ;; esac
	[[ $tool == cpush* ]] && run $tool $opt -w 'r[1-2]n[01-02]' --exclude-nodes r2n01 /tmp/x && want_w=$'r1n01\nr1n02\nr2n02'
	is "$out" "$want_w" "${tool%% *}: -w host list minus the excluded node"
done
run cexec --list -f "$d/c3.conf" nosuch:1 true
is "$rc" 1 "an unknown cluster is a usage error"
like "$err" "unknown cluster 'nosuch'" "... and says which"
run cexec --list -w 'n[1-' true
is "$rc" 1 "a bad host list is a usage error"
like "$err" "missing '\]'" "... and says what is wrong"
