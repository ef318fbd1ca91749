#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# mkchroot --disk: the image read back by other tools (qemu-img check/info,
# sfdisk --json, blkid, debugfs, e2fsck, fsck.fat, mtools, GRUB's own diskboot.img)
# and by nodeimage --kexec -n from a loop device; the stateless steps in the
# image while the administrator's tree stays as it was; -n writes nothing;
# an existing OUT, a root that does not fit, a root without a kernel, a
# missing tool, an interruption and an OUT on a block device each leave
# nothing behind; under SOURCE_DATE_EPOCH two copies of a tree give
# byte-identical images; OUT.sha256 is what nodeimage --sha256 checks.
source "${CT_TOP:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
source "$CT_TOP/tests/cli/bootdisk.inc"
need_root
need_cmd mkfs.ext4 debugfs sfdisk mkfs.vfat fsck.fat mcopy mdir mtype grub-mkimage qemu-img jq blkid e2fsck losetup partx script
[ -e /usr/lib/grub/i386-pc/boot.img ] || skip_all "not installed: grub-pc-bin"
[ -e /usr/lib/grub/x86_64-efi/linux.mod ] || skip_all "not installed: grub-efi-amd64-bin"
s=$(scratch)
K=6.1.0-13-amd64

# the administrator's tree: two kernels, an identity, host keys, a random seed
mkdir -p "$s/root/etc/ssh" "$s/root/boot" "$s/root/var/lib/systemd" "$s/root/usr/bin"
echo "not a kernel" >"$s/root/boot/vmlinuz-6.1.0-9-amd64"
echo "not a kernel either" >"$s/root/boot/vmlinuz-$K"
echo "initrd" >"$s/root/boot/initrd.img-$K"
echo 0123456789abcdef0123456789abcdef >"$s/root/etc/machine-id"
echo key >"$s/root/etc/ssh/ssh_host_ed25519_key"
echo key >"$s/root/etc/ssh/ssh_host_ed25519_key.pub"
echo "PermitRootLogin prohibit-password" >"$s/root/etc/ssh/sshd_config"
echo seed >"$s/root/var/lib/systemd/random-seed"
head -c 3000000 /dev/urandom >"$s/root/usr/bin/big"
snapshot() { (cd "$1" && find . -printf '%p %y %m %s %T@\n' | sort && find . -type f -exec md5sum {} + | sort); }
before=$(snapshot "$s/root")
# no work directory (.OUT.XXXXXX) and no OUT left in the scratch directory
leftovers() { find "$s" -maxdepth 1 -name "*$1*" | wc -l; }

# --- -n: the plan, nothing written ---------------------------------------------
run mkchroot --disk "$s/n.qcow2" -n --cmdline console=ttyS0 "$s/root"
is "$rc" 0 "-n exits 0"
like "$out" "partition 3 root start 135168, 2[0-9]{2} MiB, ext4" "-n: the root last, sized from the tree plus 256 MiB free"
like "$out" "boot entry: /boot/vmlinuz-$K, /boot/initrd.img-$K root=UUID=[0-9a-f-]{36} ro console=ttyS0" \
	"-n: the newest kernel, its initrd, the command line"
like "$out" "partition 2 esp +start 4096, 64 MiB, FAT32, GRUB for UEFI at \\\\EFI\\\\BOOT\\\\BOOTX64.EFI" \
	"-n: the ESP and its EFI loader"
like "$out" "partition 1 bios start 2048, 1 MiB, GRUB core.img for BIOS" "-n: the BIOS boot partition and its GRUB"
is "$(leftovers n.qcow2)" 0 "-n writes nothing"
run mkchroot --json -n --disk "$s/n.qcow2" "$s/root"
is "$(jq -r '.action + " " + .format + " " + (.plan | length | tostring)' <<<"$out")" "disk qcow2 8" "--json -n: the plan as lines"
like "$(jq -r '.plan[]' <<<"$out")" 'BOOTX64\.EFI' "--json -n: the plan names the EFI loader"

