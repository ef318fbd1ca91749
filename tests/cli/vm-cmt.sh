#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The CMT flow in a virtual machine (issue 18, scenario 2). A VM with an empty
# virtio disk boots the live system (mkchroot cmt-live, packed with --vnfs, as
# its initramfs); lldpd in the test's namespace announces port Ethernet1/37 on
# the VM's link; cmt-provision names the node node-37 with lldpname, and
# nodeimage writes the written-system image (made by mkchroot --disk: GPT,
# GRUB, the ext4 Debian root last) served by nginx onto the disk, grows it,
# writes the hostname and kexecs into its kernel; the written system answers
# `cexec -w node-37 hostname`, then boots cold through its own GRUB.
# Everything runs in one network namespace the test makes: the VM's tap,
# lldpd (the switch), nginx and cexec (the head). TCG: a few minutes.
source "$(dirname "$0")/../lib.sh"
need_root
source "$CT_TOP/tests/cli/vm.inc"
vm_can_start
need_cmd lldpd lldpcli nginx qemu-img sfdisk mkfs.ext4 debugfs mkfs.vfat grub-mkimage debootstrap zstd
[ -x "$VM_BIN/nodeimage" ] && [ -x "$VM_BIN/mkchroot" ] || { _fail "build the tools first: $VM_BIN"; exit 1; }
d=$(scratch)
chmod 711 "$d" # lldpcli (setuid _lldpd) reaches the control socket in here
VM_RUN=$d
LIMIT=${VM_CMT_SECONDS:-900} # the time bound of the scenario, from the VM's start

vm_prepare
printf '[*]\ntemplate = node-%%d\n' >"$VM_ROOT/etc/lldpname.conf"
cat >"$VM_ROOT/etc/cmt-provision.conf" <<EOF
image = http://$VM_NET.1:8037/disk.qcow2
disk = /dev/vda
lldpname-options = --timeout 60
append = ip=$VM_NET.37::$VM_NET.1:255.255.255.0::eth0:off
EOF
start=$SECONDS
vm_disk
t "mkchroot --disk made the written-system image build/vm/disk.qcow2, or it is cached ($((SECONDS - start)) s)" test -s "$VM_DIR/disk.qcow2"
start=$SECONDS
run vm_pack "$d/live.img"
is "$rc" 0 "mkchroot --vnfs packs the live system ($(($(stat -c %s "$d/live.img" 2>/dev/null || echo 0) >> 20)) MiB, $((SECONDS - start)) s)"
t "the live image starts with /init (cmt-live-init)" sh -c "zstd -dc '$d/live.img' | cpio -t --quiet 2>/dev/null | grep -qx init"

# --- the namespace: tap0 (the VM's link), the switch, the head ----------------------------------
ns=ctvm$$
vm_netns $ns || skip_all "cannot create a network namespace with a tap device"
ip netns exec $ns lldpd -d -I tap0 -u "$d/lldpd.sock" -L "" >"$d/lldpd.log" 2>&1 &
at_exit "kill $!"
wait_for "lldpd's control socket" test -S "$d/lldpd.sock"
lldp() { ip netns exec $ns lldpcli -u "$d/lldpd.sock" "$@" >/dev/null; }
lldp configure system hostname leaf01
lldp configure lldp tx-interval 1
lldp configure ports tap0 lldp portidsubtype local Ethernet1/37
t "lldpd announces Ethernet1/37 on the VM's link" sh -c "ip netns exec $ns lldpcli -u '$d/lldpd.sock' show configuration >/dev/null"
mkdir -p "$d/www"
ln -s "$VM_DIR/disk.qcow2" "$d/www/disk.qcow2"
vm_nginx $ns "$d/www" $VM_NET.1:8037 "$d/nginx"
t "nginx serves the image in the namespace" sh -c "ip netns exec $ns curl -sfI http://$VM_NET.1:8037/disk.qcow2 | grep -qi 'accept-ranges: bytes'"

# --- the VM -----------------------------------------------------------------------------------------
qemu-img create -q -f qcow2 "$d/vda.qcow2" 4G
con=$d/console.log
start=$SECONDS
deadline=$((start + LIMIT))
vm_start node $ns "$con" -kernel "$(vm_kernel)" -initrd "$d/live.img" \
	-append "console=ttyS0 net.ifnames=0 cmt.ip=$VM_NET.37/24 cmt.fail=poweroff" \
	-drive file="$d/vda.qcow2",if=virtio,format=qcow2,cache=unsafe
