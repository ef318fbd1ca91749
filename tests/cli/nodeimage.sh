#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# nodeimage end to end: images made by qemu-img, served by nginx on loopback,
# written to files and to loop devices full of random data; qemu-img convert
# -O raw is the oracle. Hostile images, resume, checksums, mounted targets, --grow.
source "$(dirname "$0")/../lib.sh"
need_root
need_cmd nginx qemu-img qemu-io losetup sfdisk mkfs.ext4 e2fsck jq
d=$(scratch)
NI=$CT_BIN/nodeimage
export NODEIMAGE_CONF=$d/nodeimage.conf # no /etc file in the way
printf 'retries = 3\nconnect-timeout = 5\nstall-timeout = 10\n' >"$NODEIMAGE_CONF"
mkdir -p "$d/www/noranges"

# --- nginx on 127.0.0.1, its own config, pid and logs ----------------------------
source "$CT_TOP/tests/nginx.sh"
nginx_start "$d/www" "$d/nginx" || skip_all "nginx does not start"
url=http://127.0.0.1:$nginx_port

# --- loop devices, detached at exit -----------------------------------------------
waitnode() { wait_for "block device $1" test -b "$1"; }
newloop() { # newloop VAR FILE SIZE_MIB: a loop device over FILE of random data, name in VAR
	head -c $(($3 << 20)) /dev/urandom >"$2"
	local dev
	dev=$(losetup -f --show -P "$2") || return 1
	at_exit "losetup -d $dev"
	printf -v "$1" %s "$dev"
}
newloop loop "$d/loop.img" 12 || skip_all "losetup does not work here"

# --- the image kinds --------------------------------------------------------------
size=$((8 * 1024 * 1024 + 3 * 512)) # not a multiple of any cluster size over 512
fill() { # fill IMAGE: the same writes for every kind; some data, some zeros
	qemu-io -f qcow2 \
		-c "write -P 0x11 0 100k" \
		-c "write -P 0x22 1M 192k" \
		-c "write -z 1088k 64k" \
		-c "write -P 0x33 3000k 4k" \
		-c "write -P 0x44 5M 1M" \
		-c "write -z 5200k 8k" \
		-c "write -P 0x55 $((size - 4096)) 4096" "$1" >/dev/null
}
mk() { # mk NAME CREATE-OPTIONS
	qemu-img create -q -f qcow2 -o "$2" "$d/www/$1.qcow2" $size && fill "$d/www/$1.qcow2"
}
mk v2 compat=0.10
mk v3 compat=1.1
mk c512 cluster_size=512
mk c2m cluster_size=2M
mk extl2 extended_l2=on,cluster_size=64k
qemu-img convert -c -O qcow2 -o compression_type=zlib "$d/www/v3.qcow2" "$d/www/zlib.qcow2"
qemu-img convert -c -O qcow2 -o compression_type=zstd "$d/www/v3.qcow2" "$d/www/zstd.qcow2"
qemu-img convert -c -O qcow2 -o compression_type=zstd,cluster_size=2M "$d/www/c2m.qcow2" "$d/www/zstd2m.qcow2"
qemu-img convert -O raw "$d/www/v3.qcow2" "$d/www/raw.img"
kinds="v2 v3 c512 c2m extl2 zlib zstd zstd2m raw"
t "qemu-img made every image kind" test -s "$d/www/zstd2m.qcow2"

ref() { qemu-img convert -O raw "$1" "$d/ref.raw" && echo "$d/ref.raw"; }
for k in $kinds; do
	f=$d/www/$k.qcow2 fmt=qcow2; [ $k = raw ] && f=$d/www/raw.img fmt=raw
	r=$(ref "$f")
	run "$NI" -q --format $fmt "$url/${f##*/}" "$d/out.raw"
	is "$rc" 0 "$k: written to a new file"
	t "$k: file is identical to qemu-img convert -O raw" cmp "$d/out.raw" "$r"
	rm -f "$d/out.raw"
	head -c $((12 << 20)) /dev/urandom >"$loop"
	tail_before=$(tail -c +$((size + 1)) "$loop" | sha256sum)
	run "$NI" -q --format $fmt "$url/${f##*/}" "$loop"
	is "$rc" 0 "$k: written to a loop device full of random data"
	t "$k: device reads back as the image" cmp -n $size "$loop" "$r"
	is "$(tail -c +$((size + 1)) "$loop" | sha256sum)" "$tail_before" "$k: nothing written past the image"