# --- the qcow2 image --------------------------------------------------------------
run mkchroot --disk "$s/disk.qcow2" --disk-size 128M --cmdline "console=ttyS0 quiet" "$s/root"
is "$rc" 0 "--disk exits 0"
t "qemu-img check: a sound qcow2" qemu-img check -q "$s/disk.qcow2"
info=$(qemu-img info --output=json "$s/disk.qcow2")
is "$(jq -r '.format + " " + (."virtual-size" | tostring)' <<<"$info")" "qcow2 134217728" "qcow2 of --disk-size 128M"
t "sparse and compressed: under 8 MiB in the file" test "$(jq '."actual-size"' <<<"$info")" -lt $((8 << 20))
qemu-img convert -O raw "$s/disk.qcow2" "$s/disk.raw"
parts=$(sfdisk --json "$s/disk.raw")
is "$(jq -r '.partitiontable | .label + " " + ([.partitions[] | .type] | join(" "))' <<<"$parts")" \
	"gpt 21686148-6E6F-744E-6564-4546494C4549 C12A7328-F81F-11D2-BA4B-00A0C93EC93B 4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709" \
	"GPT: BIOS boot, EFI system, root, in this order"
is "$(jq '.partitiontable | .partitions[2].start + .partitions[2].size - 1 == ([.partitions[] | .start + .size - 1] | max)' <<<"$parts")" \
	true "the root partition is the last on the disk"
! has_cmd "sgdisk -v: both GPT copies sound" sgdisk ||
	like "$(sgdisk -v "$s/disk.raw")" "No problems found" "sgdisk -v: both GPT copies sound (mkfs.ext4 wrote at its offset only)"
read -r p2 p3 <<<"$(jq -r '.partitiontable.partitions[1:] | map(.start | tostring) | join(" ")' <<<"$parts")"
dd if="$s/disk.raw" of="$s/p2" bs=512 skip="$p2" count=131072 status=none
dd if="$s/disk.raw" of="$s/p3" bs=512 skip="$p3" status=none
is "$(blkid -p -o value -s TYPE "$s/p2")" vfat "the ESP is FAT"
t "fsck.fat: the ESP is sound" fsck.fat -n "$s/p2"
is "$(mdir -i "$s/p2" -b ::/EFI/BOOT)" "::/EFI/BOOT/BOOTX64.EFI" "the ESP holds the removable-media loader \\EFI\\BOOT\\BOOTX64.EFI, alone"
mtype -i "$s/p2" ::/EFI/BOOT/BOOTX64.EFI >"$s/bootx64.efi"
# PE32+ for x86-64: "MZ", the PE header where e_lfanew says, machine 0x8664, subsystem 10 (EFI application)
pe=$(od -An -tu4 -j 60 -N 4 "$s/bootx64.efi" | tr -d ' ')
is "$(od -An -tx1 -N 2 "$s/bootx64.efi" | tr -d ' ') $(od -An -tx1 -j "$pe" -N 6 "$s/bootx64.efi" | tr -d ' ') $(od -An -tu2 -j $((pe + 24 + 68)) -N 2 "$s/bootx64.efi" | tr -d ' ')" \
	"4d5a 504500006486 10" "BOOTX64.EFI is an x86-64 EFI application"
is "$(blkid -p -o value -s TYPE "$s/p3")" ext4 "the root is ext4"
t "e2fsck: the root is sound" e2fsck -fn "$s/p3"
uuid=$(blkid -p -o value -s UUID "$s/p3")
cat_root() { debugfs -R "cat $1" "$s/p3" 2>/dev/null; }
is "$(grep -a -o -e "search --no-floppy --fs-uuid --set=root $uuid" -e 'configfile (\$root)/boot/grub/grub.cfg' "$s/bootx64.efi")" \
	"search --no-floppy --fs-uuid --set=root $uuid
