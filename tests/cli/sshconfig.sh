#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The ssh configuration of the node tools on a 12-node local cluster:
# ~/.ssh/config with Include and "Host !pattern", -o, keywords reported as
# not supported, and ProxyJump (-J) / ProxyCommand where the nodes are
# reachable only through a jump node: the tool runs in a network namespace
# of its own whose one way out is a bridge (over a Unix socket) to node01's
# sshd, on an address that exists only inside that namespace.
source "$CT_TOP/tests/lib.sh"
source "$CT_TOP/tests/cli/isolated.inc"
start_cluster 12
S=$(scratch)

# A HOME of our own: the testbed's key, its known_hosts, our config.
H=$S/home
private_home "$H"
mkdir -p "$H/.ssh/conf.d"
cfg() { cat >"$H/.ssh/config"; }

# --- Include, Host !pattern, -o ------------------------------------------------
cfg <<EOF
Host node0* !node02
    Include conf.d/*.conf
Host *
    User root
EOF
echo "Port 2222" >"$H/.ssh/conf.d/port.conf"
run cexec -p -t 3 -w 'node[01-03]' hostname
is "$(sort <<<"$out")" "node02: node02" "Include read under 'Host node0* !node02': port 2222 for node01 and node03, not node02"
like "$err" "node\[01,03\]: connect: Connection refused" "node01 and node03 tried port 2222 (from the included file)"
is "$rc" 2 "exit 2: two nodes failed"

run cexec -p -o Port=22 -w 'node[01-03]' hostname
is "$(sort <<<"$out")" $'node01: node01\nnode02: node02\nnode03: node03' "-o Port=22 beats the config file"
is "$rc" 0 "-o: exit 0"
run cexec -p -o "Port 22" -w node01 hostname
is "$out" "node01: node01" "-o 'Keyword Value' as ssh takes it"

echo "Include conf.d/loop.conf" >"$H/.ssh/conf.d/loop.conf"
run cexec -p -w node02 hostname
like "$err" "conf.d/loop.conf:1: Include cycle" "an Include cycle is refused, naming FILE:LINE"
rm "$H/.ssh/conf.d/loop.conf"

# /etc/ssh/ssh_config comes after ~/.ssh/config (a private mount namespace shows ours)
printf 'Host node02\n    Port 2222\nHost *\n    ConnectTimeout 3\n' >"$S/ssh_config.sys"
cfg <<EOF
Host node03
    Port 22
Host *
    User root
EOF
sysconf() { unshare -m sh -c 'mount --bind "$1" /etc/ssh/ssh_config && shift && exec "$@"' sh "$S/ssh_config.sys" "$@"; }
run sysconf cexec -p -w 'node[01-03]' hostname
is "$(sort <<<"$out")" $'node01: node01\nnode03: node03' "/etc/ssh/ssh_config is read: its Port for node02"
like "$err" "node02: connect: Connection refused" "... and ~/.ssh/config's Port for node03 came first"

cfg <<EOF
Host *
    ServerAliveInterval 5
    SendEnv LANG
    User root
Host node01
    ServerAliveInterval 7
EOF
run cexec -p -w 'node[01-02]' hostname
is "$(grep -c 'ignoring' <<<"$err")" 1 "a keyword we do not implement is reported once per run"
like "$err" "^cexec: $H/.ssh/config:2: ignoring ServerAliveInterval \(not supported\)$" "... as TOOL: FILE:LINE: ignoring KEYWORD (not supported)"
is "$rc" 0 "... and the run goes on"

run cexec -o Compression=yes -w node01 true
like "$err" "^cexec: -o Compression=yes: Compression not supported" "-o with a keyword we do not implement: usage error"
is "$rc" 1 "... exit 1"
run cpush -J 'node01,,node02' -w node03 /etc/hostname /tmp/x
like "$err" "^cpush: -J node01,,node02: empty jump host" "-J with an empty hop: usage error"
is "$rc" 1 "... exit 1"

# --- an isolated head: only node01 is reachable ---------------------------------
isolate_head node01
read -r kt key _ <"$CT_TESTBED/keys/1.pub"

cfg <<EOF
Host *
    User root
EOF
run inns cexec -p -t 3 -w 'node[02-04]' hostname
is "$out" "" "isolated: without a jump host no node answers"
is "$rc" 2 "isolated: exit 2"

before=$(bridged)
run inns cexec -p -J "root@$JUMP:22" -w 'node[02-04]' hostname
is "$(sort <<<"$out")" $'node02: node02\nnode03: node03\nnode04: node04' "-J: every node reached through the jump host"
is "$rc" 0 "-J: exit 0"
is "$(($(bridged) - before))" 1 "-J: one jump connection for the three nodes"
run inns cexec -p -o "ProxyJump=$JUMP" -w node02 hostname
is "$out" "node02: node02" "-o ProxyJump=HOST"

cfg <<EOF
Host jump
    HostName $JUMP
    User root
Host node0* !node01
    ProxyJump jump
Host *
    User root
EOF
run inns cexec --json -w 'node[02-04]' 'hostname; echo $SSH_CLIENT'
is "$(jq -r '.stdout' <<<"$out" | grep -c '^node0')" 3 "ProxyJump in ~/.ssh/config: every node reached"

run inns cexec -p -J "$JUMP,node03" -w 'node[02,04]' hostname
is "$(sort <<<"$out")" $'node02: node02\nnode04: node04' "-J with two hops"
cluster kill node03
run inns cexec -p -J "$JUMP,node03" -w 'node[02,04]' hostname
like "$err" "node\[02,04\]: jump host node03: .*node03 port 22" "... the second hop is on the way: with its sshd down the nodes fail, naming it"
cluster restart node03

# host keys are checked for the jump host and the node
cp "$H/.ssh/known_hosts" "$S/kh.saved"
grep -v "^$JUMP " "$S/kh.saved" >"$H/.ssh/known_hosts"
run inns cexec -p -t 5 -J "$JUMP" -w node02 hostname
like "$err" "jump host $JUMP: .*(host key|not in known_hosts|unknown)" "an unknown jump host key fails the node, naming the jump host"
is "$rc" 2 "... exit 2"
grep -v "^node02," "$S/kh.saved" >"$H/.ssh/known_hosts"
echo "$JUMP $kt $key" >>"$H/.ssh/known_hosts"
run inns cexec -p -t 5 -J "$JUMP" -w 'node[02-03]' hostname
is "$out" "node03: node03" "an unknown target host key behind the jump host is refused"
like "$err" "node02.*(host key|known_hosts|unknown)" "... naming the node"
cp "$S/kh.saved" "$H/.ssh/known_hosts"

# cpush, cget, imgsync through the jump host
head -c 3000000 /dev/urandom >"$S/blob"
run inns cpush -J "$JUMP" -w 'node[02-04]' "$S/blob" /tmp/ct-sshconfig-blob
is "$rc" 0 "cpush -J: exit 0"
want=$(sha256sum <"$S/blob" | cut -d' ' -f1)
for n in 02 03 04; do
	is "$(on node$n sha256sum /tmp/ct-sshconfig-blob | cut -d' ' -f1)" "$want" "cpush -J: node$n has the file"
done
mkdir "$S/got"
run inns cget -J "$JUMP" -w 'node[02-04]' /tmp/ct-sshconfig-blob "$S/got"
is "$rc" 0 "cget -J: exit 0"
is "$(cat "$S"/got/*blob* "$S"/got/*/*blob* 2>/dev/null | sha256sum | cut -d' ' -f1)" \
	"$(cat "$S/blob" "$S/blob" "$S/blob" | sha256sum | cut -d' ' -f1)" "cget -J: three copies came back"

