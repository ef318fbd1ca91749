#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The front door of the single-result tools (issue 15): nodeimage, lldpname,
# envswitch, mkchroot. -V and --version; usage errors name the option and
# its value and exit 1; numbers are range-checked; a config file named by an
# option or environment variable must exist; unknown keys and bad values
# name FILE:LINE; the retired option letters are refused; --json gives one
# object (ok, exit, error first), for a usage error too. No network, no cluster.
source "$CT_TOP/tests/lib.sh"
caps=$CT_TOP/tests/lldpname
d=$(scratch)
export NODEIMAGE_CONF=$d/none.conf LLDPNAME_CONF= ENVSWITCH_CONF=$d/envswitch.conf HOME=$d/home
export MKCHROOT_TEMPLATES=$CT_TOP/etc/mkchroot.d
: >"$NODEIMAGE_CONF"
: >"$ENVSWITCH_CONF"
mkdir "$d/home"

# usage_fails NAME WANT_ERR CMD...: exit 1, first stderr line WANT_ERR, then the usage
usage_fails() {
	local name=$1 want=$2; shift 2
	run "$@"
	is "$rc" 1 "$name: exit 1"
	is "$(head -1 <<<"$err")" "$want" "$name: says so"
}

# json_object NAME: $out is exactly one JSON object that starts ok, exit, error
json_object() {
	is "$(jq -s length <<<"$out" 2>&1)" 1 "$1: one JSON object on stdout"
	is "$(jq -r 'keys_unsorted[0:3] | join(",")' <<<"$out" 2>&1)" "ok,exit,error" "$1: ok, exit, error first"
}

# --- -V and --version ------------------------------------------------------------------
for tool in nodeimage lldpname envswitch mkchroot; do
	for v in -V --version; do
		run "$tool" $v
		is "$rc" 0 "$tool $v: exit 0"
		like "$out" "^$tool [0-9]+\.[0-9]+" "$tool $v: prints the version"
	done
done

# --- numbers: the option and the value named, exit 1 -------------------------------------
usage_fails "nodeimage --retries -1" "nodeimage: --retries -1: out of range (0 to 1000)" \
	nodeimage --retries -1 http://127.0.0.1:1/x "$d/t.raw"
usage_fails "nodeimage --retries x" "nodeimage: --retries x: not a number" \
	nodeimage --retries x http://127.0.0.1:1/x "$d/t.raw"
usage_fails "lldpname -t 0" "lldpname: -t 0: out of range (0.01 to 86400)" lldpname -t 0 --pcap "$caps/cumulus-swp12.pcap"
usage_fails "lldpname -t -5" "lldpname: -t -5: out of range (0.01 to 86400)" lldpname -t -5 --pcap x
usage_fails "lldpname --timeout abc" "lldpname: --timeout abc: not a number" lldpname --timeout abc --pcap x
usage_fails "lldpname -t abc" "lldpname: -t abc: not a number" lldpname -t abc --pcap x
usage_fails "mkchroot --level 99" "mkchroot: --level 99: out of range (0 to 19)" mkchroot --vnfs "$d/o.img" --level 99 "$d"
usage_fails "mkchroot --threads 0" "mkchroot: --threads 0: out of range (1 to 1024)" mkchroot --vnfs "$d/o.img" --threads 0 "$d"
usage_fails "mkchroot --level 12 for gzip" "mkchroot: --level 12: out of range for gzip (0 to 9)" \
	mkchroot --vnfs "$d/o.cpio.gz" --level 12 "$d"
usage_fails "mkchroot --format zip" "mkchroot: --format zip: not one of newc, cpio, pax, tar, qcow2 or raw" \
	mkchroot --vnfs "$d/o.img" --format zip "$d"
usage_fails "mkchroot --compress lz4" "mkchroot: --compress lz4: not one of gzip, gz, zstd, zst, xz or none" \
	mkchroot --vnfs "$d/o.img" --compress lz4 "$d"
