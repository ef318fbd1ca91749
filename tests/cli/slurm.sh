#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# A real Slurm on the test cluster: munged and slurmctld on the head, one
# slurmd inside each node's namespaces (its UTS namespace gives it the node's
# name; the nodes share the host's network, so each slurmd has its own port
# on its own 127.0.1.N address). Group sources: ClusterShell's own slurm.conf
# example, copied unchanged from the clustershell package. Then -w @sj:JOB,
# @sp:PART, -P PART, -j JOB and @st:drained reach exactly the nodes Slurm
# names (scontrol show hostnames).
source "$CT_TOP/tests/lib.sh"
need_root
need_cmd munged slurmctld slurmd sinfo squeue sbatch scontrol scancel
example=/etc/clustershell/groups.conf.d/slurm.conf.example
[ -r "$example" ] || skip_all "no $example (clustershell)"
start_cluster 6
S=$(scratch /var/tmp) # the nodes' slurmd see the host's /var/tmp
chmod 755 "$S"

# --- munge: our own key, socket and files -------------------------------------
mkdir -m 700 "$S/munge"
dd if=/dev/urandom of="$S/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$S/munge/munge.key"
sock=$S/munge/sock
munged --force --key-file="$S/munge/munge.key" --socket="$sock" --pid-file="$S/munge/pid" \
	--log-file="$S/munge/log" --seed-file="$S/munge/seed"
at_exit 'kill $(cat "$S/munge/pid" 2>/dev/null) 2>/dev/null'
wait_file "$S/munge/pid"

# --- slurm.conf: the six nodes, partitions alpha (01-04) and beta (05-06) -------
base=$((20000 + $$ % 20000))
export SLURM_CONF=$S/slurm.conf
{
	cat <<C
ClusterName=ct
SlurmctldHost=$(hostname -s)(127.0.0.1)
SlurmctldPort=$base
AuthType=auth/munge
AuthInfo=socket=$sock
CredType=cred/munge
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$S/state
SlurmdSpoolDir=$S/spool/%n
SlurmctldPidFile=$S/slurmctld.pid
SlurmdPidFile=$S/slurmd-%n.pid
SlurmctldLogFile=$S/slurmctld.log
SlurmdLogFile=$S/slurmd-%n.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/linear
SchedulerType=sched/builtin
MpiDefault=none
ReturnToService=2
C
	for i in 1 2 3 4 5 6; do
		echo "NodeName=node0$i NodeAddr=127.0.1.$i Port=$((base + i)) CPUs=1 State=UNKNOWN"
	done
	echo "PartitionName=alpha Nodes=node[01-04] Default=YES State=UP"
	echo "PartitionName=beta Nodes=node[05-06] State=UP"
} >"$SLURM_CONF"
mkdir -p "$S/state" "$S/spool"
slurmctld -i
at_exit 'kill $(cat "$S/slurmctld.pid" 2>/dev/null) 2>/dev/null'
for i in 1 2 3 4 5 6; do
	on node0$i env SLURM_CONF="$SLURM_CONF" slurmd
	at_exit "kill \$(cat '$S/slurmd-node0$i.pid' 2>/dev/null) 2>/dev/null"
done
idle() { [ "$(sinfo -h -o '%T %D' -t idle 2>/dev/null)" = "idle 6" ]; }
wait_for "the six slurmd registered and idle (sinfo)" idle || { sed 's/^/# /' "$S"/*.log | tail -30; exit 1; }

# --- ClusterShell's Slurm group sources, unchanged ------------------------------
cfg=$S/clush
mkdir -p "$cfg/groups.conf.d"
printf '[Main]\ndefault: sp\nconfdir: $CFGDIR/groups.conf.d\n' >"$cfg/groups.conf"
cp "$example" "$cfg/groups.conf.d/slurm.conf"
t "the group sources are ClusterShell's own example, unchanged" cmp -s "$example" "$cfg/groups.conf.d/slurm.conf"
export CT_CLUSH_GROUPS_CONF=$cfg/groups.conf

# which nodes a cexec run reached, by their own hostname: "node01 node02 "
reached() { cexec -p "$@" hostname | awk '{ print $2 }' | sort | tr '\n' ' '; }
# the nodes Slurm names, expanded by Slurm itself: "node01 node02 "
slurm_names() { scontrol show hostnames "$1" | sort | tr '\n' ' '; }

# two held jobs: three nodes of alpha, node06 of beta (so that one job's nodes are not all jobs' nodes)
job=$(sbatch --parsable -D "$S" -o "$S/job-%j.out" -N3 -p alpha -J ct-held --wrap 'sleep infinity')
other=$(sbatch --parsable -D "$S" -o "$S/job-%j.out" -N1 -p beta -w node06 -J ct-other --wrap 'sleep infinity')
at_exit "scancel $job $other 2>/dev/null"
running() { [ "$(squeue -h -j "$job,$other" -o %T | sort -u)" = RUNNING ]; }
wait_for "jobs $job and $other running" running
jobnodes=$(squeue -h -j "$job" -o %N)
is "$(slurm_names "$jobnodes" | wc -w)" 3 "job $job runs on three nodes ($jobnodes)"

is "$(reached -w "@sj:$job")" "$(slurm_names "$jobnodes")" "cexec -w @sj:JOB reaches the job's nodes"
is "$(reached -j "$job")" "$(slurm_names "$jobnodes")" "cexec -j JOB: the same"
is "$(reached -j "$job,$other")" "$(slurm_names "$jobnodes,$(squeue -h -j "$other" -o %N)")" "cexec -j JOB,JOB: both jobs' nodes"
is "$(reached -P beta)" "$(slurm_names "$(sinfo -h -o %N -p beta)")" "cexec -P beta reaches the partition's nodes"
is "$(reached -w @sp:alpha)" "$(slurm_names "$(sinfo -h -o %N -p alpha)")" "cexec -w @sp:alpha"
is "$(reached -w @alpha)" "$(slurm_names "$(sinfo -h -o %N -p alpha)")" "cexec -w @alpha: sp is the default source"
is "$(reached -P alpha,beta -x "@sj:$job")" "$(slurm_names "$(sinfo -h -o %N)" | tr ' ' '\n' |
	grep -vxF -f <(slurm_names "$jobnodes" | tr ' ' '\n') | tr '\n' ' ')" "-P alpha,beta -x @sj:JOB: the nodes not in the job"

scontrol update nodename=node05 state=drain reason=t
drained() { [ -n "$(sinfo -h -o %N -t drained)" ]; }
wait_for "node05 drained" drained
is "$(reached -w @st:drained)" "$(slurm_names "$(sinfo -h -o %N -t drained)")" "cexec -w @st:drained after scontrol update state=drain"
is "$(reached -w @st:drained)" "node05 " "... which is node05"

# a job that does not exist: squeue fails, the run fails naming it
run cexec --list -j 999999
like "$rc:$err" "^1:.*@sj:999999: squeue exited 1: .*Invalid job id" "-j of an unknown job: the squeue failure, named"
run env CT_CLUSH_GROUPS_CONF=/dev/null cexec --list -P alpha
like "$rc:$err" "^1:.*@sp:alpha: no group source 'sp'" "-P without a Slurm group source: said so"