configfile (\$root)/boot/grub/grub.cfg" "BOOTX64.EFI's early config: the root by its UUID, then its /boot/grub/grub.cfg"
is "$(cat_root /etc/fstab | grep -v '^#')" "UUID=$uuid / ext4 errors=remount-ro 0 1" "fstab: the root by the filesystem's UUID"
like "$(cat_root /boot/loader/entries/mkchroot-$K.conf)" \
	"^title .*
version $K
linux /boot/vmlinuz-$K
initrd /boot/initrd.img-$K
options root=UUID=$uuid ro console=ttyS0 quiet$" "BLS entry: the newest kernel, root=UUID, --cmdline"
like "$(cat_root /boot/grub/grub.cfg)" "search --no-floppy --fs-uuid --set=root $uuid" "grub.cfg: finds the root by UUID"
like "$(cat_root /boot/grub/grub.cfg)" "linux /boot/vmlinuz-$K root=UUID=$uuid ro console=ttyS0 quiet" "grub.cfg: the same kernel and options"
is "$(cmp -n 500 "$s/disk.raw" /usr/lib/grub/i386-pc/diskboot.img --ignore-initial=$((2048 * 512)):0 && echo same)" same \
	"GRUB's core.img (diskboot.img first) at the BIOS boot partition"
is "$(od -An -tu8 -j $((0x1f4)) -N 8 --skip-bytes=$((2048 * 512 + 0x1f4)) "$s/disk.raw" 2>/dev/null | tr -d ' ')" 2049 \
	"core.img's block list: the rest of it from sector 2049"
is "$(od -An -tu8 -j $((0x5c)) -N 8 "$s/disk.raw" | tr -d ' ')" 2048 "the MBR's boot code loads core.img from sector 2048"
is "$(od -An -tx1 -j 510 -N 2 "$s/disk.raw" | tr -d ' ')" 55aa "the protective MBR's signature kept"

# --- stateless in the image, the tree untouched ---------------------------------
is "$(debugfs -R 'stat /etc/machine-id' "$s/p3" 2>/dev/null | grep -oE 'Mode: +[0-7]+|Project: +[0-9]+ +Size: [0-9]+' |
	sed -E 's/Project: +[0-9]+ +//' | tr -s ' ' | paste -sd' ')" "Mode: 0444 Size: 0" "the image's machine-id is empty (systemd makes one at first boot)"
is "$(debugfs -R 'ls /etc/ssh' "$s/p3" 2>/dev/null | grep -o 'ssh_host[^ ]*' | wc -l)" 0 "no ssh host keys in the image"
like "$(debugfs -R 'ls /etc/ssh' "$s/p3" 2>/dev/null)" sshd_config "the rest of /etc/ssh kept"
is "$(cat_root /var/lib/systemd/random-seed)" "" "no random seed in the image"
is "$(snapshot "$s/root")" "$before" "the administrator's tree is unchanged"

# --- nodeimage finds the entry -------------------------------------------------
export NODEIMAGE_CONF=$s/nodeimage.conf
: >"$NODEIMAGE_CONF"
bd_loop loop "$s/loop.img" 128 || skip_all "losetup does not work here"
run nodeimage -q --kexec -n "$s/disk.qcow2" "$loop"
is "$rc" 0 "nodeimage --kexec -n on the written image exits 0"
like "$out" "^kernel $loop(p)?3:/boot/vmlinuz-$K\$" "nodeimage: the newest kernel, on partition 3"
like "$out" "^cmdline root=UUID=$uuid ro console=ttyS0 quiet\$" "nodeimage: the entry's command line"

# --- raw, --no-stateless ---------------------------------------------------------
run mkchroot --disk "$s/keep.img" --format raw --no-stateless --disk-size 100M "$s/root"
is "$rc" 0 "--format raw --no-stateless exits 0"
is "$(qemu-img info --output=json "$s/keep.img" | jq -r '.format + " " + (."virtual-size" | tostring)')" "raw 104857600" \
	"a raw image of --disk-size"