done

# a file target is sparse: zero clusters stay holes
run "$NI" -q "$url/v3.qcow2" "$d/sparse.raw"
alloc=$(($(stat -c %b "$d/sparse.raw") * 512))
t "file target is sparse ($alloc bytes allocated of $size)" test $alloc -lt $((3 << 20))
t "file:// URLs and plain paths work" sh -c "'$NI' -q 'file://$d/www/zstd.qcow2' '$d/f1.raw' &&
	'$NI' -q '$d/www/zstd.qcow2' '$d/f2.raw' && cmp '$d/f1.raw' '$d/sparse.raw' && cmp '$d/f2.raw' '$d/sparse.raw'"

# --- JSON, HTTP requests ----------------------------------------------------------
run "$NI" --json "$url/v3.qcow2" "$d/j.raw"
like "$out" '"format":"qcow2".*"virtual_size":8390144' "--json prints the result"
is "$(jq -r '"\(.ok) \(.exit)"' <<<"$out")" "true 0" "--json: ok true, exit 0"
# json_fails WHAT REGEX: $out (from run --json) is one JSON object for the failure
# that ended with $rc: ok false, the same exit status, an error matching REGEX
json_fails() {
	is "$(jq -s length <<<"$out" 2>&1)" 1 "$1: --json prints one JSON object"
	is "$(jq -r '"\(.ok) \(.exit)"' <<<"$out" 2>&1)" "false $rc" "$1: JSON has ok false, exit $rc"
	like "$(jq -r .error <<<"$out" 2>&1)" "$2" "$1: JSON error says why"
}
like "$out" '"requests":[1-6],' "few HTTP requests: HEAD, header, L1, L2, data ranges ($out)"

# --- server without byte ranges: spool file ------------------------------------------
cp "$d/www/zstd.qcow2" "$d/www/noranges/"
run "$NI" --json "$url/noranges/zstd.qcow2" "$d/nr.raw"
is "$rc" 0 "server without ranges: exit 0"
like "$out" '"spooled":true' "server without ranges goes through a spool file"
t "server without ranges: output identical" cmp "$d/nr.raw" "$d/sparse.raw"

# --- resume after a cut connection ------------------------------------------------
big=$d/resume.qcow2
qemu-img create -q -f qcow2 "$big" 16M
qemu-io -f qcow2 -c "write -P 0x66 0 6M" -c "write -P 0x77 9M 5M" "$big" >/dev/null
cutserve() { # cutserve NAME CUTS [noranges]: start the helper on $big, port in $cport
	"$CT_BIN/cutserve" "$d/$1.port" "$big" $((700 * 1024)) "${@:2}" &
	cut_pid=$!
	at_exit "kill $cut_pid"
	wait_file "$d/$1.port"
	cport=$(cat "$d/$1.port")
}
cutserve cut1 3
run "$NI" --json --retries 5 "http://127.0.0.1:$cport/img" "$d/resumed.raw"
is "$rc" 0 "download cut three times resumes and completes"
like "$out" '"resumed":[1-9]' "the transfer was resumed"
t "resumed image identical" cmp "$d/resumed.raw" "$(ref "$big")"
kill $cut_pid
cutserve cut2 100
run "$NI" -q --json --retries 1 "http://127.0.0.1:$cport/img" "$d/failed.raw"
is "$rc" 2 "download that keeps failing exits 2"
json_fails "download that keeps failing" "127.0.0.1:$cport/img: "
is "$(jq -r '"\(.bytes_downloaded > 0) \(.resumed) \(.requests > 2)"' <<<"$out")" "true 1 true" \
	"download that keeps failing: JSON has the bytes received, the resume and the requests"
