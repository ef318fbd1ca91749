#!/usr/bin/env bash
# bench/nodeimage.sh — a 2 GiB qcow2 holding an ext4 filesystem with about
# 600 MiB of files (clusters spread by the filesystem), served by nginx on
# loopback, written to a file by:
#   nodeimage URL out.raw
#   qemu-img convert -m 1 -O raw URL out.raw      (qemu-block-extra's curl driver)
#   curl -o img.qcow2 URL && qemu-img convert -O raw img.qcow2 out.raw
# One run each, in the same run. Reports seconds, HTTP requests (nginx's
# access log) and bytes written (allocated in the output). Markdown section.
set -u
export CT_TOP=${CT_TOP:-$(cd "$(dirname "$0")/.." && pwd)}
bin=${CT_BIN:-$CT_TOP/build/release/bin}
source "$CT_TOP/tests/lib.sh"
source "$CT_TOP/tests/nginx.sh"
source "$CT_TOP/bench/lib.sh"
MIB=${BENCH_NODEIMAGE_MIB:-600}
d=$(mktemp -d /var/tmp/ct-bench-nodeimage.XXXXXX)
at_exit "rm -rf '$d'"
mkdir -p "$d/www" "$d/files"

# the image: ext4 made from a directory of files, 2 GiB virtual
for i in $(seq 1 $((MIB / 8))); do
	mkdir -p "$d/files/dir$((i % 16))"
	head -c $((8 << 20)) /dev/urandom >"$d/files/dir$((i % 16))/file$i"
done
truncate -s 2G "$d/fs.raw"
mkfs.ext4 -q -E lazy_itable_init=0,nodiscard -d "$d/files" "$d/fs.raw" || { echo "bench/nodeimage: mkfs failed" >&2; exit 1; }
rm -rf "$d/files"
qemu-img convert -O qcow2 "$d/fs.raw" "$d/www/img.qcow2"
rm -f "$d/fs.raw"
alloc=$(du -m "$d/www/img.qcow2" | cut -f1)
nginx_start "$d/www" "$d/nginx" || { echo "bench/nodeimage: nginx does not start" >&2; exit 1; }
url=http://127.0.0.1:$nginx_port/img.qcow2
cat "$d/www/img.qcow2" >/dev/null # the server has it in its page cache, as when it serves many nodes

requests() { wc -l <"$nginx_log"; }
written() { echo $(($(stat -c %b "$1") * 512 >> 20)); }
timed() { # timed CMD...: seconds in $secs, requests in $reqs
	local r0
	sync
	r0=$(requests)
	bench_timed "$@"
	reqs=$(($(requests) - r0))
}
curl_convert() { curl -s -f -o "$d/dl.qcow2" "$url" && qemu-img convert -O raw "$d/dl.qcow2" "$d/c.raw"; }

timed "$bin/nodeimage" -q "$url" "$d/n.raw"; n_s=$secs n_r=$reqs n_w=$(written "$d/n.raw")
# qemu-img's curl driver (qemu 7.2) hangs with convert's default 8 coroutines
# (as in kubevirt/containerized-data-importer#914): run it with -m 1, and give
# it QTIMEOUT seconds before falling back to the local file
QTIMEOUT=${BENCH_NODEIMAGE_QEMU_TIMEOUT:-120}
qjson="json:{\"file.driver\":\"http\",\"file.url\":\"$url\",\"file.readahead\":1048576,\"file.timeout\":10}"
qemu_note="qemu-img convert -m 1 from HTTP"
timed timeout "$QTIMEOUT" qemu-img convert -m 1 -O raw "$qjson" "$d/q.raw"; q_s=$secs q_r=$reqs
if ! cmp -s "$d/n.raw" "$d/q.raw"; then
	qemu_note="qemu-img convert from the local file (its HTTP driver failed or hung for ${QTIMEOUT} s after $q_r requests)"
	timed qemu-img convert -O raw "$d/www/img.qcow2" "$d/q.raw"; q_s=$secs q_r=0
fi
q_w=$(written "$d/q.raw")
timed curl_convert; c_s=$secs c_r=$reqs c_w=$(written "$d/c.raw")
same=identical; cmp -s "$d/n.raw" "$d/c.raw" || same="DIFFERENT"

f() { printf '%.2f s' "$1"; }
r() { printf '%.2fx' "$(echo "$1 / $2" | bc -l)"; }
bench_section nodeimage <<EOF
2 GiB qcow2 (ext4 with ${MIB} MiB of files, ${alloc} MiB file) served by nginx on loopback, written to a
file (a fresh one each run, flushed: nodeimage fsyncs, the peers do not); image in the server's page
cache; one run each. Outputs are $same.
EOF
echo "| write the image to a file | $(f "$n_s") | $qemu_note: $(f "$q_s") | $(r "$q_s" "$n_s") | \`nodeimage URL out.raw\` |"
echo "| write the image to a file | $(f "$n_s") | curl to a file + qemu-img convert: $(f "$c_s") | $(r "$c_s" "$n_s") | \`nodeimage URL out.raw\` |"
echo "| HTTP requests | $n_r | qemu-img $q_r, curl $c_r | | nginx access log |"
echo "| MiB written (allocated in the output) | $n_w | qemu-img $q_w, curl+convert $c_w (+ ${alloc} MiB download) | | \`stat -c %b\` |"
