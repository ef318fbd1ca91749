# SPDX-License-Identifier: BSD-3-Clause
# tests/cluster.sh — the local test cluster (tests/testbed, see its README) as seen
# from a test or a bench: sourced by tests/lib.sh and bench/lib.sh.
#   cluster start|stop|env|exec|pid|kill|restart|nodes ...   the testbed's command
#   on NODE CMD...                CMD inside NODE's namespaces (cluster exec)
#   node_procs NODE COMM          pids of NODE's processes called COMM
#   kill_sshd NODE                SIGKILL to NODE's sshd, listener and sessions
#   cluster_gateway NODE [BIN]    NODE gets a private /etc with the c3.conf read from stdin
#   same_on_all LOCAL REMOTE DESC a test: REMOTE on nodes 1..$N has LOCAL's sha256, mode, mtime
# The cluster belongs to the process that runs `cluster start` (the script
# itself, as the function runs in its shell) and ends with it.
CT_CLUSTER=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/testbed/cluster
cluster() { "$CT_CLUSTER" "$@"; }
on() { cluster exec "$@"; }

# node_procs NODE COMM: pids of the processes called COMM in NODE's mount namespace
node_procs() {
	local ns p
	ns=$(readlink "/proc/$(cluster pid "$1")/ns/mnt")
	for p in $(pgrep -x "$2"); do
		[ "$(readlink "/proc/$p/ns/mnt" 2>/dev/null)" = "$ns" ] && echo "$p"
	done
	return 0
}

# kill_sshd NODE: the node's sshd, listener and sessions, dies at once (SIGKILL)
kill_sshd() {
	local p
	p=$(node_procs "$1" sshd)
	[ -z "$p" ] || kill -9 $p 2>/dev/null
	return 0
}

# cluster_gateway NODE [BIN]: in NODE's mount namespace only, /etc becomes a copy
# whose c3.conf is read from stdin, and BIN (default $CT_BIN) is mounted on
# /usr/local/bin: NODE can serve as the gateway of an indirect C3 cluster.
cluster_gateway() {
	cluster exec "$1" sh -c 'mkdir -p /tmp/etc && cp -a /etc/. /tmp/etc/ && mount --bind /tmp/etc /etc &&
		mount --bind "$1" /usr/local/bin && cat >/etc/c3.conf' sh "${2:-$CT_BIN}"
}

# file_sum PATH: "sha256 mode mtime" of a local file; nodes_file_sums PATH: the same on nodes 1..$N
file_sum() { printf '%s %s\n' "$(sha256sum <"$1" | cut -d' ' -f1)" "$(stat -c '%a %Y' "$1")"; }
nodes_file_sums() {
	local i
	for i in $(seq 1 "$N"); do on $i sh -c "printf '%s %s\n' \"\$(sha256sum < '$1' | cut -d' ' -f1)\" \"\$(stat -c '%a %Y' '$1')\"" 2>&1; done
}
same_on_all() { # LOCAL REMOTE DESC
	local want i; want=$(for i in $(seq 1 "$N"); do file_sum "$1"; done)
	is "$(nodes_file_sums "$2")" "$want" "$3"
}
