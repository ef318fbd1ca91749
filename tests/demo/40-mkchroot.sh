#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# mkchroot: the templates, a golden copy of a small tree (excludes and the
# stateless steps), the same copy from a demo node over ssh, and a
# reproducible VNFS image of it in cpio newc + zstd and pax + xz.
set -eu
CT_TOP=${CT_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
CT_BIN=${CT_BIN:-$CT_TOP/build/release/bin}
export PATH=$CT_BIN:$PATH MKCHROOT_TEMPLATES=$CT_TOP/etc/mkchroot.d
d=$(mktemp -d /var/tmp/ct-demo-mkchroot.XXXXXX)
trap 'rm -rf "$d"' EXIT
say() { printf '\n$ %s\n' "$*"; "$@" || echo "(exit $?)"; }

# a small "golden node": a few files, a host key, a hostname, scratch in /tmp
mkdir -p "$d/golden/etc/ssh" "$d/golden/usr/bin" "$d/golden/tmp" "$d/golden/var/log"
echo "welcome to the cluster" >"$d/golden/etc/motd"
echo golden01 >"$d/golden/etc/hostname"
echo secret >"$d/golden/etc/ssh/ssh_host_ed25519_key"
printf 'root:$6$salt$hash:19000:0:99999:7:::\n' >"$d/golden/etc/shadow"
cp /bin/true "$d/golden/usr/bin/true"
ln "$d/golden/usr/bin/true" "$d/golden/usr/bin/also-true"
echo scratch >"$d/golden/tmp/scratch"

say mkchroot --list
say mkchroot -n debian-12 /srv/chroots/compute --packages openssh-server
say mkchroot -v golden-system "$d/root" --source "$d/golden"
say find "$d/root" -printf '%P %y %m\n'
say cat "$d/root/etc/fstab" "$d/root/etc/shadow"
if [ -n "${CT_NODES:-}" ]; then
	say mkchroot -v golden-system "$d/from-node" --source "node01:$CT_TOP/mkchroot"
fi
say env SOURCE_DATE_EPOCH=1700000000 mkchroot -v --vnfs "$d/node.img.zst" "$d/root"
say env SOURCE_DATE_EPOCH=1700000000 mkchroot --vnfs "$d/again.img.zst" "$d/root"
say cmp "$d/node.img.zst" "$d/again.img.zst"
say sh -c "zstd -dc '$d/node.img.zst' | cpio -tv --quiet"
say mkchroot -v --vnfs "$d/node.tar.xz" "$d/root"
say bsdtar -tvf "$d/node.tar.xz"
