#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# imgsync local-to-local: the rsync oracle over every kind of path, excludes,
# mount points, dry-run itemize = real run, --no-delete, --checksum, deltas
# (200 MiB with 1 MiB changed), a server killed midway, hostile servers.
: "${CT_TOP:?run me through tests/run (an empty \$S would write to /)}"
source "$CT_TOP/tests/lib.sh"
source "$CT_TOP/tests/cli/imgsync.inc"
need_root
need_cmd rsync setcap

S=$(scratch)
mk_old "$S/old"
mk_new "$S/src"
mkdir -p "$S/dest"
rsync -aHAX "$S/old/" "$S/dest/"
# another filesystem mounted inside the destination is never touched
mount -t tmpfs none "$S/dest/mnt" && at_exit "umount -l '$S/dest/mnt'"
echo "on tmpfs" >"$S/dest/mnt/other_fs"
EXC=(--exclude /etc/hostname --exclude '/var/log/*')
ORACLE_EXCLUDES+=(--exclude=/mnt) # the mount point, left alone
items() { grep -vE ': (\(dry run\) )?created [0-9]+, updated'; }

# --- dry run: lists the changes, touches nothing ---------------------------
before=$(state "$S/dest")
run imgsync -n --itemize "${EXC[@]}" "$S/src" "$S/dest"
is "$rc" 0 "dry run exits 0"
dry_items=$(printf '%s\n' "$out" | items)
is "$(state "$S/dest")" "$before" "dry run changes nothing"
like "$dry_items" 'deleting +etc/deleted' "dry run lists a deletion"
like "$dry_items" '^>f\.st\.\.\.\.\.\. etc/changed$' "dry run lists a changed file"
like "$dry_items" '^hf\+{9} data/h2 => data/h1$' "dry run lists a hard link"
like "$out" '/dest: \(dry run\) created' "dry run summary"

# --- the real run ------------------------------------------------------------
run imgsync --itemize "${EXC[@]}" "$S/src" "$S/dest"
is "$rc" 0 "sync exits 0"
real_items=$(printf '%s\n' "$out" | items)
is "$real_items" "$dry_items" "dry-run itemize equals the real run's changes"
is "$(oracle "$S/src" "$S/dest")" "" "rsync -aHAXn --delete --checksum finds no difference"
is "$(cat "$S/dest/etc/hostname")" "node01" "excluded file kept its content"
is "$(cat "$S/dest/var/log/keep.log")" "log" "excluded directory contents not deleted"
is "$(cat "$S/dest/proc/keep")" "kernel" "/proc contents never touched"
t "/proc contents of the image not copied" test ! -e "$S/dest/proc/cpuinfo"
is "$(cat "$S/dest/mnt/other_fs")" "on tmpfs" "another mounted filesystem left alone"
t "file became a directory" test -f "$S/dest/becomes_dir/inner"
is "$(readlink "$S/dest/becomes_link")" "etc" "directory became a symlink"
is "$(stat -c %i "$S/dest/data/h1")" "$(stat -c %i "$S/dest/data/h3")" "hard-link group shares one inode"
is "$(stat -c '%F %t,%T' "$S/dest/data/null")" "character special file 1,3" "character device"
is "$(stat -c '%F' "$S/dest/data/fifo")" "fifo" "fifo"
like "$(getcap "$S/dest/usr/bin/ping")" 'cap_net_raw[=+]ep' "file capability kept"
is "$(stat -c %a "$S/dest/usr/bin/ping")" "4755" "setuid bit kept (set after chown)"
like "$(getfacl -cp "$S/dest/data/acl_file" 2>/dev/null)" 'user:nobody:rw-' "ACL kept"
like "$(getfacl -cp "$S/dest/data/acl_dir" 2>/dev/null)" 'default:user:nobody:rwx' "default ACL kept"
is "$(stat -c %u:%g "$S/dest/data/owned")" "12345:23456" "numeric owner kept"
is "$(stat -c %y "$S/dest/etc/new")" "$(stat -c %y "$S/src/etc/new")" "mtime to the nanosecond"
is "$(stat -c %y "$S/dest")" "$(stat -c %y "$S/src")" "root directory mtime set after its contents"
is "$(stat -c %s "$S/dest/data/sparse")" "1073741824" "sparse file size"
t "1 GiB sparse file stays sparse (du < 1 MiB)" test "$(du -k "$S/dest/data/sparse" | cut -f1)" -lt 1024
t "no temporary files left" test -z "$(find "$S/dest" -name '.imgsync.*')"

# --- nothing to do -----------------------------------------------------------
run imgsync --itemize "${EXC[@]}" "$S/src" "$S/dest"
is "$(printf '%s\n' "$out" | items)" "" "second run has nothing to change"
like "$out" 'created 0, updated 0, deleted 0' "second run summary"

