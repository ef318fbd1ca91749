#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# cpush --chain against a node gone bad: only what the head signed lands.
# node02 is compromised: its root replaced the relay cpush runs there
# (CT_RELAY_PATH, here on every node) by a wrapper that keeps the control
# lines, the transfer key among them. With that key relay_rogue connects to
# node03's relay as if it were its predecessor and
#   (a) sends an entry the head never sent: a setuid file under etc/cron.d
#       of a scratch root;
#   (b) sends other bytes for the entry node03 is receiving.
# Either way node03 writes nothing and says so, cpush exits 2 naming node03
# and every other node has exactly what the head sent. (c) A source file
# rewritten while the chain carries it: no node lands it, the run says why.
# (d) A file node02 landed is changed there before node02 feeds it on (its
# held-back successor is re-fed from what node02 landed, then mid-entry from
# its temporary file): its successor gets none of the changed file, node02 is
# blamed, the others get the head's.
source "$CT_TOP/tests/lib.sh"
N=5
start_cluster $N --or-skip
nodes=$CT_NODES
# the nodes see the host's /var/tmp but have their own /tmp (and a checkout under /tmp
# reaches them read-only): the wrapper writes its control log here
d=$(scratch /var/tmp)
w=$d/wrap
mkdir -p "$w" "$d/root/etc/cron.d"

# the compromised relay: on node02 a "next" line waits for $w/hold (a FIFO) when there is one
cat >"$w/ctrelay" <<EOF
#!/bin/sh
case "\${1:-}" in -V|--version) exec "$CT_BIN/ctrelay" "\$@" ;; esac
me=\$(hostname)
while IFS= read -r line; do
	printf '%s\n' "\$line" >>"$w/ctl.\$me"
	case \$line in next*) if [ "\$me" = node02 ] && [ -p "$w/hold" ]; then read -r _ <"$w/hold"; rm -f "$w/hold"; fi ;; esac
	printf '%s\n' "\$line"
done | "$CT_BIN/ctrelay" "\$@"
EOF
chmod 755 "$w/ctrelay"

has_next() { grep -qs '^next ' "$w/ctl.node02"; }
secret() { awk '$1 == "start" { print $2; exit }' "$w/ctl.node02"; }
from() { awk '$1 == "start" { print $5; exit }' "$w/ctl.node02"; } # node02's address: the rogue comes from there
successor() { awk '$1 == "next" { print $2, $3; exit }' "$w/ctl.node02"; } # node03's relay
# node_tmp NODE: that node's private /tmp, seen from here
node_tmp() { echo "/proc/$(cluster pid "$1")/root/tmp"; }
temp_grows() { [ -n "$(find "$(node_tmp node03)" -maxdepth 1 -name ".cpush.$1.*" -size +2M 2>/dev/null)" ]; }
# others_have LOCAL REMOTE DESC: every node but node03 has LOCAL's content, mode and mtime at REMOTE
others_have() {
	local want i got=
	want=$(file_sum "$1")
	for i in 1 2 4 5; do got+="node0$i $(on $i sh -c "printf '%s %s\n' \"\$(sha256sum < '$2' | cut -d' ' -f1)\" \"\$(stat -c '%a %Y' '$2')\"" 2>&1)"$'\n'; done
	is "$got" "$(for i in 1 2 4 5; do echo "node0$i $want"; done)"$'\n' "$3"
}
nothing_at() { # NODE FILE: neither the file nor a temporary file of it
	on "$1" sh -c "ls -d '$2' \"\$(dirname '$2')\"/.cpush.\"\$(basename '$2')\".* 2>/dev/null" | wc -l
}
# start_push NAME SRC DST: cpush --chain in the background (output in $d/NAME.out, .err)
start_push() {
	rm -f "$w"/ctl.*
	CT_RELAY_PATH=$w/ctrelay "$CT_BIN/cpush" --chain -w "$nodes" "$2" "$3" >"$d/$1.out" 2>"$d/$1.err" &
	push=$!
	at_exit "kill $push 2>/dev/null"
}
end_push() { reap "$push"; rc=$? err=$(cat "$d/$1.err"); }

head -c 30000000 /dev/urandom >"$d/big"
chmod 640 "$d/big"
touch -d '2023-03-03 03:03:03' "$d/big"

# --- (a) an entry the head never sent ----------------------------------------------
mkfifo "$w/hold"
start_push forge "$d/big" /tmp/forge
wait_for "node02's relay to be told its successor" has_next
read -r host port <<<"$(successor)"
out=$("$CT_BIN/relay_rogue" forge "$host" "$port" "$(secret)" "$d/root/etc/cron.d/owned" "$(from)" 2>&1)
like "$out" "^resume 0 0" "forged entry: node03 held nothing yet"
like "$out" "closed$" "forged entry: node03 closed the rogue's connection"
echo go >"$w/hold" # node02's relay gets its successor at last
end_push forge
is "$rc" 2 "forged entry: cpush exits 2"
like "$err" "node03: relay refused what it was sent \(entry 0 is not signed by the head\): nothing written" \
	"forged entry: node03 is named with what it refused"
