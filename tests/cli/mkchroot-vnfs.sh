#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# mkchroot --vnfs: cpio newc and pax tar images unpack (bsdtar, cpio -idm) to
# the same tree; double packs under SOURCE_DATE_EPOCH are byte-identical;
# files too large for newc are refused with nothing left behind.
source "${CT_TOP:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
source "$CT_TOP/tests/cli/mkchroot.inc"
need_root
s=$(scratch)
make_tree "$s/root"
export MKCHROOT_TEMPLATES=$CT_TOP/etc/mkchroot.d
noexcl=(--exclude-from /dev/null)

# newc + gzip, unpacked by bsdtar and by GNU cpio
run mkchroot --vnfs "$s/img.cpio.gz" "${noexcl[@]}" "$s/root"
is "$rc" 0 "newc+gzip pack exits 0"
is "$(file -b "$s/img.cpio.gz" | cut -d, -f1)" "gzip compressed data" "the image is gzip"
is "$(gzip -dc "$s/img.cpio.gz" | head -c 6)" "070701" "inside is cpio newc"
mkdir "$s/x1" "$s/x2"
bsdtar -xpf "$s/img.cpio.gz" -C "$s/x1"
(cd "$s/x2" && gzip -dc "$s/img.cpio.gz" | cpio -idm --quiet)
is "$(tree_list "$s/x1")" "$(tree_list "$s/root")" "newc via bsdtar: names, types, modes, owners, mtimes, targets"
# GNU cpio -m sets a directory's mtime before it fills the directory: compare directories without it
nodirtime() { sed -E 's/^([^|]*\|directory\|[^|]*\|[^|]*\|[^|]*)\|[0-9]+\|/\1|-|/'; }
is "$(tree_list "$s/x2" | nodirtime)" "$(tree_list "$s/root" | nodirtime)" "newc via cpio -idm: names, types, modes, owners, mtimes, targets"
is "$(link_groups "$s/x1")" "$(link_groups "$s/root")" "newc via bsdtar: hard links are links"
is "$(link_groups "$s/x2")" "$(link_groups "$s/root")" "newc via cpio: hard links are links"
t "newc: file contents intact" cmp "$s/x2/usr/bin/big" "$s/root/usr/bin/big"

# pax + zstd keeps the capability xattr
run mkchroot --vnfs "$s/img.tar.zst" "${noexcl[@]}" "$s/root"
is "$rc" 0 "pax+zstd pack exits 0"
is "$(zstd -dc "$s/img.tar.zst" | head -c 512 | tail -c 255 | head -c 5)" "ustar" "inside is a ustar/pax archive"
mkdir "$s/x3"
bsdtar --xattrs -xpf "$s/img.tar.zst" -C "$s/x3"
is "$(tree_list "$s/x3")" "$(tree_list "$s/root")" "pax via bsdtar: names, types, modes, owners, mtimes, targets"
is "$(link_groups "$s/x3")" "$(link_groups "$s/root")" "pax via bsdtar: hard links are links"
like "$(getcap "$s/x3/usr/bin/pinger")" "cap_net_raw=ep" "pax keeps security.capability"

# xz, and --format/--compress beating the suffix
run mkchroot --vnfs "$s/img.any" --format pax --compress xz "${noexcl[@]}" "$s/root"
is "$(xz -dc "$s/img.any" | bsdtar -tf - | LC_ALL=C sort | head -3 | tr '\n' ' ')" "etc/ etc/motd etc/owned " "--format pax --compress xz"

# reproducible: two packs under SOURCE_DATE_EPOCH are the same bytes, mtimes clamped
for f in a.cpio.gz b.cpio.gz a.tar.zst b.tar.zst a.cpio.xz b.cpio.xz; do
	SOURCE_DATE_EPOCH=1600007200 mkchroot --vnfs "$s/$f" "${noexcl[@]}" "$s/root" || echo "pack $f failed"
	touch -a "$s/root/etc/motd"; chmod 644 "$s/root/etc/motd" # atime, ctime: no matter
	[ "$f" != a.cpio.gz ] || sleep 1 # nor the time of packing (gzip header)
done
t "newc+gzip: double pack byte-identical" cmp "$s/a.cpio.gz" "$s/b.cpio.gz"
t "pax+zstd: double pack byte-identical" cmp "$s/a.tar.zst" "$s/b.tar.zst"
t "newc+xz: double pack byte-identical" cmp "$s/a.cpio.xz" "$s/b.cpio.xz"
newest=$(bsdtar -tvf "$s/a.tar.zst" --numeric-owner | awk '{print $6, $7, $8}' | sort -u | wc -l)
mt=$(mkdir "$s/x4" && bsdtar -xpf "$s/a.tar.zst" -C "$s/x4" && find "$s/x4" -mindepth 1 ! -type l -printf '%Ts\n' | sort -n | tail -1)
is "$mt" 1600007200 "mtimes clamped to SOURCE_DATE_EPOCH"

# excludes: the default file's patterns, --exclude and --exclude-from
printf '/tmp/*\n# comment\n*.tmp\n' >"$s/excl"
touch "$s/root/srv/x.tmp"
run mkchroot --vnfs "$s/e.tar" --exclude-from "$s/excl" --exclude /srv/deep "$s/root"
list=$(bsdtar -tf "$s/e.tar")
like "$list" "^tmp/$" "excluded /tmp/* keeps /tmp"
t "excluded /tmp contents, *.tmp and /srv/deep" bash -c '! grep -qE "tmp/scratch|x.tmp|srv/deep" <<<"$1"' _ "$list"
t "the rest is there" grep -q "srv/name with spaces" <<<"$list"
rm "$s/root/srv/x.tmp"

# too large for newc: a sparse 4 GiB file gives an error and no image
truncate -s 4G "$s/root/srv/huge"
echo old >"$s/keep.cpio.gz"
run mkchroot --vnfs "$s/keep.cpio.gz" "${noexcl[@]}" "$s/root"
is "$rc" 1 "4 GiB file in newc: exit 1"
like "$err" "srv/huge: 4294967296 bytes is too large for cpio newc" "4 GiB file in newc: clear error"
is "$(cat "$s/keep.cpio.gz")" "old" "4 GiB file in newc: the old output is untouched"
is "$(ls -a "$s" | grep -c '\.tmp$')" 0 "4 GiB file in newc: no temporary file left"
run mkchroot --vnfs "$s/huge.cpio" --exclude /srv/huge "${noexcl[@]}" "$s/root"
is "$rc" 0 "excluding it packs fine"
rm "$s/root/srv/huge"

# bad use
run mkchroot --vnfs "$s/z.img" --format zip "$s/root"
is "$rc" 1 "unknown --format: exit 1"
run mkchroot --vnfs "$s/z.img" "$s/missing"
is "$rc" 1 "missing tree: exit 1"
t "missing tree: no output" test ! -e "$s/z.img"