t "no image was written by the refused runs" test ! -e "$d/o.img" -a ! -e "$d/o.cpio.gz"

run nodeimage --sha256 XYZ http://127.0.0.1:1/x "$d/t.raw"
is "$rc:$err" "1:nodeimage: --sha256 XYZ: want 64 hex digits" "nodeimage --sha256 XYZ: names the value as typed"
usage_fails "nodeimage with one argument" "nodeimage: want two arguments, URL|FILE and TARGET, not 1" nodeimage "$d/x"
usage_fails "lldpname with an argument" "lldpname: unexpected argument 'eth0'" lldpname eth0
usage_fails "mkchroot --vnfs with two paths" "mkchroot: --vnfs OUTPUT needs exactly one PATH to pack" \
	mkchroot --vnfs "$d/o.img" "$d" "$d"

# --- retired letters (COMMON option table) ------------------------------------------------
usage_fails "mkchroot -l" "mkchroot: -l: unknown option" mkchroot -l
usage_fails "mkchroot -x" "mkchroot: -x: unknown option" mkchroot -x '*.pyc' --vnfs "$d/o.img" "$d"
usage_fails "mkchroot -g" "mkchroot: -g: unknown option" mkchroot -n -g debian-12 "$d/r"
usage_fails "envswitch -l" "envswitch: -l: unknown option" envswitch -l
usage_fails "envswitch -f" "envswitch: -f: unknown option" envswitch mpi = x -f
usage_fails "lldpname -i" "lldpname: -i: unknown option" lldpname -i eth0
run mkchroot -c "$MKCHROOT_TEMPLATES/debian-12.conf" -n "$d/r"
is "$rc" 0 "mkchroot -c is --config"
like "$out" "^debootstrap " "mkchroot -c FILE -n: the template's command"
run mkchroot -n --nogpg --exclude '*.pyc' rocky-9 "$d/r"
like "$rc:$out" "^0:dnf .*--nogpgcheck" "mkchroot --nogpg and --exclude (long) still work"

# --- config files: named means must exist; FILE:LINE for unknown keys and bad values --------
run nodeimage -c "$d/nonexist.conf" http://127.0.0.1:1/x "$d/t.raw"
is "$rc:$err" "1:nodeimage: $d/nonexist.conf: No such file or directory" "nodeimage -c missing: exit 1, names the file"
run env NODEIMAGE_CONF="$d/nonexist.conf" nodeimage http://127.0.0.1:1/x "$d/t.raw"
is "$rc:$err" "1:nodeimage: $d/nonexist.conf: No such file or directory" "NODEIMAGE_CONF missing: exit 1, names the file"
printf '# site defaults\nretries = 3\nretrys = 3\n' >"$d/ni-key.conf"
run nodeimage -c "$d/ni-key.conf" http://127.0.0.1:1/x "$d/t.raw"
is "$rc:$err" "1:nodeimage: $d/ni-key.conf:3: unknown key 'retrys' (expected retries, connect-timeout, stall-timeout, require-sha256, wipe or format)" \
	"nodeimage.conf: unknown key named with FILE:LINE"
printf 'retries = -1\n' >"$d/ni-neg.conf"
run nodeimage -c "$d/ni-neg.conf" http://127.0.0.1:1/x "$d/t.raw"
is "$rc:$err" "1:nodeimage: $d/ni-neg.conf:1: retries = -1: out of range (0 to 1000)" "nodeimage.conf: bad number named with FILE:LINE"
printf 'connect-timeout = 5\nwipe = maybe\n' >"$d/ni-bool.conf"
run nodeimage -c "$d/ni-bool.conf" http://127.0.0.1:1/x "$d/t.raw"
is "$rc:$err" "1:nodeimage: $d/ni-bool.conf:2: wipe = maybe: want yes or no" "nodeimage.conf: bad yes/no named with FILE:LINE"
run nodeimage -c "$d/ni-key.conf" --json http://127.0.0.1:1/x "$d/t.raw"
json_object "nodeimage bad config --json"
is "$(jq -r .error <<<"$out")" "$d/ni-key.conf:3: unknown key 'retrys' (expected retries, connect-timeout, stall-timeout, require-sha256, wipe or format)" \
	"nodeimage bad config --json: the error in the object"