start=$(sfdisk --json "$s/keep.img" | jq '.partitiontable.partitions[2].start')
dd if="$s/keep.img" of="$s/k3" bs=512 skip="$start" status=none
is "$(debugfs -R 'cat /etc/machine-id' "$s/k3" 2>/dev/null)" 0123456789abcdef0123456789abcdef "--no-stateless: the machine-id kept"
like "$(debugfs -R 'ls /etc/ssh' "$s/k3" 2>/dev/null)" ssh_host_ed25519_key "--no-stateless: the host keys kept"

# --- the ESP: its volume id from --uuid-seed, its files' times SOURCE_DATE_EPOCH ----------
esp_of() { dd if="$1" bs=512 skip=4096 count=131072 status=none; }
for n in a1 a2 b; do
	SOURCE_DATE_EPOCH=1700000000 mkchroot --disk "$s/$n.img" --format raw --disk-size 100M --uuid-seed "${n%[12]}" "$s/root"
done
is "$(esp_of "$s/a1.img" | md5sum)" "$(esp_of "$s/a2.img" | md5sum)" "the same --uuid-seed and SOURCE_DATE_EPOCH: the same ESP, byte for byte"
esp_of "$s/a1.img" >"$s/a1.esp"
esp_of "$s/b.img" >"$s/b.esp"
t "another --uuid-seed: another FAT volume id" test "$(blkid -p -o value -s UUID "$s/a1.esp")" != "$(blkid -p -o value -s UUID "$s/b.esp")"
is "$(mdir -i "$s/a1.esp" -/ ::/ | grep -E '^(EFI|BOOT|BOOTX64) ' | grep -Eo '[0-9]{4}-[0-9]{2}-[0-9]{2} +[0-9]+:[0-9]+' | sort -u)" \
	"$(TZ=UTC date -d @1700000000 '+%Y-%m-%d  %H:%M')" "the ESP's directories and loader are dated SOURCE_DATE_EPOCH"
mkdir "$s/with space"
run mkchroot --disk "$s/with space/d.img" --format raw --disk-size 100M "$s/root"
is "$rc" 0 "an OUT in a directory with a space: exit 0 (debugfs given quoted paths)"
run mkchroot --disk "$s/x.img" --format newc "$s/root"
like "$err" "--format newc is a VNFS format" "--disk --format newc: refused"

# --- refusals: nothing written, nothing left --------------------------------------
sum=$(md5sum <"$s/disk.qcow2")
run mkchroot --disk "$s/disk.qcow2" "$s/root"
is "$rc" 1 "an existing OUT: exit 1"
like "$err" "disk.qcow2: exists \(--force replaces it\)" "an existing OUT: says --force replaces it"
is "$(md5sum <"$s/disk.qcow2")" "$sum" "an existing OUT: untouched"
run mkchroot --disk "$s/disk.qcow2" --force --disk-size 128M --uuid-seed other "$s/root"
is "$rc" 0 "--force: exit 0"
t "--force: replaced (other UUIDs, from --uuid-seed)" test "$(md5sum <"$s/disk.qcow2")" != "$sum"
run mkchroot --disk "$s/small.qcow2" --disk-size 70M "$s/root"
is "$rc" 1 "a root that does not fit --disk-size: exit 1"
like "$err" "needs a root filesystem of [0-9]+ MiB, a disk of at least [0-9]+ MiB; --disk-size gives 70 MiB" \
	"does not fit: says how much it needs"
is "$(leftovers small.qcow2)" 0 "does not fit: nothing written"
run mkchroot --disk "$s/root/usr/disk.qcow2" "$s/root"
like "$err" "disk.qcow2: inside the tree it would pack" "an OUT inside the tree: refused"
is "$(find "$s/root/usr" -name '*disk.qcow2*' | wc -l)" 0 "an OUT inside the tree: nothing written"
mkdir -p "$s/nokernel/etc"
run mkchroot --disk "$s/nok.qcow2" "$s/nokernel"
like "$err" "no kernel to boot .*linux-image-amd64" "a root without a kernel: refused, naming the package to add"
is "$(leftovers nok.qcow2)" 0 "no kernel: nothing written"

