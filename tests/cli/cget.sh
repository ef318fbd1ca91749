#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# cget end-to-end on the local test cluster (tests/testbed): naming with -w
# and with a c3.conf, --layout dir, -r trees, hostile remote trees (symlinks
# out of the tree, to /, "../" link texts, a local symlink planted in
# TARGET-DIR) that must not make anything land outside TARGET-DIR, and
# per-node errors (missing source, unreadable source).
source "$CT_TOP/tests/lib.sh"
N=4
start_cluster $N --or-skip
nodes=$CT_NODES
d=$(scratch)

# Each node's own name in a file of its private /tmp (the nodes share the
# host's /etc, so /etc/hostname would be the same everywhere).
for i in $(seq 1 $N); do on $i sh -c 'hostname > /tmp/hostname && chmod 640 /tmp/hostname && touch -d 2022-02-02 /tmp/hostname'; done

# --- -w naming ----------------------------------------------------------------
run cget -w "$nodes" /tmp/hostname "$d/out"
is "$rc" 0 "-w: exit 0"
is "$(cd "$d/out" && ls)" "$(printf 'hostname_node%02d\n' $(seq 1 $N))" "-w: BASENAME_NODE names"
ok=1
for i in $(seq 1 $N); do [ "$(cat "$d/out/hostname_node0$i")" = "node0$i" ] || ok=0; done
is "$ok" 1 "-w: each file holds its node's name"
is "$(stat -c '%a %Y' "$d/out/hostname_node01")" "640 $(date -d 2022-02-02 +%s)" "mode and mtime kept"

# --- c3.conf naming -----------------------------------------------------------
cat >"$d/c3p.conf" <<EOF
cluster alpha {
	head
	node[01-02]
}
cluster beta {
	head
	node[03-04]
}
EOF
run cget -f "$d/c3p.conf" --all /tmp/hostname "$d/c3out"
is "$rc" 0 "c3.conf: exit 0"
is "$(cd "$d/c3out" && ls | tr '\n' ' ')" "hostname_alpha_node01 hostname_alpha_node02 hostname_beta_node03 hostname_beta_node04 " \
	"c3.conf: BASENAME_CLUSTER_NODE names"
is "$(cat "$d/c3out/hostname_beta_node04")" node04 "c3.conf: content from the right node"
run cget -f "$d/c3p.conf" beta:1 /tmp/hostname "$d/c3one"
is "$(cd "$d/c3one" && ls)" "hostname_beta_node04" "c3.conf: machine definition beta:1"

# --- --layout dir and -r --------------------------------------------------------
for i in $(seq 1 $N); do
	on $i sh -c 'mkdir -p /tmp/logs/sub && hostname > /tmp/logs/name && echo x > /tmp/logs/sub/x && ln -sf name /tmp/logs/alias && head -c 300000 /dev/urandom > /tmp/logs/sub/blob'
done
run cget -w "$nodes" --layout dir /tmp/hostname "$d/lay"
is "$rc:$(cat "$d/lay/node03/hostname")" "0:node03" "--layout dir: TARGET-DIR/NODE/BASENAME"
run cget -w "$nodes" /tmp/logs "$d/nor"
is "$rc" 2 "a directory without -r: exit 2"
like "$err" "cget: node01: /tmp/logs: is a directory \(use -r\)" "a directory without -r: per-node error"
run cget -r -w "$nodes" /tmp/logs "$d/tree"
is "$rc" 0 "-r: exit 0"
ok=1
for i in $(seq 1 $N); do
	[ "$(cat "$d/tree/logs_node0$i/name")" = "node0$i" ] || ok=0
	[ "$(readlink "$d/tree/logs_node0$i/alias")" = name ] || ok=0
	[ "$(sha256sum <"$d/tree/logs_node0$i/sub/blob")" = "$(on $i sh -c 'sha256sum </tmp/logs/sub/blob')" ] || ok=0
