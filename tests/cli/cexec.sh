#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# cexec end to end on a 32-node local cluster: formats, c3.conf selection,
# dead and hung nodes, timeouts that kill, host keys, --stdin, big output,
# -S, --failed, indirect clusters through a gateway node.
source "$CT_TOP/tests/lib.sh"
need_root
need_cmd jq
start_cluster 32
S=$(scratch)
nodes() { seq -f 'node%02g' "$@"; }

# --- formats ---------------------------------------------------------------
want=$(for n in $(nodes 1 32); do printf -- '--------- %s---------\n%s\n' "$n" "$n"; done)
run cexec -w 'node[01-32]' hostname
is "$out" "$want" "C3 blocks: every node's own name once, in node order"
is "$rc" 0 "exit 0"

run cexec -p -w 'node[01-32]' hostname
is "$(sort <<<"$out")" "$(for n in $(nodes 1 32); do echo "$n: $n"; done)" "--pipe: one 'NODE: name' line per node"

run cexec -b -w 'node[01-32]' 'echo same; hostname | cut -c1-4'
is "$out" $'----------------\nnode[01-32]\n----------------\nsame\nnode' "--gather folds identical output under one node list"
run cexec -b -w 'node[01-03]' hostname
is "$out" $'----------------\nnode01\n----------------\nnode01\n----------------\nnode02\n----------------\nnode02\n----------------\nnode03\n----------------\nnode03' "--gather keeps different output apart"

run cexec --json -w 'node[01-32]' 'hostname; echo warn >&2; exit 3'
is "$(jq -r '[.node, (.stdout|rtrimstr("\n")), (.stderr|rtrimstr("\n")), .exit, .error] | @tsv' <<<"$out" | sort)" \
	"$(for n in $(nodes 1 32); do printf '%s\t%s\twarn\t3\t\n' "$n" "$n"; done)" \
	"--json: node, stdout, stderr, exit, error for each node"
is "$(jq -s 'map(select(.seconds >= 0 and .cluster == null and .signal == null and .ok == false)) | length' <<<"$out")" 32 \
	"--json: seconds, cluster, signal, ok false for exit 3"
run cexec --json -w 'node[01-02]' "printf 'a\\377\\376b'"
is "$(jq -r '[.ok, .stdout, (.stdout_base64 | @base64d | length)] | @tsv' <<<"$out" 2>&1 | sort -u)" \
	"$(printf 'true\ta\357\277\275\357\277\275b\t4')" \
	"--json: bytes that are not UTF-8 parse with jq: U+FFFD in stdout, the exact bytes in stdout_base64"
is "$(jq -r '.stdout_base64' <<<"$out" | head -1 | base64 -d | od -An -tx1 | tr -d ' ')" "61fffe62" \
	"--json: stdout_base64 holds the exact bytes"

# --- c3.conf selection -----------------------------------------------------
cat >"$S/c3.conf" <<'EOF'
cluster alpha {
    node01                # head node
    node[02-11]           # positions 0-9
    exclude 4             # node04, position 2
    exclude [07-08]       # positions 5 and 6
    dead node12           # position 10
    node13                # position 11
}
cluster beta {
    node32:node32
    node[20-24]
}
EOF
sel() { cexec -f "$S/c3.conf" --json "$@" 'hostname; id -un' | jq -r '[.cluster, (.stdout|split("\n")|.[0:2]|join("/"))] | join(" ")' | tr '\n' ' '; }
is "$(sel)" "alpha node02/root alpha node03/root alpha node05/root alpha node06/root alpha node09/root alpha node10/root alpha node11/root alpha node13/root " "default cluster: excluded and dead nodes skipped"
is "$(sel :0-3)" "alpha node02/root alpha node03/root alpha node05/root " "positions :0-3 (position 2 excluded)"
is "$(sel :9-11)" "alpha node11/root alpha node13/root " "positions :9-11 (position 10 dead)"
is "$(sel alpha:0 beta:1-2)" "alpha node02/root beta node21/root beta node22/root " "several clusters"
is "$(sel --head)" "alpha node01/root " "--head: the head node"
is "$(sel --all --head)" "alpha node01/root beta node32/root " "--all --head: every head node"
is "$(sel cttest@beta:0 alpha:1)" "beta node20/cttest alpha node03/root " "user@ logs in as that user"
is "$(C3_USER=cttest sel beta:4)" "beta node24/cttest " "C3_USER"
is "$(sel -x node03,node05 :0-4)" "alpha node02/root alpha node06/root " "-x removes nodes from a selection"
is "$(C3_CONF=$S/c3.conf cexec --list beta:)" "$(nodes 20 24)" "--list with C3_CONF"
run cexec -f "$S/c3.conf" :0-1 hostname
is "$out" $'************************* alpha *************************\n--------- node02---------\nnode02\n--------- node03---------\nnode03' "C3 blocks start with the cluster line"
run cexec -f "$S/c3.conf" -p beta:0 hostname
is "$out" "beta node20: node20" "--pipe prefixes CLUSTER NODE: for C3 selections"
run cexec -f "$S/c3.conf" gamma: true
is "$rc" 1 "unknown cluster: exit 1"
like "$err" "unknown cluster 'gamma'" "... with a message naming it"
run cexec -n -w 'node[01-02]' uptime
is "$out" $'node01: uptime\nnode02: uptime' "-n prints the nodes and the command"