# --- --no-delete, --checksum, --json --------------------------------------
echo extra >"$S/dest/extra"
run imgsync --no-delete -q "${EXC[@]}" "$S/src" "$S/dest"
t "--no-delete keeps extraneous files" test -f "$S/dest/extra"
run imgsync -q "${EXC[@]}" "$S/src" "$S/dest"
t "without --no-delete they go" test ! -e "$S/dest/extra"
# same size, same mtime, other content: only --checksum sees it
echo "same" >"$S/dest/etc/same.tmp" && printf 'SAME\n' >"$S/dest/etc/same.tmp"
touch -r "$S/src/etc/same" "$S/dest/etc/same.tmp"
chmod --reference="$S/src/etc/same" "$S/dest/etc/same.tmp"
mv "$S/dest/etc/same.tmp" "$S/dest/etc/same"
run imgsync --itemize "${EXC[@]}" "$S/src" "$S/dest"
is "$(cat "$S/dest/etc/same")" "SAME" "size+mtime comparison does not read contents"
run imgsync --itemize --checksum "${EXC[@]}" "$S/src" "$S/dest"
like "$out" '^>fc\.\.\.\.\.\.\.\. etc/same$' "--checksum finds the changed content"
is "$(cat "$S/dest/etc/same")" "same" "--checksum fixed it"
run imgsync --json "${EXC[@]}" "$S/src" "$S/dest"
like "$out" '^\{"node":.*"ok":true.*"bytes_sent":[0-9]+' "--json summary"
printf '/etc/same\n# comment\n\n/usr/bin/*\n' >"$S/exclude"
echo changed >"$S/dest/etc/same"
run imgsync -q --config "$S/exclude" "$S/src" "$S/dest"
is "$(cat "$S/dest/etc/same")" "changed" "--config exclude file honoured"
run env IMGSYNC_CONF="$S/exclude" imgsync -q "$S/src" "$S/dest"
is "$(cat "$S/dest/etc/same")" "changed" "IMGSYNC_CONF honoured"
run imgsync -q --exclude-from "$S/exclude" "$S/src" "$S/dest"
is "$(cat "$S/dest/etc/same")" "changed" "--exclude-from honoured"

# --- delta: 200 MiB with 1 MiB changed in the middle ------------------------
mkdir -p "$S/bsrc" "$S/bdst"
head -c 200M /dev/urandom >"$S/bsrc/big"
imgsync -q --force "$S/bsrc" "$S/bdst"
dd if=/dev/urandom of="$S/bsrc/big" bs=1M count=1 seek=100 conv=notrunc status=none
run imgsync --force --json "$S/bsrc" "$S/bdst"
sent=$(printf '%s' "$out" | sed -n 's/.*"bytes_sent":\([0-9]*\).*/\1/p')
t "1 MiB changed in 200 MiB crosses as < 5 MiB (sent $sent bytes)" test "${sent:-999999999}" -lt $((5 << 20))
is "$(oracle "$S/bsrc" "$S/bdst")" "" "delta rebuilt the file exactly"

# --- a server killed midway leaves every path old or new ---------------------
mkdir -p "$S/ksrc" "$S/kdst"
for i in $(seq 1 12); do head -c 8M /dev/urandom >"$S/ksrc/f$i"; done
imgsync -q --force "$S/ksrc" "$S/kdst"
(cd "$S/kdst" && sha256sum f*) >"$S/old.sums"
for i in $(seq 1 12); do head -c 8M /dev/urandom >"$S/ksrc/f$i"; done
(cd "$S/ksrc" && sha256sum f*) >"$S/new.sums"
imgsync -q --force "$S/ksrc" "$S/kdst" 2>/dev/null &
client=$!
server=
f3_landed() {
	server=$(pgrep -P "$client" | head -1)
	[ -n "$server" ] && [ "$(sha256sum 2>/dev/null <"$S/kdst/f3" | cut -c1-64)" = "$(grep ' f3$' "$S/new.sums" | cut -c1-64)" ]
}
wait_for "the local imgsync server to have landed f3" f3_landed
[ -n "$server" ] && kill -9 "$server"
reap "$client"
crc=$?
t "client reports the killed server (status $crc)" test "$crc" -eq 2
mixed=0 bad=0
for i in $(seq 1 12); do
	h=$(sha256sum <"$S/kdst/f$i" | cut -c1-64)
	if grep -q "^$h  f$i\$" "$S/new.sums"; then mixed=$((mixed + 1))
	elif ! grep -q "^$h  f$i\$" "$S/old.sums"; then bad=$((bad + 1)); fi
done
is "$bad" 0 "every file is either old or new after the kill ($mixed new)"
t "no temporary files after the kill" test -z "$(find "$S/kdst" -name '.imgsync.*')"
run imgsync -q --force "$S/ksrc" "$S/kdst"
is "$rc" 0 "the next run completes"
is "$(oracle "$S/ksrc" "$S/kdst")" "" "and the destination equals the image"