# eleven nodes at once through one jump connection, data both ways
run inns cpush -J "$JUMP" -w 'node[02-12]' "$S/blob" /tmp/ct-sshconfig-blob
is "$rc" 0 "cpush -J to 11 nodes at once: exit 0"
bad=0
for n in $(seq -f '%02g' 2 12); do
	[ "$(on node$n sha256sum /tmp/ct-sshconfig-blob | cut -d' ' -f1)" = "$want" ] || bad=$((bad + 1))
done
is "$bad" 0 "... every node has the file (sha256)"
run inns cexec --json -J "$JUMP" -w 'node[02-12]' 'head -c 500000 /dev/zero | tr "\0" a; head -c 500000 /dev/zero | tr "\0" b >&2'
is "$(jq -r 'select(.exit == 0) | [(.stdout | length), (.stderr | length)] | @tsv' <<<"$out" | sort -u)" \
	$'500000\t500000' "cexec -J: 11 nodes send 500 kB on stdout and on stderr at once, all of it arrives"
is "$(jq -r 'select(.exit == 0) | .node' <<<"$out" | wc -l)" 11 "... from every node"
for n in $(seq -f '%02g' 2 12); do on node$n rm -f /tmp/ct-sshconfig-blob; done

# ProxyCommand: ssh -W through node01 (OpenSSH's own client as the forwarder)
cat >"$S/ssh_config" <<EOF
Host *
    User root
    IdentityFile $H/.ssh/id_ed25519
    UserKnownHostsFile $H/.ssh/known_hosts
    StrictHostKeyChecking yes
    BatchMode yes
EOF
cfg <<EOF
Host node0* !node01
    ProxyCommand ssh -F $S/ssh_config -W %h:%p $JUMP
Host *
    User root
EOF
run inns cexec -p -w 'node[02-04]' hostname
is "$(sort <<<"$out")" $'node02: node02\nnode03: node03\nnode04: node04' "ProxyCommand (ssh -W): every node reached"
cfg <<EOF
Host node02
    ProxyCommand sh -c 'exit 3'
Host *
    User root
EOF
run inns cexec -p -w node02 true
like "$err" "node02.*ProxyCommand exited with status 3" "a ProxyCommand that fails is named"
is "$rc" 2 "... exit 2"
# %h holding shell syntax (here from HostName) is refused, not run by sh -c
cfg <<EOF
Host node02
    HostName node02\$(touch\${IFS}$S/injected)
    ProxyCommand echo %h
Host *
    User root
EOF
run cexec -p -w node02 true
like "$err" "node02.*ProxyCommand: %h would be 'node02.*touch.*': a host name with shell syntax in it is refused" \
	"%h with shell syntax: refused, naming the node and the token"
is "$rc" 2 "... exit 2"
t "... and the shell never ran it" test ! -e "$S/injected"

