#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# lldpname: what a switch port says and the name the rules derive from it,
# from the capture files in tests/lldpname/ (IOS, NX-OS, EOS, breakout,
# Junos, Cumulus, CDP, and a file of malformed frames). No cluster needed.
set -u
CT_TOP=${CT_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
CT_BIN=${CT_BIN:-$CT_TOP/build/release/bin}
export PATH=$CT_BIN:$PATH
cd "$CT_TOP/tests/lldpname" || exit 1
say() { printf '\n$ %s\n' "$*"; "$@" 2>&1; }

printf '\n$ cat lldpname.conf   # (the rules of this demo, comments cut)\n'
grep -v '^#' lldpname.conf | sed '/^$/d'
say lldpname -c lldpname.conf --pcap nxos-ethernet1-12.pcap --show
printf '\n# one capture per switch style, one name each:\n'
for f in ios-gi1-0-37 nxos-ethernet1-12 eos-ethernet12 breakout-ethernet5-35-1 junos-ge-0-0-12 \
	cumulus-swp12 cdp-gigabitethernet1-0-7; do
	printf '%-30s -> %s\n' "$f.pcap" "$(lldpname -c lldpname.conf --pcap "$f.pcap")"
done
say lldpname -c lldpname.conf --pcap malformed.pcap
printf '\n$ lldpname -c lldpname.conf --pcap junos-ge-0-0-12.pcap --json | head -c 300\n'
lldpname -c lldpname.conf --pcap junos-ge-0-0-12.pcap --json | head -c 300
echo ...
printf '\n$ lldpname -c /dev/null --pcap eos-ethernet12.pcap   # no rules\n'
lldpname -c /dev/null --pcap eos-ethernet12.pcap 2>&1
echo "(exit $?)"
exit 0
