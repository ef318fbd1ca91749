#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The front door of the node tools (cexec, cexecs, cpush, cget, imgsync):
# usage errors name the option and value and exit 1, -V/--version, range
# checks, machine definitions that do not parse, the -x rule, empty users,
# --failed checked before any node is contacted (a listener's log of
# connections shows it), --json for --list and -n, imgsync -lUSER staying
# single-node, 40000 nodes listed. The last
# part, on a small test cluster: --failed lists nodes that exited non-zero.
source "$(dirname "$0")/../lib.sh"
d=$(scratch)
printf 'cluster local {\n  head\n  n[1-6]\n}\ncluster b {\n  bh\n  m[1-3]\n}\n' >"$d/c3.conf"
export C3_CONF=$d/c3.conf
bad=no-such-host.invalid
first() { printf '%s' "${1%%$'\n'*}"; } # the message, without the usage lines
# node "counted" is a silent listener that logs each connection: whether a tool
# contacted a node is read from its log, in order (HOME's ssh_config points there)
silent_listener 127.0.0.1 0 >"$d/counted.log" &
at_exit "kill $!"
wait_line "$d/counted.log" '^ready [0-9]+$'
CH=$d/counthome
mkdir -p "$CH/.ssh" "$d/srcdir" "$d/got"
printf 'Host counted\n  HostName 127.0.0.1\n  Port %s\n' "$(sed -n 's/^ready //p' "$d/counted.log")" >"$CH/.ssh/config"
: >"$d/x"
echo img >"$d/srcdir/file" # imgsync checks the image (--force: not a root tree) before any node
contacts() { grep -c '^connection$' "$d/counted.log"; }
contacted() { [ "$(contacts)" -ge "$1" ]; }
ncontacts=0

# --- per tool: version, numbers, host lists, --failed ------------------------
for tool in cexec cexecs cpush cget imgsync; do
	args=(/tmp/x /tmp/y)
	[ "$tool" = cexec ] || [ "$tool" = cexecs ] && args=(true)
	for v in -V --version; do
		run $tool $v
		is "$rc/$out" "0/$tool 0.1.0" "$tool $v"
	done
	run $tool -F abc -w n1 "${args[@]}"
	is "$rc/$(first "$err")" "1/$tool: -F abc: not a number" "$tool: -F abc names option and value, exit 1"
	run $tool -F 0 -w n1 "${args[@]}"
	like "$rc/$err" "^1/$tool: -F 0: out of range \(1 to 100000\)" "$tool: -F 0 out of range"
	run $tool -t abc -w n1 "${args[@]}"
	like "$rc/$err" "^1/$tool: -t abc: not a number" "$tool: -t abc"
	run $tool --connect-timeout abc -w n1 "${args[@]}"
	like "$rc/$err" "^1/$tool: --connect-timeout abc: not a number" "$tool: --connect-timeout abc: the name as typed"
	run $tool -t 0 -w n1 "${args[@]}"
	like "$rc/$err" "^1/$tool: -t 0: out of range" "$tool: -t 0 out of range"
	run $tool -u -5 -w n1 "${args[@]}"
	like "$rc/$err" "^1/$tool: -u -5: out of range" "$tool: -u -5 out of range"
	run $tool --host-keys maybe -w n1 "${args[@]}"
	like "$rc/$err" "^1/$tool: --host-keys maybe: not one of strict, accept-new or off" "$tool: --host-keys maybe"
	run $tool --no-such-option -w n1 "${args[@]}"
	like "$rc/$err" "^1/$tool: --no-such-option: unknown option" "$tool: unknown option"
	run $tool --list -w @moo
	like "$rc/$err" "^1/$tool: -w: bad host list '@moo': @moo: unknown group" "$tool: -w @moo is an error (an unknown group)"
	run $tool --list -w 'n[1-3]' -x @n1
	like "$rc/$err" "^1/$tool: -x: bad host list '@n1': @n1: unknown group" "$tool: -x @n1 is an error (an unknown group)"
	# -x: "host" whatever the user, "user@host" only that login user
	run $tool --list -w 'bob@n[1-3]' -x n1
	is "$out" $'bob@n2\nbob@n3' "$tool: -w bob@n[1-3] -x n1 removes bob@n1"
	run $tool --list -w 'n[1-3]' -x bob@n1
	is "$out" $'n1\nn2\nn3' "$tool: -w n[1-3] -x bob@n1 keeps n1 (no login user bob)"
	run $tool --list -w 'n[1-3]' --user bob -x bob@n1
	is "$out" $'bob@n2\nbob@n3' "$tool: -w n[1-3] --user bob -x bob@n1 removes it"
	run $tool --list --json -w 'bob@n[1-2]'
	is "$out" $'{"node":"n1","cluster":null,"user":"bob"}\n{"node":"n2","cluster":null,"user":"bob"}' \
		"$tool: --list --json, one object per node"
	case $tool in
	cexec | cexecs) good=(true) ;;
	cpush) good=("$d/x" /tmp/y) ;;
	cget) good=(/tmp/x "$d/got") ;;
	imgsync) good=(--force "$d/srcdir" /tmp/y) ;;
	esac
	run env HOME="$CH" $tool -t 1 --failed /nonexistent/dir/f -w counted "${good[@]}"
	like "$rc/$err" "^1/$tool: --failed /nonexistent/dir/f: /nonexistent/dir: No such file or directory" \
		"$tool: --failed to a missing directory fails"
	# the same run with a --failed it can write does contact the node: the log sees it
	run env HOME="$CH" $tool -t 1 --failed "$d/failed" -w counted "${good[@]}"
	ncontacts=$((ncontacts + 1))
	wait_for "$tool -w counted to show in the listener's log" contacted $ncontacts
	is "$(contacts)" $ncontacts "$tool: ... before contacting any node (the node's log shows only the run with a good --failed)"
	run timeout 20 $tool --failed "$d" -w $bad "${args[@]}"
	like "$rc/$err" "^1/$tool: --failed $d: is a directory" "$tool: --failed DIRECTORY fails"
