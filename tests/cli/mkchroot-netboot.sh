#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# mkchroot --netboot DIR PATH: the newest kernel, the tree as a newc
# initramfs and an iPXE script naming both relative to its own URL; the
# command line from --cmdline, else the tree's etc/kernel/cmdline; -n
# writes nothing; --json; a failed pack leaves the folder as it was; bad
# uses are refused with a reason.
# (tests/cli/vm-netboot.sh boots such a folder over the network.)
source "${CT_TOP:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
source "$CT_TOP/tests/cli/mkchroot.inc"
need_root
s=$(scratch)
make_tree "$s/root"
mkdir "$s/www"
mkdir -p "$s/root/boot"
for v in 6.1.0-9-amd64 6.1.0-10-amd64 5.10.0-30-amd64; do echo "kernel $v" >"$s/root/boot/vmlinuz-$v"; done
chmod 600 "$s/root/boot/vmlinuz-"* # as Debian installs them
noexcl=(--exclude-from /dev/null)
web=$s/www/node

run mkchroot --netboot "$web" "${noexcl[@]}" "$s/root"
is "$rc" 0 "--netboot exits 0"
is "$(ls "$web" | tr '\n' ' ')" "boot.ipxe initrd.img vmlinuz " "the folder holds the script, the image and the kernel, nothing else"
is "$(cat "$web/vmlinuz")" "kernel 6.1.0-10-amd64" "the newest kernel by version (6.1.0-10 after 6.1.0-9)"
is "$(stat -c %a "$web/vmlinuz") $(stat -c %a "$web/initrd.img") $(stat -c %a "$web/boot.ipxe")" "644 644 644" \
	"every file readable by a web server (the kernel was 0600)"
is "$(gzip -dc "$web/initrd.img" | head -c 6)" "070701" "the image is cpio newc, gzip by default"
mkdir "$s/x" && (cd "$s/x" && gzip -dc "$web/initrd.img" | cpio -idm --quiet 2>/dev/null)
is "$(cat "$s/x/etc/motd")" "node root" "the image unpacks to the tree"
script=$(cat "$web/boot.ipxe")
is "$(head -1 <<<"$script")" "#!ipxe" "boot.ipxe is an iPXE script"
like "$script" "
kernel vmlinuz initrd=initrd.img rdinit=/sbin/init ip=dhcp
initrd initrd.img
boot" "kernel and image by relative names; default command line: systemd from the image, DHCP"
is "$(awk '$1 == "kernel" || $1 == "initrd" || $1 == "chain" || $1 == "imgfetch" { print $2 }' <<<"$script" | tr '\n' ' ')" \
	"vmlinuz initrd.img " "the script fetches two files, by names relative to its URL (no path, no host)"
like "$script" "kernel 6.1.0-10-amd64" "the script names the kernel's version (comment, echo)"

# --cmdline replaces the default; --compress applies to the image; a second run replaces the files
run mkchroot --netboot "$web" "${noexcl[@]}" --compress zstd --cmdline 'console=ttyS0 BOOTIF=01-${net0/mac:hexhyp}' "$s/root"
is "$rc" 0 "a second --netboot over the folder exits 0"
like "$(cat "$web/boot.ipxe")" 'kernel vmlinuz initrd=initrd.img console=ttyS0 BOOTIF=01-\$\{net0/mac:hexhyp\}
' "--cmdline is the command line after initrd=, iPXE settings kept for iPXE"
is "$(zstd -dc "$web/initrd.img" 2>/dev/null | head -c 6)" "070701" "--compress zstd: a zstd newc image"
is "$(ls -a "$web" | grep -vc '^\.\.\?$')" 3 "no temporary files left"

# --json, -n
run mkchroot --json --netboot "$s/www/j" "${noexcl[@]}" "$s/root"
like "$out" '^\{"ok":true,"exit":0,"error":null,"action":"netboot","source":"[^"]*/root","dir":"[^"]*/www/j","kernel":"vmlinuz","image":"initrd.img","script":"boot.ipxe","kernel_version":"6.1.0-10-amd64","cmdline":"initrd=initrd.img rdinit=/sbin/init ip=dhcp","compress":"gzip","dry_run":false,"files":[1-9][0-9]*,' \
	"--json: the folder, its files, the kernel, the command line, the image's numbers"