# --- the command line: --cmdline, else the root's etc/kernel/cmdline (a template's cmdline =) ---
mkdir -p "$s/root/etc/kernel"
echo "root=/dev/sda1 ro console=ttyS1,115200 quiet" >"$s/root/etc/kernel/cmdline"
run mkchroot --disk "$s/n.qcow2" -n "$s/root"
like "$out" "boot entry: .* root=UUID=[0-9a-f-]{36} ro console=ttyS1,115200 quiet$" \
	"without --cmdline: the root's etc/kernel/cmdline, its root= and ro replaced"
run mkchroot --disk "$s/n.qcow2" -n --cmdline console=ttyS0 "$s/root"
like "$out" "boot entry: .* ro console=ttyS0$" "--cmdline wins over etc/kernel/cmdline"
echo 'quiet; insmod evil' >"$s/root/etc/kernel/cmdline"
run mkchroot --disk "$s/badcmd.qcow2" "$s/root"
like "$rc $err" "^1 .*etc/kernel/cmdline: ';' cannot go into a boot entry" "etc/kernel/cmdline with GRUB script in it: refused, naming the file"
rm -r "$s/root/etc/kernel"
run mkchroot --disk "$s/badcmd.qcow2" --cmdline 'a=$(x)' "$s/root"
like "$rc $err" "^1 .*--cmdline: '[$]' cannot go into a boot entry" "--cmdline with GRUB script in it: refused"
is "$(leftovers badcmd.qcow2)" 0 "a refused command line: nothing written"
mkdir "$s/bin"
for p in mkfs.ext4 debugfs sfdisk mkfs.vfat grub-mkimage; do ln -s "$(command -v $p)" "$s/bin/$p"; done
run env PATH="$s/bin" "$(command -v mkchroot)" --disk "$s/notool.qcow2" "$s/root"
is "$rc" 1 "qemu-img and mtools missing: exit 1"
like "$err" "needs qemu-img, not in PATH: install the Debian package qemu-utils" "qemu-img missing: names the package"
like "$err" "needs mcopy, not in PATH: install the Debian package mtools" "mtools missing: names the package"
is "$(leftovers notool.qcow2)" 0 "a missing tool: nothing written"
ln -s "$(command -v mcopy)" "$s/bin/mcopy"
# GRUB's modules missing from the head: hidden under an empty directory in a mount namespace of this command only
run unshare -m sh -c 'mount -t tmpfs none /usr/lib/grub/x86_64-efi && mount -t tmpfs none /usr/lib/grub/i386-pc && exec "$@"' - \
	mkchroot --disk "$s/nogrub.qcow2" "$s/root"
is "$rc" 1 "GRUB's modules missing: exit 1"
like "$err" "needs GRUB for UEFI \(/usr/lib/grub/x86_64-efi/linux.mod\): install the Debian package grub-efi-amd64-bin" \
	"GRUB for UEFI missing: names grub-efi-amd64-bin"
like "$err" "needs GRUB for BIOS \(/usr/lib/grub/i386-pc/boot.img\): install the Debian package grub-pc-bin" \
	"GRUB for BIOS missing: names grub-pc-bin"
is "$(leftovers nogrub.qcow2)" 0 "GRUB missing: nothing written"
# each tool the image needs, missing, names its Debian package; nothing is written
ln -s "$(command -v qemu-img)" "$s/bin/qemu-img"
for tp in mkfs.ext4:e2fsprogs debugfs:e2fsprogs sfdisk:fdisk qemu-img:qemu-utils; do
	mv "$s/bin/${tp%%:*}" "$s/bin/away"
	run env PATH="$s/bin" "$(command -v mkchroot)" --disk "$s/notool.qcow2" "$s/root"
	like "$rc $err" "^1 .*needs ${tp%%:*}, not in PATH: install the Debian package ${tp#*:}" "${tp%%:*} missing: exit 1, names ${tp#*:}"
	mv "$s/bin/away" "$s/bin/${tp%%:*}"
