#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# mkchroot debian-12 with debootstrap from the mirror this machine's own apt
# sources name: a minbase root where apt-get runs, with the stateless post
# steps in place. Slow (downloads about 40 MB); minbase, no extra packages.
source "${CT_TOP:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
need_root
need_cmd debootstrap
s=$(scratch)
export MKCHROOT_TEMPLATES=$CT_TOP/etc/mkchroot.d

# The machine's mirror: deb822 sources first, then one-line sources.
mirror=$(sed -n 's/^URIs: *\([^ ]*\).*/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | grep -v security | head -1)
[ -n "$mirror" ] || mirror=$(awk '$1 == "deb" && $0 !~ /security/ {print ($2 ~ /^\[/ ? $3 : $2); exit}' \
	/etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null)
[ -n "$mirror" ] || skip_all "no apt mirror configured on this machine"
echo "# mirror: $mirror"

root=$s/debian-12
start=$SECONDS
run mkchroot -v debian-12 "$root" --mirror "$mirror"
echo "# debootstrap build took $((SECONDS - start)) s"
is "$rc" 0 "debian-12 from $mirror: exit 0"
[ "$rc" = 0 ] || echo "$err" | tail -20 | sed 's/^/# /'
like "$err" "running: debootstrap --variant=minbase --components=main bookworm $root.mkchroot.[A-Za-z0-9]+ $mirror" "debootstrap ran with --variant=minbase into a temporary root"
like "$(chroot "$root" apt-get --version 2>&1)" "^apt [0-9]" "chroot DIR apt-get --version works"
is "$(cat "$root/etc/debian_version" | cut -d. -f1)" 12 "it is Debian 12"
is "$(stat -c %s "$root/etc/machine-id")" 0 "empty machine-id"
is "$(ls "$root"/etc/ssh/ssh_host_* 2>/dev/null | wc -l)" 0 "no ssh host keys"
is "$(chroot "$root" passwd -S root | cut -d' ' -f2)" L "root password locked"
is "$(stat -c '%a %g' "$root/etc/shadow")" "640 $(chroot "$root" getent group shadow | cut -d: -f3)" "shadow keeps its mode and group"
t "no hostname" test ! -e "$root/etc/hostname"
like "$(cat "$root/etc/fstab")" "proc +/proc +proc" "stateless fstab: proc"
like "$(cat "$root/etc/fstab")" "sysfs +/sys +sysfs" "stateless fstab: sysfs"
like "$(cat "$root/etc/fstab")" "tmpfs +/tmp +tmpfs" "stateless fstab: tmpfs"
is "$(ls "$root/var/cache/apt/archives/" | grep -c '\.deb$')" 0 "template post step ran (apt-get clean)"
is "$(ls -d "$s"/*.mkchroot.* 2>/dev/null | wc -l)" 0 "no temporary directory left"

# A VNFS image of it: newc+zstd lists the same paths as the tree (minus the excludes)
run mkchroot --vnfs "$s/debian-12.img.zst" --exclude-from "$CT_TOP/etc/mkchroot/vnfs.exclude" "$root"
is "$rc" 0 "--vnfs of the debootstrap root: exit 0"
n_img=$(zstd -dc "$s/debian-12.img.zst" | cpio -t --quiet | wc -l)
n_tree=$(cd "$root" && find . -mindepth 1 ! -path './proc/*' ! -path './sys/*' ! -path './dev/*' ! -path './run/*' \
	! -path './tmp/*' ! -path './var/tmp/*' ! -path './var/cache/apt/*.bin' ! -path './var/lib/apt/lists/*_Packages' \
	! -path './var/cache/apt/archives/*.deb' ! -path './var/log/journal/*' ! -path './boot/*' | wc -l)
is "$n_img" "$n_tree" "the image holds every path of the root but the excluded ones"
