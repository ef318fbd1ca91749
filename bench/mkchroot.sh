#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# bench/mkchroot.sh — pack a debootstrapped Debian 12 minbase root (built with
# mkchroot from the machine's own apt mirror; a copy of /usr if there is no
# network) into a VNFS image, one run each:
#   mkchroot --vnfs (cpio newc + zstd, threaded), mkchroot --vnfs (newc + gzip)
#   vs  find . | cpio -o -H newc | gzip -9   (wwvnfs' default)
#   vs  find . | cpio -o -H newc | pigz -9
# Every packer reads the same tree (page cache warmed first). Prints a markdown section.
set -u
top=${CT_TOP:-$(cd "$(dirname "$0")/.." && pwd)}
bin=${CT_BIN:-$top/build/release/bin}
source "$top/bench/lib.sh"
work=$(mktemp -d /var/tmp/ct-bench-mkchroot.XXXXXX)
trap 'rm -rf "$work"' EXIT
export MKCHROOT_TEMPLATES=$top/etc/mkchroot.d

mirror=$(sed -n 's/^URIs: *\([^ ]*\).*/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | grep -v security | head -1)
root=$work/root
what="Debian 12 minbase root (debootstrap)"
t0=$(date +%s.%N)
if ! [ -n "$mirror" ] || ! "$bin/mkchroot" -q debian-12 "$root" --mirror "$mirror" >"$work/build.log" 2>&1; then
	echo "bench/mkchroot: debootstrap failed, packing a copy of /usr/lib instead" >&2
	rm -rf "$root"; mkdir -p "$root"; cp -a /usr/lib "$root/"
	what="copy of /usr/lib"
fi
build=$(echo "$(date +%s.%N) - $t0" | bc -l)
tar -cf - -C "$root" . >/dev/null # warm the page cache
bytes=$(du -sb --apparent-size "$root" | cut -f1)
files=$(find "$root" | wc -l)

cell() { # SECONDS FILE -> "1.23 s, 150 MB/s, 12.3 MB"
	printf '%.2f s, %.0f MB/s, %.1f MB' "$1" "$(echo "$bytes / $1 / 1000000" | bc -l)" \
		"$(echo "$(stat -c %s "$2") / 1000000" | bc -l)"
}
ratio() { printf '%.2f' "$(echo "$2 / $1" | bc -l)"; }
cpio_pipe() { (cd "$root" && find . | cpio -o -H newc --quiet | "$@" >"$out"); }

noex=(--exclude-from /dev/null)
bench_timed "$bin/mkchroot" --vnfs "$work/ours.img.zst" "${noex[@]}" "$root"; t_zst=$secs
bench_timed "$bin/mkchroot" --vnfs "$work/ours.img.gz" "${noex[@]}" "$root"; t_gz=$secs
out=$work/peer.img.gz; bench_timed cpio_pipe gzip -9; t_peer=$secs
out=$work/pigz.img.gz; bench_timed cpio_pipe pigz -9; t_pigz=$secs

# the images hold the same names
n_ours=$(zstd -dc "$work/ours.img.zst" | cpio -t --quiet | wc -l)
n_peer=$(gzip -dc "$work/peer.img.gz" | cpio -t --quiet | grep -vc '^\.$')
[ "$n_ours" = "$n_peer" ] || echo "bench/mkchroot: entry counts differ: ours $n_ours, peer $n_peer" >&2

{
	printf 'Packing a %s: %s files, %.0f MB (built in %.0f s), %s cores, one run each.\n' \
		"$what" "$files" "$(echo "$bytes / 1000000" | bc -l)" "$build" "$(nproc)"
	echo "Cells: seconds, MB/s of tree bytes, image size. Ratio = peer seconds / ours."
} | bench_section mkchroot
echo "| newc image, zstd vs gzip -9 pipeline | $(cell "$t_zst" "$work/ours.img.zst") | $(cell "$t_peer" "$work/peer.img.gz") | $(ratio "$t_zst" "$t_peer") | \`mkchroot --vnfs x.img.zst\` vs \`find . \\| cpio -o -H newc \\| gzip -9\` |"
echo "| newc image, gzip vs gzip -9 pipeline | $(cell "$t_gz" "$work/ours.img.gz") | $(cell "$t_peer" "$work/peer.img.gz") | $(ratio "$t_gz" "$t_peer") | \`mkchroot --vnfs x.img.gz\` vs \`find . \\| cpio -o -H newc \\| gzip -9\` |"
echo "| newc image, zstd vs pigz -9 pipeline | $(cell "$t_zst" "$work/ours.img.zst") | $(cell "$t_pigz" "$work/pigz.img.gz") | $(ratio "$t_zst" "$t_pigz") | \`mkchroot --vnfs x.img.zst\` vs \`find . \\| cpio -o -H newc \\| pigz -9\` |"