done

# --- machine definitions: leading words shaped like one must parse ----------
run cexec :1-4x uptime
is "$rc/$(first "$err")" "1/cexec: bad range '1-4x' in machine definition ':1-4x'" "cexec :1-4x uptime: error, exit 1"
run cexec local:2-3,a uptime
is "$rc/$(first "$err")" "1/cexec: bad position 'a' in machine definition 'local:2-3,a'" "cexec local:2-3,a: error"
run cexec @local:1 uptime
like "$rc/$err" "^1/cexec: empty user in machine definition '@local:1'" "cexec @local:1: empty user"
run cexec -n :0-1 echo a:b
is "$rc/$out" $'0/local n1: echo a:b\nlocal n2: echo a:b' "a def-like word after the command is the command's"
run cexec -n echo :1
is "$(first "$out")/$(wc -l <<<"$out")" "local n1: echo :1/6" "no leading definition: the default cluster, ':1' is an argument"
run cexec -n 'PATH=/a:/b' env
like "$rc/$out" "^0/local n1: PATH=/a:/b env" "a word with '/' after ':' is never a definition"
run cpush :1-4x /etc/hostname /tmp/
like "$rc/$err" "^1/cpush: bad range '1-4x'" "cpush: a bad definition is an error"
run cget b:9-x /etc/hostname
like "$rc/$err" "^1/cget: bad range '9-x'" "cget: a bad definition is an error"
run imgsync --cluster :1-4x /tmp/x
like "$rc/$err" "^1/imgsync: bad range '1-4x'" "imgsync --cluster: a bad definition is an error"

# --- -n and --json ----------------------------------------------------------
run cexec -n --json -w 'n[1-2]' --user root uptime
is "$out" $'{"node":"n1","cluster":null,"user":"root","command":"uptime"}\n{"node":"n2","cluster":null,"user":"root","command":"uptime"}' \
	"cexec -n --json: node, cluster, user, command"
run cexec -n --json b:1 uptime
like "$out" '^\{"node":"m2","cluster":"b","user":null,"command":"uptime"\}$' "cexec -n --json with a machine definition names the cluster"
echo hi >"$d/f"
run cpush -n --json -w n1 "$d/f" /tmp/f
like "$out" '^\{"node":"n1","cluster":null,"user":null,"copies":\[\{"source":"[^"]*/f","target":"/tmp/f","type":"file"\}\]\}$' \
	"cpush -n --json: what each node would get"
run cget -n --json -w n1 /etc/hostname "$d/out"
is "$out" "{\"node\":\"n1\",\"cluster\":null,\"user\":null,\"source\":\"/etc/hostname\",\"path\":\"$d/out/hostname_n1\"}" \
	"cget -n --json: where each node's file would go"

# --- tool-specific numbers and choices --------------------------------------
for tool in cpush cget; do
	run $tool --chunk 0 -w n1 /etc/hostname /tmp/
	is "$rc/$(first "$err")" "1/$tool: --chunk 0: out of range (1 to 16384)" "$tool --chunk 0"
	run $tool --chunk 1x -w n1 /etc/hostname /tmp/
	is "$rc/$(first "$err")" "1/$tool: --chunk 1x: not a number" "$tool --chunk 1x"
done
run cget --layout tree -w n1 /etc/hostname
is "$rc/$(first "$err")" "1/cget: --layout tree: not one of flat or dir" "cget --layout tree"

# --- imgsync -lUSER is a login user, not many-node mode --------------------
mkdir -p "$d/src/etc" "$d/src/usr"
echo img >"$d/src/etc/img"
run env C3_CONF=/nonexistent imgsync -lwill -q "$d/src" "$d/dst"
is "$rc/$(first "$err")" "0/" "imgsync -lwill SRC DST: one local sync, c3.conf never read"
is "$(cat "$d/dst/etc/img" 2>&1)" img "... and it synced"

# --- 40000 nodes (its speed is bench/'s to measure) ----------------------------
run cexec --list -w 'n[1-40000]' -x n7
is "$(wc -l <<<"$out")/$rc" "39999/0" "--list of 40000 nodes minus one"

# --- --failed lists the nodes that exited non-zero (test cluster) ----------
start_cluster 3 --or-skip
run cexec --failed "$d/failed" -w "$CT_NODES" 'case $(hostname) in node02) exit 3;; esac'
is "$rc" 0 "a non-zero remote exit is not a failure of cexec (C3: exit 0)"
is "$(cat "$d/failed")" node02 "--failed lists the node that exited non-zero"
run cexec -S --failed "$d/failed" -w "$CT_NODES" true
is "$rc/$(cat "$d/failed")" "0/" "--failed is empty when every node succeeded"
echo "1..$_tap_n"
