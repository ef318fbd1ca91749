#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# ClusterShell's group sources (groups.conf, groups.conf.d, a YAML autodir,
# upcalls): the node tools expand @source:group as ClusterShell's own
# nodeset does over the same configuration (nothing contacted).
source "${CT_TOP:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
s=$(scratch)
cfg=$s/cs
mkdir -p "$cfg/groups.conf.d" "$cfg/groups.d" "$s/home"
# nodeset also reads ~/.config and ~/.local: an empty home keeps it to $cfg
export HOME=$s/home XDG_CONFIG_HOME=$s/home/.config CLUSTERSHELL_CFGDIR=$cfg
unset CT_CLUSH_GROUPS_CONF

cat >"$cfg/flat.txt" <<'G'
compute: node[01-08]
gpu: node[07-08]
login: login[1-2]
cpu: @compute!@gpu
G
# three sources with upcalls: one here, one in confdir, one that fails
cat >"$cfg/groups.conf" <<G
[Main]
default: flat
confdir: \$CFGDIR/groups.conf.d
autodir: "\$CFGDIR/groups.d" /nonexistent/groups.d

[flat,f]
map: echo "\$GROUP" >>$s/map-calls; sed -n 's/^\$GROUP:\(.*\)/\1/p' flat.txt
all: echo 'node[01-08] login[1-2]'
list: sed -n 's/^\([0-9A-Za-z_-]*\):.*/\1/p' flat.txt

[broken]
map: echo "squeue: error: Invalid job id specified" >&2; exit 1
list: echo 1234
G
cat >"$cfg/groups.conf.d/slurmish.conf" <<'G'
# a Slurm-like source whose answers live in files of its directory
[jobs,j]
map: cat "job-$GROUP.txt"
list: ls | sed -n 's/^job-\(.*\)\.txt$/\1/p'
G
printf 'node[01-03]\n' >"$cfg/groups.conf.d/job-11.txt"
printf 'node04 node05\nnode[06-07]\n' >"$cfg/groups.conf.d/job-12.txt"
cat >"$cfg/groups.d/racks.yaml" <<'G'
racks:
    r1: 'node[01-04]'
    r2:
        - 'node[05-06]'   # a list
        - 'node07,node08'
    old: '@r1!node02'
    mixed: '@r2&@flat:gpu'
roles:
    adm: 'login1'
    all: '@racks:r1,login2'
G

exprs=(@compute @flat:cpu @f:gpu '@flat:*' '@*' @jobs:11 @j:12 '@j:1[1-2]' '@jobs:*'
	@racks:old @racks:mixed '@racks:*' '@roles:*' @roles:adm '@racks:r[1-2]' @racks:nosuch
	'@j:11,@racks:r2!@gpu' '@flat:compute&@racks:r2' '@compute^@racks:r1' 'login9,@roles:all')
if has_cmd "@source:group expansion = nodeset -f (clustershell)" nodeset; then
	for e in "${exprs[@]}"; do
		want=$(nodeset -f "$e" 2>&1)
		run cexec --fold -w "$e"
		is "$rc:$out" "0:$want" "cexec -w '$e' = nodeset -f"
	done
	nodeset -f @broken:1234 >/dev/null 2>&1
	is "$?" 1 "a failing upcall: nodeset fails"
fi
run cexec --fold -w @broken:1234
is "$rc:$out" "1:" "a failing upcall: cexec fails"
like "$err" "@broken:1234: echo exited 1: squeue: error: Invalid job id specified" "... naming the group, the command, its status and first stderr line"
run cexec --list -w @nosuch:x
like "$rc:$err" "^1:.*@nosuch:x: no group source 'nosuch' \($cfg/groups.conf\)" "an unknown source is named with the configuration"
run cexec --list -w @jobs:
like "$rc:$err" "^1:.*'@jobs:': no group name" "'@source:' without a group: said so"
run cexec --list -w @:11
like "$rc:$err" "^1:.*'@:11': empty group source" "'@:group': said so"

