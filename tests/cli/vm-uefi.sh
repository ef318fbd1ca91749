#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# UEFI boot of a disk made by mkchroot --disk (issue 25): the cmt-live Debian
# root, packed by mkchroot --disk as vm_disk packs it, boots cold in a VM whose
# firmware is OVMF (Debian's ovmf: its code read-only, a fresh copy of its
# variable store, so no boot entry names the disk), with no -kernel and no
# -initrd. The firmware starts the removable-media loader \EFI\BOOT\BOOTX64.EFI
# from the ESP (GRUB for UEFI, built from the head's grub-efi-amd64-bin), GRUB
# finds the root by its UUID and boots the kernel with the image's own command
# line (its address and name), and the node answers `cexec -w node-uefi
# hostname` from the test's network namespace. The disk is --format raw (no
# compression to wait for; the qcow2 path is vm-cmt.sh's). TCG: about two
# minutes once the root is cached.
source "$(dirname "$0")/../lib.sh"
need_root
source "$CT_TOP/tests/cli/vm.inc"
vm_can_start
need_cmd sfdisk mkfs.ext4 debugfs mkfs.vfat mcopy grub-mkimage debootstrap zstd
OVMF=/usr/share/OVMF
[ -r "$OVMF/OVMF_CODE_4M.fd" ] && [ -r "$OVMF/OVMF_VARS_4M.fd" ] || skip_all "not installed: ovmf"
[ -e /usr/lib/grub/x86_64-efi/linux.mod ] || skip_all "not installed: grub-efi-amd64-bin"
[ -x "$VM_BIN/cexec" ] && [ -x "$VM_BIN/mkchroot" ] || { _fail "build the tools first: $VM_BIN"; exit 1; }
d=$(scratch)
VM_RUN=$d
LIMIT=${VM_UEFI_SECONDS:-600} # the time bound of the boot, from the VM's start
ip=$VM_NET.39

vm_root_ready
start=$SECONDS
vm_disk "$d/disk.img" "console=ttyS0 net.ifnames=0 systemd.hostname=node-uefi ip=$ip::$VM_NET.1:255.255.255.0::eth0:off" \
	--format raw
t "mkchroot --disk made the disk ($((SECONDS - start)) s)" test -s "$d/disk.img"

ns=ctvu$$
vm_netns $ns || skip_all "cannot create a network namespace with a tap device"
cp "$OVMF/OVMF_VARS_4M.fd" "$d/vars.fd"
con=$d/console.log
start=$SECONDS
deadline=$((start + LIMIT))
vm_start node $ns "$con" -drive if=pflash,format=raw,unit=0,readonly=on,file="$OVMF/OVMF_CODE_4M.fd" \
	-drive if=pflash,format=raw,unit=1,file="$d/vars.fd" -drive file="$d/disk.img",if=virtio,format=raw,cache=unsafe
t "the VM starts (OVMF, TCG, the disk its only drive)" vm_running node
step() { # step REGEX DESCRIPTION: the console shows REGEX before the deadline
	if vm_wait node "$con" "$1" $deadline; then _pass "$2 ($((SECONDS - start)) s)"; else
		_fail "$2"; echo "#   console (last lines):"; tail -30 "$con" | tr -d '\r' | sed 's/^/#   /'
		return 1
	fi
}
step 'BdsDxe: starting Boot[0-9A-F]+ "UEFI Misc Device"' "the firmware starts the disk's removable-media loader (no NVRAM entry)" &&
	step "GNU GRUB +version" "GRUB for UEFI runs" &&
	step "Booting .Linux 6" "GRUB found the root by its UUID and reads its grub.cfg: the boot entry starts" &&
	step "efi: EFI v[0-9.]+ by EDK II" "the kernel runs on the UEFI firmware" &&
	step "node-uefi login:" "the system is up under its name" || { echo "1..$_tap_n"; exit 1; }

vm_home "$d/home" node-uefi "$ip"
c3() { HOME=$d/home ip netns exec $ns "$VM_BIN/cexec" -w node-uefi -t 5 "$@" 2>/dev/null; }
answers() { c3 true >/dev/null; }
CT_POLL=1 wait_for "cexec -w node-uefi to answer" answers # each try a login
run c3 hostname
like "$out" "^node-uefi$" "cexec -w node-uefi hostname: the UEFI-booted node answers ($((SECONDS - start)) s)"
run c3 "test -d /sys/firmware/efi && echo firmware=uefi || echo firmware=bios; findmnt -no SOURCE,FSTYPE /; cat /proc/cmdline"
like "$out" "^firmware=uefi$" "it booted through UEFI (/sys/firmware/efi)"
like "$out" "^/dev/vda3 +ext4$" "its root is the disk's ext4 partition, the last"
like "$out" "^BOOT_IMAGE=/boot/vmlinuz-[^ ]+ root=UUID=[0-9a-f-]{36} ro console=ttyS0 net.ifnames=0 systemd.hostname=node-uefi ip=$ip::" \
	"its command line: the boot entry's"
echo "# total $((SECONDS - start)) s from the VM's start"
echo "1..$_tap_n"
