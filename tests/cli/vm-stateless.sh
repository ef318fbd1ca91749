#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Warewulf-style stateless boot in a virtual machine (issue 18, scenario 1):
# the mkchroot debian-12-based cmt-live root with a kernel and openssh-server,
# packed with mkchroot --vnfs, boots as the VM's whole system (kernel +
# initramfs, rdinit=/sbin/init: systemd), its address static on the kernel
# command line; then the administrator's tools work on it over SSH from the
# test's network namespace: cexec runs a command, imgsync changes a file,
# cget fetches one. TCG; a minute or two.
source "$(dirname "$0")/../lib.sh"
need_root
source "$CT_TOP/tests/cli/vm.inc"
vm_can_start
need_cmd qemu-img debootstrap zstd
[ -x "$VM_BIN/cexec" ] && [ -x "$VM_BIN/mkchroot" ] || { _fail "build the tools first: $VM_BIN"; exit 1; }
d=$(scratch)
VM_RUN=$d
LIMIT=${VM_STATELESS_SECONDS:-600}

vm_prepare
is "$(stat -c %s "$VM_ROOT/etc/machine-id")" 0 "mkchroot's stateless steps: an empty machine-id"
run vm_pack "$d/node.img"
is "$rc" 0 "mkchroot --vnfs packs it ($(($(stat -c %s "$d/node.img" 2>/dev/null || echo 0) >> 20)) MiB)"

ns=ctvs$$
vm_netns $ns || skip_all "cannot create a network namespace with a tap device"
con=$d/console.log
start=$SECONDS
deadline=$((start + LIMIT))
vm_start node01 $ns "$con" -kernel "$(vm_kernel)" -initrd "$d/node.img" \
	-append "console=ttyS0 net.ifnames=0 rdinit=/sbin/init systemd.hostname=node01 ip=$VM_NET.38::$VM_NET.1:255.255.255.0::eth0:off"
t "the VM starts with the VNFS image as its initramfs" vm_running node01

vm_home "$d/home" node01 $VM_NET.38
c3() { HOME=$d/home ip netns exec $ns "$@"; }
got=
answers() { got=$(c3 "$VM_BIN/cexec" -w node01 -t 5 hostname 2>/dev/null) && [ -n "$got" ]; }
vm_until $deadline node01 answers
like "$got" "^node01$" "cexec -w node01 hostname: the stateless node answers ($((SECONDS - start)) s after start)"
[ -n "$got" ] || { echo "#   console (last lines):"; tail -30 "$con" | sed 's/^/#   /'; }
run c3 "$VM_BIN/cexec" -w node01 -t 5 "findmnt -no FSTYPE /; cat /etc/machine-id | wc -c"
like "$out" "rootfs|tmpfs|ramfs" "its root is the unpacked image in memory"
like "$out" "33" "systemd made it a machine-id at boot"

mkdir -p "$d/site"
echo "stateless node, changed by imgsync $$" >"$d/site/motd"
# a site tree, not a root filesystem: --force (imgsync refuses such an image by default)
run c3 "$VM_BIN/imgsync" -q --force -w node01 "$d/site/" /opt/site
is "$rc" 0 "imgsync -w node01 SITE /opt/site: exit 0"
run c3 "$VM_BIN/cexec" -w node01 -t 5 cat /opt/site/motd
like "$out" "stateless node, changed by imgsync $$" "the file imgsync changed is on the node"
mid=$(c3 "$VM_BIN/cexec" -w node01 -t 5 cat /etc/machine-id | grep -Eo '[0-9a-f]{32}' | head -1)
run c3 "$VM_BIN/cget" -q -w node01 /etc/machine-id "$d/got"
is "$rc" 0 "cget -w node01 /etc/machine-id DIR: exit 0"
is "$(cat "$d"/got/machine-id* 2>/dev/null)" "${mid:-none}" "cget fetched the node's machine-id (made at this boot)"
echo "1..$_tap_n"