t "failed download leaves no file" test ! -e "$d/failed.raw"
kill $cut_pid
cutserve cut3 4 noranges # 2 cuts go to the header and L1 requests
run "$NI" --json --retries 3 "http://127.0.0.1:$cport/img" "$d/spoolcut.raw"
is "$rc" 0 "no ranges and a cut connection: the spool download restarts and completes"
like "$out" '"resumed":[1-9].*"spooled":true' "it was spooled and resumed"
t "spooled image identical" cmp "$d/spoolcut.raw" "$(ref "$big")"
kill $cut_pid

# --- SIGTERM midway: exit 143, the failure in JSON, no temporary left ------------------------
mkdir -p "$d/www/slow" "$d/stop"
cp "$big" "$d/www/slow/big.qcow2" # 11 MiB of data at 1 MB/s
cp "$big" "$d/www/big.qcow2"
# what a whole download of it counts (less than the file: nodeimage reads no trailing metadata)
full=$("$NI" -q --json "$url/big.qcow2" "$d/full.raw" | jq .bytes_downloaded)
rm -f "$d/full.raw"
t "the whole image counts ${full:-no} bytes downloaded" test "${full:-0}" -gt $((10 << 20))
"$NI" -q --json "$url/slow/big.qcow2" "$d/stop/out.raw" >"$d/stop.json" 2>"$d/stop.err" &
stop_pid=$!
at_exit "kill -KILL $stop_pid"
written_1m() { [ "$(du -sk "$d/stop" | cut -f1)" -ge 1024 ]; } # 1 MiB of data in the temporary file
wait_for "nodeimage to write 1 MiB into its temporary file" written_1m
t "SIGTERM midway: the temporary file was there" test -n "$(ls -A "$d/stop")"
kill -TERM $stop_pid
wait $stop_pid
rc=$? out=$(cat "$d/stop.json") err=$(cat "$d/stop.err")
is "$rc" 143 "SIGTERM midway: exit 143"
is "$(jq --argjson full "${full:-0}" '.bytes_downloaded < $full' <<<"$out")" true \
	"SIGTERM midway: it stopped at once, the download unfinished (JSON's bytes_downloaded)"
like "$err" "stopped by SIGTERM" "SIGTERM midway: says so"
json_fails "SIGTERM midway" "out.raw: stopped by SIGTERM"
is "$(jq '.bytes_written > 0 and .bytes_downloaded > 0' <<<"$out")" true "SIGTERM midway: JSON counts what was done"
is "$(ls -A "$d/stop")" "" "SIGTERM midway: no temporary file left"

run "$NI" --json "$url/missing.qcow2" "$d/missing.raw"
is "$rc" 2 "HTTP 404 exits 2"
json_fails "HTTP 404" "missing.qcow2: .*404"
is "$(jq .requests <<<"$out")" 1 "HTTP 404: JSON counts the request made"
run "$NI" --json --retries 0 "http://127.0.0.1:1/img" "$d/refused.raw"
is "$rc" 2 "connection refused exits 2"
json_fails "connection refused" "127.0.0.1:1/img: .*connect"

