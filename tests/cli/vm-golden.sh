#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# A golden copy packed with --disk boots (issue 25): the cmt-live Debian root
# is put on a test-cluster node (under /var/tmp, which the nodes share with the
# host: their private /tmp is too small), copied over SSH from that node by
# `mkchroot golden-system --source node01:DIR`, packed by
# `mkchroot --disk` and booted cold in a VM (SeaBIOS, GRUB from the disk, no
# -kernel or -initrd). The node had a machine-id and an SSH host key; the
# booted copy answers `cexec -w node-golden` with a machine-id and a host key
# of its own (the stateless steps kept the node's identity out of the image).
source "$(dirname "$0")/../lib.sh"
need_root
source "$CT_TOP/tests/cli/vm.inc"
vm_can_start
need_cmd sfdisk mkfs.ext4 debugfs mkfs.vfat mcopy grub-mkimage debootstrap zstd
[ -x "$VM_BIN/cexec" ] && [ -x "$VM_BIN/mkchroot" ] || { _fail "build the tools first: $VM_BIN"; exit 1; }
d=$(scratch)
VM_RUN=$d
LIMIT=${VM_GOLDEN_SECONDS:-600} # the time bound of the boot, from the VM's start
ip=$VM_NET.40

vm_root_ready
start_cluster 1 --or-skip

# --- the running system: the root on node01, with that node's identity --------------
src=$(scratch /var/tmp)/golden
if vm_unpack "$src"; then _pass "the root unpacked for node01 to serve"; else _fail "the root unpacked for node01 to serve"; exit 1; fi
vm_authorize "$src"
rm -f "$src/init"
echo 0123456789abcdef0123456789abcdef >"$src/etc/machine-id"
ssh-keygen -q -t ed25519 -N '' -C node01 -f "$src/etc/ssh/ssh_host_ed25519_key"
node_key=$(cut -d' ' -f2 "$src/etc/ssh/ssh_host_ed25519_key.pub")

start=$SECONDS
run "$VM_BIN/mkchroot" -v golden-system --templates "$CT_TOP/etc/mkchroot.d" "$d/g" --source "node01:$src"
is "$rc" 0 "mkchroot golden-system --source node01:DIR: exit 0 ($((SECONDS - start)) s)"
like "$err" "node01:$src: [0-9]+ entries copied" "the tree came from node01 over SSH"
t "the copy has the root's kernel" test -n "$(ls "$d/g"/boot/vmlinuz-* 2>/dev/null)"
[ "$rc" = 0 ] || { echo "$err" | tail -5 | sed 's/^/# /'; exit 1; }
rm -rf "$src"
run "$VM_BIN/mkchroot" -q --disk "$d/disk.img" --format raw \
	--cmdline "console=ttyS0 net.ifnames=0 systemd.hostname=node-golden ip=$ip::$VM_NET.1:255.255.255.0::eth0:off" "$d/g"
is "$rc" 0 "mkchroot --disk packs the golden copy${err:+ ($err)}"

# --- it boots ---------------------------------------------------------------------------
ns=ctvg$$
vm_netns $ns || skip_all "cannot create a network namespace with a tap device"
con=$d/console.log
start=$SECONDS
deadline=$((start + LIMIT))
vm_start node $ns "$con" -drive file="$d/disk.img",if=virtio,format=raw,cache=unsafe
t "the VM starts (SeaBIOS, TCG, the disk its only drive)" vm_running node
if vm_wait node "$con" "node-golden login:" $deadline; then
	_pass "the golden copy boots cold under its name ($((SECONDS - start)) s)"
else
	_fail "the golden copy boots cold"; tail -30 "$con" | tr -d '\r' | sed 's/^/#   /'
fi
vm_home "$d/home" node-golden "$ip"
c3() { HOME=$d/home ip netns exec $ns "$VM_BIN/cexec" -w node-golden -t 5 "$@" 2>/dev/null; }
answers() { c3 true >/dev/null; }
CT_POLL=1 wait_for "cexec -w node-golden to answer" answers # each try a login
run c3 "hostname; cat /etc/machine-id; cut -d' ' -f2 /etc/ssh/ssh_host_ed25519_key.pub; findmnt -no SOURCE,FSTYPE /"
like "$out" "^node-golden$" "cexec -w node-golden hostname: the copy answers"
like "$out" "^[0-9a-f]{32}$" "it has a machine-id"
t "a machine-id of its own, not node01's" test -z "$(grep -x 0123456789abcdef0123456789abcdef <<<"$out")"
like "$out" "^AAAA" "it has an SSH host key"
t "a host key of its own, not node01's" test -z "$(grep -xF -- "$node_key" <<<"$out")"
like "$out" "^/dev/vda3 +ext4$" "its root is the disk's ext4 partition, the last"
echo "# total $((SECONDS - start)) s from the VM's start"
echo "1..$_tap_n"
