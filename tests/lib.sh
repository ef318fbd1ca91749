# SPDX-License-Identifier: BSD-3-Clause
# tests/lib.sh — sourced by every end-to-end test in tests/cli/.
# Prints TAP: "ok N - what" / "not ok N - what". The runner counts them.
#   ok CMD... -- assert a command succeeds        (desc from $T or the command)
#   is GOT EXPECTED DESC                            string equality, shows both on failure
#   t "description" CMD...                          like ok, with a description
#   run CMD...                                      sets $out, $err, $rc
#   scratch [PARENT]                                a fresh temp dir (in /tmp or PARENT), removed at exit
#   at_exit CMD                                     cleanup, run in reverse order even on failure
#   start_cluster N [--or-skip]                     a test cluster for this test (below)
#   skip DESC REASON, skip_all REASON               checks that cannot run here (below)
#   need_cmd TOOL..., has_cmd DESC TOOL...          skip unless the tools are installed
#   cluster CMD..., on NODE CMD...                  the testbed: tests/cluster.sh
set -u
CT_TOP=${CT_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
CT_BIN=${CT_BIN:-$CT_TOP/build/asan/bin}
export PATH=$CT_BIN:$PATH
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:exitcode=99}
# The machine's ClusterShell group sources (/etc/clustershell/groups.conf)
# are not the tests': a test that wants some names its own file.
export CT_CLUSH_GROUPS_CONF=${CT_CLUSH_GROUPS_CONF:-/dev/null}
# A checkout under /tmp is carried read-only into the test cluster's nodes
# (tests/testbed/cluster), so its top entry shows in every node's /tmp:
# listings of a node's /tmp leave it out with without_checkout.
case "$CT_TOP/" in /tmp/*) CT_TMP_ENTRY=${CT_TOP#/tmp/}; CT_TMP_ENTRY=${CT_TMP_ENTRY%%/*} ;; *) CT_TMP_ENTRY= ;; esac
without_checkout() { if [ -n "$CT_TMP_ENTRY" ]; then grep -vx -- "$CT_TMP_ENTRY" || true; else cat; fi; }
_tap_n=0
_tap_fail=0
_cleanups=()

at_exit() { _cleanups+=("$*"); }
_run_cleanups() {
	local i
	for ((i = ${#_cleanups[@]} - 1; i >= 0; i--)); do eval "${_cleanups[$i]}" >/dev/null 2>&1 || true; done
}
# bash ignores the status of an EXIT trap's last command: the trap exits
# explicitly, with the script's own status, or 1 when a check failed
_on_exit() {
	local rc=$?
	_run_cleanups
	[ "$rc" -ne 0 ] || [ "$_tap_fail" -eq 0 ] || rc=1
	exit "$rc"
}
trap _on_exit EXIT
# scratch runs in $(...), a subshell, where at_exit would be lost: its dirs are
# listed in a file, removed after every other cleanup (servers stopped, mounts gone)
_scratch_list=$(mktemp /tmp/ct-scratch.XXXXXX)
at_exit "_rm_scratch"
_rm_scratch() { xargs -r -d '\n' rm -rf --one-file-system -- <"$_scratch_list"; rm -f "$_scratch_list"; }
trap 'exit 130' INT TERM

# TODO="why": checks made while it is set are known bugs (TAP "# TODO"): shown, not counted.
TODO=
_pass() { _tap_n=$((_tap_n + 1)); echo "ok $_tap_n - $1${TODO:+ # TODO $TODO}"; }
_fail() {
	_tap_n=$((_tap_n + 1))
	if [ -n "$TODO" ]; then echo "not ok $_tap_n - $1 # TODO $TODO"; return; fi
	_tap_fail=$((_tap_fail + 1)); echo "not ok $_tap_n - $1"
}

t() {
	local desc=$1; shift
	if "$@"; then _pass "$desc"; else _fail "$desc"; echo "#   command: $*"; fi
}

is() {
	if [ "$1" = "$2" ]; then _pass "$3"; else
		_fail "$3"
		echo "#   got:      $(printf '%s' "$1" | head -c 2000 | sed '2,$s/^/#             /')"
		echo "#   expected: $(printf '%s' "$2" | head -c 2000 | sed '2,$s/^/#             /')"
	fi
}

like() { # like GOT REGEX DESC
	if printf '%s' "$1" | grep -qE -- "$2"; then _pass "$3"; else
		_fail "$3"; echo "#   got: $(printf '%s' "$1" | head -c 2000)"; echo "#   wanted match: $2"; fi
}

run() {
	local f; f=$(mktemp)
	out=$("$@" 2>"$f"); rc=$?
	err=$(cat "$f"); rm -f "$f"
	return 0
}

# scratch [PARENT]: a fresh temp dir in PARENT (default /tmp), removed at exit. A test
# cluster's nodes have their own /tmp: files they must see go under /var/tmp.
scratch() {
	local d; d=$(mktemp -d "${1:-/tmp}/ct-test.XXXXXX")
	echo "$d" >>"$_scratch_list"
	echo "$d"
}

# --- skips: "ok N - DESC # SKIP REASON", counted by tests/run as skipped, never
# as passed, and as failed under STRICT=1 or CI=true (make check in CI) ---------
#   skip DESC REASON        one check (or group of checks, named by DESC) not run here
#   skip_all REASON         the rest of the file: all of it ("1..0 # SKIP") when no
#                           check ran yet, else one skip line for the remaining checks
#   need_root               skip_all unless root
#   need_cmd TOOL...        skip_all unless every TOOL is installed, naming the missing
#   has_cmd DESC TOOL...    true when every TOOL is installed; else skips DESC naming
#                           the missing ones:  has_cmd "lint" mandoc && t "lint" ...
# CT_MISSING="TOOL ..." makes those tools look missing to need_cmd and has_cmd (a
# test hook: tests/cli/run-self.sh proves that CI fails when a tool is missing).
skip() { _tap_n=$((_tap_n + 1)); echo "ok $_tap_n - $1 # SKIP $2"; }
skip_all() {
	if [ "$_tap_n" -eq 0 ]; then echo "1..0 # SKIP $*"; else skip "the remaining checks of ${0##*/}" "$*"; fi
	exit 0
}
need_root() { [ "$(id -u)" = 0 ] || skip_all "needs root"; }
_missing_cmds() {
	local c m=
	for c; do
		case " ${CT_MISSING:-} " in *" $c "*) m="$m $c"; continue ;; esac
		command -v "$c" >/dev/null || m="$m $c"
	done
	echo "${m# }"
}
need_cmd() { local m; m=$(_missing_cmds "$@"); [ -z "$m" ] || skip_all "not installed: $m"; }
has_cmd() {
	local desc=$1 m; shift
	m=$(_missing_cmds "$@")
	[ -n "$m" ] || return 0
	skip "$desc" "not installed: $m"
	return 1
}