run lldpname -c "$d/nonexist.conf" --pcap "$caps/cumulus-swp12.pcap"
is "$rc:$err" "1:lldpname: $d/nonexist.conf: No such file or directory" "lldpname -c missing: exit 1 (not 4), names the file"
run env LLDPNAME_CONF="$d/nonexist.conf" lldpname --pcap "$caps/cumulus-swp12.pcap"
is "$rc:$err" "1:lldpname: $d/nonexist.conf: No such file or directory" "LLDPNAME_CONF missing: exit 1, names the file"
printf '[leaf*]\ntemplate = n%%02d\ntemplat = x\n' >"$d/ll-key.conf"
run lldpname -c "$d/ll-key.conf" --pcap "$caps/cumulus-swp12.pcap"
is "$rc:$err" "1:lldpname: $d/ll-key.conf:3: unknown key 'templat' (expected template, offset, source, index or port.*)" \
	"lldpname.conf: unknown key named with FILE:LINE"

run envswitch -c "$d/nonexist.conf" --show
is "$rc:$err" "1:envswitch: $d/nonexist.conf: No such file or directory" "envswitch -c missing: exit 1, names the file"
run env ENVSWITCH_CONF="$d/nonexist.conf" envswitch --list
is "$rc:$err" "1:envswitch: $d/nonexist.conf: No such file or directory" "ENVSWITCH_CONF missing: exit 1, names the file"
run env ENVSWITCH_CONF="$d/nonexist.conf" envswitch --show --json
json_object "envswitch missing config --json"
is "$(jq -r '"\(.ok) \(.exit) \(.error)"' <<<"$out")" "false 1 $d/nonexist.conf: No such file or directory" \
	"envswitch missing config --json: the failure in the object"
printf 'mpi = openmpi-4.1\nbad tag! = x\n' >"$d/es-bad.conf"
run envswitch -c "$d/es-bad.conf" --show
like "$rc:$err" "^1:envswitch: $d/es-bad.conf:2: " "envswitch: a bad line named with FILE:LINE"

mkdir -p "$d/vroot/etc" "$d/empty"
echo node >"$d/vroot/etc/motd"
run mkchroot --vnfs "$d/v.cpio.gz" --exclude-from "$d/nonexist" "$d/vroot"
is "$rc:$err" "1:mkchroot: --exclude-from $d/nonexist: No such file or directory" "mkchroot --exclude-from missing: exit 1, names it"
t "mkchroot --exclude-from missing: nothing packed" test ! -e "$d/v.cpio.gz"
run mkchroot --list --templates "$d/empty"
is "$rc:$out:$err" "1::mkchroot: no templates in $d/empty" "mkchroot --list without templates: exit 1, says so"
run mkchroot -c "$d/nonexist.conf" "$d/r"
is "$rc:$err" "1:mkchroot: $d/nonexist.conf: No such file or directory" "mkchroot -c missing: exit 1, names the file"

# --- --json: usage failures as the object too ----------------------------------------------
run nodeimage --json --retries -1 http://127.0.0.1:1/x "$d/t.raw"
json_object "nodeimage --json usage error"
is "$(jq -c . <<<"$out")" '{"ok":false,"exit":1,"error":"--retries -1: out of range (0 to 1000)"}' "nodeimage --json usage error: the object"
run lldpname --json -t 0 --pcap x
json_object "lldpname --json usage error"
is "$(jq -r '"\(.ok) \(.exit) \(.error)"' <<<"$out")" "false 1 -t 0: out of range (0.01 to 86400)" "lldpname --json usage error: the object"
run envswitch --json -l
json_object "envswitch --json usage error"
is "$(jq -r '"\(.exit) \(.error)"' <<<"$out")" "1 -l: unknown option" "envswitch --json usage error: the object"
run mkchroot --json --level 99 --vnfs "$d/o.img" "$d"
json_object "mkchroot --json usage error"
is "$(jq -r '"\(.exit) \(.error)"' <<<"$out")" "1 --level 99: out of range (0 to 19)" "mkchroot --json usage error: the object"
run envswitch --json --init bash
is "$rc:$(jq -r .error <<<"$out")" "1:--json goes with --show and --list" "envswitch --json with --init: usage error"

