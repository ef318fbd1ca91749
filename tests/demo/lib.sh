# SPDX-License-Identifier: BSD-3-Clause
# Sourced by the cluster demos (tests/demo/NN-*.sh, not run on its own):
# strict mode, the tools of $CT_BIN first in PATH, the testbed's cluster
# command in $CL and the demo's host list in $nodes.
set -eu
CT_TOP=${CT_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
CT_BIN=${CT_BIN:-$CT_TOP/build/release/bin}
export PATH=$CT_BIN:$PATH
CL=$CT_TOP/tests/testbed/cluster
nodes=${CT_NODES:-node[01-08]}
