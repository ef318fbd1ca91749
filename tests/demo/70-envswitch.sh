#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# envswitch: a site default, a user's choice, a new login shell that loads it,
# and a running shell switched in place. Private HOME and MODULEPATH; no cluster needed.
set -eu
CT_TOP=${CT_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
CT_BIN=${CT_BIN:-$CT_TOP/build/release/bin}
export PATH=$CT_BIN:$PATH
source "$CT_TOP/tests/helpers/envswitch-fixture.sh"
d=$(mktemp -d /tmp/ct-demo-envswitch.XXXXXX)
trap 'rm -rf "$d"' EXIT
esw_setup "$d" envswitch.conf
esw_profiles em "$d"
say() { printf '\n$ %s\n' "$*"; "$@"; }

say envswitch --system mpi = mpich-4.0
say envswitch --system compiler = gcc-12
say envswitch mpi = openmpi-4.1
say envswitch --list
say envswitch --show
printf '\n$ envswitch mpi = openmpi-9.9      # no such modulefile\n'
envswitch mpi = openmpi-9.9 2>&1 || echo "(exit $?)"
printf '\n# a new login shell (Environment Modules) with the snippet of envswitch --init bash:\n'
esw_login bash 'echo "LOADEDMODULES=$LOADEDMODULES"; which-openmpi-4.1'
printf '\n# the same shell, switched back to the site default in place:\n'
esw_login bash "echo \"before: \$LOADEDMODULES\"; $CT_BIN/envswitch mpi --rm;
	$CT_BIN/envswitch --apply bash; eval \"\$($CT_BIN/envswitch --apply bash)\"; echo \"after:  \$LOADEDMODULES\""
