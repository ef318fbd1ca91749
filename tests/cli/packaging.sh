#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Packaging and the plain build, on a copy of the tree (nothing written in the
# checkout): dpkg-buildpackage -b builds clustertools and clustertools-node
# without cmocka, lintian finds no error, /etc files are conffiles, the head
# package depends on the node package; installed into a scratch root
# (dpkg --root) every tool runs --version, and purge leaves nothing behind.
# Plain make: a hidden library's .pc is named with its Debian package before
# any compile, no -Werror, no unit tests; a new PREFIX or SYSCONFDIR rebuilds.
source "${CT_TOP:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
need_cmd dpkg-buildpackage dh # dpkg-dev and debhelper
s=$(scratch)
src=$s/src
mkdir "$src" "$s/bin"
(cd "$CT_TOP" && tar --exclude=./build --exclude=./.git -cf - .) | tar -xf - -C "$src"
var() { make -s -C "$CT_TOP" --no-print-directory "print-$1"; }
version=$(var VERSION)

# hide NAME: $s/bin/pc-no-NAME, a pkg-config that does not find NAME
hide() {
	printf '#!/bin/sh\nfor a; do [ "$a" = %s ] && { echo "Package %s was not found" >&2; exit 1; }; done\nexec pkg-config "$@"\n' \
		"$1" "$1" >"$s/bin/pc-no-$1"
	chmod +x "$s/bin/pc-no-$1"
}
hide cmocka
hide jansson

# --- the packages ---------------------------------------------------------
start=$SECONDS
t "dpkg-buildpackage -us -uc -b builds (cmocka hidden)" sh -c "cd '$src' &&
	PKG_CONFIG='$s/bin/pc-no-cmocka' DEB_BUILD_OPTIONS='nocheck parallel=2' \
	dpkg-buildpackage -us -uc -b >'$s/build.log' 2>&1"
echo "# package build: $((SECONDS - start)) s"
grep -E 'error|warning:' "$s/build.log" | grep -v ' -o build/' | head -20 | sed 's/^/#   /'
is "$(cd "$s" && ls *.deb | grep -v dbgsym)" "clustertools-node_${version}_$(dpkg --print-architecture).deb
clustertools_${version}_$(dpkg --print-architecture).deb" "two packages, version $version"
is "$(cd "$src" && dpkg-parsechangelog -S Version)" "$version" "debian/changelog and the Makefile agree on the version"
t "nothing written in the checkout" sh -c "! ls -d '$CT_TOP'/debian/tmp '$CT_TOP'/debian/clustertools '$CT_TOP'/../clustertools_* 2>/dev/null | grep -q ."
head=$s/clustertools_${version}_$(dpkg --print-architecture).deb
node=$s/clustertools-node_${version}_$(dpkg --print-architecture).deb
like "$(dpkg-deb -f "$head" Depends)" "clustertools-node \(= $version\)" "the head package depends on the node package"
for deb in "$head" "$node"; do
	p=$(dpkg-deb -f "$deb" Package)
	is "$(dpkg-deb -I "$deb" conffiles 2>/dev/null | sort)" \
		"$(dpkg-deb -c "$deb" | awk '$1 !~ /^d/ && $6 ~ /^\.\/etc\// { print substr($6, 2) }' | sort)" \
		"$p: every file in /etc is a conffile"
done
head_files=$(dpkg-deb -c "$head" | awk '{ print $6 }')
node_files=$(dpkg-deb -c "$node" | awk '{ print $6 }')
for tool in imgsync nodeimage lldpname lldpname-boot envswitch; do
	like "$node_files" "^\./usr/s?bin/$tool\$" "$tool is in clustertools-node"
done
for tool in cexec cexecs cpush cget mkchroot; do
	like "$head_files" "^\./usr/s?bin/$tool\$" "$tool is in clustertools"
done
like "$head_files" "^\./usr/share/clustertools/mkchroot.d/debian-12.conf\$" "shipped templates in /usr/share/clustertools/mkchroot.d"
like "$node_files" "^\./usr/lib/systemd/system/lldpname.service\$" "lldpname.service is in clustertools-node"
is "$(dpkg-deb -e "$node" "$s/node-ctl" && grep -l 'lldpname' "$s"/node-ctl/post* "$s"/node-ctl/pre* 2>/dev/null)" "" \
	"lldpname.service is neither enabled nor started by the package (no maintainer script names it)"
