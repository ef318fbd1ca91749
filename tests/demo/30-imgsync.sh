#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# imgsync: a small golden image pushed to the 8 demo nodes, then one changed
# file and one new file: a dry run lists the change, the real run sends a delta
# once for all nodes, rsync on a node confirms it is identical.
source "$(dirname "$0")/lib.sh"
d=$(mktemp -d /var/tmp/ct-demo-imgsync.XXXXXX) # outside /tmp: the nodes have a private /tmp
trap 'rm -rf "$d"' EXIT
img=$d/compute
mkdir -p "$img"/etc "$img"/usr/bin "$img"/var/lib
echo "compute image v1" >"$img"/etc/motd
head -c 4M /dev/urandom >"$img"/var/lib/app.db
cp /bin/true "$img"/usr/bin/netprobe && setcap cap_net_raw+ep "$img"/usr/bin/netprobe # a file capability crosses too
echo "node-local" >"$img"/etc/hostname
say() { printf '\n$ %s\n' "$*"; "$@"; }

say imgsync -w "$nodes" --remote-imgsync "$CT_BIN/imgsync" --exclude /etc/hostname "$img" /tmp/root
echo "compute image v2" >"$img"/etc/motd
dd if=/dev/urandom of="$img"/var/lib/app.db bs=4k count=1 seek=300 conv=notrunc status=none
echo "new tool" >"$img"/usr/bin/newtool
say imgsync -n --itemize -w node01 --remote-imgsync "$CT_BIN/imgsync" --exclude /etc/hostname "$img" /tmp/root
say imgsync -v -w "$nodes" --remote-imgsync "$CT_BIN/imgsync" --exclude /etc/hostname "$img" /tmp/root
say "$CL" exec node05 getcap /tmp/root/usr/bin/netprobe
printf '\n$ %s\n' "cluster exec node05 rsync -aHAXn --delete --checksum -i --exclude=/etc/hostname $img/ /tmp/root/   # prints nothing"
"$CL" exec node05 rsync -aHAXn --delete --checksum -i --exclude=/etc/hostname "$img/" /tmp/root/
