#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# SIGINT and SIGTERM mid-run for the tools that write local files:
# nodeimage writing an image to a file, mkchroot --vnfs packing a root, imgsync
# syncing into a local directory. Each must end at once with 128+signal (130,
# 143), and leave neither the target nor a temporary file behind (imgsync:
# only whole files, no temporary).
source "$CT_TOP/tests/lib.sh"
source "$CT_TOP/tests/cli/faults.inc"
S=$(scratch)
W=$(scratch /var/tmp)
export NODEIMAGE_CONF=/dev/null
# 1 GiB of incompressible bytes, quickly
openssl enc -aes-128-ctr -pass pass:ct -nosalt -pbkdf2 </dev/zero 2>/dev/null | head -c 1G >"$W/disk.raw"
mkdir -p "$W/root/srv" "$W/root/etc"
echo node >"$W/root/etc/hostname"
head -c 256M "$W/disk.raw" >"$W/root/srv/data"
# 20000 small files: a local sync takes seconds (big files are cloned at once)
mkdir -p "$W/many/etc"
for i in $(seq 100); do
	mkdir -p "$W/many/usr/share/d$i"
	for j in $(seq 200); do printf '%s %s\n' "$i" "$j" >"$W/many/usr/share/d$i/f$j"; done
done
some_synced() { [ -d "$1/usr/share/d2" ]; }
big_temp() { # DIR: a growing temporary file (hidden) in DIR
	local f
	for f in "$1"/.*; do [ -f "$f" ] && [ "$(stat -c %s "$f")" -gt 1048576 ] && return 0; done
	return 1
}
for sig in INT TERM; do
	want=$([ $sig = INT ] && echo 130 || echo 143)
	mkdir -p "$S/ni-$sig" "$S/vn-$sig"

	bg nodeimage -q --format raw "$W/disk.raw" "$S/ni-$sig/disk.img"
	wait_for "nodeimage's temporary file to pass 1 MiB" big_temp "$S/ni-$sig"
	kill -$sig "$bgpid"
	bg_wait
	no_hang "nodeimage, SIG$sig"
	is "$rc" "$want" "nodeimage: SIG$sig mid-write exits $want"
	is "$(ls -A "$S/ni-$sig")" "" "nodeimage: SIG$sig: neither the target nor a temporary file left"

	bg mkchroot --vnfs "$S/vn-$sig/node.vnfs" --format pax --compress xz --threads 1 --exclude-from /dev/null "$W/root"
	wait_for "mkchroot's temporary file to pass 1 MiB" big_temp "$S/vn-$sig"
	kill -$sig "$bgpid"
	bg_wait
	no_hang "mkchroot --vnfs, SIG$sig"
	is "$rc" "$want" "mkchroot --vnfs: SIG$sig mid-pack exits $want"
	is "$(ls -A "$S/vn-$sig")" "" "mkchroot --vnfs: SIG$sig: neither the image nor a temporary file left"

	bg imgsync -q "$W/many/" "$S/is-$sig"
	wait_for "imgsync to sync some files" some_synced "$S/is-$sig"
	kill -$sig "$bgpid"
	bg_wait
	no_hang "imgsync to a local directory, SIG$sig"
	is "$rc" "$want" "imgsync (local): SIG$sig mid-sync exits $want"
	is "$(find "$S/is-$sig" -name '.imgsync.*' | wc -l)" 0 "imgsync (local): SIG$sig: no temporary file left"
	is "$(find "$S/is-$sig" -type f -size 0 | wc -l)" 0 "imgsync (local): SIG$sig: no empty (half-written) file"
done
echo "1..$_tap_n"