t "the VM starts (qemu, TCG)" vm_running node
step() { # step REGEX DESCRIPTION: the console shows REGEX before the deadline
	if vm_wait node "$con" "$1" $deadline; then _pass "$2 ($((SECONDS - start)) s)"; else
		_fail "$2"; echo "#   console (last lines):"; tail -30 "$con" | sed 's/^/#   /'
		return 1
	fi
}
step "cmt-live-init: [0-9:]+ eth0: $VM_NET.37/24" "the live system is up, its network from cmt.ip=" &&
	step "cmt-provision: .* step 1/2: this node is node-37" "lldpname names it node-37 from the switch port" &&
	step "cmt-provision: .* step 2/2: nodeimage --wipe --grow --hostname node-37 --kexec" "cmt-provision runs nodeimage" &&
	step "^kernel /dev/vda3:/boot/vmlinuz-" "nodeimage found the written system's kernel on its last partition" &&
	step "kexec_core: Starting new kernel" "it kexecs into the written kernel"
two_kernels() { [ "$(grep -c 'Linux version' "$con")" -ge 2 ]; }
vm_until $deadline node two_kernels
is "$(grep -c 'Linux version' "$con")" 2 "two kernels booted in one VM run, no firmware reboot: the live one, the written one ($((SECONDS - start)) s)"
is "$(grep -c 'cmt-provision: .* FAILED' "$con")" 0 "no step failed"

# --- the written system answers -----------------------------------------------------------------------
vm_home "$d/home" node-37 $VM_NET.37
got=
answers() { got=$(HOME=$d/home ip netns exec $ns "$VM_BIN/cexec" -w "$1" -t 5 hostname 2>/dev/null) && [ -n "$got" ]; }
vm_until $deadline node answers node-37
like "$got" "^node-37$" "cexec -w node-37 hostname: the written system answers under its name ($((SECONDS - start)) s)"
run env HOME="$d/home" ip netns exec $ns "$VM_BIN/cexec" -w node-37 -t 5 "findmnt -no SOURCE,FSTYPE /; cat /proc/cmdline"
like "$out" "/dev/vda3 ext4" "its root is the written disk's ext4 partition, the last"
like "$out" "root=UUID=.* console=ttyS0 net.ifnames=0 ip=$VM_NET.37::" "its command line: the boot entry's, then --append"
run env HOME="$d/home" ip netns exec $ns "$VM_BIN/cexec" -w node-37 -t 5 "df -m --output=size / | tail -1"
t "the root filesystem was grown to the 4 GiB disk (${out##* } MiB)" test "${out##* }" -gt 3000
grep -q '"GET /disk.qcow2 HTTP/1.1" 206' "$d/nginx/access.log"
t "nodeimage fetched the image with byte ranges" test $? = 0

# --- scenario 3: the same disk boots cold in a fresh VM, through the GRUB it carries -------------
HOME=$d/home ip netns exec $ns "$VM_BIN/cexec" -w node-37 -t 5 "systemctl poweroff" >/dev/null 2>&1
eventually "the written system powers off when told" vm_stopped node
vm_stop node
con2=$d/console-cold.log
start2=$SECONDS
vm_start cold $ns "$con2" -drive file="$d/vda.qcow2",if=virtio,format=qcow2,cache=unsafe
if vm_wait cold "$con2" "node-37 login:" $((start2 + LIMIT)); then
	_pass "the written disk boots cold in a fresh VM (BIOS, its GRUB, its kernel): node-37 login: ($((SECONDS - start2)) s)"
else
	_fail "the written disk boots cold in a fresh VM"; tail -20 "$con2" | sed 's/^/#   /'
fi
like "$(grep -a 'GNU GRUB' "$con2" | head -1)" "GNU GRUB" "its GRUB ran (on the serial console)"

echo "# the console's provisioning lines:"
grep -aE '(cmt-provision|cmt-live-init): |^(kernel|initrd|cmdline|entry) |kexec_core|Linux version' "$con" | tr -d '\r' | sed 's/^/#   /'
echo "# console: $(wc -l <"$con") lines; total $((SECONDS - start)) s from the VM's start"
echo "1..$_tap_n"