run mkchroot -n --netboot "$s/www/dry" "${noexcl[@]}" "$s/root"
is "$rc" 0 "-n exits 0"
like "$out" "www/dry/vmlinuz: .*/root/boot/vmlinuz-6.1.0-10-amd64
.*www/dry/initrd.img: .*/root packed as a VNFS initramfs \(newc, gzip\)
.*www/dry/boot.ipxe: kernel vmlinuz initrd=initrd.img rdinit=/sbin/init ip=dhcp" "-n: the three files and the command line"
t "-n: nothing written, not even the folder" test ! -e "$s/www/dry"
run mkchroot -n --json --netboot "$s/www/dry" "${noexcl[@]}" "$s/root"
like "$out" '"dry_run":true,"plan":\[".*vmlinuz: ' "-n --json: the plan's lines"

# a failed pack leaves the folder as it was
cp -a "$web" "$s/before"
echo "kernel 6.2.0-1-amd64" >"$s/root/boot/vmlinuz-6.2.0-1-amd64"
truncate -s 4G "$s/root/srv/huge"
run mkchroot --netboot "$web" "${noexcl[@]}" "$s/root"
is "$rc" 1 "a file too large for newc: exit 1"
like "$err" "srv/huge: 4294967296 bytes is too large for cpio newc" "the reason, named"
t "the folder is as it was: script, image and kernel (not the newer one)" diff -r "$s/before" "$web"
is "$(ls -a "$web" | grep -vc '^\.\.\?$')" 3 "no temporary files left"
rm "$s/root/srv/huge" "$s/root/boot/vmlinuz-6.2.0-1-amd64"

# without --cmdline: the tree's etc/kernel/cmdline (a template's cmdline =), root=, ro and rw dropped
mkdir -p "$s/root/etc/kernel"
echo "root=/dev/sda1 ro console=ttyS1,115200 cmt.root=http://head/root.vnfs" >"$s/root/etc/kernel/cmdline"
run mkchroot -n --netboot "$s/www/k" "${noexcl[@]}" "$s/root"
like "$out" "boot.ipxe: kernel vmlinuz initrd=initrd.img console=ttyS1,115200 cmt.root=http://head/root.vnfs$" \
	"without --cmdline: the tree's etc/kernel/cmdline, its root= and ro dropped"
run mkchroot -n --netboot "$s/www/k" "${noexcl[@]}" --cmdline quiet "$s/root"
like "$out" "boot.ipxe: kernel vmlinuz initrd=initrd.img quiet$" "--cmdline wins over etc/kernel/cmdline"
echo 'quiet; insmod evil' >"$s/root/etc/kernel/cmdline"
run mkchroot --netboot "$s/www/k" "${noexcl[@]}" "$s/root"
like "$rc $err" "^1 .*etc/kernel/cmdline: ';' cannot go into a boot entry \(GRUB's script would read it\) \(or give --cmdline\)" \
	"etc/kernel/cmdline with what a boot entry refuses: refused, naming the file"
t "... and no folder made" test ! -e "$s/www/k"
rm -r "$s/root/etc/kernel"

# bad uses
mkdir -p "$s/nokernel/etc"
run mkchroot --netboot "$s/www/nk" "${noexcl[@]}" "$s/nokernel"
is "$rc" 1 "a tree without a kernel: exit 1"
like "$err" "nokernel/boot: no kernel to boot \(no vmlinuz-\*\)" "a tree without a kernel: said"
t "a tree without a kernel: no folder made" test ! -e "$s/www/nk"
run mkchroot --netboot "$s/www/p" --format pax "$s/root"
is "$rc" 1 "--format pax: exit 1"
like "$err" "--netboot: the image is an initramfs, --format newc" "--format pax: a kernel cannot boot it, said"
run mkchroot --netboot "$s/www/v" --vnfs "$s/v.img" "$s/root"
like "$rc:$err" "^1:.*--vnfs, --disk and --netboot: one image at a time" "--netboot with --vnfs: refused"
run mkchroot --netboot "$s/www/two" "$s/root" "$s/root"
like "$rc:$err" "^1:.*--netboot DIR needs exactly one PATH" "two PATHs: refused"
run mkchroot --netboot "$s/www/missing" "$s/absent"
like "$rc:$err" "^1:.*absent: No such file or directory" "a missing PATH: named"
run mkchroot --netboot "$s/no/such/parent/dir" "${noexcl[@]}" "$s/root"
like "$rc:$err" "^1:.*no/such/parent/dir: No such file or directory" "a folder whose parent is missing: named"
echo "1..$_tap_n"