like "$err" "cpush: 5 nodes: 4 ok, 1 failed" "forged entry: no other node failed"
is "$(find "$d/root" -type f | wc -l)" 0 "forged entry: nothing written under the scratch root's etc/cron.d"
is "$(find "$(node_tmp node03)" "$d/root" -name '.cpush.*' | wc -l)" 0 "forged entry: no temporary file left"
is "$(nothing_at 3 /tmp/forge)" 0 "forged entry: node03 has nothing at the target either"
others_have "$d/big" /tmp/forge "forged entry: every other node has what the head sent"

# --- (b) other bytes for a real entry ---------------------------------------------
head -c 150000000 /dev/zero | tr '\0' x >"$d/huge"
start_push replace "$d/huge" /tmp/replace
wait_for "node03's temporary file to pass 2 MB" temp_grows replace
read -r host port <<<"$(successor)"
out=$("$CT_BIN/relay_rogue" data "$host" "$port" "$(secret)" 150000000 "$(from)" 2>&1)
like "$out" "^resume 0 [1-9]" "replaced bytes: node03 was inside the entry"
like "$out" "closed$" "replaced bytes: node03 closed the rogue's connection"
end_push replace
is "$rc" 2 "replaced bytes: cpush exits 2"
like "$err" "node03: relay refused what it was sent \(/tmp/replace: block [0-9]+ is not the one the head signed: not installed\)" \
	"replaced bytes: node03 is named with what it refused"
like "$err" "cpush: 5 nodes: 4 ok, 1 failed" "replaced bytes: no other node failed (no forged byte was passed on)"
is "$(nothing_at 3 /tmp/replace)" 0 "replaced bytes: node03 has neither the file nor a temporary file"
others_have "$d/huge" /tmp/replace "replaced bytes: every other node has what the head sent"
for i in $(seq 1 $N); do on $i rm -f /tmp/replace /tmp/forge; done

# --- (c) the source changes while the chain carries it ----------------------------
n1grows() { [ -n "$(find "$(node_tmp node01)" -maxdepth 1 -name '.cpush.changing.*' -size +2M 2>/dev/null)" ]; }
start_push changing "$d/huge" /tmp/changing
wait_for "node01's temporary file to pass 2 MB" n1grows
# the head is held while its source's second half is rewritten: the feeder is far from it
kill -STOP "$push"
printf 'changed' | dd of="$d/huge" bs=1 seek=100000000 conv=notrunc status=none
kill -CONT "$push"
end_push changing
is "$rc" 2 "changed source: cpush exits 2"
like "$err" "node.*: $d/huge: changed since it was hashed \(block 3051 is not the signed one\)" \
	"changed source: the run says which file changed"
is "$(grep -c 'relay refused' <<<"$err")" 0 "changed source: no node is blamed for it"
left=0
for i in $(seq 1 $N); do left=$((left + $(nothing_at $i /tmp/changing))); done
is "$left" 0 "changed source: no node has the file or a temporary file of it"

# --- (d) a landed file changes on its node before that node feeds it on -------------
# node02 lands a and starts on b while its successor is held back; a is rewritten there
# (same size, other bytes); released, node02 re-feeds node03 from what it landed
mkdir -p "$d/tree"
head -c 3000000 /dev/urandom >"$d/tree/a"
head -c 60000000 /dev/zero | tr '\0' y >"$d/tree/b"
n2landed() { [ -f "$(node_tmp node02)/refeed/a" ] && [ -n "$(find "$(node_tmp node02)/refeed" -name '.cpush.b.*' 2>/dev/null)" ]; }
mkfifo "$w/hold"
rm -f "$w"/ctl.*
CT_RELAY_PATH=$w/ctrelay "$CT_BIN/cpush" --chain -r -w "$nodes" "$d/tree/" /tmp/refeed >"$d/refeed.out" 2>"$d/refeed.err" &
push=$!
at_exit "kill $push 2>/dev/null"
wait_for "node02 to land a and start on b" n2landed
printf 'rewritten on node02' | dd of="$(node_tmp node02)/refeed/a" bs=1 seek=1000000 conv=notrunc status=none
echo go >"$w/hold"
end_push refeed
is "$rc" 2 "changed landed file: cpush exits 2"
like "$err" "node02: .*refeed/a: changed since it was hashed" "changed landed file: node02 is named, with the file that changed there"
like "$err" "cpush: 5 nodes: 4 ok, 1 failed" "changed landed file: no other node failed"
got=
for i in 1 3 4 5; do got+="$(on $i sh -c 'cd /tmp/refeed && sha256sum a b' 2>&1)"$'\n'; done
is "$got" "$(for i in 1 3 4 5; do (cd "$d/tree" && sha256sum a b); done)"$'\n' \
	"changed landed file: every other node has a and b as the head sent them (node03 got nothing of node02's a)"