# --- checksums --------------------------------------------------------------------
sum=$(sha256sum <"$(ref "$d/www/zstd.qcow2")" | cut -d' ' -f1)
run "$NI" -q --sha256 "$sum" "$url/zstd.qcow2" "$d/sum.raw"
is "$rc" 0 "right --sha256 (of the raw image) exits 0"
run "$NI" -q --json --sha256 "$(echo "$sum" | tr 0-9a-f 1-9a-f0)" "$url/zstd.qcow2" "$d/badsum.raw"
is "$rc" 5 "wrong --sha256 exits 5"
like "$err" "SHA-256 mismatch" "and says so"
json_fails "wrong --sha256" "SHA-256 mismatch: written image is $sum"
is "$(jq -r '"\(.sha256) \(.bytes_written > 0)"' <<<"$out")" "$sum true" "wrong --sha256: JSON has the real sum and the bytes written"
t "a file failing its checksum is not left behind" test ! -e "$d/badsum.raw"
run "$NI" -q --sha256 "$(echo "$sum" | tr 0-9a-f 1-9a-f0)" "$url/zstd.qcow2" "$loop"
is "$rc" 5 "wrong --sha256 on a device exits 5"

# --- unsupported and hostile images ---------------------------------------------------
qemu-img create -q -f qcow2 "$d/www/base.qcow2" 1M
qemu-img create -q -f qcow2 -b base.qcow2 -F qcow2 "$d/www/backing.qcow2"
qemu-img create -q -f qcow2 --object secret,id=s0,data=secret -o encrypt.format=luks,encrypt.key-secret=s0,encrypt.iter-time=10 \
	"$d/www/luks.qcow2" 1M 2>"$d/luks.err" || { # qemu's PBKDF timing fails on some machines:
	cp "$d/www/base.qcow2" "$d/www/luks.qcow2" # then only the header says LUKS (crypt_method 2)
	printf '\x00\x00\x00\x02' | dd of="$d/www/luks.qcow2" bs=1 seek=32 conv=notrunc status=none
}
qemu-img create -q -f qcow2 -o data_file="$d/www/ext.data" "$d/www/extdata.qcow2" 1M
bad() { # bad NAME REGEX: exit 3 with a message matching REGEX (also in --json), no sanitizer report
	run "$NI" -q --json "$url/$1" "$d/bad.raw"
	is "$rc" 3 "$1: exit 3"
	like "$err" "$2" "$1: says why"
	json_fails "$1" "$1: .*$2"
	t "$1: nothing left behind" test ! -e "$d/bad.raw"
}
bad backing.qcow2 "backing file \(base.qcow2\)"
bad luks.qcow2 "encrypted \(LUKS\)"
bad extdata.qcow2 "external data file"

