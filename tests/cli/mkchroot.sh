#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# mkchroot: template listing and errors, dry-run command lines, the golden
# backend from a local tree (excludes, stateless steps), the archive backend
# from a tarball, a docker-save layout and an OCI layout (layers, whiteouts),
# and archives that try to write outside the root.
source "${CT_TOP:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
source "$CT_TOP/tests/cli/mkchroot.inc"
need_root
s=$(scratch)
export MKCHROOT_TEMPLATES=$CT_TOP/etc/mkchroot.d

# --- no template: error, usage, templates with descriptions --------------
run mkchroot
is "$rc" 1 "no template: exit 1"
is "$(head -1 <<<"$err")" "ERROR: Missing template name" "no template: ERROR line first"
like "$err" "Usage: mkchroot" "no template: usage"
for tpl in debian-11 debian-12 ubuntu-22.04 ubuntu-24.04 rocky-8 rocky-9 alma-8 alma-9 opensuse-leap-15 \
	golden-system archive; do
	desc=$(sed -n 's/^description = //p' "$MKCHROOT_TEMPLATES/$tpl.conf")
	like "$err" "^  $tpl +$(sed 's/[()/.]/./g' <<<"$desc")\$" "no template: lists $tpl with its description"
done
run mkchroot --list
like "$out" "^  debian-12 +Debian 12" "--list prints the templates on stdout"

# --- template errors name file:line --------------------------------------
mkdir "$s/t"
printf 'description = x\nbackend = golden\nflavour = mint\n' >"$s/t/badkey.conf"
printf '# no backend here\ndescription = y\nsource = /\n' >"$s/t/nobackend.conf"
printf 'backend = rpm\n' >"$s/t/badbackend.conf"
printf 'include = loop2\n' >"$s/t/loop1.conf"
printf 'include = loop1\n' >"$s/t/loop2.conf"
printf 'backend = debootstrap\nsuite = --evil\n' >"$s/t/dash.conf"
printf 'include = base\nrelease = 2\npackages = b c\npost = two\n' >"$s/t/child.conf"
printf 'description = base\nbackend = dnf\nrelease = 1\npackages = a\npost = one\nmirror = http://m/$releasever/$basearch\n' >"$s/t/base.conf"
run mkchroot --templates "$s/t" badkey "$s/r"
is "$rc" 1 "unknown key: exit 1"
is "$err" "mkchroot: $s/t/badkey.conf:3: unknown key 'flavour'" "unknown key: file:line"
run mkchroot --templates "$s/t" nobackend "$s/r"
like "$err" "^mkchroot: $s/t/nobackend.conf:3: no backend" "no backend: file:line"
run mkchroot --templates "$s/t" badbackend "$s/r"
like "$err" "badbackend.conf:1: unknown backend 'rpm'" "unknown backend: file:line"
run mkchroot --templates "$s/t" loop1 "$s/r"
like "$err" "loop1.conf:1: include 'loop2': .*nested too deep" "include loop: reported"
run mkchroot --templates "$s/t" dash "$s/r"
like "$err" "dash.conf:2: bad suite '--evil'" "option-like value: refused"
run mkchroot --templates "$s/t" -n child "$s/r"
is "$out" "dnf -y --installroot=$s/r --releasever=2 --setopt=install_weak_deps=False --setopt=tsflags=nodocs --repofrompath=mkchroot0,http://m/2/$(uname -m) --repo=mkchroot0 install a b c
chroot $s/r /bin/sh -c one
chroot $s/r /bin/sh -c two" "include: scalars overridden, lists and post commands appended"
run mkchroot --config "$s/t/child.conf" -n "$s/r"
is "$rc" 0 "--config FILE instead of TEMPLATE"
t "nothing built by the failures" test ! -e "$s/r"

