#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# cpush end-to-end on the local test cluster (tests/testbed): files, several
# files, -r trees, --list, skip of unchanged files and -b, --delete, --exclude,
# symlinks, a transfer cut off midway, and per-node errors (missing source,
# unwritable target, full disk). Content is checked by sha256 on the nodes.
source "$CT_TOP/tests/lib.sh"
N=4
start_cluster $N --or-skip
nodes=$CT_NODES
d=$(scratch)

json_field() { # FIELD: sum of that field over the --json lines in $out
	printf '%s\n' "$out" | sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p" | awk '{s+=$1} END {print s+0}'
}

# --- one file ---------------------------------------------------------------
head -c 3000000 /dev/urandom >"$d/f1"
chmod 640 "$d/f1"
touch -d '2021-03-04 05:06:07' "$d/f1"
run cpush -w "$nodes" --json "$d/f1" /tmp/f1
is "$rc" 0 "one file: exit 0"
is "$(json_field sent)" $N "one file: sent to every node"
same_on_all "$d/f1" /tmp/f1 "one file: same sha256, mode and mtime on every node"
ino1=$(on 1 stat -c %i /tmp/f1)

# --- second run: nothing transferred; -b forces -------------------------------
run cpush -w "$nodes" --json "$d/f1" /tmp/f1
is "$rc/$(json_field sent)/$(json_field unchanged)/$(json_field bytes)" "0/0/$N/0" "second run sends nothing"
is "$(on 1 stat -c %i /tmp/f1)" "$ino1" "second run leaves the file alone (same inode)"
run cpush -w "$nodes" --json -b "$d/f1" /tmp/f1
is "$rc/$(json_field sent)/$(json_field bytes)" "0/$N/$((3000000 * N))" "-b sends again"
t "-b replaced the file (new inode)" test "$(on 1 stat -c %i /tmp/f1)" != "$ino1"
same_on_all "$d/f1" /tmp/f1 "-b: content, mode and mtime still right"

# --- several files into a directory -----------------------------------------
echo alpha >"$d/a"; echo beta >"$d/b"; chmod 600 "$d/b"; : >"$d/empty"
for i in $(seq 1 $N); do on $i mkdir -p /tmp/many; done
run cpush -w "$nodes" "$d/a" "$d/b" "$d/empty" /tmp/many
is "$rc" 0 "several files: exit 0"
same_on_all "$d/a" /tmp/many/a "several files: a"
same_on_all "$d/b" /tmp/many/b "several files: b (mode 600)"
same_on_all "$d/empty" /tmp/many/empty "several files: empty file"

# --- -r tree, with --exclude and symlinks -------------------------------------
mkdir -p "$d/tree/sub/deep" "$d/tree/emptydir"
echo one >"$d/tree/one"; echo obj >"$d/tree/x.o"; head -c 200000 /dev/urandom >"$d/tree/sub/deep/blob"
chmod 711 "$d/tree/sub"; ln -s one "$d/tree/link"; touch -d '2020-01-01' "$d/tree/sub/deep"
run cpush -r -w "$nodes" --exclude '*.o' "$d/tree" /tmp/tree
is "$rc" 0 "-r tree: exit 0"
listing() { (cd "$1" && find . -printf '%p %y %m %l\n' | LC_ALL=C sort); }
want=$(listing "$d/tree" | grep -v 'x\.o')
for i in $(seq 1 $N); do
	is "$(on $i sh -c "cd /tmp/tree && find . -printf '%p %y %m %l\n' | LC_ALL=C sort")" "$want" "-r tree on node $i: same names, types, modes, links; *.o excluded"
done
same_on_all "$d/tree/sub/deep/blob" /tmp/tree/sub/deep/blob "-r tree: deep file identical"
is "$(on 2 stat -c %Y /tmp/tree/sub/deep)" "$(stat -c %Y "$d/tree/sub/deep")" "-r tree: directory mtime kept"
run cpush -r -w "$nodes" --json --exclude '*.o' "$d/tree" /tmp/tree
is "$rc/$(json_field sent)/$(json_field bytes)" "0/0/0" "-r tree: second run sends nothing"