like "$head_files" "^\./etc/dnsmasq.d/clustertools.conf\$" "the dnsmasq sample is in clustertools"
if has_cmd "lintian: no errors" lintian; then
	start=$SECONDS
	lintian --fail-on error "$s"/*.changes >"$s/lintian.log" 2>&1
	is "$(grep -E '^E: ' "$s/lintian.log")" "" "lintian: no errors ($(grep -c '^W: ' "$s/lintian.log") warnings)"
	echo "# lintian: $((SECONDS - start)) s"
fi

# --- installed into a scratch root ------------------------------------------
r=$s/root
mkdir -p "$r/var/lib/dpkg/info" "$r/var/lib/dpkg/updates"
touch "$r/var/lib/dpkg/status" "$r/var/lib/dpkg/available"
dpkg_r() { dpkg --root="$r" --force-depends --force-script-chrootless --log=/dev/null "$@" >>"$s/dpkg.log" 2>&1; }
t "dpkg -i into a scratch root" dpkg_r -i "$node" "$head"
for tool in $(var TOOLS) cexecs; do
	bin=$r/usr/bin/$tool
	[ -e "$bin" ] || bin=$r/usr/sbin/$tool
	want="$tool $version"
	[ "$tool" != ctrelay ] || want="$want proto 2" # cpush checks the relay's protocol too
	is "$("$bin" --version 2>&1)" "$want" "installed $tool --version"
	t "installed $tool has a man page" sh -c "ls '$r'/usr/share/man/man[1578]/$tool.[1578].gz >/dev/null 2>&1"
done
out=$(MKCHROOT_TEMPLATES="$r/etc/mkchroot.d:$r/usr/share/clustertools/mkchroot.d" "$r/usr/sbin/mkchroot" --list)
like "$out" "^  debian-12 .* $r/usr/share/clustertools/mkchroot.d\$" "installed mkchroot lists the shipped templates"
echo "cluster mine { head; node1 }" >>"$r/etc/c3.conf"
t "dpkg --purge" dpkg_r --purge clustertools clustertools-node
is "$(cd "$r" && find . -mindepth 1 ! -path './var/lib/dpkg*' ! -path ./var/lib ! -path ./var)" "" \
	"purge leaves nothing behind (an edited conffile included)"

# --- plain make ----------------------------------------------------------------
mk() { make -C "$src" --no-print-directory "$@" >"$s/make.log" 2>&1; }
mk clean
run mk all PKG_CONFIG="$s/bin/pc-no-jansson"
out=$(cat "$s/make.log")
is "$rc" 2 "make with jansson's .pc hidden: fails"
like "$out" "jansson +from the Debian package libjansson-dev" "names the Debian package of the missing library"
like "$out" "apt-get install libjansson-dev" "and the apt-get line"
t "before any compile" sh -c "! grep -q -- ' -c -o ' '$s/make.log' && ! find '$src/build' -name '*.o' 2>/dev/null | grep -q ."
run mk all PKG_CONFIG=/nonexistent/pkg-config
like "$(cat "$s/make.log")" "'/nonexistent/pkg-config' not found" "no pkg-config: said so"
run mk need-test-libs PKG_CONFIG="$s/bin/pc-no-cmocka"
like "$rc $(cat "$s/make.log")" "^2 .*unit tests: missing" "the unit tests need cmocka:"
like "$(cat "$s/make.log")" "cmocka +from the Debian package libcmocka-dev" "named with its package"
make -C "$src" -n all >"$s/make.log" 2>&1
t "plain make: no unit tests" sh -c "! grep -q 'tests/' '$s/make.log'"
t "plain make: no -Werror" sh -c "! grep -qE -- '-Werror( |\$)' '$s/make.log'"
make -C "$src" -n release >"$s/make.log" 2>&1
t "make release: -Werror" grep -qE -- '-Werror( |$)' "$s/make.log"
o=build/release/mkchroot/catalog.o
mk "$o" PREFIX=/opt/ct
t "PREFIX=/opt/ct: embedded" grep -q /opt/ct/share/clustertools/mkchroot.d "$src/$o"
mk "$o" PREFIX=/opt/ct
t "same PREFIX again: nothing rebuilt" sh -c "! grep -q -- ' -c ' '$s/make.log'"
mk "$o" PREFIX=/opt/ct SYSCONFDIR=/opt/etc
t "a new SYSCONFDIR: rebuilt" grep -q /opt/etc/mkchroot.d "$src/$o"
mk "$o" PREFIX=/opt/ct SYSCONFDIR=/opt/etc CPPFLAGS=-DCT_TEST_FLAG
t "CPPFLAGS honoured, and other flags rebuild" grep -q -- '-DCT_TEST_FLAG' "$s/make.log"
