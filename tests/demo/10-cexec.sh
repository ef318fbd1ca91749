#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# cexec: one command on the 8 demo nodes in every output format, a C3
# cluster file with excluded/dead nodes, a dead node reported, a timeout
# that kills.
source "$(dirname "$0")/lib.sh"
d=$(mktemp -d /var/tmp/ct-demo-cexec.XXXXXX)
trap 'rm -rf "$d"; "$CL" restart node08 >/dev/null 2>&1 || true' EXIT
say() { printf '\n$ %s\n' "$*"; "$@" || echo "(exit $?)"; }

say cexec -w 'node[01-03]' 'hostname; uptime -p'
say cexec -p -w "$nodes" 'echo $(hostname) has $(nproc) cpus'
say cexec -b -w "$nodes" 'uname -sr'
say cexec --json -w 'node[01-02]' 'id -un; echo oops >&2; exit 3'
cat >"$d/c3.conf" <<'C3'
cluster demo {
    node01              # head node
    node[02-08]         # positions 0-6
    exclude 3           # node03 stays at position 1 but is never contacted
}
C3
say cat "$d/c3.conf"
say cexec -f "$d/c3.conf" :0-3 hostname
say cexec -f "$d/c3.conf" --head -p hostname
"$CL" kill node08
say cexec -t 2 -b -w "$nodes" --failed "$d/failed" true
say cat "$d/failed"
say cexec -u 1 -w 'node[01-02]' 'echo started; sleep 60'
say cexecs -w 'node[01-03]' date +%T.%N