done
is "$(leftovers notool.qcow2)" 0 "a missing tool: nothing written"
# a signal when the build reaches a step (the step's tool sends it to mkchroot, then runs):
# the image is not put in place, OUT.sha256 neither, the work directory is gone
interrupt_at() { # TOOL SIGNAL: mkchroot --disk --sha256 with TOOL signalling it first
	rm "$s/bin/$1"
	printf '#!/bin/sh\nkill -%s $PPID\nexec %s "$@"\n' "$2" "$(command -v "$1")" >"$s/bin/$1"
	chmod 755 "$s/bin/$1"
	run env PATH="$s/bin" "$(command -v mkchroot)" --disk "$s/term-$1.qcow2" --sha256 "$s/root"
	ln -sf "$(command -v "$1")" "$s/bin/$1"
}
interrupt_at mkfs.ext4 INT
is "$rc" 1 "SIGINT while mkfs.ext4 fills the root: exit 1"
like "$err" "term-mkfs.ext4.qcow2: interrupted, not written" "SIGINT during mkfs.ext4: says so"
is "$(leftovers term-mkfs)" 0 "SIGINT during mkfs.ext4: no OUT, no OUT.sha256, no work directory left"
interrupt_at qemu-img TERM
is "$rc" 1 "SIGTERM while qemu-img converts: exit 1"
like "$err" "term-qemu-img.qcow2: interrupted, not written" "SIGTERM during qemu-img: says so"
is "$(leftovers term-qemu-img)" 0 "SIGTERM during qemu-img: no OUT, no OUT.sha256, no work directory left"
run mkchroot --disk "$s/x.img" --fs xfs "$s/root"
like "$rc $err" "^1 .*--fs xfs: not made: .*protofile.*--disk makes ext4" "--fs xfs: refused, saying why"
is "$(leftovers x.img)" 0 "--fs xfs: nothing written"

# --- an OUT on a block device, mounted itself or by a partition -------------------
truncate -s 16M "$s/m.img"
printf 'label: gpt\nstart=2048\n' | sfdisk -q "$s/m.img" >/dev/null
mloop=$(losetup -f --show -P "$s/m.img") && at_exit "losetup -d $mloop"
partx -a "$mloop" 2>/dev/null # where the kernel's own scan does not add it
# only with the partition there: else mkchroot would make a file of that name in /dev
if wait_for "the partition ${mloop}p1" test -b "${mloop}p1"; then
	mkfs.ext4 -q "${mloop}p1" && mkdir "$s/mnt" && mount "${mloop}p1" "$s/mnt" && at_exit umount "$s/mnt"
	run mkchroot --disk "$mloop" "$s/root"
	like "$rc $err" "^1 .*$mloop: a block device in use, mounted .* on $s/mnt: not written" \
		"an OUT whose partition is mounted: exit 1, names where"
	run mkchroot --disk "${mloop}p1" --force "$s/root"
	like "$rc $err" "^1 .*${mloop}p1: a block device in use, mounted .* on $s/mnt" "a mounted OUT, even with --force: refused"
	umount "$s/mnt"
	sum=$(md5sum <"$mloop")
	run mkchroot --disk "$mloop" --force "$s/root"
	like "$rc $err" "^1 .*$mloop: a block device: --disk writes an image file" "an unmounted block device: refused too"
	is "$(md5sum <"$mloop")" "$sum" "the device untouched"
fi