# --- a dead node and a hung one -------------------------------------------
cluster kill node05
cluster kill node06
silent_listener 127.0.1.6 22 >"$S/listener.out" &
lpid=$!
at_exit "kill $lpid"
wait_line "$S/listener.out" ready
run cexec -t 2 --failed "$S/failed" --json -w 'node[01-32]' true
is "$rc" 2 "unreachable nodes: exit 2"
is "$(cat "$S/failed")" $'node05\nnode06' "--failed lists the dead and the hung node"
is "$(jq -r 'select(.error == null and .exit == 0) | .node' <<<"$out" | wc -l)" 30 "every other node succeeded"
like "$(jq -r 'select(.node == "node05") | .error' <<<"$out")" "refused" "node05: connection refused"
is "$(jq -r 'select(.node == "node06") | .error' <<<"$out")" "connect timed out after 2 s" "node06: connect timed out, after -t 2 s"
like "$err" "cexec: node05: .*refused" "the refused node on stderr"
like "$err" "cexec: node06: connect timed out after 2 s" "the hung node on stderr"
like "$err" "cexec: 32 nodes: 30 ok, 2 failed" "closing count on stderr"
run cexec -S -w 'node[04-05]' true
is "$rc" 255 "-S: 255 when a node could not be reached"
run cexec -w ^"$S/failed" --list
is "$out" $'node05\nnode06' "-w ^FILE reruns the failed nodes"
kill "$lpid"
cluster restart node05
cluster restart node06

# --- command timeout kills ----------------------------------------------
# each remote command leaves its pid in a directory of the test's (the nodes see
# the host's /var/tmp and share its pid namespace): the test looks at the very
# processes it started, and kills any left at exit
# still_running DIR CMDLINE: "NODE PID" for each pid in DIR still running CMDLINE
still_running() {
	local f p
	for f in "$1"/*; do
		[ -f "$f" ] || continue
		p=$(cat "$f")
		[ "$(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)" != "$2 " ] || echo "${f##*/} $p"
	done
}
none_running() { [ -z "$(still_running "$@")" ]; }
kill_left() { still_running "$@" | while read -r _ p; do kill "$p"; done; }
U=$(scratch /var/tmp)
at_exit "kill_left $U 'sleep 1234'"
run cexec -u 2 -w 'node[01-32]' "echo \$\$ >$U/\$(hostname); exec sleep 1234"
is "$rc" 2 "-u 2 sleep 1234: exit 2 (timed out nodes)"
like "$err" "cexec: node\[01-32\]: timed out after 2 s: command killed" "-u 2: each node reported timed out, folded"
is "$(ls "$U" | wc -l)" 32 "-u 2: the command had started on every node"
eventually "-u 2: every node's sleep 1234 is killed (by its pid)" none_running "$U" "sleep 1234"
still_running "$U" "sleep 1234" | sed 's/^/#   still running: /'

