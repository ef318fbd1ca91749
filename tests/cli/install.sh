#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# make install / make uninstall into a DESTDIR: binaries, links, man pages,
# shipped mkchroot templates in the data folder, sample configs (in SYSCONFDIR
# and as examples); an edited config is kept, the new one put beside it as
# FILE.dist; uninstall leaves nothing but the edited config.
# The build's own PREFIX and SYSCONFDIR are used, so nothing is rebuilt.
source "$(dirname "$0")/../lib.sh"
d=$(scratch)
r=$d/root
mk() { make -s -C "$CT_TOP" --no-print-directory "$@" >"$d/make.log" 2>&1; }
var() { make -s -C "$CT_TOP" --no-print-directory "print-$1"; }
prefix=$(var PREFIX) etc=$(var SYSCONFDIR) data=$(var PKGDATADIR) doc=$(var DOCDIR) man=$(var MANDIR)

t "make install into DESTDIR succeeds" mk install DESTDIR="$r"
for tool in $(var TOOLS); do
	t "$tool is installed and runs --version" \
		sh -c "{ [ -x '$r$prefix/bin/$tool' ] || [ -x '$r$prefix/sbin/$tool' ]; } &&
		       { '$r$prefix/bin/$tool' --version || '$r$prefix/sbin/$tool' --version; } >/dev/null 2>&1"
	t "$tool has a man page" sh -c "ls '$r$man'/man[1578]/$tool.[1578] >/dev/null 2>&1"
done
t "cexecs: link and man page" test -L "$r$prefix/bin/cexecs" -a -e "$r$man/man1/cexecs.1"
for m in "$CT_TOP"/man/*.[1578]; do
	t "man page ${m##*/} installed" cmp -s "$m" "$r$man/man${m##*.}/${m##*/}"
done

confs=$(cd "$CT_TOP/etc" && find . -path ./mkchroot.d -prune -o -type f -print | sed 's,^\./,,' | sort)
is "$(cd "$r$etc" && find . -type f | sed 's,^\./,,' | sort)" "$confs" "every sample config from etc/ is installed, nothing else"
is "$(cd "$r$doc/examples" && find . -type f | sed 's,^\./,,' | sort)" "$confs" "and again as examples in $doc/examples"
t "c3.conf is one of them" test -f "$r$etc/c3.conf"
is "$(ls "$r$data/mkchroot.d")" "$(ls "$CT_TOP/etc/mkchroot.d")" "mkchroot templates in $data/mkchroot.d"
mkc() { MKCHROOT_TEMPLATES="$r$etc/mkchroot.d:$r$data/mkchroot.d" "$r$prefix/sbin/mkchroot" "$@" 2>&1; }
like "$(mkc --list)" "^  debian-12 +Debian 12 .* $r$data/mkchroot.d\$" "mkchroot --list shows where a template comes from"
mkdir "$r$etc/mkchroot.d"
printf 'include = debian-12\ndescription = local Debian 12\npackages = vim\n' >"$r$etc/mkchroot.d/debian-12.conf"
out=$(mkc --list)
like "$out" "^  debian-12 +local Debian 12 +$r$etc/mkchroot.d\$" "a local template is listed with its folder"
like "$out" "^  debian-12 +Debian 12 .* $r$data/mkchroot.d \(overridden\)\$" "the shipped one it overrides: marked"
like "$(mkc -n debian-12 "$d/chroot" --mirror http://m/)" "^debootstrap .*--include=vim bookworm " \
	"the local template extends the shipped one it includes by its own name"
rm -r "$r$etc/mkchroot.d"
if [ -d "$CT_TOP/completions/bash" ]; then
	t "bash completions installed" test -n "$(ls "$r$prefix/share/bash-completion/completions")"
fi

# --- a second install keeps an edited config and says so -----------------
f=c3.conf
echo "cluster mine { head; node1 }" >>"$r$etc/$f"
sum=$(sha256sum <"$r$etc/$f")
t "a second install succeeds" mk install DESTDIR="$r"
is "$(sha256sum <"$r$etc/$f")" "$sum" "a second install keeps the edited $f"
t "the new $f is put beside it as $f.dist" cmp -s "$CT_TOP/etc/$f" "$r$etc/$f.dist"
like "$(cat "$d/make.log")" "keeping the edited $r$etc/$f; the new one is $r$etc/$f.dist" "and says so"

# --- uninstall: nothing left but the edited config ------------------------
t "make uninstall succeeds" mk uninstall DESTDIR="$r"
is "$(cd "$r" && find . ! -type d | sort)" "./${etc#/}/$f" "uninstall leaves only the edited $f"
like "$(cat "$d/make.log")" "keeping the edited $r$etc/$f" "and says it keeps it"
t "no folder of ours left" sh -c "! ls -d '$r$data' '$r$doc' '$r$etc/imgsync' '$r$etc/mkchroot' 2>/dev/null | grep -q ."
rm -f "$r$etc/$f"
mk install DESTDIR="$r" && mk uninstall DESTDIR="$r"
is "$(cd "$r" && find . ! -type d | sort)" "" "install then uninstall, nothing edited: no file left"