# --- reproducible: SOURCE_DATE_EPOCH, the seed from the tree ----------------------
# a second copy of the tree: other change times, and an access time of its own
cp -a "$s/root" "$s/copy"
touch -a -d 2020-01-01 "$s/copy/usr/bin/big"
E=1700000000
seedof() { mkchroot -n --disk "$s/seed.qcow2" "$1" | sed -n 's/.*UUIDs from seed //p'; }
like "$(seedof "$s/root")" '^tree:[0-9a-f]{64}$' "the default seed: a digest of the tree"
is "$(seedof "$s/copy")" "$(seedof "$s/root")" "a copy of the tree: the same seed"
run env SOURCE_DATE_EPOCH=$E mkchroot --disk "$s/r1.qcow2" --sha256 "$s/root"
is "$rc" 0 "SOURCE_DATE_EPOCH, --sha256: exit 0"
run env SOURCE_DATE_EPOCH=$E mkchroot --json --disk "$s/r2.qcow2" --sha256 "$s/copy"
is "$(jq -r .sha256 <<<"$out")" "$(cat "$s/r2.qcow2.sha256")" "--json: the digest OUT.sha256 holds, as \"sha256\""
t "two builds from two copies: byte-identical qcow2" cmp "$s/r1.qcow2" "$s/r2.qcow2"
t "and the same OUT.sha256" cmp "$s/r1.qcow2.sha256" "$s/r2.qcow2.sha256"
run env SOURCE_DATE_EPOCH=$E mkchroot --disk "$s/r1.img" --format raw --uuid-seed fixed "$s/root"
run env SOURCE_DATE_EPOCH=$E mkchroot --disk "$s/r2.img" --format raw --uuid-seed fixed "$s/copy"
t "raw with --uuid-seed: byte-identical too" cmp "$s/r1.img" "$s/r2.img"
dd if="$s/r1.img" of="$s/r3" bs=512 skip=135168 status=none
t "e2fsck: the root with its times clamped is sound (inode checksums)" e2fsck -fn "$s/r3"
times=$( (dumpe2fs -h "$s/r3" 2>/dev/null | sed -n 's/^\(Filesystem created\|Last write time\|Last checked\): *//p' |
	while read -r d; do date -d "$d" +%s; done
	for f in / /etc/fstab /boot/grub/grub.cfg /usr/bin/big /lost+found; do
		debugfs -R "stat $f" "$s/r3" 2>/dev/null | sed -n 's/^ *[a-z]*time: 0x\([0-9a-f]*\):.*/\1/p' | while read -r h; do echo $((16#$h)); done
	done) | sort -un | tail -1)
is "$times" "$E" "no time in the root filesystem past SOURCE_DATE_EPOCH (superblock, tree, written files)"
echo changed >>"$s/copy/etc/ssh/sshd_config"
t "a changed file in the tree: another seed" test "$(seedof "$s/copy")" != "$(seedof "$s/root")"

# --- --sha256: what nodeimage --sha256 takes ---------------------------------------
like "$(cat "$s/r1.qcow2.sha256")" '^[0-9a-f]{64}$' "OUT.sha256: the 64 hex digits alone"
run nodeimage -q --sha256 "$(cat "$s/r1.qcow2.sha256")" "$s/r1.qcow2" "$s/written.raw"
is "$rc" 0 "nodeimage --sha256 \$(cat OUT.sha256) accepts the image it names"
run nodeimage -q --sha256 "$(printf '0%.0s' {1..64})" "$s/r1.qcow2" "$s/other.raw"
is "$rc" 5 "nodeimage --sha256 with another digest: refused (exit 5)"
run mkchroot --disk "$s/r1.qcow2" --force "$s/root"
is "$rc $(leftovers r1.qcow2.sha256)" "0 0" "--force without --sha256: the replaced image's OUT.sha256 removed"

# --- progress on a terminal, nothing through a pipe ---------------------------------
out=$(script -qe -c "$(printf '%q ' "$(command -v mkchroot)" --disk "$s/tty.qcow2" --sha256 "$s/root")" /dev/null </dev/null)
rc=$?
is "$rc" 0 "on a terminal: exit 0"
like "$out" $'\rroot filesystem  .* / [0-9.]+ MiB' "on a terminal: the root filesystem's line, of the tree's size"
like "$out" $'\rsha256  .* / [0-9.]+ MiB  100%' "on a terminal: the SHA-256 line, to 100%"
like "$out" $'\rqcow2  ' "on a terminal: the qcow2 line"
run sh -c "'$(command -v mkchroot)' --disk '$s/pipe.qcow2' --sha256 '$s/root' 2>&1 | cat"
is "$rc $out" "0 " "through a pipe: no progress"