# --- -S ---------------------------------------------------------------------
run cexec -S -w 'node[01-07]' 'exit $(hostname | tr -dc 0-9 | sed "s/^0//")'
is "$rc" 7 "-S: the largest remote status"
run cexec -w 'node[01-07]' 'exit 3'
is "$rc" 0 "without -S a remote status is not a failure"

# --- stdin and big output ---------------------------------------------------
head -c 1000000 /dev/urandom >"$S/in"
sum=$(md5sum <"$S/in" | cut -d' ' -f1)
run cexec --stdin -b -w 'node[01-32]' md5sum <"$S/in"
is "$out" $'----------------\nnode[01-32]\n----------------\n'"$sum  -" "--stdin: the same bytes reach every node"
run cexec --json -w 'node[01-02]' 'seq 1 1500000; seq 2000000 3300000 >&2'
is "$(jq -j 'select(.node == "node02") | .stdout' <<<"$out" | md5sum)" "$(seq 1 1500000 | md5sum)" "10 MB of stdout, nothing lost"
is "$(jq -j 'select(.node == "node02") | .stderr' <<<"$out" | md5sum)" "$(seq 2000000 3300000 | md5sum)" "10 MB of stderr, nothing lost"
cexec -w node03 'seq 1 1500000' >"$S/c3out"
is "$(tail -n +2 "$S/c3out" | md5sum)" "$(seq 1 1500000 | md5sum)" "10 MB in a C3 block"

# --- host keys -------------------------------------------------------------
H=$S/home
mkdir -p "$H/.ssh"
cp "$HOME/.ssh/id_ed25519" "$H/.ssh/"
grep -v '^node0[345],' "$HOME/.ssh/known_hosts" >"$H/.ssh/known_hosts"
# node03 presents a key that is not the one known_hosts has for it
echo "node03 $(cut -d' ' -f1,2 <"$CT_TESTBED/keys/4.pub")" >>"$H/.ssh/known_hosts"
run env HOME="$H" cexec -w node03 true
is "$rc" 2 "changed host key: refused"
like "$err" "node03: host key for node03 does not match" "... with a message naming the node"
run env HOME="$H" cexec -w node04 true
like "$err" "node04: no host key known for node04" "unknown host key: refused under the default"
run env HOME="$H" cexec --host-keys accept-new -w 'node[03-05]' hostname
like "$err" "node03: host key for node03 does not match" "accept-new still refuses a changed key"
is "$(grep -c '^node0[45] ' "$H/.ssh/known_hosts")" 2 "accept-new added the unknown keys"
run env HOME="$H" cexec -w 'node[04-05]' true
is "$rc" 0 "the added keys are accepted afterwards"

# --- identities, agent, ~/.ssh/config -----------------------------------------
A=$S/agenthome
mkdir -p "$A/.ssh"
ssh-keygen -q -t ed25519 -N '' -f "$S/otherkey"
run env HOME="$A" cexec --host-keys off -w node01 true
like "$err" "node01: authentication as root failed" "no key, no agent: authentication fails, naming the node"
run env HOME="$A" cexec --host-keys off -i "$S/otherkey" -w node01 true
like "$err" "authentication as root with $S/otherkey refused" "-i with a key the node does not know: refused"
run env HOME="$A" cexec --host-keys off -i "$HOME/.ssh/id_ed25519" -w node01 hostname
is "$out" $'--------- node01---------\nnode01' "-i FILE authenticates with that key"
agent=$(ssh-agent -s)
eval "$agent" >/dev/null
at_exit "kill $SSH_AGENT_PID"
ssh-add -q "$HOME/.ssh/id_ed25519" 2>/dev/null
run env HOME="$A" cexec --host-keys off -w node02 hostname
is "$out" $'--------- node02---------\nnode02' "ssh-agent keys are tried first"
kill "$SSH_AGENT_PID"; unset SSH_AUTH_SOCK SSH_AGENT_PID
cp "$HOME/.ssh/id_ed25519" "$A/.ssh/"
printf 'Host alias*\n  HostName node03\n  User cttest\n  UserKnownHostsFile %s\nHost *\n  ConnectTimeout 1\n' \
	"$HOME/.ssh/known_hosts" >"$A/.ssh/config"