done
is "$ok" 1 "-r: every node's tree, symlink kept as a symlink, contents identical"

# --- hostile remote trees -------------------------------------------------------
# node01 holds links out of the tree, to /, upward "../" texts and a link
# whose ".." would climb through another link; nothing may be written
# outside TARGET-DIR, and no link may point out of the node's copy.
on 1 sh -c 'mkdir -p /tmp/h/a/b && cd /tmp/h && echo ok > ok && echo dots > ..x &&
	ln -s /etc/passwd abs && ln -s / root && ln -s ../../../../../../etc up && ln -s .. parent &&
	ln -s . self && ln -s self/.. sneaky && ln -s ../../ok a/b/fine && ln -s ../../../x a/b/out &&
	ln -s /etc etcdir'
mkdir -p "$d/jail/target"
run cget -r -w node01 /tmp/h "$d/jail/target"
like "$err" "symlink to \"/etc/passwd\" leaves the tree" "hostile: absolute symlink skipped with a warning"
like "$err" "symlink to \"/\" leaves the tree" "hostile: symlink to / skipped"
like "$err" "symlink to \"\.\./\.\./\.\./\.\./\.\./\.\./etc\" leaves the tree" "hostile: ../ symlink skipped"
like "$err" "symlink to \"self/\.\.\" leaves the tree" "hostile: .. after a name refused"
is "$(cd "$d/jail/target/h_node01" && find . -printf '%p %y %l\n' | LC_ALL=C sort)" "$(printf '%s\n' '. d ' './..x f ' './a d ' './a/b d ' './a/b/fine l ../../ok' './ok f ' './self l .')" \
	"hostile: only safe names and contained links were created"
t "hostile: nothing written at /x" test ! -e /x
is "$(ls "$d/jail")" target "hostile: TARGET-DIR's parent untouched"
t "hostile: no gathered link resolves outside the node's copy" \
	sh -c "! find '$d/jail/target' -type l -exec realpath -m {} + | grep -v '^$d/jail/target/h_node01'"

# A symlink planted locally where a node's copy goes is never followed.
mkdir -p "$d/plant/target" "$d/plant/elsewhere"
ln -s ../elsewhere "$d/plant/target/h_node01"
run cget -r -w node01 /tmp/h "$d/plant/target"
is "$rc" 2 "planted local symlink: node fails"
is "$(ls -A "$d/plant/elsewhere")" "" "planted local symlink: nothing written through it"
ln -s /tmp/planted-target "$d/plant/target/hostname_node01"
run cget -w node01 /tmp/hostname "$d/plant/target"
is "$rc:$(test -L "$d/plant/target/hostname_node01" && echo link || echo file):$(test -e /tmp/planted-target && echo leaked || echo clean)" \
	"0:file:clean" "planted symlink at a file's name is replaced, not written through"

# --- per-node errors ------------------------------------------------------------
on 2 rm -f /tmp/hostname
run cget -w "$nodes" /tmp/hostname "$d/miss"
is "$rc" 2 "missing source on one node: exit 2"
like "$err" "cget: node02: /tmp/hostname: No such file or directory" "missing source: per-node error"
is "$(cd "$d/miss" && ls | tr '\n' ' ')" "hostname_node01 hostname_node03 hostname_node04 " "missing source: the others are gathered"
on 3 sh -c 'echo secret > /tmp/secret && chmod 600 /tmp/secret'
for i in 1 2 4; do on $i sh -c 'echo open > /tmp/secret && chmod 644 /tmp/secret'; done
run cget -w "$nodes" --user cttest /tmp/secret "$d/perm"
is "$rc" 2 "unreadable source: exit 2"
like "$err" "cget: node03: /tmp/secret: Permission denied" "unreadable source: per-node error"
t "unreadable source: nothing half-written for node03" test ! -e "$d/perm/secret_node03"
is "$(ls -A "$d/perm" | grep -c '\.tmp')" 0 "no temporary files left in TARGET-DIR"
