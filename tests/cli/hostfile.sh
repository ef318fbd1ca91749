#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# cexec --hostfile: an MPI hostfile of the nodes that answer, their slots
# from nproc (or --slots), Open MPI's or MPICH's format, written atomically;
# a stopped node is reported and left out. Open MPI's mpirun (if installed)
# runs on the file's nodes over the testbed's ssh, BatchMode: no prompt.
source "$CT_TOP/tests/lib.sh"
need_root
start_cluster 4
S=$(scratch)
nodes=(node01 node02 node03 node04)
# what each node says itself, in node order: "node01 slots=2" lines
want() { local n; for n in "$@"; do echo "$n slots=$(on "$n" nproc)"; done; }
# mpirun NP: one process per node of $S/hosts, each printing its node's hostname, sorted on a line
export OMPI_MCA_plm_rsh_agent="ssh -F $CT_SSH_CONFIG -o BatchMode=yes"
mpi_hosts() { mpirun --allow-run-as-root --hostfile "$S/hosts" -np "$1" --map-by node hostname | sort | tr '\n' ' '; }

run cexec --hostfile "$S/hosts" -w 'node[01-04]'
is "$rc:$out" "0:" "--hostfile: exit 0, nothing on stdout"
is "$(cat "$S/hosts")" "$(want "${nodes[@]}")" "one 'NAME slots=N' line per node, N its nproc, in node-list order"
if has_cmd "mpirun --hostfile FILE runs on its nodes" mpirun; then
	is "$(mpi_hosts 4)" "node01 node02 node03 node04 " "mpirun --hostfile FILE -np 4: one process on each node, no prompt"
fi

run cexec --hostfile "$S/hosts" --slots 8 --hostfile-format mpich -w 'node[04,01-02]'
is "$rc:$(cat "$S/hosts")" $'0:node04:8\nnode01:8\nnode02:8' "--slots 8 --hostfile-format mpich: 'NAME:8', in the order -w gives (node[04,01-02])"

# a node that does not answer: reported, left out, exit 2; the file replaced whole
ino=$(stat -c %i "$S/hosts")
cluster kill node03
run cexec --hostfile "$S/hosts" -w 'node[01-04]' --failed "$S/failed"
is "$rc" 2 "a stopped node: exit 2"
like "$err" "node03" "... named on stderr"
is "$(cat "$S/hosts")" "$(want node01 node02 node04)" "... and left out of the file"
is "$(cat "$S/failed")" "node03" "--failed FILE names it"
if has_cmd "mpirun on the nodes left" mpirun; then
	is "$(mpi_hosts 3)" "node01 node02 node04 " "mpirun --hostfile FILE -np 3: the stopped node03 is not used"
fi
t "the file was replaced, not rewritten in place (new inode)" test "$(stat -c %i "$S/hosts")" != "$ino"
is "$(ls "$S" | tr '\n' ' ')" "failed hosts " "no temporary file left beside it"

# nobody answers: the old file stays
cp "$S/hosts" "$S/before"
run cexec --hostfile "$S/hosts" -w node03
is "$rc" 2 "no node answers: exit 2"
like "$err" "no node answered: left as it was" "... said so"
t "... and the file is unchanged" cmp -s "$S/hosts" "$S/before"

# a node whose answer is not a count is failed, not written
cluster restart node03
on node03 sh -c 'mkdir -p /tmp/bin && printf "#!/bin/sh\necho many\n" >/tmp/bin/nproc && chmod +x /tmp/bin/nproc && mount --bind /tmp/bin/nproc "$(command -v nproc)"'
run cexec --hostfile "$S/hosts" -w 'node[02-03]'
is "$rc:$(cat "$S/hosts")" "2:$(want node02)" "a node answering 'many': exit 2, left out"
like "$err" "node03.*nproc answered 'many', not a slot count" "... the answer named"

# usage
run cexec --hostfile "$S/hosts" -w node01 hostname
like "$rc:$err" "^1:.*--hostfile takes no command" "--hostfile with a command: usage error"
run cexec --slots 2 -w node01 true
like "$rc:$err" "^1:.*--slots and --hostfile-format go with --hostfile" "--slots alone: usage error"
run cexec --hostfile "$S/hosts" --hostfile-format lam -w node01
is "$rc" 1 "--hostfile-format lam: usage error"
run cexec --hostfile "$S/nodir/hosts" -w node01
like "$rc:$err" "^1:.*--hostfile $S/nodir/hosts" "a hostfile that cannot be written: said before any node is asked"