run env HOME="$A" cexec -p -w alias1 'id -un; hostname'
is "$out" $'alias1: cttest\nalias1: node03' "~/.ssh/config: Host pattern, HostName, User, UserKnownHostsFile"
cluster kill node04
silent_listener 127.0.1.4 22 >"$S/listener4.out" &
lpid=$!
at_exit "kill $lpid"
wait_line "$S/listener4.out" ready
run env HOME="$A" cexec --host-keys off -w node04 true
like "$err" "node04: connect timed out after 1 s" "~/.ssh/config ConnectTimeout 1 is honoured (the tool's report)"
kill "$lpid"; wait "$lpid" 2>/dev/null
cluster restart node04

# --- Ctrl-C -------------------------------------------------------------------
I=$(scratch /var/tmp)
at_exit "kill_left $I 'sleep 4321'"
cexec -w 'node[01-04]' "echo \$\$ >$I/\$(hostname); exec sleep 4321" >"$S/int.out" 2>"$S/int.err" &
cpid=$!
four_started() { [ "$(still_running "$I" "sleep 4321" | wc -l)" = 4 ]; }
wait_for "the 4 remote sleeps to start" four_started
kill -INT "$cpid"
wait_line "$S/int.err" "still running"
like "$(cat "$S/int.err")" "4 nodes still running: node\[01-04\]" "first Ctrl-C prints the nodes still running"
kill -INT "$cpid"
reap "$cpid"
is "$?" 130 "a second Ctrl-C within a second aborts (exit 130)"
eventually "... and kills the remote commands (by their pids)" none_running "$I" "sleep 4321"

# --- cexecs -----------------------------------------------------------------
run cexecs -w 'node[01-03]' 'hostname; sleep 0.2'
is "$out" "$(for n in $(nodes 1 3); do printf -- '--------- %s---------\n%s\n' "$n" "$n"; done)" "cexecs: same output, one node at a time"

# --- indirect cluster through a gateway --------------------------------------
# node01 gets its own /etc/c3.conf and the cexec binary on its PATH, in its namespace only
printf 'cluster inner {\n  node01\n  node[10-14]\n  exclude 12\n}\n' | cluster_gateway node01
printf 'cluster near {\n  node01\n  node[02-03]\n}\ncluster far {\n  :node01\n}\n' >"$S/c3g.conf"
run cexec -f "$S/c3g.conf" --json far: hostname
is "$(jq -r '[.cluster, .node, (.stdout|rtrimstr("\n"))] | join(" ")' <<<"$out")" \
	$'far node10 node10\nfar node11 node11\nfar node13 node13\nfar node14 node14' \
	"indirect cluster: the gateway runs cexec with its own c3.conf"
run cexec -f "$S/c3g.conf" -p near: far:1-2 hostname
is "$(sort <<<"$out")" $'far node11: node11\nnear node02: node02\nnear node03: node03' "the forwarded definition selects positions on the gateway"
run cexec -f "$S/c3g.conf" -x node13 --list far: near:
is "$out" $'node01\nnode02\nnode03' "--list shows the gateway of an indirect cluster"
run cexec -f "$S/c3g.conf" -x node13 -p far: hostname
is "$out" $'far node10: node10\nfar node11: node11\nfar node14: node14' "-x is forwarded to the gateway"
run cexec -f "$S/c3g.conf" far:0 'exit 4'
is "$out" $'************************* far *************************\n--------- node10---------' "C3 blocks for the gateway's nodes"
run cexec -f "$S/c3g.conf" -S far:0 'exit 4'
is "$rc" 4 "-S sees the remote status through the gateway"

# a command that ends at once, with stdout and stderr: reading one stream can take the
# other's EOF off the socket (cexec then waited forever for a readable socket, about 1 run in 100)
hung=0
for i in $(seq 1 150); do
	timeout 20 cexec -w 'node[01-04]' 'echo out; echo err >&2; echo out2' >/dev/null 2>&1
	[ $? -ne 124 ] || hung=$((hung + 1))
done
is "$hung" 0 "150 short commands with stdout and stderr on 4 nodes: none hangs"