# --- dry-run command lines of the package backends ----------------------
run mkchroot -n debian-12 "$s/r" --mirror http://127.0.0.1/debian --nogpg --packages "vim, less"
is "$(head -1 <<<"$out")" "debootstrap --variant=minbase --components=main --include=vim,less --no-check-gpg bookworm $s/r http://127.0.0.1/debian" "debootstrap command line"
run mkchroot -n ubuntu-24.04 "$s/r"
like "$out" "^debootstrap --variant=minbase --components=main,universe noble $s/r http://archive.ubuntu.com/ubuntu gutsy$" "ubuntu-24.04 uses the gutsy script"
run mkchroot -n rocky-9 "$s/r" --nogpg
like "$out" "^dnf -y --installroot=$s/r --releasever=9 .*--nogpgcheck --repofrompath=mkchroot0,https://dl.rockylinux.org/pub/rocky/9/BaseOS/$(uname -m)/os/ .* install rocky-release " "dnf command line"
run mkchroot -n alma-8 "$s/r"
like "$out" "--releasever=8 .*almalinux/8/BaseOS" "alma-8 includes alma-9 with release 8"
run mkchroot -n opensuse-leap-15 "$s/r"
like "$out" "^zypper --root $s/r --non-interactive --gpg-auto-import-keys addrepo --refresh http://download.opensuse.org/distribution/leap/15.6/repo/oss/ mkchroot0$" "zypper addrepo"
like "$out" "zypper --root $s/r --non-interactive --gpg-auto-import-keys --releasever=15.6 install --no-recommends openSUSE-release" "zypper install"

# --- golden from a local tree ---------------------------------------------
make_tree "$s/src"
chmod 0750 "$s/src"; chown 0:7 "$s/src"
mkdir -p "$s/src/etc/ssh" "$s/src/etc/udev/rules.d" "$s/src/home/user" "$s/src/run/lock" "$s/src/var/log"
echo key >"$s/src/etc/ssh/ssh_host_ed25519_key"
echo config >"$s/src/etc/ssh/sshd_config"
echo golden-host >"$s/src/etc/hostname"
echo 0123456789abcdef0123456789abcdef >"$s/src/etc/machine-id"
echo 'SUBSYSTEM=="net"' >"$s/src/etc/udev/rules.d/70-persistent-net.rules"
printf 'root:$6$salt$hash:19000:0:99999:7:::\nuser:*:19000:0:99999:7:::\n' >"$s/src/etc/shadow"
chmod 640 "$s/src/etc/shadow"
echo data >"$s/src/home/user/file"
echo pid >"$s/src/run/lock/pid"
echo log >"$s/src/var/log/x.log"
echo keep >"$s/src/var/log/keep.txt"
run mkchroot golden-system "$s/g" --source "$s/src" --exclude /usr/dangling
is "$rc" 0 "golden from a local tree: exit 1"
t "golden: copied files" cmp "$s/src/usr/bin/big" "$s/g/usr/bin/big"
is "$(stat -c '%u:%g %a' "$s/g/etc/owned")" "1234:5678 640" "golden: numeric owner and mode kept"
is "$(stat -c '%u:%g %a' "$s/g")" "$(stat -c '%u:%g %a' "$s/src")" "golden: the root directory's owner and mode kept"
is "$(link_groups "$s/g")" " usr/bin/big usr/bin/big-link" "golden: hard links kept (srv/ excluded by the template)"
is "$(readlink "$s/g/usr/motd-link")" "../etc/motd" "golden: symlink kept"
like "$(getcap "$s/g/usr/bin/pinger")" "cap_net_raw=ep" "golden: security.capability kept"
is "$(stat -c %Y "$s/g/etc/motd")" "$(stat -c %Y "$s/src/etc/motd")" "golden: mtime kept"
t "golden: /tmp kept, its contents excluded" test -d "$s/g/tmp" -a ! -e "$s/g/tmp/scratch"
t "golden: /run/* and /proc/* excluded" test -d "$s/g/run" -a ! -e "$s/g/run/lock"
t "golden: template excludes (/home/*) honoured" test -d "$s/g/home" -a ! -e "$s/g/home/user"
t "golden: --exclude honoured" test ! -L "$s/g/usr/dangling"
t "golden: /var/log/*.log excluded, other logs kept" test ! -e "$s/g/var/log/x.log" -a -e "$s/g/var/log/keep.txt"
# the stateless steps
is "$(stat -c %s "$s/g/etc/machine-id")" 0 "stateless: empty machine-id"
t "stateless: no ssh host keys" test ! -e "$s/g/etc/ssh/ssh_host_ed25519_key" -a -e "$s/g/etc/ssh/sshd_config"
t "stateless: no hostname" test ! -e "$s/g/etc/hostname"
t "stateless: no persistent net rules" test ! -e "$s/g/etc/udev/rules.d/70-persistent-net.rules"
is "$(cut -d: -f1,2 "$s/g/etc/shadow" | tr '\n' ' ')" 'root:!$6$salt$hash user:* ' "stateless: root password locked, others kept"
is "$(stat -c %a "$s/g/etc/shadow")" 640 "stateless: shadow keeps its mode"
like "$(cat "$s/g/etc/fstab")" "proc +/proc +proc" "stateless: fstab mounts proc"
like "$(cat "$s/g/etc/fstab")" "sysfs +/sys +sysfs" "stateless: fstab mounts sysfs"
like "$(cat "$s/g/etc/fstab")" "tmpfs +/tmp +tmpfs" "stateless: fstab mounts a tmpfs"
# PATH must be new or empty; a failed build leaves nothing
run mkchroot golden-system "$s/g" --source "$s/src"
is "$rc" 1 "golden into a non-empty PATH: exit 1"
like "$err" "exists and is not empty" "golden into a non-empty PATH: says so"
run mkchroot golden-system "$s/g2" --source "$s/nonexistent"
is "$rc" 1 "golden from a missing tree: exit 1"
is "$(ls "$s" | grep -c 'g2')" 0 "golden from a missing tree: no PATH, no temporary directory"
mkdir "$s/empty"
run mkchroot golden-system "$s/empty" --source "$s/src" --no-stateless
is "$rc" 0 "golden into an empty PATH: fine"
is "$(cat "$s/empty/etc/hostname")" golden-host "--no-stateless keeps the hostname"