poke() { # poke FILE OFFSET HEXBYTES...
	local f=$1 off=$2; shift 2
	printf "$(printf '\\x%s' "$@")" | dd of="$f" bs=1 seek="$off" conv=notrunc status=none
}
be64() { echo $((16#$(od -An -tx1 -j "$2" -N 8 "$1" | tr -d ' \n'))); }
hostile() { cp "$d/www/$1" "$d/www/$2"; }
hostile v3.qcow2 l1past.qcow2
poke "$d/www/l1past.qcow2" 40 00 00 01 00 00 00 00 00
bad l1past.qcow2 "L1 table at offset .* outside the file"
hostile v3.qcow2 l2past.qcow2
poke "$d/www/l2past.qcow2" "$(be64 "$d/www/v3.qcow2" 40)" 80 00 01 00 00 00 00 00
bad l2past.qcow2 "L2 table at offset .* outside the file"
hostile v3.qcow2 l1size.qcow2
poke "$d/www/l1size.qcow2" 36 7f ff ff ff
bad l1size.qcow2 "l1_size .* is absurd"
hostile v3.qcow2 incompat.qcow2
poke "$d/www/incompat.qcow2" 72 00 00 01 00 00 00 00 00
bad incompat.qcow2 "unknown incompatible feature"
hostile v3.qcow2 datapast.qcow2
l2=$(($(be64 "$d/www/v3.qcow2" "$(be64 "$d/www/v3.qcow2" 40)") & 0xfffffffffffe00))
poke "$d/www/datapast.qcow2" $l2 80 00 00 10 00 00 00 00
bad datapast.qcow2 "host offset .* outside the file"
qemu-img create -q -f qcow2 "$d/one.qcow2" 1M
qemu-io -f qcow2 -c "write -P 0xaa 0 64k" "$d/one.qcow2" >/dev/null
qemu-img convert -c -O qcow2 "$d/one.qcow2" "$d/www/clen.qcow2"
l2=$(($(be64 "$d/www/clen.qcow2" "$(be64 "$d/www/clen.qcow2" 40)") & 0xfffffffffffe00))
poke "$d/www/clen.qcow2" $l2 7f c0
bad clen.qcow2 "compressed cluster .* past the end of the file"
head -c 60 "$d/www/v3.qcow2" >"$d/www/trunc60.qcow2"
bad trunc60.qcow2 "truncated qcow2 header"
head -c $(($(stat -c %s "$d/www/v3.qcow2") / 2)) "$d/www/v3.qcow2" >"$d/www/trunchalf.qcow2"
bad trunchalf.qcow2 "outside the file"
hostile zlib.qcow2 garbage.qcow2
l2=$(($(be64 "$d/www/zlib.qcow2" "$(be64 "$d/www/zlib.qcow2" 40)") & 0xfffffffffffe00))
coff=$(($(be64 "$d/www/zlib.qcow2" $l2) & ((1 << 54) - 1)))
poke "$d/www/garbage.qcow2" $coff ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff
bad garbage.qcow2 "does not decompress"

# --- a body that is not the format asked for: refused before the first byte is written ----------
head -c 4M /dev/urandom >"$d/www/random.qcow2"
gzip -c "$d/www/v3.qcow2" >"$d/www/gzip.qcow2"
xz -c "$d/www/v3.qcow2" >"$d/www/xz.qcow2" 2>/dev/null || cp "$d/www/gzip.qcow2" "$d/www/xz.qcow2"
zstd -qc "$d/www/v3.qcow2" >"$d/www/zstd.img" 2>/dev/null || cp "$d/www/gzip.qcow2" "$d/www/zstd.img"
printf 'image moved to /srv/images/v4\n' >"$d/www/text.qcow2"
: >"$d/www/empty.qcow2"
head -c $((12 << 20)) /dev/urandom >"$loop"
loop_sum=$(sha256sum <"$loop")
echo "the old file" >"$d/kept.raw"
# refused NAME FORMAT REGEX...: exit 3 and a message matching REGEX (also in --json), whether
# written to the loop device with --wipe (not a byte changes) or to a file (left as it was)
refused() {
	local name=$1 fmt=$2 why=$3
	run "$NI" -q --json --wipe --format "$fmt" "$url/$name" "$loop"
	is "$rc" 3 "$name as $fmt: exit 3"
	like "$err" "$name: not a $fmt image: it looks like $why" "$name as $fmt: says what it looks like"
	json_fails "$name as $fmt" "not a $fmt image: it looks like $why"
	is "$(sha256sum <"$loop")" "$loop_sum" "$name as $fmt: the device is untouched, --wipe included"
	run "$NI" -q --format "$fmt" "$url/$name" "$d/kept.raw"
	is "$rc:$(cat "$d/kept.raw")" "3:the old file" "$name as $fmt: a file target is left as it was"
	is "$(ls -a "$d" | grep -c '^\.kept')" 0 "$name as $fmt: no temporary file"
}
refused html200/node.qcow2 qcow2 "an HTML page"
refused html200/node.img raw "an HTML page"
refused random.qcow2 qcow2 "unknown data"
refused gzip.qcow2 qcow2 "gzip-compressed data"
refused gzip.qcow2 raw "gzip-compressed data .decompress it first."
has_cmd "an xz-compressed image is refused" xz && refused xz.qcow2 raw "xz-compressed data"
has_cmd "a zstd-compressed image is refused" zstd && refused zstd.img raw "zstd-compressed data"
refused text.qcow2 qcow2 "text"
refused empty.qcow2 raw "an empty file"
refused v3.qcow2 raw "a qcow2 image .give --format qcow2."
refused raw.img qcow2 "unknown data"
truncate -s 8M "$d/www/mbr.img"
echo 'label: dos
start=2048, type=83' | sfdisk -q "$d/www/mbr.img"
refused mbr.img qcow2 "a raw disk image .boot sector. .give --format raw."
t "refused bodies: nothing was fetched past the header" \
	test -z "$(grep -E 'GET /(random|gzip)\.qcow2' "$nginx_log" | awk '$10 > 8192')"
run "$NI" -q --format raw "$url/random.qcow2" "$d/random.raw"
is "$rc" 0 "random bytes as --format raw: written (a raw image may hold anything)"
t "random bytes as --format raw: identical" cmp "$d/random.raw" "$d/www/random.qcow2"
run "$NI" -q --format raw "file://$d/www/mbr.img" "$d/mbr.raw"
t "an MBR disk as --format raw: written" cmp "$d/mbr.raw" "$d/www/mbr.img"
printf 'format = raw\n' >"$d/raw.conf"
run "$NI" -q -c "$d/raw.conf" "$url/raw.img" "$d/conf.raw"
is "$rc" 0 "format = raw in the config: a raw image is written"
run "$NI" -q -c "$d/raw.conf" --format qcow2 "$url/raw.img" "$d/conf2.raw"
is "$rc" 3 "--format qcow2 overrides the config's format = raw"
run "$NI" -q --json --format vmdk "$url/v3.qcow2" "$d/u.raw"
is "$rc" 1 "--format vmdk: exit 1"
json_fails "--format vmdk" "^--format vmdk: not one of raw or qcow2$"
printf 'format = iso\n' >"$d/bad.conf"
run "$NI" -q -c "$d/bad.conf" "$url/v3.qcow2" "$d/u.raw"
is "$rc:$err" "1:nodeimage: $d/bad.conf:1: format = iso: not one of raw or qcow2" "format = iso in the config: exit 1, naming the file"

# --- URL schemes: http, https, file and plain paths only ---------------------------------------
for src in ftp://127.0.0.1:1/v3.qcow2 "gopher://127.0.0.1:$nginx_port/1" "scp://127.0.0.1/x"; do
	run "$NI" -q --json "$src" "$d/kept.raw"
	is "$rc" 1 "$src: exit 1"
	json_fails "$src" "^$src: unsupported URL scheme ${src%%://*}:// .http://, https://, file:// or a local path.$"
	is "$(cat "$d/kept.raw")" "the old file" "$src: the target is untouched"
done
run "$NI" -q "HTTP://127.0.0.1:$nginx_port/v3.qcow2" "$d/upper.raw"
is "$rc" 0 "HTTP:// in capitals is http"
mkdir -p "$d/a:"
cp "$d/www/v3.qcow2" "$d/a:/b.qcow2"
run "$NI" -q "$d/a://b.qcow2" "$d/colon.raw"
is "$rc" 0 "a local path with :// inside it is a path"
run "$NI" -q --retries 0 "$url/tofile/v3.qcow2" "$d/kept.raw"
is "$rc" 2 "a redirect to file:// is not followed: exit 2"
like "$err" "[Pp]rotocol" "and says why"
is "$(cat "$d/kept.raw")" "the old file" "the target is untouched"

# --- usage -----------------------------------------------------------------------------
run "$NI" "$url/v3.qcow2"
is "$rc" 1 "one argument: usage, exit 1"
run "$NI" --sha256 xyz --json "$url/v3.qcow2" "$d/u.raw"
is "$rc" 1 "malformed --sha256: exit 1"
json_fails "malformed --sha256" "64 hex digits"
run "$NI" --no-such-option --json "$url/v3.qcow2" "$d/u.raw"
json_fails "unknown option before --json" "no-such-option"
printf 'require-sha256 = yes\n' >"$d/strict.conf"
run "$NI" -c "$d/strict.conf" "$url/v3.qcow2" "$d/u.raw"
is "$rc" 1 "config require-sha256 = yes refuses a run without --sha256"
like "$err" "require-sha256" "and names the setting"

# --- --wipe clears the old disk's last MiB; progress only on a tty -------------------------
head -c $((12 << 20)) /dev/urandom >"$loop"
run "$NI" -q --wipe "$url/v3.qcow2" "$loop"
is "$rc" 0 "--wipe: exit 0"
t "--wipe: the last MiB of the device is zero" cmp -n $((1 << 20)) <(tail -c $((1 << 20)) "$loop") /dev/zero
t "--wipe: the image is intact" cmp -n $size "$loop" "$(ref "$d/www/v3.qcow2")"
run "$NI" "$url/c2m.qcow2" "$d/p.raw"
is "$err" "" "no progress on stderr when it is not a terminal"
if has_cmd "a progress line on a terminal" script; then
	script -qec "'$NI' '$url/c2m.qcow2' '$d/p2.raw'" /dev/null >"$d/tty.out" 2>&1
	like "$(tr '\r' '\n' <"$d/tty.out")" "nodeimage  .* / .*%  .*/s" "a progress line on a terminal"
fi

# --- a write error midway (full filesystem): exit 4, no temporary left ----------------------
mkdir -p "$d/full"
if mount -t tmpfs -o size=512k tmpfs "$d/full"; then
	at_exit "umount '$d/full'"
	run "$NI" -q "$url/v3.qcow2" "$d/full/out.raw"
	is "$rc" 4 "a full filesystem: exit 4"
	like "$err" "No space left on device" "and says so"
	is "$(ls -A "$d/full")" "" "nothing left on the full filesystem"
	umount "$d/full"
else
	skip "a full filesystem: exit 4, nothing left" "cannot mount a tmpfs here"
fi

# --- target smaller than the image, mounted targets ---------------------------------------
newloop small "$d/small.img" 4
run "$NI" -q "$url/v3.qcow2" "$small"
is "$rc" 4 "device smaller than the image: exit 4"
like "$err" "device holds only" "and says so"
mkfs.ext4 -q "$small"
mkdir -p "$d/mnt"
mount "$small" "$d/mnt" && at_exit "umount '$d/mnt'"
run "$NI" -q --json --format raw "$url/raw.img" "$small"
is "$rc" 4 "mounted device: exit 4"
like "$err" "mounted on $d/mnt" "mounted device refused, with the mount point"
json_fails "mounted device" "mounted on $d/mnt"
umount "$d/mnt"

# --- --grow: GPT disks with one ext4 or XFS partition onto bigger devices ------------------
mkdir -p "$d/content"
seq 1 100000 >"$d/content/numbers"
cp -r "$CT_TOP/nodeimage" "$d/content/"
partnode() { [ -b "$1" ] || partx -a "${1%p1}" 2>/dev/null; waitnode "$1"; } # kernels without GPT support
# gpt_image NAME MIB MKFS...: www/NAME.qcow2, a GPT disk of MIB MiB with one partition
# holding a filesystem made by "MKFS... PARTITION" and the files of $d/content. The
# loop device is detached at once, not at exit (its name may be someone else's by then).
gpt_image() {
	local name=$1 mib=$2 gl ok=1; shift 2
	truncate -s "${mib}M" "$d/$name.raw"
	echo 'label: gpt
start=2048, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4' | sfdisk -q "$d/$name.raw" || return 1
	gl=$(losetup -f --show -P "$d/$name.raw") || return 1
	if partnode "${gl}p1" && "$@" "${gl}p1" >/dev/null && mount "${gl}p1" "$d/mnt"; then
		cp -r "$d/content/." "$d/mnt/" && ok=0
		umount "$d/mnt" || ok=1
	fi
	losetup -d "$gl"
	[ $ok = 0 ] && qemu-img convert -O qcow2 "$d/$name.raw" "$d/www/$name.qcow2" && rm -f "$d/$name.raw"
}
# grown NAME MIB: write www/NAME.qcow2 with --grow onto a new loop device ($disk) of MIB MiB
# full of random data; check the exit, the JSON and that the partition fills the disk; then
# mount it read-only: the files are intact, the filesystem's size ($fs_bytes) is known.
grown() {
	local name=$1 sectors=$(($2 * 2048)) end
	newloop disk "$d/$name-disk.img" "$2" || return 1
	run "$NI" -q --json --grow "$url/$name.qcow2" "$disk"
	is "$rc" 0 "$name: --grow onto a bigger device: exit 0"
	[ "$rc" = 0 ] || echo "# $err"
	is "$(jq .grown <<<"$out")" true "$name: JSON says grown"
	end=$(sfdisk -d "$disk" | sed -n 's/.*start= *\([0-9]*\), *size= *\([0-9]*\).*/\1 \2/p' | awk '{print $1 + $2}')
	t "$name: the partition fills the disk (ends at sector $end of $sectors)" test "$end" -ge $((sectors - 34))
	partnode "${disk}p1"
	fs_bytes=0
	if mount -o ro "${disk}p1" "$d/mnt"; then
		fs_bytes=$(df -B1 --output=size "$d/mnt" | tail -n 1)
		t "$name: files survive the growth" cmp "$d/mnt/numbers" "$d/content/numbers"
		umount "$d/mnt"
	else
		t "$name: the grown partition mounts" false
	fi
}
gpt_image gpt 48 mkfs.ext4 -q
grown gpt 128
t "gpt: e2fsck -f is clean on the grown filesystem" e2fsck -f -n "${disk}p1"
t "gpt: the filesystem grew to the partition ($fs_bytes bytes)" test "$fs_bytes" -gt $((110 << 20))
mount "${disk}p1" "$d/mnt"
run "$NI" -q "$url/gpt.qcow2" "$disk"
is "$rc" 4 "a device whose partition is mounted: exit 4"
like "$err" "partition .*p1 is mounted" "and names the partition"
umount "$d/mnt"
run "$NI" -q --grow "$url/v3.qcow2" "$d/x.raw"
is "$rc" 1 "--grow on a file is a usage error"

# XFS grows only while mounted: nodeimage mounts it in a private mount namespace, runs
# xfs_growfs and unmounts it. mkfs.xfs wants more than 300 MB.
if ! has_cmd "xfs: --grow of a GPT image with an XFS partition" mkfs.xfs xfs_repair xfs_info; then :
elif ! grep -qw xfs /proc/filesystems; then
	skip "xfs: --grow of a GPT image with an XFS partition" "no XFS in this kernel (/proc/filesystems)"
elif ! gpt_image xfs 320 mkfs.xfs -q -f; then
	_fail "xfs: a GPT image with an XFS partition (mkfs.xfs, mounted, filled)"
else
	grown xfs 512
	t "xfs: xfs_repair -n is clean on the grown filesystem" xfs_repair -n "${disk}p1"
	t "xfs: the mounted filesystem is bigger than the image's whole disk ($fs_bytes bytes)" test "$fs_bytes" -gt $((320 << 20))
	xfs_bytes=$(xfs_info "${disk}p1" | sed -n 's/^data *= *bsize=\([0-9]*\) *blocks=\([0-9]*\).*/\1 * \2/p')
	part_bytes=$(blockdev --getsize64 "${disk}p1")
	t "xfs: its data section fills the partition (xfs_info: $xfs_bytes of $part_bytes bytes)" \
		test $((xfs_bytes)) -gt $((part_bytes - (1 << 20)))
	is "$(findmnt -rn -S "${disk}p1")" "" "xfs: the partition is not left mounted"
	is "$(find /tmp -maxdepth 1 -name 'nodeimage.*' -newer "$d/www/xfs.qcow2" | wc -l)" 0 "xfs: no mount point left behind"
fi