# --- hostile servers ------------------------------------------------------------
mkdir -p "$S/outside"
for mode in dotdot absolute symlink dotdir unsorted badlink data; do
	rm -rf "$S/hdst"
	run env HOSTILE_TARGET="$S/outside" imgsync --force --rsh "$CT_BIN/imgsync_hostile $mode" evil:/img "$S/hdst"
	t "hostile server ($mode) fails the run (status $rc)" test "$rc" -eq 2
	case $mode in data) ;; *) like "$err" 'refused' "hostile server ($mode) is refused: ${err%%$'\n'*}" ;; esac
done
is "$(ls -A "$S/outside")" "" "nothing written outside the destination"
t "no escape file anywhere" test ! -e "$S/escape" -a ! -e /tmp/escape

# a destination symlink on the way is replaced, never followed
mkdir -p "$S/lsrc/d" "$S/ldst"
echo inside >"$S/lsrc/d/f"
ln -s "$S/outside" "$S/ldst/d"
run imgsync -q --force "$S/lsrc" "$S/ldst"
is "$(ls -A "$S/outside")" "" "a symlink in the destination is not followed"
t "it was replaced by the image's directory" test -d "$S/ldst/d" -a ! -L "$S/ldst/d"

# --- progress: a line on a terminal, nothing when stderr is not one ---------------
mkdir -p "$S/psrc/etc" # an (empty) etc/: the image looks like a root filesystem
for i in 1 2 3 4 5 6; do head -c 1M /dev/urandom >"$S/psrc/f$i"; done
IS=$(command -v imgsync)
run imgsync "$S/psrc" "$S/pdst0"
is "$err" "" "no progress on stderr when it is not a terminal"
on_tty() { script -qefc "$*" /dev/null 2>&1 | tr '\r' '\n'; }
# a fake rsh: "HOST COMMAND" runs COMMAND here, in a directory of HOST's own
printf '#!/bin/sh\nmkdir -p "%s/nodes/$1" && cd "%s/nodes/$1" && exec sh -c "$2"\n' "$S" "$S" >"$S/fakersh"
chmod +x "$S/fakersh"
RSH=(--rsh "$S/fakersh" --remote-imgsync "$IS")
tty_out=$(on_tty "'$IS' '$S/psrc' '$S/pdst1'")
like "$tty_out" '^imgsync  [0-9.]+ [KMG]?i?B / 6\.0 MiB  [0-9]+%  [0-9.]+ [KMG]?i?B/s(  ETA [0-9:]+)?  [0-6]/6 files$' \
	"a progress line on a terminal (bytes, %, rate, files)"
like "$tty_out" '^imgsync  6\.0 MiB / 6\.0 MiB  100%  .*  6/6 files$' "it reaches 6/6 files"
raw=$(script -qefc "'$IS' '$S/psrc' '$S/pdst2'" /dev/null 2>&1)
t "the line is erased before the summary" grep -qF "$(printf ' \r')$S/pdst2: created " <<<"$raw"
is "$(oracle "$S/psrc" "$S/pdst1")" "" "the run with a progress line synced everything"
is "$(on_tty "'$IS' -q '$S/psrc' '$S/pdst3'")" "" "-q: no progress line on a terminal"
json_tty=$(on_tty "'$IS' --json '$S/psrc' '$S/pdst4'")
like "$json_tty" '^\{"node"' "--json on a terminal prints the JSON"
is "$(grep -c 'files$' <<<"$json_tty")" 0 "--json: no progress line"
tty_out=$(on_tty "'$IS' ${RSH[*]} -w n1,n2 '$S/psrc' d")
like "$tty_out" '^imgsync  .*  [0-9]+/12 files  [0-2]/2 nodes$' "-w: the line counts files and nodes"
is "$(oracle "$S/psrc" "$S/nodes/n2/d")" "" "-w through the fake rsh synced node n2"
tty_out=$(on_tty "'$IS' ${RSH[*]} pullhost:'$S/psrc' '$S/pdst6'")
like "$tty_out" '^imgsync  6\.0 MiB / 6\.0 MiB  100%  .*  6/6 files$' "a pull shows the received files"
is "$(oracle "$S/psrc" "$S/pdst6")" "" "the pull synced everything"

# --- refusals that keep a mistake from wiping a destination ------------------------------
mkdir -p "$S/empty" "$S/half/boot" "$S/half/home/user"
echo kernel >"$S/half/boot/vmlinuz"
before=$(state "$S/dest")
run imgsync "${EXC[@]}" "$S/empty" "$S/dest"
is "$rc" 1 "an empty image: exit 1"
is "$err" "imgsync: $S/empty: the image is empty (syncing it would delete everything at the destination); refused, --force overrides" \
	"an empty image: the message names it, says why and that --force overrides"
