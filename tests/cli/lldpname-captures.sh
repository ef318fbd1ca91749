#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# lldpname on the capture files of tests/lldpname/ (built by mkcaptures.py):
# each switch style gives the expected hostname, malformed frames are
# skipped with a warning, exit statuses 1, 3 and 4, --json, --show, --set.
source "$CT_TOP/tests/lib.sh"
caps=$CT_TOP/tests/lldpname
conf=$caps/lldpname.conf
d=$(scratch)

while read -r file want_rc want_name; do
	case $file in '#'* | '') continue ;; esac
	run lldpname -c "$conf" --pcap "$caps/$file"
	is "$rc" "$want_rc" "$file: exit $want_rc"
	[ "$want_name" = - ] && want_name=
	is "$out" "$want_name" "$file: prints '${want_name:-nothing}'"
	is "$(printf '%s' "$err" | grep -vc '^lldpname: ')" 0 "$file: diagnostics are prefixed"
done <"$caps/expected"

run lldpname -c "$conf" --pcap "$caps/malformed.pcap" --show
is "$(grep -c 'skipping malformed frame' <<<"$err")" 7 "malformed.pcap: 7 frames skipped with a warning under --show"
like "$err" 'frame 1: .*LLDP: Port Description TLV \(type 4\) at offset 20: length 200 runs past the end' "TLV length past the end named"
like "$err" 'frame 2: .*expected the mandatory Port ID' "missing Port ID named"
like "$err" 'frame 3: .*is Port ID \(type 2\), expected the mandatory Chassis ID' "misordered TLVs named"
like "$err" 'frame 4: .*zero-length Chassis ID' "zero-length chassis ID named"
like "$err" 'frame 5: .*CDP: TLV type 0x0003 at offset 12: length 400 runs past' "CDP TLV length past the end named"
like "$err" 'frame 6: .*CDP: TLV type 0x0003 at offset 12: length 2 is less than its 4-byte header' "CDP short TLV length named"
like "$err" 'frame 7: .*CDP: 802.3 length field says 1400' "CDP 802.3 length named"
like "$out" 'Port ID: ifname swp12' "--show prints the good frame's TLVs"
like "$out" 'Hostname: cn612' "--show ends with the hostname"

run lldpname -c "$conf" --pcap "$caps/nxos-ethernet1-12.pcap" --show
for tlv in 'Chassis ID: mac 02:00:5e:10:00:02' 'Time To Live: 120' 'System Name: leaf02' \
	'Management Address: ipv4 192.0.2.12' 'Port VLAN ID: 100' 'VLAN Name: 100 compute' \
	'MAC/PHY Configuration/Status: autoneg supported/enabled' 'Maximum Frame Size: 9216'; do
	like "$out" "$tlv" "--show: $tlv"
done

run lldpname -c "$conf" --pcap "$caps/ios-gi1-0-37.pcap" --json
like "$out" '"hostname":"node-37"' "--json: hostname"
like "$out" '"port":"Gi1/0/37".*"index":37' "--json: port and index"
like "$out" '"system_name":"access01.example.com"' "--json: neighbour"

# no rule: exit 4, the message names the switch and the port
printf '[spine*]\ntemplate = node-%%02d\n' >"$d/spine.conf"
run lldpname -c "$d/spine.conf" --pcap "$caps/eos-ethernet12.pcap"
is "$rc" 4 "no matching rule: exit 4"
like "$err" 'switch leaf03 .*port Ethernet12: no rule' "the message names switch and port"
run lldpname -c "$d/spine.conf" --pcap "$caps/eos-ethernet12.pcap" --json
like "$out" '^\{"ok":false,"exit":4,"error":"switch leaf03.*"hostname":null' "--json on exit 4 has the error"