# --- the local test cluster (tests/cluster.sh: cluster, on, node_procs, kill_sshd,
# cluster_gateway) -------------------------------------------------------------------
source "$CT_TOP/tests/cluster.sh"

# start_cluster N [--or-skip]: start an N-node test cluster (waits while another
# test's cluster runs) that is stopped at exit, and export its environment
# (HOME, CT_NODES, CT_NODE_COUNT, CT_SSH_CONFIG, CT_TESTBED). Needs root. If it
# does not start, the testbed's messages are shown as comments and the test
# ends: "not ok - cluster start N", or with --or-skip skipped as a whole.
start_cluster() {
	local n=$1 or_skip=${2:-} log why
	need_root
	at_exit "cluster stop"
	log=$(mktemp)
	if ! cluster start "$n" >"$log" 2>&1; then
		sed 's/^/# /' "$log"
		why=$(tail -1 "$log")
		rm -f "$log"
		[ "$or_skip" != --or-skip ] || skip_all "cannot start the test cluster (${why:-no message})"
		_fail "cluster start $n"
		exit 1
	fi
	rm -f "$log"
	eval "$(cluster env)"
}

# --- waiting for a condition: no sleep as synchronisation -----------------------------
# wait_for DESC CMD...: poll CMD until it succeeds. At the deadline ($CT_WAIT
# seconds, default 120: generous, as a loaded machine under ASan is slow and
# only a broken behaviour should reach it) the check "waited N s for DESC"
# fails and it returns 1. It proves nothing by time, it only bounds a wait.
#   eventually DESC CMD...    a check: passes once CMD succeeds, fails at the deadline
#   wait_file FILE            FILE exists and is not empty
#   wait_line FILE REGEX      a line of FILE matches REGEX (grep -E)
#   wait_port ADDR PORT       a TCP listener on ADDR:PORT (in this network namespace)
#   wait_gone PID...          none of the PIDs runs any more (a zombie counts as gone)
# CT_POLL: seconds between tries (0.05; longer where each try is costly)
CT_WAIT=${CT_WAIT:-120}
_wait_until() {
	local end=$((SECONDS + CT_WAIT))
	until "$@"; do
		[ "$SECONDS" -lt "$end" ] || return 1
		sleep "${CT_POLL:-0.05}"
	done
}
wait_for() {
	local desc=$1
	shift
	_wait_until "$@" && return 0
	_fail "waited $CT_WAIT s for $desc"
	return 1
}
eventually() {
	local desc=$1
	shift
	if _wait_until "$@"; then _pass "$desc"; else _fail "$desc (waited $CT_WAIT s)"; fi
}
wait_file() { wait_for "$1 to be written" test -s "$1"; }
wait_line() { wait_for "a line matching '$2' in $1" grep -qsE -- "$2" "$1"; }
_listening() { [ -n "$(ss -Htln "src $1 and sport = :$2" 2>/dev/null)" ]; }
wait_port() { wait_for "a listener on $1:$2" _listening "$1" "$2"; }
_gone() { # PID...: none runs (gone, or a zombie not yet reaped)
	local p s
	for p; do
		s=$(cut -d' ' -f3 "/proc/$p/stat" 2>/dev/null) || continue
		[ -z "$s" ] || [ "$s" = Z ] || return 1
	done
}
wait_gone() { wait_for "process $* to end" _gone "$@"; }
# reap PID: wait for a child of the test to exit and return its status; one that is
# still running at the deadline fails the check "waited ... for process PID to end"
# and is killed (the test goes on instead of hanging)
reap() {
	wait_gone "$1" || kill -KILL "$1" 2>/dev/null
	wait "$1"
}