is "$(state "$S/dest")" "$before" "an empty image: the destination is unchanged"
run imgsync "${EXC[@]}" "$S/half" "$S/dest"
is "$rc" 1 "an image without etc/ and usr/: exit 1"
is "$err" "imgsync: $S/half: the image has neither etc/ nor usr/: it does not look like a root filesystem; refused, --force overrides" \
	"an image without etc/ and usr/: the message says so"
is "$(state "$S/dest")" "$before" "an image without etc/ and usr/: the destination is unchanged"
run imgsync -n --itemize "${EXC[@]}" "$S/half" "$S/dest"
is "$rc:$(state "$S/dest")" "1:$before" "an image without etc/ and usr/: refused in a dry run too"
# a pull: the image is the remote side's, checked before anything changes here
run imgsync "${RSH[@]}" "${EXC[@]}" pullhost:"$S/empty" "$S/dest"
is "$rc" 2 "pulling an empty image: exit 2"
like "$err" "^imgsync: pullhost:$S/empty: the image is empty .*--force overrides" "pulling an empty image: says so"
is "$(state "$S/dest")" "$before" "pulling an empty image: the destination is unchanged"
rsync -aHAX "$S/dest/" "$S/forced/"
run imgsync --force -q "$S/half" "$S/forced"
is "$rc" 0 "--force syncs an image without etc/ and usr/"
is "$(oracle "$S/half" "$S/forced")" "" "--force: the destination equals that image"
run imgsync --force -q "${RSH[@]}" pullhost:"$S/empty" "$S/forced"
is "$rc:$(ls -A "$S/forced")" "0:" "--force pulls an empty image: the destination is emptied"

# --max-delete N: more than N deletions change nothing, N or fewer go ahead
rsync -aHAX "$S/src/" "$S/md/"
mkdir -p "$S/md/extra" && touch "$S/md/extra/"{1,2,3,4,5}
rm "$S/md/etc/new" && mkdir "$S/md/etc/new" && touch "$S/md/etc/new/x" # a file in the image
run imgsync -n --itemize "$S/src" "$S/md"
is "$(grep -c '^\*deleting' <<<"$out")" 8 "the dry run lists 8 deletions"
before=$(state "$S/md")
run imgsync --itemize --max-delete 7 "$S/src" "$S/md"
is "$rc" 2 "--max-delete 7 with 8 to delete: exit 2"
is "$err" "imgsync: $S/md: would delete 8 paths, more than --max-delete 7; nothing changed" "--max-delete 7: says so"
is "$(state "$S/md")" "$before" "--max-delete 7: the destination is unchanged"
run imgsync -n --max-delete 7 "$S/src" "$S/md"
is "$rc:$(state "$S/md")" "2:$before" "--max-delete 7 in a dry run: exit 2 as well"
run imgsync --no-delete --max-delete 1 "$S/src" "$S/md"
is "$rc:$(state "$S/md")" "2:$before" "--no-delete --max-delete 1: the replaced directory still counts (2)"
run imgsync -q --max-delete 8 "$S/src" "$S/md"
is "$rc" 0 "--max-delete 8 with 8 to delete: exit 0"
is "$(oracle "$S/src" "$S/md")" "" "--max-delete 8: the destination equals the image"
run imgsync -q --max-delete 0 "$S/src" "$S/md"
is "$rc" 0 "--max-delete 0 with nothing to delete: exit 0"
run imgsync --max-delete abc "$S/src" "$S/md"
is "$rc:$err" "1:imgsync: --max-delete abc: not a number" "--max-delete abc: exit 1"
run imgsync --max-delete -1 "$S/src" "$S/md"
is "$rc" 1 "--max-delete -1: exit 1"

# only the last component of a destination is made, as rsync does
run imgsync -q "$S/src" "$S/nope/deeper/dst"
is "$rc" 2 "a destination whose parent is missing: exit 2"
is "$err" "imgsync: $S/nope/deeper/dst: $S/nope/deeper/dst: parent directory $S/nope/deeper: No such file or directory (only the last component of a destination is created)" \
	"and says which parent is missing"
t "nothing of that path was made" test ! -e "$S/nope"
run imgsync -n "$S/src" "$S/nope/dst"
is "$rc" 2 "the same in a dry run"
run imgsync -q "$S/src" "$S/newdst/"
is "$rc" 0 "a missing last component is made"
is "$(oracle "$S/src" "$S/newdst")" "" "and holds the image"

# --- usage -------------------------------------------------------------------------
run imgsync "$S/src"
is "$rc" 1 "missing DEST is a usage error"
run imgsync a:/x b:/y
is "$rc" 1 "two remote ends refused"
run imgsync "$S/nonexistent" "$S/x"
is "$rc" 1 "unreadable image is a local error"