# source = portid on a port ID that is a MAC address: no rule gives a name
printf '[*]\ntemplate = node-%%02d\n' >"$d/any.conf"
run lldpname -c "$d/any.conf" --pcap "$caps/junos-ge-0-0-12.pcap"
is "$out" node-517 "Junos without source = portdesc names from the ifIndex (why portdesc exists)"

# LLDPNAME_CONF, then -c/--config wins
run env LLDPNAME_CONF="$conf" lldpname --pcap "$caps/cumulus-swp12.pcap"
is "$out" cn612 "LLDPNAME_CONF is read"
run env LLDPNAME_CONF="$d/spine.conf" lldpname --config "$conf" --pcap "$caps/cumulus-swp12.pcap"
is "$out" cn612 "--config beats LLDPNAME_CONF"

# bad configuration: file:line
printf '[leaf06]\ntemplate = node-%%s\n' >"$d/bad1.conf"
run lldpname -c "$d/bad1.conf" --pcap "$caps/cumulus-swp12.pcap"
is "$rc" 1 "template with %s: exit 1"
like "$err" "bad1.conf:2: template 'node-%s': '%s' is not allowed" "the message names file:line"
printf '[leaf06]\ntemplate = n%%d-%%d\n' >"$d/bad2.conf"
run lldpname -c "$d/bad2.conf" --pcap "$caps/cumulus-swp12.pcap"
like "$err" "bad2.conf:2: .*more than one integer conversion" "two conversions refused"
printf '[leaf06]\ntemplate = n%%d\nindex = ([0-9]\n' >"$d/bad3.conf"
run lldpname -c "$d/bad3.conf" --pcap "$caps/cumulus-swp12.pcap"
like "$err" "bad3.conf:3: index '\(\[0-9\]'" "bad regex refused with file:line"
printf '[leaf06]\ntemplat = n%%d\n' >"$d/bad4.conf"
run lldpname -c "$d/bad4.conf" --pcap "$caps/cumulus-swp12.pcap"
like "$err" "bad4.conf:2: unknown key 'templat'" "unknown key refused"

# usage
run lldpname --bogus
is "$rc" 1 "unknown option: exit 1"
run lldpname --pcap x -I eth0
is "$rc:$(head -1 <<<"$err")" "1:lldpname: --pcap and -I exclude each other" "--pcap with -I: exit 1, says why"
run lldpname --pcap "$d/missing.pcap"
is "$rc" 1 "missing capture file: exit 1"
run lldpname --version
like "$out" '^lldpname [0-9]' "--version"
run lldpname --help
like "$out" '--hostname-file' "--help lists the options"

# --all: every frame of a file
run lldpname --pcap "$caps/malformed.pcap" --show --all
is "$rc" 0 "--show --all on a file"
run lldpname --pcap "$caps/none.pcap" --json --all
is "$rc" 3 "--all with no LLDP frame: exit 3"

# --set in a private UTS namespace, /etc/hostname replaced by a scratch file
if [ "$(id -u)" != 0 ]; then skip "--set in a private UTS namespace" "needs root"
elif has_cmd "--set in a private UTS namespace" unshare; then
	echo old >"$d/hostname"
	run unshare --uts sh -c "lldpname -c '$conf' --pcap '$caps/junos-ge-0-0-12.pcap' --set --hostname-file '$d/hostname' && hostname"
	is "$out" "node-212
node-212" "--set: sethostname in the namespace"
	is "$(cat "$d/hostname")" node-212 "--set: the hostname file is written"
	run unshare --uts sh -c "lldpname -c '$conf' --pcap '$caps/junos-ge-0-0-12.pcap' --set --hostname-file '$d/nodir/hostname'; hostname"
	is "$rc" 0 "(namespace shell ran)"
	is "$out" "$(hostname)" "--set with an unwritable file puts the old hostname back"
	like "$err" 'nodir/hostname' "--set failure names the file"
fi

run lldpname -q -c "$conf" --pcap "$caps/malformed.pcap"
is "$out/$err" "cn612/" "-q: no warnings for skipped frames"
