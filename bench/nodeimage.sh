#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# bench/nodeimage.sh — a 2 GiB qcow2 holding an ext4 filesystem with about
# 600 MiB of files (clusters spread by the filesystem), served by nginx on
# loopback, written to a file by:
#   nodeimage URL out.raw
#   qemu-img convert -m 1 -O raw URL out.raw      (qemu-block-extra's curl driver)
#   curl -o img.qcow2 URL && qemu-img convert -O raw img.qcow2 out.raw
# RUNS (BENCH_NODEIMAGE_RUNS, default 5) rounds after an untimed one, the contenders interleaved
# (order rotated each round); the table shows each one's median. Every run
# starts alike: its output removed, dirty pages written, the page cache
# dropped, the image read back into it (as on a server feeding many nodes);
# every run's time ends with its output on disk (sync FILE). Reports seconds,
# HTTP requests (nginx's access log) and bytes written (allocated in the
# output). Markdown section.
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
RUNS=${BENCH_NODEIMAGE_RUNS:-5}

requests() { wc -l <"$nginx_log"; }
written() { echo $(($(stat -c %b "$1") * 512 >> 20)); }
# cold_start NAME: the same start for every run: NAME's output gone, dirty pages
# written, the page cache dropped (when we may), the image in the server's cache
# and every contender's programs and libraries loaded once, so none starts colder
dropped=yes
cold_start() {
	rm -f "$d/$1.raw" "$d/dl.qcow2"
	sync
	echo 3 2>/dev/null >/proc/sys/vm/drop_caches || dropped=no
	cat "$d/www/img.qcow2" >/dev/null
	"$bin/nodeimage" --version && qemu-img --version && curl --version
} >/dev/null
# timed NAME CMD...: one run from a cold start until NAME.raw is on disk; its
# seconds and HTTP requests are appended to secs_of[NAME] and reqs_of[NAME]
declare -A secs_of reqs_of
timed() {
	local name=$1 r0
	shift
	cold_start "$name"
	r0=$(requests)
	bench_timed synced "$d/$name.raw" "$@"
	secs_of[$name]+=" $secs"
	reqs_of[$name]+=" $(($(requests) - r0))"
}
synced() { # FILE CMD...: CMD, then FILE on disk
	local file=$1 rc
	shift
	"$@"
	rc=$?
	sync "$file" 2>/dev/null
	return $rc
}
curl_convert() { curl -s -f -o "$d/dl.qcow2" "$url" && qemu-img convert -O raw "$d/dl.qcow2" "$d/c.raw"; }

# qemu-img's curl driver (qemu 7.2) hangs with convert's default 8 coroutines
# (as in kubevirt/containerized-data-importer#914): run it with -m 1 and give
# it QTIMEOUT seconds; if its first output is wrong, qemu-img converts the
# local file in every round instead (and the table says so)
QTIMEOUT=${BENCH_NODEIMAGE_QEMU_TIMEOUT:-120}
qjson="json:{\"file.driver\":\"http\",\"file.url\":\"$url\",\"file.readahead\":1048576,\"file.timeout\":10}"
qemu_note="qemu-img convert -m 1 from HTTP"
qemu_http=yes
qemu_convert() {
	if [ $qemu_http = yes ]; then
		timeout "$QTIMEOUT" qemu-img convert -m 1 -O raw "$qjson" "$d/q.raw"
	else
		qemu-img convert -O raw "$d/www/img.qcow2" "$d/q.raw"
	fi
}
contender() { # contender n|q|c: one timed run of nodeimage, qemu-img or curl+convert
	case $1 in
	n) timed n "$bin/nodeimage" -q "$url" "$d/n.raw" ;;
	c) timed c curl_convert ;;
	q)
		timed q qemu_convert
		if [ $qemu_http = yes ] && ! cmp -s "$d/n.raw" "$d/q.raw"; then
			qemu_note="qemu-img convert from the local file (its HTTP driver failed or hung for ${QTIMEOUT} s after${reqs_of[q]} requests)"
			qemu_http=no
			secs_of[q]= reqs_of[q]=
			timed q qemu_convert
		fi
		;;
	esac
}
order=(n q c) # nodeimage first: qemu-img's first output is checked against it
# one untimed round first: on this VM the first writes after start-up took up to 3x longer
# (nodeimage 0.97 s, then 0.34-0.39 s), whoever made them
for k in "${order[@]}"; do contender "$k"; done
secs_of=() reqs_of=()
for ((round = 0; round < RUNS; round++)); do
	for ((i = 0; i < 3; i++)); do contender "${order[(round + i) % 3]}"; done
done
# shellcheck disable=SC2086 # the lists are split on purpose
n_s=$(bench_median ${secs_of[n]}) q_s=$(bench_median ${secs_of[q]}) c_s=$(bench_median ${secs_of[c]})
# shellcheck disable=SC2086
n_r=$(bench_median ${reqs_of[n]}) q_r=$(bench_median ${reqs_of[q]}) c_r=$(bench_median ${reqs_of[c]})
n_w=$(written "$d/n.raw") q_w=$(written "$d/q.raw") c_w=$(written "$d/c.raw")
same=identical
cmp -s "$d/n.raw" "$d/c.raw" && cmp -s "$d/n.raw" "$d/q.raw" || same="DIFFERENT"

f() { printf '%.2f s' "$1"; }
r() { printf '%.2fx' "$(echo "$1 / $2" | bc -l)"; }
runs() { printf '%.2f ' $1 | sed 's/ $//'; } # runs "LIST": each to 2 decimals
cache="the page cache dropped and the image read back into it"
[ $dropped = yes ] || cache="the page cache NOT dropped (not root), the image read into it"
bench_section nodeimage <<TEXT
2 GiB qcow2 (ext4 with ${MIB} MiB of files, ${alloc} MiB file) served by nginx on loopback, written to a
fresh file. One untimed round, then the median of $RUNS runs each, interleaved (order rotated each round). Before
every run: sync, $cache. Every
time ends with the output on disk (\`sync FILE\`; nodeimage fsyncs itself). Outputs are $same.
Runs, in seconds: nodeimage $(runs "${secs_of[n]}"); qemu-img $(runs "${secs_of[q]}"); curl+convert $(runs "${secs_of[c]}").
TEXT
echo "| write the image to a file | $(f "$n_s") | $qemu_note: $(f "$q_s") | $(r "$q_s" "$n_s") | \`nodeimage URL out.raw\` |"
echo "| write the image to a file | $(f "$n_s") | curl to a file + qemu-img convert: $(f "$c_s") | $(r "$c_s" "$n_s") | \`nodeimage URL out.raw\` |"
echo "| HTTP requests (median) | $n_r | qemu-img $q_r, curl $c_r | | nginx access log |"
echo "| MiB written (allocated in the output) | $n_w | qemu-img $q_w, curl+convert $c_w (+ ${alloc} MiB download) | | \`stat -c %b\` |"