# a template's cmdline = goes into the root as etc/kernel/cmdline (what --disk boots with)
printf 'include = golden-system\ncmdline = console=ttyS0,115200 quiet\n' >"$s/t/cmdline.conf"
run mkchroot --config "$s/t/cmdline.conf" "$s/kc" --source "$s/src"
is "$rc $(cat "$s/kc/etc/kernel/cmdline" 2>&1)" "0 console=ttyS0,115200 quiet" "cmdline = in a template: the root's etc/kernel/cmdline"

# a failing post command fails the build (status 2) and leaves nothing
printf 'include = golden-system\npost = exit 3\n' >"$s/t/failpost.conf"
run mkchroot --config "$s/t/failpost.conf" "$s/fp" --source "$s/src"
is "$rc" 2 "failing post command: exit 2"
like "$err" "post command 1 failed" "failing post command: reported"
t "failing post command: no PATH, no temporary directory" bash -c '! ls -d "$1"* 2>/dev/null | grep -q .' _ "$s/fp"

# --- archive: a rootfs tarball ------------------------------------------
bsdtar -czf "$s/rootfs.tar.gz" -C "$s/src" --xattrs .
run mkchroot archive "$s/a" --from "$s/rootfs.tar.gz" --no-stateless
is "$rc" 0 "archive from a tarball: exit 0"
is "$(tree_list "$s/a")" "$(tree_list "$s/src")" "archive from a tarball: the same tree"
is "$(stat -c '%u:%g %a' "$s/a")" "$(stat -c '%u:%g %a' "$s/src")" "archive from a tarball: the root directory's owner and mode from ./"
is "$(link_groups "$s/a")" "$(link_groups "$s/src")" "archive from a tarball: hard links kept"
like "$(getcap "$s/a/usr/bin/pinger")" "cap_net_raw=ep" "archive from a tarball: xattrs kept"