# --- --json: results -----------------------------------------------------------------------
run lldpname --json -c "$caps/lldpname.conf" --pcap "$caps/cumulus-swp12.pcap"
json_object "lldpname --json"
is "$(jq -r '"\(.ok) \(.exit) \(.error) \(.hostname)"' <<<"$out")" "true 0 null cn612" "lldpname --json: ok, and the name"
run lldpname --json -c "$caps/lldpname.conf" --pcap "$caps/none.pcap"
is "$rc:$(jq -r '"\(.ok) \(.exit)"' <<<"$out")" "3:false 3" "lldpname --json, no frame: exit 3 in the object"
run envswitch --json --show
is "$(jq -c . <<<"$out")" '{"ok":true,"exit":0,"error":null,"choices":[]}' "envswitch --show --json: the object"

run mkchroot --json --vnfs "$d/v.tar.zst" --exclude-from /dev/null "$d/vroot"
json_object "mkchroot --json --vnfs"
is "$(jq -r '"\(.ok) \(.exit) \(.action) \(.format) \(.compress) \(.files)"' <<<"$out")" "true 0 vnfs pax zstd 2" \
	"mkchroot --json --vnfs: what was packed"
is "$(jq -r .bytes <<<"$out")" "$(stat -c %s "$d/v.tar.zst")" "mkchroot --json --vnfs: bytes is the image's size"
run mkchroot --json --vnfs "$d/m.cpio" "$d/missing"
json_object "mkchroot --json, failed pack"
is "$rc:$(jq -r '"\(.ok) \(.exit) \(.error)"' <<<"$out")" "1:false 1 $d/missing: No such file or directory" \
	"mkchroot --json, failed pack: the first problem is the error"
run mkchroot --json -n debian-12 "$d/r"
json_object "mkchroot --json -n"
is "$(jq -r '"\(.template) \(.backend) \(.dry_run) \(.commands | length)"' <<<"$out")" "debian-12 debootstrap true 2" \
	"mkchroot --json -n: the commands are in the object, not loose on stdout"
run mkchroot --json --list
json_object "mkchroot --json --list"
is "$(jq -r '.templates[] | select(.name == "debian-12") | .description' <<<"$out")" \
	"$(sed -n 's/^description = //p' "$MKCHROOT_TEMPLATES/debian-12.conf")" "mkchroot --json --list: names and descriptions"
run mkchroot --json --list --templates "$d/empty"
is "$rc:$(jq -r '"\(.ok) \(.error)"' <<<"$out")" "1:false no templates in $d/empty" "mkchroot --json --list, none: the failure"

# bytes that are not UTF-8 never break the object
bad=$(printf '%s/v\377.cpio' "$d")
run mkchroot --json --vnfs "$bad" --exclude-from /dev/null "$d/vroot"
is "$(jq -r '"\(.ok) \(.output_base64)"' <<<"$out" 2>&1)" "true $(printf '%s' "$bad" | base64 -w0)" \
	"mkchroot --json: a non-UTF-8 path is kept as output_base64"
run nodeimage --json --retries 0 "$(printf 'http://127.0.0.1:1/\377')" "$d/t.raw"
json_object "nodeimage --json with a non-UTF-8 URL"
is "$(jq -r '"\(.exit) \(.source_base64)"' <<<"$out")" "2 $(printf 'http://127.0.0.1:1/\377' | base64 -w0)" \
	"nodeimage --json: the URL's bytes kept as source_base64"
echo "1..$_tap_n"
