#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Node groups and listings: folding gives the text of ClusterShell's
# "nodeset -f" on generated sets.
source "${CT_TOP:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
s=$(scratch)

# --- folding: the same text as nodeset -f, on 250 generated sets ---------------
# Each set gets its own 4-letter prefix, so that no two sets share a pattern
# and one nodeset run folds them all; a mismatch is then looked up set by set.
if has_cmd "fold of generated sets = nodeset -f (clustershell)" nodeset python3; then
	sets=250
	python3 "$CT_TOP/tests/helpers/gen_nodesets.py" "${CT_FOLD_SEED:-17}" "$sets" "$s/sets"
	prefix() { printf '%c%c%c%c' $((97 + $1 / 17576 % 26)) $((97 + $1 / 676 % 26)) $((97 + $1 / 26 % 26)) $((97 + $1 % 26)); }
	for ((i = 0; i < sets; i++)); do sed "s/^/z$(prefix $i)/" "$s/sets/$i"; done >"$s/all"
	is "$(wc -l <"$s/all" | tr -d ' ') names" "$(cat "$s"/sets/* | wc -l | tr -d ' ') names" "$sets generated sets, prefixed"
	want=$(nodeset -f <"$s/all")
	got=$(foldnames <"$s/all")
	is "$got" "$want" "fold of $sets generated sets (1 to 3 indexes, paddings, gaps) = nodeset -f"
	bad=0
	if [ "$got" != "$want" ]; then
		for ((i = 0; i < sets; i++)); do
			w=$(nodeset -f <"$s/sets/$i") g=$(foldnames <"$s/sets/$i")
			[ "$w" = "$g" ] || { bad=$((bad + 1)); echo "#   set $i: ours '$g', nodeset -f '$w'"; }
		done
	fi
	is "$bad" 0 "no set folds differently"
fi

# --- groups in every node tool: --list, errors, listings (nothing contacted) ---
cat >"$s/groups" <<'G'
# a ClusterShell flat groups file
compute: node[01-04]
gpu: node[03-04]   # the big ones
cpu: @compute!@gpu
login: node05 node06
all: @compute,@login
loop1: @loop2
loop2: @loop3
loop3: @loop1
broken: node[01-02],@nosuch
G
cat >"$s/genders" <<'G'
node[01-02] rack=1,compute
node[03-06] rack=2
node06      login
G
cat >"$s/c3.conf" <<'G'
cluster alpha {
	node06
	node[01-05]
	exclude 2
}
G
export CT_GENDERS=$s/genders
gf=(--groups-file "$s/groups")
for tool in cexec cpush cget imgsync; do
	run $tool "${gf[@]}" --list -w @cpu
	is "$rc:$out" $'0:node01\nnode02' "$tool: -w @group from --groups-file"
	run env CT_GROUPS="$s/groups" $tool --list -w 'node09,@gpu,login[1-2]' -x @login
	is "$rc:$out" $'0:node09\nnode03\nnode04\nlogin1\nlogin2' "$tool: @group inside a host list, CT_GROUPS"
	run $tool "${gf[@]}" --list -w @all -x @gpu
	is "$out" $'node01\nnode02\nnode05\nnode06' "$tool: -x @group"
	run $tool --list -g rack=2 -x login
	is "$rc:$out" $'0:node03\nnode04\nnode05\nnode06' "$tool: -g ATTR=VAL (genders)"
	run $tool --list -g login,rack=1 -w node09
	is "$out" $'node09\nnode06\nnode01\nnode02' "$tool: -g ATTR,ATTR=VAL with -w"
	run $tool --list -w @rack
	is "$out" $'node01\nnode02\nnode03\nnode04\nnode05\nnode06' "$tool: @attribute of genders"
	run $tool -f "$s/c3.conf" --list -w @alpha
	is "$out" $'node01\nnode03\nnode04\nnode05' "$tool: @cluster of c3.conf (its live nodes)"
	run $tool "${gf[@]}" --list -w @nosuch
	is "$rc:$out" "1:" "$tool: unknown group: exit 1"
	like "$err" "@nosuch: unknown group" "$tool: ... naming it"
	run $tool "${gf[@]}" --list -w @loop2
	is "$rc" 1 "$tool: a cycle: exit 1"
	like "$err" "$s/groups:8: group cycle: @loop2 -> @loop3 -> @loop1 -> @loop2" "$tool: ... naming the cycle and its place"
	run $tool "${gf[@]}" --fold -w @all,login1
	is "$out" "login1,node[01-06]" "$tool: --fold, one line as nodeset -f"
	run $tool "${gf[@]}" --count -w @all,login1
	is "$out" "7" "$tool: --count"
	run $tool "${gf[@]}" -f "$s/c3.conf" --groups
	is "$out" "$(printf 'compute\t%s\ngpu\t%s\ncpu\t%s\nlogin\t%s\nall\t%s\nloop1\t%s\nloop2\t%s\nloop3\t%s\nbroken\t%s\nrack\tgenders %s\ncompute\tgenders %s\nlogin\tgenders %s\nalpha\tc3 %s' \
		"$s/groups" "$s/groups" "$s/groups" "$s/groups" "$s/groups" "$s/groups" "$s/groups" "$s/groups" "$s/groups" \
		"$s/genders" "$s/genders" "$s/genders" "$s/c3.conf")" "$tool: --groups: names and sources"
