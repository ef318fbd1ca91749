#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# nodeimage --kexec, --append, --hostname, -n: disk images with grub.cfg, BLS
# entries, bare kernels, a separate /boot, nothing to boot and no filesystem,
# FIFOs where config or kernel should be, entries and initrds over the caps,
# terminal escapes in an entry, written to a loop device (and to an image
# file), the boot entry printed with -n, the hostname read back with debugfs. The kernels are text files:
# the one real kexec_file_load call below cannot succeed, so it cannot
# reboot this machine; it must fail with exit 6 after the disk is written.
source "$(dirname "$0")/../lib.sh"
source "$CT_TOP/tests/cli/bootdisk.inc"
bd_setup jq
NI=$CT_BIN/nodeimage
for k in grub bls plain sepboot nokernel nofs; do
	bootdisk "$d/$k.qcow2" $k || { _fail "bootdisk $k"; exit 1; }
done
t "made the disk images (grub, bls, plain, sepboot, nokernel, nofs)" test -s "$d/nofs.qcow2"

# --- grub.cfg: the default entry, --append, --hostname ------------------------------
run "$NI" -q --kexec -n --append "console=ttyS0 panic=5" --hostname node-37 "$d/grub.qcow2" "$loop"
is "$rc" 0 "grub: -n exits 0"
like "$out" "^kernel $loop(p)?2:/boot/vmlinuz-$BD_KVER\$" "grub: the default entry's kernel, on partition 2"
like "$out" "^initrd $loop(p)?2:/boot/initrd.img-$BD_KVER\$" "grub: its initrd"
like "$out" "^cmdline root=UUID=$BD_UUID ro console=tty0 console=ttyS0,115200 earlyprintk=ttyS0,115200 consoleblank=0 console=ttyS0 panic=5\$" \
	"grub: its command line, --append after it"
like "$out" "entry /boot/grub/grub.cfg on .* \"Debian GNU/Linux\"" "grub: says where the entry came from"
is "$(bd_cat "$loop" /etc/hostname)" node-37 "grub: --hostname written into the root's /etc/hostname"
is "$(bd_cat "$loop" /etc/fstab)" "UUID=$BD_UUID / ext4 errors=remount-ro 0 1" "grub: the rest of the root as written"
is "$(losetup -j "$d/loop.img" | wc -l)" 1 "no loop device left behind"
is "$(bd_left_mounted "$loop")" "" "nothing left mounted, in any mount namespace, and no partition held"

# --- BLS entries: loader.conf's default; paths relative to /boot -------------------------
run "$NI" -q --kexec -n "$d/bls.qcow2" "$loop"
is "$rc" 0 "bls: -n exits 0"
like "$out" "kernel $loop(p)?2:/vmlinuz-6.9.0" "bls: the entry loader.conf's default names (not the newest)"
like "$out" "cmdline root=UUID=$BD_UUID ro old" "bls: its options"
like "$out" "entry BLS entry in /boot/loader/entries on .* \"Old\"" "bls: says so"
is "$(bd_cat "$loop" /etc/hostname)" old-name "bls: no --hostname, /etc/hostname as written"

# --- bare kernels: the newest, its initrd, root from fstab ------------------------------
run "$NI" -q --kexec -n --append console=ttyS0 "$d/plain.qcow2" "$loop"
is "$rc" 0 "plain: -n exits 0"
like "$out" "kernel $loop(p)?2:/boot/vmlinuz-$BD_KVER" "plain: the newest vmlinuz (version order: 13 after 9)"
like "$out" "initrd $loop(p)?2:/boot/initrd.img-$BD_KVER" "plain: its initrd"
like "$out" "cmdline root=UUID=$BD_UUID ro console=ttyS0" "plain: root= from the written /etc/fstab"

# --- a separate /boot: grub.cfg and kernel on partition 1, hostname on partition 2 ----------
run "$NI" -q --kexec -n --hostname node-38 "$d/sepboot.qcow2" "$loop"
is "$rc" 0 "sepboot: -n exits 0"
like "$out" "kernel $loop(p)?1:/vmlinuz-$BD_KVER" "sepboot: the kernel on the /boot partition"
like "$out" "entry /grub/grub.cfg on $loop(p)?1" "sepboot: grub.cfg of the /boot partition"
is "$(bd_cat "$loop" /etc/hostname)" node-38 "sepboot: the hostname on the root partition"