# --- --delete ---------------------------------------------------------------
on 1 sh -c 'mkdir -p /tmp/tree/stale/dir && touch /tmp/tree/stale/dir/f /tmp/tree/old /tmp/tree/sub/old2 /tmp/tree/keep.o'
run cpush -r -d -w node01 --json --exclude '*.o' "$d/tree" /tmp/tree
is "$rc/$(json_field deleted)" "0/5" "--delete: five extraneous names removed"
is "$(on 1 sh -c "cd /tmp/tree && find . -printf '%p %y %m %l\n' | LC_ALL=C sort")" "$( (listing "$d/tree" | grep -v 'x\.o'; echo './keep.o f 644 ') | LC_ALL=C sort)" \
	"--delete: tree matches the source; excluded names are protected"

# --- --list FILE --------------------------------------------------------------
printf '# scatter list\n%s /tmp/listed-a\n%s /tmp/many/\n' "$d/a" "$d/f1" >"$d/list"
run cpush -w "$nodes" -l "$d/list"
is "$rc" 0 "--list: exit 0"
same_on_all "$d/a" /tmp/listed-a "--list: first line"
same_on_all "$d/f1" /tmp/many/f1 "--list: second line (target directory)"
printf '/a /b /c\n' >"$d/badlist"
run cpush -w "$nodes" -l "$d/badlist"
like "$rc: $err" "^1: cpush: .*badlist:1: " "--list: a bad line names file and line, exit 1"

# --- dry run -------------------------------------------------------------------
run cpush -n -w "$nodes" "$d/f1" /tmp/dry
like "$out" "nodes: node\[01-04\]" "-n: prints the nodes"
is "$(on 1 sh -c 'test -e /tmp/dry && echo exists || echo absent')" absent "-n: nothing sent"

# --- per-node errors --------------------------------------------------------
run cpush -w "$nodes" "$d/nope" /tmp/nope
like "$rc: $err" "^1: cpush: .*/nope: No such file or directory" "missing source: local error, exit 1"

for i in $(seq 1 $N); do on $i sh -c 'mkdir -p /tmp/ro && chmod 755 /tmp/ro && chown root /tmp/ro'; done
on 2 chown cttest /tmp/ro
run cpush -w "$nodes" --user cttest "$d/a" /tmp/ro/a
is "$rc" 2 "unwritable target: exit 2"
like "$err" "cpush: node01: /tmp/ro/a: Permission denied" "unwritable target: per-node error names node and path"
is "$(on 2 cat /tmp/ro/a)" alpha "unwritable target: the writable node got the file"

on 3 sh -c 'mkdir -p /tmp/small && mount -t tmpfs -o size=1m tmpfs /tmp/small'
for i in $(seq 1 $N); do on $i mkdir -p /tmp/small; done
run cpush -w "$nodes" "$d/f1" /tmp/small/f1
is "$rc" 2 "full disk: exit 2"
like "$err" "cpush: node03: /tmp/small/f1: .*(space|write failed)" "full disk: clear per-node error"
is "$(on 3 ls -A /tmp/small)" "" "full disk: no file and no temp left on the full node"
is "$(on 1 sh -c 'sha256sum </tmp/small/f1' | cut -d' ' -f1)" "$(sha256sum <"$d/f1" | cut -d' ' -f1)" "full disk: other nodes complete"

# --- transfer cut off midway -------------------------------------------------
head -c $((192 << 20)) /dev/urandom >"$d/big"
cpush -w "$nodes" --json "$d/big" /tmp/big >"$d/cut.out" 2>"$d/cut.err" &
pid=$!
at_exit "kill $pid"
# wait until node02 has a temporary file that is growing, then cut it off
temp_past_1m() {
	local s
	s=$(on 2 sh -c 'stat -c %s /tmp/.cpush.big.*.tmp 2>/dev/null' || true)
	[ -n "$s" ] && [ "$s" -gt 1000000 ]
}
wait_for "node02's temporary file to pass 1 MB" temp_past_1m
kill_sshd node02
wait $pid
rc=$?
is "$rc" 2 "cut transfer: exit 2"
like "$(cat "$d/cut.err")" "cpush: node02: " "cut transfer: node02 reported"
is "$(on 2 sh -c 'test -e /tmp/big && echo exists || echo absent')" absent "cut transfer: no file at the target on node02"
for i in 1 3 4; do
	is "$(on $i sh -c 'sha256sum </tmp/big' | cut -d' ' -f1)" "$(sha256sum <"$d/big" | cut -d' ' -f1)" "cut transfer: node0$i complete"
done
cluster restart node02
