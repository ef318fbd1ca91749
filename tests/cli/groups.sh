#!/usr/bin/env bash
# Node groups and listings: folding gives the text of ClusterShell's
# "nodeset -f" on generated sets.
source "${CT_TOP:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
s=$(scratch)

# --- folding: the same text as nodeset -f, on 250 generated sets ---------------
# Each set gets its own 4-letter prefix, so that no two sets share a pattern
# and one nodeset run folds them all; a mismatch is then looked up set by set.
if ! command -v nodeset >/dev/null; then
	echo "# nodeset (clustershell) missing: folding not compared"
else
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