# --- an image file as the target: through a loop device of its own -----------------------
run "$NI" -q --kexec -n "$d/grub.qcow2" "$d/out.raw"
is "$rc" 0 "file target: -n exits 0"
like "$out" "kernel /dev/loop[0-9]+p2:/boot/vmlinuz-$BD_KVER" "file target: the entry found through a loop device"
no_loop() { [ -z "$(losetup -j "$1")" ]; }
eventually "file target: the loop device is gone afterwards" no_loop "$d/out.raw"

# --- the real call: exit 6 after the disk is written and synced ----------------------------
head -c $((48 << 20)) /dev/urandom >"$loop"
run "$NI" --kexec --hostname node-39 "$d/grub.qcow2" "$loop"
is "$rc" 6 "kexec_file_load refused (no kexec here, or not a kernel): exit 6"
like "$err" "nodeimage: kexec_file_load /boot/vmlinuz-$BD_KVER: " "the message names the call and the kernel"
like "$out" "kernel $loop(p)?2:/boot/vmlinuz-$BD_KVER" "what it tried to load is printed"
qemu-img convert -O raw "$d/grub.qcow2" "$d/ref.raw"
t "exit 6: the disk holds the image all the same" cmp -n $((BD_P2 * 512)) "$loop" "$d/ref.raw"
is "$(bd_cat "$loop" /etc/hostname)" node-39 "exit 6: and the hostname"
run "$NI" -q --json --kexec "$d/grub.qcow2" "$loop"
is "$(jq -r '[.ok, .exit] | @tsv' <<<"$out")" "false	6" "--json: ok false, exit 6"
like "$(jq -r .error <<<"$out")" "^kexec_file_load " "--json: the error"

# --- nothing to boot; no filesystem ------------------------------------------------------
run "$NI" -q --kexec -n "$d/nokernel.qcow2" "$loop"
is "$rc" 6 "nokernel: exit 6"
like "$err" "$loop: no kernel to boot: no BLS entry" "nokernel: says what it looked for"
run "$NI" -q --hostname node-40 "$d/nofs.qcow2" "$loop"
is "$rc" 4 "nofs: --hostname with no root filesystem: exit 4"
like "$err" "$loop: no filesystem with an /etc/fstab or /etc/os-release" "nofs: says why"
run "$NI" -q --json --kexec -n "$d/grub.qcow2" "$loop"
is "$rc" 0 "--json -n: exit 0"
is "$(jq -r .ok <<<"$out")" true "--json -n: stdout is the one JSON object"
like "$err" "kernel $loop" "--json -n: the entry goes to stderr"

# --- what the image holds cannot hang nodeimage or flood the console ------------------------
# (timeout only ends the suite if a FIFO hangs nodeimage again, -k as it may ignore the first
# SIGTERM; the checks are the status and the message)
fifo_cfg() { rm "$1/boot/grub/grub.cfg" && mkfifo "$1/boot/grub/grub.cfg"; }
fifo_kernel() { rm "$1/boot/vmlinuz-$BD_KVER" && mkfifo "$1/boot/vmlinuz-$BD_KVER"; }
fifo_fstab() { rm "$1/etc/fstab" && mkfifo "$1/etc/fstab"; }
big_bls() { # five entry files of 900 KiB: each under the 1 MiB cap, more than 4 MiB together
	local i
	for i in 1 2 3 4 5; do truncate -s 900K "$1/boot/loader/entries/pad$i.conf" || return 1; done
}
big_initrd() { # two sparse initrds of 600 MiB for the default entry: more than 1 GiB together
	truncate -s 600M "$1/boot/initrd.img-6.9.0" "$1/boot/extra.img" &&
		echo 'initrd /extra.img' >>"$1/boot/loader/entries/m-6.9.0.conf"
}
controls() { # a title and options with terminal escapes
	printf 'title Old\033[2J\a\nlinux /vmlinuz-6.9.0\ninitrd /initrd.img-6.9.0\noptions root=UUID=%s ro old\033]0;pwn\a\n' \
		$BD_UUID >"$1/boot/loader/entries/m-6.9.0.conf"
}
for k in grub:fifo_cfg grub:fifo_kernel plain:fifo_fstab bls:big_bls bls:big_initrd bls:controls; do
	bootdisk "$d/${k#*:}.qcow2" "${k%:*}" "${k#*:}" || { _fail "bootdisk ${k#*:}"; exit 1; }