done
printf '@cpu\nnode05  # and the login node\n' >"$s/hosts"
run cexec "${gf[@]}" --list -w "^$s/hosts"
is "$out" $'node01\nnode02\nnode05' "@group inside a ^FILE host list"
run cexec --groups-file "$s/nonexistent" --list -w node1
is "$rc" 1 "a named groups file must exist"
like "$err" "$s/nonexistent: No such file" "... and the error names it"
printf 'ok: n1\nbad line\n' >"$s/badgroups"
run cexec --groups-file "$s/badgroups" --list -w n1
like "$rc:$err" "^1:.*$s/badgroups:2: expected 'name: nodes'" "a bad groups file: FILE:LINE"
run cexec "${gf[@]}" --list -w @broken
like "$rc:$err" "^1:.*$s/groups:10: group @broken: @nosuch: unknown group" "an unknown group inside a definition names the definition"
run env CT_GENDERS= cexec --list -g rack=1 -f /nonexistent/c3.conf
is "$rc" 1 "-g without a genders file: exit 1"

# WCOLL: the node file when no node option is given and no c3.conf applies
printf 'node[01-02]\n@gpu\n' >"$s/wcoll"
if [ -e /etc/c3.conf ]; then
	skip "WCOLL: the host list when no c3.conf applies" "/etc/c3.conf exists on this machine"
else
	run env WCOLL="$s/wcoll" CT_GROUPS="$s/groups" cexec --list
	is "$rc:$out" $'0:node01\nnode02\nnode03\nnode04' "WCOLL: the host list when no c3.conf applies"
fi
run env WCOLL="$s/wcoll" cexec -f "$s/c3.conf" --list
is "$out" $'node01\nnode03\nnode04\nnode05' "WCOLL: a c3.conf named by -f comes first"
run env WCOLL="$s/wcoll" C3_CONF="$s/c3.conf" cexec --list
is "$out" $'node01\nnode03\nnode04\nnode05' "WCOLL: ... and by C3_CONF"
run env WCOLL="$s/wcoll" cexec -w node09 --list
is "$out" "node09" "WCOLL: -w comes first"

# folding by the tools: the generated sets through --list --fold
if has_cmd "cexec --fold of the generated sets = nodeset -f" nodeset python3; then
	is "$(cexec --fold -w "^$s/all")" "$want" "cexec --fold of the $sets generated sets = nodeset -f"
fi

# ClusterShell's own groups file, unchanged, gives what its nodeset gives
cs=/etc/clustershell/groups.d/local.cfg
if ! has_cmd "ClusterShell's groups file as nodeset gives it" nodeset; then :
elif [ ! -r "$cs" ]; then skip "ClusterShell's groups file as nodeset gives it" "no $cs here"
elif [ -e /etc/clustershell/groups ]; then
	skip "ClusterShell's groups file as nodeset gives it" "/etc/clustershell/groups exists here: nodeset reads it, not $cs"
