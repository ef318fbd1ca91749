#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# bench/mkchroot-disk.sh — pack the cached Debian 12 root of the VM tests
# (build/vm/root.tar.zst, unpacked once) into a disk image, interleaved
# rounds (BENCH_ROUNDS, default 3), the median of each:
#   mkchroot --disk OUT.qcow2 ROOT          (GPT, GRUB for BIOS, ESP, ext4, compressed qcow2)
#   vs  the hand floor: truncate + mkfs.ext4 -d + qemu-img convert -c
#       (the same ext4 size as ours' root partition; no partition table, no GRUB)
#   vs  virt-make-fs --format=qcow2 --type=ext4 --size=+256M --partition=gpt
#       (libguestfs, its appliance under TCG: KVM does not work in this VM)
# Prints a markdown section.
set -u
top=${CT_TOP:-$(cd "$(dirname "$0")/.." && pwd)}
bin=${CT_BIN:-$top/build/release/bin}
source "$top/bench/lib.sh"
rounds=${BENCH_ROUNDS:-3}
tarball=$top/build/vm/root.tar.zst
if ! [ -r "$tarball" ]; then
	echo "Not run: no $tarball (the VM tests, tests/cli/vm.inc, build it)." | bench_section "mkchroot --disk"
	exit 0
fi
work=$(mktemp -d /var/tmp/ct-bench-disk.XXXXXX)
trap 'rm -rf "$work"' EXIT
root=$work/root
mkdir "$root" && tar --zstd -xpf "$tarball" -C "$root" --numeric-owner
tar -cf - -C "$root" . >/dev/null # warm the page cache
bytes=$(du -sb --apparent-size "$root" | cut -f1)
files=$(find "$root" | wc -l)
load0=$(cut -d' ' -f1-3 /proc/loadavg)

# the hand floor's filesystem: as large as ours' root partition
mib=$("$bin/mkchroot" -n --disk "$work/plan.qcow2" "$root" | sed -n 's/.*partition 3 root start [0-9]*, \([0-9]*\) MiB.*/\1/p')
hand() {
	rm -f "$work/hand.img" "$work/hand.qcow2"
	truncate -s "${mib}M" "$work/hand.img" &&
		mkfs.ext4 -q -F -d "$root" "$work/hand.img" &&
		qemu-img convert -c -f raw -O qcow2 "$work/hand.img" "$work/hand.qcow2"
}
ours() { "$bin/mkchroot" -q --disk "$work/ours.qcow2" -f "$root"; }

# virt-make-fs: supermin builds its appliance from the host's kernel; where the
# host has none in /boot (a container), from the root's own, its modules put at
# /usr/lib/modules by an overlay seen only in a private mount namespace
kver=$(cd "$root/boot" && ls vmlinuz-* | sed 's/^vmlinuz-//' | sort -V | tail -1)
builder() {
	rm -f "$work/builder.qcow2"
	local args=(--format=qcow2 --type=ext4 --size=+256M --partition=gpt "$root" "$work/builder.qcow2")
	if ls /boot/vmlinuz-* >/dev/null 2>&1; then
		LIBGUESTFS_BACKEND=direct LIBGUESTFS_BACKEND_SETTINGS=force_tcg virt-make-fs "${args[@]}"
		return
	fi
	mkdir -p "$work/ovl/up" "$work/ovl/work"
	unshare -m --propagation private sh -ec '
		w=$1 root=$2 k=$3; shift 3
		mount -t overlay overlay -o lowerdir=/usr/lib,upperdir=$w/ovl/up,workdir=$w/ovl/work /usr/lib
		mkdir -p /usr/lib/modules/$k
		mount --bind "$root/lib/modules/$k" /usr/lib/modules/$k
		SUPERMIN_KERNEL=$root/boot/vmlinuz-$k SUPERMIN_MODULES=/usr/lib/modules/$k SUPERMIN_KERNEL_VERSION=$k \
			LIBGUESTFS_BACKEND=direct LIBGUESTFS_BACKEND_SETTINGS=force_tcg exec virt-make-fs "$@"' \
		sh "$work" "$root" "$kver" "${args[@]}"
}
have_builder=1
command -v virt-make-fs >/dev/null || have_builder=0

t_ours=() t_hand=() t_builder=()
for ((r = 0; r < rounds; r++)); do
	bench_timed ours; t_ours+=("$secs")
	bench_timed hand; t_hand+=("$secs")
	[ $have_builder = 0 ] || { bench_timed builder; t_builder+=("$secs"); }
done
load1=$(cut -d' ' -f1-3 /proc/loadavg)
m_ours=$(bench_median "${t_ours[@]}") m_hand=$(bench_median "${t_hand[@]}")

size() { [ -f "$1" ] && printf '%.1f MB' "$(echo "$(stat -c %s "$1") / 1000000" | bc -l)" || echo "none"; }
runs() { printf '%.1f, ' "$@" | sed 's/, $//'; }
cell() { printf '%.1f s (%s), %s' "$1" "$(runs $2)" "$(size "$3")"; }
ratio() { printf '%.2f' "$(echo "$2 / $1" | bc -l)"; }
{
	printf 'Packing the Debian 12 root of the VM tests (%s files, %.0f MB) into a disk image, %s cores;\n' \
		"$files" "$(echo "$bytes / 1000000" | bc -l)" "$(nproc)"
	printf '%s interleaved rounds, cells: median seconds (every run), image file size. Ratio = peer / ours\n' "$rounds"
	printf '(above 1: mkchroot faster). Load average %s at the start, %s at the end (other work\n' "$load0" "$load1"
	echo 'shared the machine). The hand floor makes only the ext4 filesystem (no partition table, GRUB or'
	echo 'ESP); virt-make-fs makes a GPT disk with one ext4 partition, not bootable, its qcow2 uncompressed.'
} | bench_section "mkchroot --disk"
echo "| disk image vs the hand floor | $(cell "$m_ours" "${t_ours[*]}" "$work/ours.qcow2") | $(cell "$m_hand" "${t_hand[*]}" "$work/hand.qcow2") | $(ratio "$m_ours" "$m_hand") | \`mkchroot --disk x.qcow2 ROOT\` vs \`mkfs.ext4 -d ROOT x.img && qemu-img convert -c -O qcow2 x.img x.qcow2\` |"
if [ $have_builder = 1 ]; then
	m_builder=$(bench_median "${t_builder[@]}")
	echo "| disk image vs virt-make-fs (TCG) | $(cell "$m_ours" "${t_ours[*]}" "$work/ours.qcow2") | $(cell "$m_builder" "${t_builder[*]}" "$work/builder.qcow2") | $(ratio "$m_ours" "$m_builder") | \`mkchroot --disk x.qcow2 ROOT\` vs \`virt-make-fs --format=qcow2 --type=ext4 --size=+256M --partition=gpt ROOT x.qcow2\` |"
else
	echo "| disk image vs virt-make-fs | - | not installed (apt-get install libguestfs-tools) | - | - |"
fi
