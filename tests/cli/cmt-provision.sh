#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# cmt-provision with the real tools: lldpname names the node from a captured
# LLDP frame (Cisco port Gi1/0/37), nodeimage writes a file:// qcow2 onto a
# loop device, grows it, writes the hostname and, with -n, prints the kernel
# it would kexec. Without -n the real kexec_file_load is refused (the kernel
# in the image is a text file; this machine may have no kexec at all): exit
# 4, the disk written. Each step's log line; each failure stops the flow with
# its own status and leaves the disk as it was when nothing was to be written.
source "$(dirname "$0")/../lib.sh"
source "$CT_TOP/tests/cli/bootdisk.inc"
bd_setup resize2fs dumpe2fs
# every case runs the script under dash, a plain POSIX sh (as on the live system)
command -v dash >/dev/null || { _fail "dash is installed: cmt-provision must run under a POSIX sh"; exit 1; }
CP="dash $CT_TOP/nodeimage/cmt-provision"
bootdisk "$d/grub.qcow2" grub || { _fail "bootdisk grub"; exit 1; }
caps=$CT_TOP/tests/lldpname
printf '[*]\ntemplate = node-%%d\n' >"$d/lldpname.conf"

conf() { # conf [KEY = VALUE]...: the configuration in $d/cp.conf
	{
		echo "# cmt-provision test"
		echo "image = file://$d/grub.qcow2"
		echo "disk = $loop"
		echo "lldpname-config = $d/lldpname.conf"
		echo "  lldpname-options =  --pcap $caps/ios-gi1-0-37.pcap  "
		echo "append = console=ttyS0"
		for kv in "$@"; do echo "$kv"; done
	} >"$d/cp.conf"
}
step() { grep -c "^cmt-provision: [0-9:]\{8\} $1" <<<"$err"; }

# --- the flow, -n ------------------------------------------------------------------------
conf
run $CP -n -c "$d/cp.conf"
is "$rc" 0 "-n: exit 0 (dash runs it: the script is POSIX sh)${err:+ ($(tail -1 <<<"$err"))}"
is "$(step 'provisioning '"$loop"' from file://')" 1 "logs what it provisions"
is "$(step 'step 1/2: naming this node from its switch port: lldpname -c ')" 1 "logs step 1 (lldpname)"
is "$(step 'step 1/2: this node is node-37$')" 1 "logs the name lldpname gave: node-37"
is "$(step "step 2/2: nodeimage --wipe --grow --hostname node-37 --kexec --append console=ttyS0 -n file://$d/grub.qcow2 $loop\$")" 1 \
	"logs step 2 with nodeimage's command line"
is "$(step "done: $loop holds file://$d/grub.qcow2 as node-37 (dry run: no kernel loaded)\$")" 1 "logs the end"
like "$out" "^kernel $loop(p)?2:/boot/vmlinuz-$BD_KVER\$" "nodeimage -n printed the kernel"
like "$out" "^cmdline root=UUID=$BD_UUID .* console=ttyS0\$" "with the appended argument"
is "$(bd_cat "$loop" /etc/hostname)" node-37 "the written root is named node-37"
dd if="$loop" of="$d/p2" bs=512 skip=$BD_P2 status=none
size=$(dumpe2fs -h "$d/p2" 2>/dev/null | awk '/^Block count:/ {print $3}')
t "the root filesystem was grown to the disk (24576 blocks of 1 KiB to $size)" test "${size:-0}" -gt 30000

# --- the real kexec: refused here, exit 4 ------------------------------------------------------
head -c $((48 << 20)) /dev/urandom >"$loop"
run $CP -c "$d/cp.conf"
is "$rc" 4 "kexec refused: exit 4"
is "$(step "FAILED: step 2/2: $loop is written and synced as node-37, but this system cannot kexec into it (nodeimage exit 6, above): reboot the node to boot it\$")" 1 \
	"says the disk is written and what to do"
like "$err" "nodeimage: kexec_file_load " "nodeimage's own message is there"
is "$(bd_cat "$loop" /etc/hostname)" node-37 "the disk holds the named system"

# --- failures stop the flow --------------------------------------------------------------------
head -c 1M /dev/zero >"$loop"
conf "lldpname-options = --pcap $caps/none.pcap"
run $CP -c "$d/cp.conf"
is "$rc" 2 "no LLDP frame: exit 2"
is "$(step 'FAILED: step 1/2: lldpname exited with status 3 and no name')" 1 "says lldpname found no name"
is "$(step 'step 2/2')" 0 "nodeimage never ran"
t "the disk was not touched" cmp -n 1048576 "$loop" /dev/zero

conf "image = http://127.0.0.1:9/nothing.qcow2" "nodeimage-options = --retries 0"
run $CP -c "$d/cp.conf"
is "$rc" 3 "an image that cannot be fetched: exit 3"
is "$(step 'FAILED: step 2/2: nodeimage exited with status 2 (above)')" 1 "says nodeimage failed and how"

conf "name = login01" "kexec = no"
run $CP -c "$d/cp.conf"
is "$rc" 0 "kexec = no with a fixed name: exit 0"
is "$(step "step 1/2: name login01, from $d/cp.conf\$")" 1 "the fixed name, no lldpname"
is "$(step "step 2/2: nodeimage --wipe --grow --hostname login01 file://")" 1 "no --kexec"
is "$(step 'done: .*; kexec = no: reboot to boot it$')" 1 "says to reboot"
is "$(bd_cat "$loop" /etc/hostname)" login01 "the disk holds login01"

# --- configuration errors: exit 1, FILE:LINE, nothing run ---------------------------------------------
conf "colour = blue"
run $CP -c "$d/cp.conf"
is "$rc" 1 "unknown key: exit 1"
is "$(step "FAILED: $d/cp.conf:7: unknown key 'colour'\$")" 1 "unknown key: names FILE:LINE and the key"
conf "kexec = maybe"
run $CP -c "$d/cp.conf"
is "$rc$(step "FAILED: $d/cp.conf:7: kexec = maybe: want yes or no")" 11 "kexec = maybe: exit 1, FILE:LINE"
conf "just words"
run $CP -c "$d/cp.conf"
is "$rc$(step "FAILED: $d/cp.conf:7: want KEY = VALUE")" 11 "a line without =: exit 1, FILE:LINE"
echo "disk = $loop" >"$d/noimage.conf"
run $CP -c "$d/noimage.conf"
is "$rc$(step "FAILED: $d/noimage.conf: no 'image = URL'")" 11 "no image: exit 1"
run env CMT_PROVISION_CONF="$d/missing.conf" $CP
is "$rc$(step "FAILED: $d/missing.conf: cannot read it")" 11 "a named config that does not exist: exit 1"
run $CP --bogus
is "$rc" 1 "unknown option: exit 1"
like "$err" "cmt-provision: --bogus: unknown option" "unknown option: named"
run $CP --version
is "$out" "cmt-provision 0.1.0" "--version"

echo "1..$_tap_n"