else
	for g in $(nodeset -l) '@compute!@gpu' '@io&@oss,@adm'; do
		is "$(cexec --groups-file "$cs" --fold -w "$g")" "$(nodeset -f "$g")" "ClusterShell's $cs: $g as nodeset -f gives it"
	done
fi

# --- on the test cluster: each tool reaches the nodes of a group ----------------
need_root
start_cluster 6
W=$(scratch /var/tmp) # the nodes see the host's /var/tmp, each has its own /tmp
# which NODE[01-06] hold /tmp/$1, as "node01 node02 "
holders() { cexec -p -w 'node[01-06]' "test -e /tmp/$1 && echo yes || echo no" | sort | awk '$2 == "yes" { printf "%s ", substr($1, 1, length($1) - 1) }'; }

run cexec "${gf[@]}" -w @cpu touch /tmp/g-cexec
is "$rc:$(holders g-cexec)" "0:node01 node02 " "cexec -w @group runs on the group's nodes"
run cexec -g rack=1 touch /tmp/g-genders
is "$rc:$(holders g-genders)" "0:node01 node02 " "cexec -g rack=1 (genders)"
run cexec -f "$s/c3.conf" -w @alpha -x node05 touch /tmp/g-c3
is "$rc:$(holders g-c3)" "0:node01 node03 node04 " "cexec -w @cluster -x NODE"

echo payload >"$W/payload"
run cpush "${gf[@]}" -w @gpu "$W/payload" /tmp/g-cpush
is "$rc:$(holders g-cpush)" "0:node03 node04 " "cpush -w @group"
run cpush -g login "$W/payload" /tmp/g-cpush-g
is "$rc:$(holders g-cpush-g)" "0:node06 " "cpush -g ATTR"
run cpush -f "$s/c3.conf" -w @alpha -x @rack "$W/payload" /tmp/g-cpush-c3
is "$rc:$(holders g-cpush-c3)" "0:" "cpush -w @cluster -x @attribute leaves none"
run cpush -f "$s/c3.conf" -w @alpha "$W/payload" /tmp/g-cpush-c3
is "$rc:$(holders g-cpush-c3)" "0:node01 node03 node04 node05 " "cpush -w @cluster"

run cget "${gf[@]}" -w @login /tmp/g-cexec "$W/got1"
is "$rc" 2 "cget -w @login: the file is missing there (exit 2)"
run cget "${gf[@]}" -w @cpu /tmp/g-cexec "$W/got2"
is "$rc:$(ls "$W/got2" | tr '\n' ' ')" "0:g-cexec_node01 g-cexec_node02 " "cget -w @group"
run cget -g rack=2 -x @login /tmp/g-cpush "$W/got3"
is "$rc:$(ls "$W/got3" | tr '\n' ' ')" "2:g-cpush_node03 g-cpush_node04 " "cget -g ATTR=VAL -x @attribute (node05 lacks the file: exit 2)"
run cget -f "$s/c3.conf" -w @alpha -x node05 /tmp/g-c3 "$W/got4"
is "$rc:$(ls "$W/got4" | tr '\n' ' ')" "0:g-c3_node01 g-c3_node03 g-c3_node04 " "cget -w @cluster"

mkdir -p "$W/img/etc" && echo image >"$W/img/etc/motd-g"
RI=(--remote-imgsync "$CT_BIN/imgsync")
run imgsync -q "${RI[@]}" "${gf[@]}" -w @cpu "$W/img" /tmp/g-img1
is "$rc:$(holders g-img1/etc/motd-g)" "0:node01 node02 " "imgsync -w @group"
run imgsync -q "${RI[@]}" -g login "$W/img" /tmp/g-img2
is "$rc:$(holders g-img2/etc/motd-g)" "0:node06 " "imgsync -g ATTR"
run imgsync -q "${RI[@]}" -f "$s/c3.conf" -w @alpha -x node01,node03 "$W/img" /tmp/g-img3
is "$rc:$(holders g-img3/etc/motd-g)" "0:node04 node05 " "imgsync -w @cluster"
