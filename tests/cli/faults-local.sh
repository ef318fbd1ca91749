#!/usr/bin/env bash
# SIGINT and SIGTERM mid-run for the tools that write one big local file:
# nodeimage writing an image to a file, mkchroot --vnfs packing a root. Each
# must end at once with 128+signal (130, 143), and leave neither the target
# nor its temporary file behind.
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
big_temp() { # DIR: a growing temporary file (hidden) in DIR
	local f
	for f in "$1"/.*; do [ -f "$f" ] && [ "$(stat -c %s "$f")" -gt 1048576 ] && return 0; done
	return 1
}
for sig in INT TERM; do
	want=$([ $sig = INT ] && echo 130 || echo 143)
	mkdir -p "$S/ni-$sig" "$S/vn-$sig"

	bg nodeimage -q --format raw "$W/disk.raw" "$S/ni-$sig/disk.img"
	wait_for 30 big_temp "$S/ni-$sig"
	kill -$sig "$bgpid"
	bg_wait
	no_hang "nodeimage, SIG$sig"
	is "$rc" "$want" "nodeimage: SIG$sig mid-write exits $want"
	is "$(ls -A "$S/ni-$sig")" "" "nodeimage: SIG$sig: neither the target nor a temporary file left"

	bg mkchroot --vnfs "$S/vn-$sig/node.vnfs" --format pax --compress xz --threads 1 --exclude-from /dev/null "$W/root"
	wait_for 30 big_temp "$S/vn-$sig"
	kill -$sig "$bgpid"
	bg_wait
	no_hang "mkchroot --vnfs, SIG$sig"
	is "$rc" "$want" "mkchroot --vnfs: SIG$sig mid-pack exits $want"
	is "$(ls -A "$S/vn-$sig")" "" "mkchroot --vnfs: SIG$sig: neither the image nor a temporary file left"
done
echo "1..$_tap_n"
