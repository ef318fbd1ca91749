# SPDX-License-Identifier: BSD-3-Clause
# bench/lib.sh — sourced by the bench scripts (bench/*.sh), not run on its own.
#   bench_timed CMD...        run CMD once: its wall time in seconds in $secs,
#                             the CPU seconds of CMD and its children in $cpu
#   bench_median N...         the median of the numbers (the lower middle if even)
#   bench_section TITLE [COL...]   a result section's head: "## TITLE", the text
#                             read from stdin, the table's header (work, ours,
#                             peer, ratio, command unless COLs are given)
#   bench_cluster N           an N-node test cluster, its environment exported
#   cluster CMD..., on NODE CMD...   the testbed (tests/cluster.sh)
# Messages name the script: "bench/NAME: ...".
bench_name=bench/$(basename "$0" .sh)
source "$(dirname "${BASH_SOURCE[0]}")/../tests/cluster.sh"

bench_now() { date +%s.%N; }

# bench_timed CMD...: run CMD with stdout to $bench_out (default /dev/null),
# its stderr kept in $bench_err if that names a file,
# wall seconds in $secs, CPU seconds of CMD and the children it waited for
# in $cpu (the head's share when the peers are sshd nodes). A failing run is
# said on stderr with the last lines of its stderr; it is timed all the same
# (the table shows what happened).
bench_timed() {
	local t0 err clock rc
	err=$(mktemp)
	clock=$(mktemp)
	# bash's times, run by this shell (a command substitution would count a
	# subshell's children): lines 2 and 4 are the children's user and system time
	t0=$(bench_now)
	times >"$clock"
	"$@" >"${bench_out:-/dev/null}" 2>"$err"
	rc=$?
	times >>"$clock"
	secs=$(echo "$(bench_now) - $t0" | bc -l)
	if [ $rc -ne 0 ]; then
		echo "$bench_name: failed: $*" | cut -c1-300 >&2
		tail -5 "$err" >&2
	fi
	[ -z "${bench_err:-}" ] || cp "$err" "$bench_err"
	cpu=$(awk 'NR % 2 == 0 { gsub(/s/, ""); split($1, u, "m"); split($2, s, "m"); c[NR] = u[1] * 60 + u[2] + s[1] * 60 + s[2] }
		END { printf "%.3f\n", c[4] - c[2] }' "$clock")
	rm -f "$err" "$clock"
}

bench_median() { printf '%s\n' "$@" | sort -g | sed -n "$((($# + 1) / 2))p"; }

# bench_section TITLE [COL...]: the head of a result section (bench/run gathers
# them into bench/RESULTS.md); the text between title and table comes on stdin.
bench_section() {
	local title=$1 col head= rule=
	shift
	[ $# -gt 0 ] || set -- work ours peer ratio command
	for col; do head+="| $col "; rule+="|---"; done
	printf '## %s\n\n' "$title"
	cat
	printf '\n%s|\n%s|\n' "$head" "$rule"
}

# bench_cluster N: start an N-node test cluster (tests/testbed), or end the bench;
# export its environment (HOME, CT_NODES, CT_SSH_CONFIG, ...) and point pdsh's
# ssh at its ssh_config. The script stops it at exit (cluster stop).
bench_cluster() {
	cluster start "$1" >/dev/null || { echo "$bench_name: cannot start the test cluster" >&2; exit 1; }
	eval "$(cluster env)"
	export PDSH_SSH_ARGS_APPEND="-F $CT_SSH_CONFIG"
}