# --- archive: docker save with two layers and whiteouts -----------------
d=$s/docker
mkdir -p "$d/l1/etc" "$d/l1/usr/lib/x" "$d/l1/opt" "$d/l2/etc" "$d/l2/usr/lib/x" "$d/l2/opt/dir" "$d/img/aaa" "$d/img/bbb"
echo one >"$d/l1/etc/motd"
echo gone >"$d/l1/etc/gone"
echo a >"$d/l1/usr/lib/x/a"
echo b >"$d/l1/usr/lib/x/b"
echo keep >"$d/l1/opt/keep"
echo file >"$d/l1/opt/dir"      # a file in layer 1 ...
echo two >"$d/l2/etc/motd"
: >"$d/l2/etc/.wh.gone"
: >"$d/l2/usr/lib/x/.wh..wh..opq"
echo c >"$d/l2/usr/lib/x/c"
echo in >"$d/l2/opt/dir/in"     # ... is a directory in layer 2
(cd "$d/l1" && tar --numeric-owner -cf "$d/img/aaa/layer.tar" .)
# a whiteout listed after the file it hides, in the same layer, must not hide it
(cd "$d/l2" && tar --numeric-owner -cf "$d/img/bbb/layer.tar" etc/motd usr/lib/x/c usr/lib/x/.wh..wh..opq etc/.wh.gone opt)
echo '{"architecture":"amd64"}' >"$d/img/cfg.json"
echo '[{"Config":"cfg.json","RepoTags":["node:1"],"Layers":["aaa/layer.tar","bbb/layer.tar"]}]' >"$d/img/manifest.json"
tar -cf "$s/docker.tar" -C "$d/img" manifest.json cfg.json aaa bbb
run mkchroot archive "$s/dk" --from "$s/docker.tar"
is "$rc" 0 "docker save: exit 0"
is "$(cat "$s/dk/etc/motd")" two "docker save: the upper layer's file wins"
t "docker save: .wh.gone removed etc/gone" test ! -e "$s/dk/etc/gone"
is "$(ls "$s/dk/usr/lib/x" | tr '\n' ' ')" "c " "docker save: opaque dir hides the lower layer, keeps its own"
is "$(cat "$s/dk/opt/keep")" keep "docker save: untouched lower files stay"
is "$(cat "$s/dk/opt/dir/in")" in "docker save: a directory replaces a lower file"
t "docker save: no whiteout files in the root" bash -c '! find "$1" -name ".wh.*" | grep -q .' _ "$s/dk"
t "docker save: stateless steps applied" test -s "$s/dk/etc/fstab" -a ! -s "$s/dk/etc/machine-id"

# --- archive: an OCI layout with gzip layers ----------------------------
o=$s/oci
mkdir -p "$o/blobs/sha256"
blob() { local h; h=$(sha256sum "$1" | cut -d' ' -f1); mv "$1" "$o/blobs/sha256/$h"; echo "$h"; }
gzip -c "$d/img/aaa/layer.tar" >"$s/l1.gz"; h1=$(blob "$s/l1.gz")
gzip -c "$d/img/bbb/layer.tar" >"$s/l2.gz"; h2=$(blob "$s/l2.gz")
printf '{"schemaVersion":2,"layers":[{"digest":"sha256:%s"},{"digest":"sha256:%s"}]}' "$h1" "$h2" >"$s/m.json"
hm=$(blob "$s/m.json")
printf '{"schemaVersion":2,"manifests":[{"digest":"sha256:%s"}]}' "$hm" >"$o/index.json"
echo '{"imageLayoutVersion":"1.0.0"}' >"$o/oci-layout"
tar -cf "$s/oci.tar" -C "$o" oci-layout index.json blobs
run mkchroot archive "$s/oc" --from "$s/oci.tar"
is "$rc" 0 "OCI layout: exit 0"
is "$(cat "$s/oc/etc/motd"; ls "$s/oc/usr/lib/x"; test -e "$s/oc/etc/gone" && echo gone)" "two
c" "OCI layout: layers and whiteouts applied"

# --- archives that try to leave the root --------------------------------
mkdir -p "$s/evil/a" "$s/evil/b/link" "$s/outside"
ln -s "$s/outside" "$s/evil/a/link"
echo pwned >"$s/evil/b/link/file"
echo pwned >"$s/evil/b/dotdot"
tar -cf "$s/evil.tar" -C "$s/evil/a" link -C "$s/evil/b" link/file
tar -cf "$s/evil2.tar" -P --transform 's,^dotdot,../../escaped,' -C "$s/evil/b" dotdot
run mkchroot archive "$s/e1" --from "$s/evil.tar"
t "symlink escape: nothing written outside" test ! -e "$s/outside/file"
t "symlink escape: the symlink was replaced by a directory inside the root" test -f "$s/e1/link/file" -a ! -L "$s/e1/link"
run mkchroot archive "$s/e2" --from "$s/evil2.tar"
is "$rc" 1 "../ escape: exit 1"
like "$err" "leaves the root" "../ escape: reported"
t "../ escape: nothing written outside" test ! -e "$s/escaped" -a ! -e "$(dirname "$s")/escaped"
mkdir -p "$d/l3/etc"; : >"$d/l3/etc/.wh.."
(cd "$d/l3" && tar -cf "$d/img/bbb/layer.tar" etc)
tar -cf "$s/docker2.tar" -C "$d/img" manifest.json cfg.json aaa bbb
run mkchroot archive "$s/dk2" --from "$s/docker2.tar"
t "whiteout of '..' ignored: /etc survives" test -e "$s/dk2/etc/motd"