done
run timeout -k 10 300 "$NI" -q --kexec -n "$d/fifo_cfg.qcow2" "$loop"
is "$rc" 6 "a FIFO at grub.cfg: exit 6"
like "$err" "^nodeimage: $loop(p)?2:/boot/grub/grub.cfg: not a regular file \(a FIFO\)\$" "... the message names the file"
run timeout -k 10 300 "$NI" -q --kexec -n "$d/fifo_kernel.qcow2" "$loop"
is "$rc" 6 "a FIFO at the kernel: -n exits 6 (it opens what it would load)"
like "$err" "^nodeimage: $loop(p)?2:/boot/vmlinuz-$BD_KVER: not a regular file \(a FIFO\)\$" "... naming the kernel"
run timeout -k 10 300 "$NI" -q --kexec -n "$d/fifo_fstab.qcow2" "$loop"
is "$rc" 6 "a FIFO at /etc/fstab (read for root=): exit 6"
like "$err" "^nodeimage: $loop(p)?2:/etc/fstab: not a regular file \(a FIFO\)\$" "... naming it"
run timeout -k 10 300 "$NI" -q --kexec -n "$d/big_bls.qcow2" "$loop"
is "$rc" 6 "BLS entry files over 4 MiB together: exit 6"
like "$err" "^nodeimage: $loop(p)?2:/boot/loader/entries/[a-z0-9.-]+\.conf: the entry files there come to more than 4 MiB together\$" \
	"... naming the file that passed the cap"
run timeout -k 10 300 "$NI" -q --kexec -n "$d/big_initrd.qcow2" "$loop"
is "$rc" 6 "initrds over 1 GiB together: exit 6"
like "$err" "^nodeimage: $loop(p)?2:/(initrd.img-6.9.0|extra.img): the entry's initrds come to more than 1 GiB together\$" \
	"... naming the initrd that passed the cap"
run timeout -k 10 300 "$NI" -q --kexec -n "$d/controls.qcow2" "$loop"
is "$rc" 0 "control characters in the entry: -n exits 0"
like "$out" "^cmdline root=UUID=$BD_UUID ro old\]0;pwn\$" "the command line without them"
like "$out" "^entry BLS entry in /boot/loader/entries on .* \"Old\[2J\"\$" "the title without them"
t "nothing the image says puts a control character on the console" sh -c '! printf %s "$1$2" | grep -q "[[:cntrl:]]"' sh "$out" "$err"

# --- usage errors: before anything is written ------------------------------------------------
head -c 1M /dev/zero >"$loop"
run "$NI" -q --kexec "$d/grub.qcow2" "$d/out2.raw"
is "$rc" 1 "--kexec to an image file (no -n): exit 1"
like "$err" "$d/out2.raw: --kexec boots the system written to a disk: not a block device" "says why"
t "nothing written" test ! -e "$d/out2.raw"
for args in "-n" "--append x" "--kexec --hostname a_b" "--kexec --hostname -x" "--hostname ''"; do
	run eval "'$NI' -q $args '$d/grub.qcow2' '$loop'"
	is "$rc" 1 "usage: $args: exit 1"
done
like "$err" "nodeimage: --hostname : not a host name" "usage: the message names the option"
t "usage errors wrote nothing" cmp -n 1048576 "$loop" /dev/zero
run "$NI" --help
t "--help lists --kexec, --append, --hostname, -n" sh -c "printf '%s' \"\$1\" | grep -q -- --kexec &&
	printf '%s' \"\$1\" | grep -q -- --append= && printf '%s' \"\$1\" | grep -q -- --hostname= &&
	printf '%s' \"\$1\" | grep -q -- '-n, --dry-run'" sh "$out"

echo "1..$_tap_n"
