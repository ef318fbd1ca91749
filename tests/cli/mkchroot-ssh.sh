#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# mkchroot golden backend from a test-cluster node over ssh: the node's tree
# (made inside the node's private /tmp) streams as tar over an exec channel;
# excludes are honoured, owners, modes, links and capabilities kept.
source "${CT_TOP:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
source "$CT_TOP/tests/cli/mkchroot.inc"
need_root
s=$(scratch)
export MKCHROOT_TEMPLATES=$CT_TOP/etc/mkchroot.d
start_cluster 2 --or-skip

# the golden tree lives in node01's private /tmp: only node01 can see it
cluster exec node01 bash -c "source '$CT_TOP/tests/cli/mkchroot.inc' && make_tree /tmp/golden &&
	mkdir -p /tmp/golden/home/u /tmp/golden/etc/ssh && echo x >/tmp/golden/home/u/f &&
	echo key >/tmp/golden/etc/ssh/ssh_host_rsa_key && echo node01 >/tmp/golden/etc/hostname"
t "the golden tree is not visible on the host" test ! -e /tmp/golden
cluster exec node01 bash -c "source '$CT_TOP/tests/cli/mkchroot.inc' && tree_list /tmp/golden" >"$s/want"
cluster exec node01 bash -c "source '$CT_TOP/tests/cli/mkchroot.inc' && link_groups /tmp/golden" >"$s/want-links"

run mkchroot -v golden-system "$s/g" --source node01:/tmp/golden --exclude '*.tmp'
is "$rc" 0 "golden from node01 over ssh: exit 0"
[ "$rc" = 0 ] || echo "$err" | sed 's/^/# /'
like "$err" "node01:/tmp/golden: [0-9]+ entries copied" "golden over ssh: entries counted"
# what should differ: excluded paths, and what the stateless steps change (files in /etc and /etc/ssh, so their mtimes)
filter() { grep -vE '^(tmp/|home/u|srv/|etc/ssh/ssh_host|etc/hostname|etc/fstab|etc/machine-id|etc\|directory|etc/ssh\|directory)'; }
is "$(tree_list "$s/g" | filter)" "$(filter <"$s/want")" "golden over ssh: the node's tree, owners, modes, mtimes, links"
is "$(link_groups "$s/g")" " usr/bin/big usr/bin/big-link" "golden over ssh: hard links kept"
like "$(getcap "$s/g/usr/bin/pinger")" "cap_net_raw=ep" "golden over ssh: security.capability kept"
t "golden over ssh: /tmp/* and the template's /home/* excluded" test -d "$s/g/tmp" -a ! -e "$s/g/tmp/scratch" -a ! -e "$s/g/home/u"
t "golden over ssh: host keys and hostname gone" test ! -e "$s/g/etc/ssh/ssh_host_rsa_key" -a ! -e "$s/g/etc/hostname"

run mkchroot golden-system "$s/g2" --source node01:/tmp/nonexistent
is "$rc" 2 "golden from a missing remote path: exit 2"
like "$err" "node01: .*nonexistent" "golden from a missing remote path: the node's tar error is shown"
t "golden from a missing remote path: nothing left" test ! -e "$s/g2"
cluster kill node02
run mkchroot golden-system "$s/g3" --source node02
is "$rc" 2 "golden from a node that refuses ssh: exit 2"
like "$err" "node02" "golden from a node that refuses ssh: names the node"