# the same file named by CT_CLUSH_GROUPS_CONF; the tools' other groups first
printf 'gpu: node09\n' >"$s/ctgroups"
run env -u CLUSTERSHELL_CFGDIR CT_CLUSH_GROUPS_CONF="$cfg/groups.conf" cexec --groups-file "$s/ctgroups" --fold -w @gpu,@jobs:11
is "$out" "node[01-03,09]" "CT_CLUSH_GROUPS_CONF; @group of the groups file before the default source"
run env CT_CLUSH_GROUPS_CONF="$s/none.conf" cexec --list -w @x
like "$rc:$err" "^1:.*$s/none.conf: No such file" "a groups.conf named by CT_CLUSH_GROUPS_CONF must exist"

# per-run cache: one map upcall per group whatever the number of uses
: >"$s/map-calls"
run cexec --fold -w '@compute,@flat:compute!@compute' -x @compute
is "$rc:$(sort "$s/map-calls" | uniq -c | awk '{ print $1 " " $2 }' | tr '\n' ' ')" "0:1 compute " "each upcall runs once per run (cached)"

# --groups: every source's groups
run cexec --groups
is "$(grep -c $'\tclustershell ' <<<"$out")" 19 "--groups: the 19 groups of the 7 sources listed"
like "$out" $'jobs:12\tclustershell '"$cfg/groups.conf.d/slurmish.conf" "... with their source and file"
like "$out" $'racks:mixed\tclustershell '"$cfg/groups.d/racks.yaml" "... YAML groups too"

# an upcall that hangs is stopped at the timeout, with what it started
cat >"$s/hang.conf" <<G
[Main]
default: hang
[hang]
map: sleep 300 & echo \$! >$s/hang.pid; wait
G
run env CT_CLUSH_GROUPS_CONF="$s/hang.conf" CT_UPCALL_TIMEOUT=0.5 cexec --list -w @x
like "$rc:$err" "^1:.*@x: sleep timed out after 0.5 s" "a hanging upcall: timed out, named"
pid=$(cat "$s/hang.pid")
t "... and what it started was killed with it (pid $pid)" _gone "$pid"

# upcall values are quoted for where they land
cat >"$s/quote.conf" <<G
[Main]
default: q
[q]
map: printf '%s\n' "d-\$GROUP" 'n-\$GROUP' x-\$GROUP >$s/quoted
G
run env CT_CLUSH_GROUPS_CONF="$s/quote.conf" cexec --list -w '@q:a-b'
is "$rc:$(tr '\n' ' ' <"$s/quoted")" "0:d-a-b n-a-b x-a-b " "\$GROUP inside \"...\", '...' and bare gives the name"

# a bad YAML file or groups.conf: FILE:LINE, once a ClusterShell group is asked for
printf 'racks:\n    r9: [unclosed\n' >"$cfg/groups.d/bad.yaml"
run cexec --list -w @racks:r1
like "$rc:$err" "^1:.*$cfg/groups.d/bad.yaml:[0-9]+: " "a YAML file that does not parse: FILE:LINE"
run cexec --list -w 'n1,@nosuch' --groups-file "$s/ctgroups"
like "$rc:$err" "^1:.*$cfg/groups.d/bad.yaml:[0-9]+: " "... also for a plain @group that falls through to the default source"
run cexec --list -w 'n1,@gpu' --groups-file "$s/ctgroups"
is "$rc:$out" $'0:n1\nnode09' "... but a run that needs no ClusterShell group does not read it"
run cexec --groups
like "$rc:$err" "^1:.*$cfg/groups.d/bad.yaml:[0-9]+: " "... --groups reads it: the error, exit 1"
printf 'racks:\n    - node1\n' >"$cfg/groups.d/bad.yaml"
run cexec --list -w @racks:r1
like "$rc:$err" "^1:.*$cfg/groups.d/bad.yaml:2: expected the groups of the source" "a YAML source that is not a mapping: FILE:LINE"
rm "$cfg/groups.d/bad.yaml"
printf '[x]\nlist: echo a\n' >"$cfg/groups.conf.d/nomap.conf"
run cexec --list -w @racks:r1
like "$rc:$err" "^1:.*$cfg/groups.conf.d/nomap.conf:1: \[x\]: no 'map' upcall" "a source without map: FILE:LINE"
rm "$cfg/groups.conf.d/nomap.conf"
run cexec --fold -w @racks:r1
is "$rc:$out" "0:node[01-04]" "... fixed: fine again"
