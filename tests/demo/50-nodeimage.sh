#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# nodeimage: a qcow2 made by qemu-img, served by a private nginx on loopback,
# written to a sparse file and checked against qemu-img convert; a hostile
# image and a wrong checksum refused. No cluster needed.
set -u
CT_TOP=${CT_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
export CT_BIN=${CT_BIN:-$CT_TOP/build/release/bin}
source "$CT_TOP/tests/lib.sh"
source "$CT_TOP/tests/nginx.sh"
say() { printf '\n$ %s\n' "$*"; "$@" 2>&1; echo "(exit $?)"; }
d=$(scratch)
mkdir -p "$d/www"
qemu-img create -q -f qcow2 "$d/www/node.qcow2" 1G
qemu-io -f qcow2 -c 'write -P 0x42 0 8M' -c 'write -P 0x17 500M 24M' -c 'write -z 4M 1M' "$d/www/node.qcow2" >/dev/null
qemu-img convert -c -O qcow2 -o compression_type=zstd "$d/www/node.qcow2" "$d/www/node-zstd.qcow2"
nginx_start "$d/www" "$d/nginx" || { echo "nginx does not start; demo skipped"; exit 0; }
url=http://127.0.0.1:$nginx_port
export NODEIMAGE_CONF=/dev/null
cd "$d" || exit 1

printf '\n# a 1 GiB qcow2 with 31 MiB of data, over HTTP ranges, into a sparse file:'
say nodeimage "$url/node.qcow2" node.raw
say du -h --apparent-size node.raw
say du -h node.raw
qemu-img convert -O raw www/node.qcow2 ref.raw
say cmp node.raw ref.raw
sum=$(sha256sum <ref.raw | cut -d' ' -f1)
printf '\n# zstd-compressed clusters, verified, JSON result:'
say nodeimage --json --sha256 "$sum" "$url/node-zstd.qcow2" node2.raw
printf '\n# a wrong checksum: exit 5, and with --json the failure is a JSON object too:'
say nodeimage -q --json --sha256 "${sum%????}0000" "$url/node-zstd.qcow2" node3.raw
printf '\n# an image whose L1 table points past the end of the file:'
cp www/node.qcow2 www/bad.qcow2
printf '\x00\x00\x01\x00\x00\x00\x00\x00' | dd of=www/bad.qcow2 bs=1 seek=40 conv=notrunc status=none
say nodeimage "$url/bad.qcow2" bad.raw
exit 0
