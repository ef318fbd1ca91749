#!/usr/bin/env bash
# make install: binaries, links, man pages, sample configs; existing configs never overwritten.
source "$(dirname "$0")/../lib.sh"
d=$(scratch)
mk() { make -s -C "$CT_TOP" --no-print-directory "$@" >"$d/make.log" 2>&1; }

t "make install into DESTDIR succeeds" mk install DESTDIR="$d/root" PREFIX=/usr SYSCONFDIR=/etc
tools=$(make -s -C "$CT_TOP" --no-print-directory -pn 2>/dev/null | sed -n 's/^TOOLS := //p' | head -1)
for tool in $tools; do
	t "$tool is installed and runs --version" \
		sh -c "{ [ -x '$d/root/usr/bin/$tool' ] || [ -x '$d/root/usr/sbin/$tool' ]; } &&
		       { '$d/root/usr/bin/$tool' --version || '$d/root/usr/sbin/$tool' --version; } >/dev/null 2>&1"
	t "$tool has a man page" sh -c "ls '$d'/root/usr/share/man/man[18]/$tool.[18] >/dev/null 2>&1"
done
n_etc=$(cd "$CT_TOP/etc" && find . -type f | wc -l)
n_inst=$( [ -d "$d/root/etc" ] && cd "$d/root/etc" && find . -type f | wc -l || echo 0)
is "$n_inst" "$n_etc" "every sample config from etc/ is installed"

if [ "$n_etc" -gt 0 ]; then
	f=$(cd "$d/root/etc" && find . -type f | head -1)
	echo "# local edit" >>"$d/root/etc/$f"
	sum=$(sha256sum <"$d/root/etc/$f")
	mk install DESTDIR="$d/root" PREFIX=/usr SYSCONFDIR=/etc
	is "$(sha256sum <"$d/root/etc/$f")" "$sum" "a second install keeps the edited $f"
fi
