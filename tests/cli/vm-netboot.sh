#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Network boot with no per-node database (issue 26, first slice): bare VMs
# with qemu's iPXE NIC ROM (-boot n; no -kernel, no -initrd) get an address
# and the script from dnsmasq (the shipped etc/dnsmasq.d/clustertools.conf,
# its settings uncommented), fetch the kernel and the image from nginx
# serving the folder mkchroot --netboot wrote, boot the stateless image and
# name themselves from their switch port: each VM's tap is a port of the
# bridge "switch" rack7, announced by lldpd (port ID swpN gives node-0N).
# Two such VMs at once end with distinct names, machine-ids and host keys; a
# third on a port lldpd does not announce keeps the name DHCP gave it and
# says so on its console. Two-stage boot (cmt.root=): a VM on another
# announced port boots the same image as the live system (its /init,
# cmt-live-init), which fetches the root from nginx, checks its size and
# SHA-256, unpacks it into a tmpfs and switch_roots into it; one given a wrong
# cmt.root.sha256 fetches its (small) root, says so and powers off without
# switching. Both
# get their own iPXE script through a dnsmasq tag (a group of nodes of a
# site would). Everything runs in a namespace the test creates.
# TCG: a few minutes.
source "$(dirname "$0")/../lib.sh"
need_root
source "$CT_TOP/tests/cli/vm.inc"
vm_can_start
need_cmd dnsmasq nginx lldpd lldpcli curl debootstrap zstd
[ -r /usr/lib/ipxe/undionly.kpxe ] || skip_all "no /usr/lib/ipxe/undionly.kpxe (package ipxe): the sample's TFTP root"
[ -x "$VM_BIN/cexec" ] && [ -x "$VM_BIN/mkchroot" ] || { _fail "build the tools first: $VM_BIN"; exit 1; }
d=$(scratch)
chmod 711 "$d" # lldpcli (setuid _lldpd) reaches the control socket in here
VM_RUN=$d
LIMIT=${VM_NETBOOT_SECONDS:-1200} # the bound of the scenario's waits, from the VMs' start (five TCG VMs)
PORTS=${VM_NETBOOT_PORTS:-7 8}   # the announced ports with a VM each
SILENT=${VM_NETBOOT_SILENT-9}    # a port lldpd does not announce, with a VM ("": none)
TWOSTAGE=${VM_NETBOOT_TWOSTAGE-10} # an announced port whose VM boots two-stage ("": none)
BADROOT=${VM_NETBOOT_BADROOT-11}   # a port whose VM gets a wrong cmt.root.sha256 ("": none)
t0=$SECONDS

vm_prepare
printf '[rack7]\ntemplate = node-%%02d\n' >"$VM_ROOT/etc/lldpname.conf"
wants=$VM_ROOT/etc/systemd/system/multi-user.target.wants/lldpname.service
is "$(readlink "$wants")" /usr/lib/systemd/system/lldpname.service "the image enables lldpname.service (the cmt-live template)"
t "the image has the unit (the node tools)" test -f "$VM_ROOT/usr/lib/systemd/system/lldpname.service"
www=$d/www
mkdir -p "$www"
start=$SECONDS
run "$VM_BIN/mkchroot" -q --json --netboot "$www/node" "${VM_PACK[@]}" \
	--cmdline "console=ttyS0 net.ifnames=0 rdinit=/sbin/init ip=dhcp" "$VM_ROOT"
is "$rc" 0 "mkchroot --netboot writes the boot folder ($(du -sm "$www/node" 2>/dev/null | cut -f1) MiB, $((SECONDS - start)) s)"
like "$out" '"action":"netboot".*"kernel_version":"[0-9]' "--json names the kernel it took"
is "$(ls "$www/node" | tr '\n' ' ')" "boot.ipxe initrd.img vmlinuz " "the folder holds the script, the image and the kernel"
# two-stage: the stateless VNFS image is also the root cmt.root= fetches (a link: no second pack), and
# the live system is the same image booted with its own /init; a script each, the folder's kernel and
# image. The VM refused a root gets a small one (a tree with /sbin/init, packed by mkchroot --vnfs):
# the check is the same, the CPU goes to the others.
ln "$www/node/initrd.img" "$www/root.vnfs"
root_sha=$(sha256sum <"$www/root.vnfs" | cut -d' ' -f1) root_size=$(stat -c %s "$www/root.vnfs")
mkdir -p "$d/small/sbin" "$d/small/etc" && ln -s /lib/systemd/systemd "$d/small/sbin/init" && echo small >"$d/small/etc/hostname"
t "mkchroot --vnfs packs the small root" "$VM_BIN/mkchroot" -q --vnfs "$www/small.vnfs" --compress zstd --exclude-from /dev/null "$d/small"
small_sha=$(sha256sum <"$www/small.vnfs" | cut -d' ' -f1)
twostage() { # twostage NAME FILE ARGS: the folder's script NAME.ipxe, booting the live system with cmt.root=FILE ARGS
	sed "s|rdinit=/sbin/init|cmt.root=http://$VM_NET.1/$2 $3 cmt.fail=poweroff|" "$www/node/boot.ipxe" >"$www/node/$1.ipxe"
}
twostage twostage root.vnfs "cmt.root.sha256=$root_sha cmt.root.size=$root_size"
twostage badroot small.vnfs "cmt.root.sha256=$(printf '0%.0s' {1..64})"
like "$(cat "$www/node/twostage.ipxe")" "kernel vmlinuz initrd=initrd.img console=ttyS0 .*cmt.root=http://$VM_NET.1/root.vnfs cmt.root.sha256=$root_sha" \
	"the two-stage script boots the folder's kernel and image with cmt.root= and its checks"

# --- the namespace: the switch (bridge br0, a tap per port), the head's servers on it ---------------
ns=ctnb$$
ip netns add $ns || skip_all "cannot create a network namespace"
at_exit "ip netns del $ns"
ip -n $ns link set lo up && ip -n $ns link add br0 type bridge && ip -n $ns addr add $VM_NET.1/24 dev br0 &&
	ip -n $ns link set br0 up || skip_all "cannot make a bridge in the namespace"
for p in $PORTS $SILENT $TWOSTAGE $BADROOT; do
	ip -n $ns tuntap add swp$p mode tap && ip -n $ns link set swp$p master br0 && ip -n $ns link set swp$p up ||
		skip_all "cannot create tap device swp$p"
done

vm_nginx $ns "$www" $VM_NET.1:80 "$d/nginx"
t "nginx serves the script in the namespace" sh -c "ip netns exec $ns curl -sf http://$VM_NET.1/node/boot.ipxe | grep -q '^#!ipxe'"

# the shipped sample with its settings uncommented: the DHCP server variant; only the interface differs,
# and the two-stage VMs' tags, which send their iPXE to their own script
sed -E 's/^#([a-z])/\1/; s/^interface=.*/interface=br0/; s/^dhcp-boot=tag:ipxe,/dhcp-boot=tag:ipxe,tag:!twostage,tag:!badroot,/' \
	"$CT_TOP/etc/dnsmasq.d/clustertools.conf" >"$d/dnsmasq.conf"
for tag in twostage badroot; do
	[ "$tag" = twostage ] && p=$TWOSTAGE || p=$BADROOT
	[ -z "$p" ] || printf 'dhcp-mac=set:%s,52:54:00:4d:00:%02d\ndhcp-boot=tag:ipxe,tag:%s,http://%s.1/node/%s.ipxe\n' \
		$tag "$p" $tag $VM_NET $tag >>"$d/dnsmasq.conf"
done
dname=$(printf 'dhcp-name-%02d' "$SILENT") # the name dnsmasq gives the VM on the silent port
[ -z "$SILENT" ] || printf 'dhcp-host=52:54:00:4d:00:%02d,%s\n' "$SILENT" "$dname" >>"$d/dnsmasq.conf"
ip netns exec $ns dnsmasq -C "$d/dnsmasq.conf" --keep-in-foreground --user=root --pid-file="$d/dnsmasq.pid" \
	--log-facility="$d/dnsmasq.log" --dhcp-leasefile="$d/leases" 2>"$d/dnsmasq.err" &
at_exit "kill $!"
wait_for "dnsmasq's log of its DHCP range" grep -qs "DHCP, IP range" "$d/dnsmasq.log"
t "dnsmasq runs the sample (DHCP, TFTP)" grep -q "TFTP root is /usr/lib/ipxe" "$d/dnsmasq.log"

announced=
for p in $PORTS $TWOSTAGE; do announced+=${announced:+,}swp$p; done
ip netns exec $ns lldpd -d -I "$announced" -u "$d/lldpd.sock" -L "" >"$d/lldpd.log" 2>&1 &
at_exit "kill $!"
wait_for "lldpd's control socket" test -S "$d/lldpd.sock"
lldp() { ip netns exec $ns lldpcli -u "$d/lldpd.sock" "$@" >>"$d/lldpcli.log" 2>&1; }
lldp configure system hostname rack7
lldp configure lldp tx-interval 1
lldp configure lldp portidsubtype ifname
lldp resume
t "lldpd announces rack7 on $announced" lldp show configuration

# --- the VMs: powered on together, nothing but -boot n --------------------------------------------
start=$SECONDS
deadline=$((start + LIMIT))
for p in $PORTS $SILENT $TWOSTAGE $BADROOT; do
	VM_TAP=swp$p VM_MAC=$(printf '52:54:00:4d:00:%02d' "$p") vm_start vm$p $ns "$d/console$p.log" -boot n
done
for p in $PORTS $SILENT $TWOSTAGE $BADROOT; do t "VM on swp$p starts (-boot n, qemu's iPXE ROM)" vm_running vm$p; done

# addr P: the address dnsmasq last acknowledged for VM P's MAC (the booted system's lease)
addr() {
	grep -a "DHCPACK(br0) [0-9.]* $(printf '52:54:00:4d:00:%02d' "$1")" "$d/dnsmasq.log" | tail -1 |
		sed -E 's/.*DHCPACK\(br0\) ([0-9.]+) .*/\1/'
}
# console P REGEX DESCRIPTION: VM P's console shows REGEX before the deadline
console() {
	if vm_wait vm$1 "$d/console$1.log" "$2" $deadline; then _pass "$3 ($((SECONDS - start)) s)"; else
		_fail "$3"
		echo "#   console of vm$1 (last lines):"
		tail -20 "$d/console$1.log" | tr -d '\r' | sed 's/^/#   /'
		return 1
	fi
}
# node P NAME CMD: CMD on the VM of port P as NAME, over cexec -w from the namespace (its HOME from answers)
node() { HOME=$d/home$1 ip netns exec $ns "$VM_BIN/cexec" -w "$2" -t 10 "$3" 2>/dev/null; }
# answers P NAME: "hostname=" and VM P's hostname, asked over cexec -w NAME until it answers or the
# deadline (cexec's header names NAME whatever the node says: the marker tells the node's own words),
# at the address of its latest lease (a two-stage node takes a new one in its root)
answers() {
	local got= a= at=
	while [ $SECONDS -lt $deadline ] && vm_running vm$1; do
		a=$(addr "$1")
		[ "$a" = "$at" ] || { rm -rf "$d/home$1"; vm_home "$d/home$1" "$2" "$a"; at=$a; }
		got=$(node "$1" "$2" 'echo "hostname=$(hostname)"') && [ -n "$got" ] && break
		sleep 2
	done
	grep '^hostname=' <<<"$got"
}

if [ -n "$TWOSTAGE" ]; then
	p=$TWOSTAGE
	console $p "cmt-live-init: [0-9:]+ root: fetching http://$VM_NET.1/root.vnfs into a tmpfs" \
		"vm$p: the live system fetches the root (cmt.root=)" &&
		console $p "cmt-live-init: [0-9:]+ root: size and SHA-256 as given" "vm$p: its size and SHA-256 are as cmt.root.size= and .sha256= say" &&
		console $p "cmt-live-init: [0-9:]+ root: switch_root to /newroot" "vm$p: it switches to the root"
	grep -a "cmt-live-init: .*root: fetched" "$d/console$p.log" | tr -d '\r' | sed 's/^/#   /'
fi
for p in $PORTS $TWOSTAGE; do
	name=$(printf 'node-%02d' "$p")
	console $p "lldpname: this node is $name" "vm$p names itself $name from port swp$p on its console" &&
		console $p "Starting .*OpenBSD Secure Shell server" "vm$p starts sshd"
	named=$(grep -an "lldpname: this node is" "$d/console$p.log" | head -1 | cut -d: -f1)
	sshd=$(grep -an "Starting .*OpenBSD Secure Shell server" "$d/console$p.log" | head -1 | cut -d: -f1)
	t "vm$p: sshd starts after the naming (console lines ${named:-none} and ${sshd:-none})" test "${named:-9999999}" -lt "${sshd:-0}"
	is "$(answers $p "$name")" "hostname=$name" "cexec -w $name hostname: the node answers under the name its port gives ($((SECONDS - start)) s)"
done
if [ -n "$TWOSTAGE" ]; then
	p=$TWOSTAGE
	run node $p "$(printf 'node-%02d' "$p")" 'findmnt -no FSTYPE,SOURCE /; cat /proc/cmdline; ps -p 1 -o comm='
	like "$out" "^tmpfs +cmt-root" "vm$p runs the fetched root: / is the tmpfs cmt-live-init filled"
	like "$out" "cmt.root=http://$VM_NET.1/root.vnfs" "vm$p: booted with cmt.root="
	like "$out" "systemd\$" "vm$p: its PID 1 is systemd, not cmt-live-init"
	echo "# vm$p's root: $root_size bytes fetched, $(node $p "$(printf 'node-%02d' "$p")" 'du -sbx / | cut -f1' | grep -Eo '^[0-9]+$') bytes in it (du -sbx /, booted)"
fi
if [ -n "$BADROOT" ]; then
	p=$BADROOT
	console $p "cmt-live-init: [0-9:]+ FAILED: root: SHA-256 $small_sha, cmt.root.sha256= says 0{64}: not switching to it" \
		"vm$p, given a wrong cmt.root.sha256, fetches the root and says it does not match"
	vm_until $deadline vm$p vm_stopped vm$p
	t "vm$p then powers off (cmt.fail=poweroff)" vm_stopped vm$p
	is "$(grep -ac 'switch_root to\|Welcome to\|systemd\[1\]' "$d/console$p.log")" 0 "vm$p did not switch root (no switch_root, no systemd on its console)"
fi
if [ -n "$SILENT" ]; then
	p=$SILENT
	console $p "lldpname: no name from the switch port \(exit 3\): keeping the hostname $dname" \
		"vm$p, on a port with no LLDP, keeps the name DHCP gave it ($dname) and says so"
	is "$(answers $p "$dname")" "hostname=$dname" "cexec -w $dname hostname: it answers under its DHCP name"
fi

# every node: its own machine-id and host key, though all booted the same image
ids=
for p in $PORTS $TWOSTAGE; do
	name=$(printf 'node-%02d' "$p")
	run node $p "$name" "cat /etc/machine-id; ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub | cut -d' ' -f2"
	t "$name: a machine-id and an ed25519 host key" \
		bash -c 'grep -Eq "^[0-9a-f]{32}$" <<<"$1" && grep -q "^SHA256:" <<<"$1"' _ "$out"
	ids+=$(grep -Eo '[0-9a-f]{32}|SHA256:[^ ]+' <<<"$out")$'\n'
done
n=$(wc -w <<<"$PORTS $TWOSTAGE")
is "$(grep -c . <<<"$ids")" $((2 * n)) "$n nodes: $((2 * n)) identities"
is "$(grep . <<<"$ids" | sort -u | wc -l)" $((2 * n)) "machine-ids and host keys all distinct"

# each VM fetched its script, the kernel and the image once (nginx), after iPXE's DHCP (dnsmasq);
# the two-stage ones the root too, whole (curl, in the live system)
# fetched FILE N AGENT: FILE was fetched whole by N clients, once each, with AGENT
fetched() {
	local got
	got=$(grep "\"GET /$1 HTTP/1.1\" 200 $(stat -c %s "$www/$1") .*\"$3" "$d/nginx/access.log")
	is "$(grep -c . <<<"$got")" "$2" "nginx: $3 fetched $1 $2 times, whole"
	is "$(cut -d' ' -f1 <<<"$got" | sort -u | wc -l)" "$2" "nginx: $1 fetched from $2 addresses, once each"
}
vms=$(($(wc -w <<<"$PORTS $SILENT $TWOSTAGE $BADROOT")))
fetched node/boot.ipxe $(($(wc -w <<<"$PORTS $SILENT"))) iPXE/
for f in twostage badroot; do [ ! -e "$www/node/$f.ipxe" ] || fetched node/$f.ipxe 1 iPXE/; done
fetched node/vmlinuz $vms iPXE/
fetched node/initrd.img $vms iPXE/
[ -z "$TWOSTAGE" ] || fetched root.vnfs 1 curl/
[ -z "$BADROOT" ] || fetched small.vnfs 1 curl/
# (a client slowed down by TCG may send its request again: the same transaction, acknowledged again)
for p in $PORTS $SILENT; do
	mac=$(printf '52:54:00:4d:00:%02d' "$p")
	is "$(grep -a "DHCPACK(br0) [0-9.]* $mac" "$d/dnsmasq.log" | awk '{ print $5 }' | sort -u | wc -l)" 2 \
		"dnsmasq: $mac got two leases, iPXE's then Linux's"
done
# two-stage: the live system's DHCP (dhcpcd, its client ID a DUID) between them; the root's only if it switched
for p in $TWOSTAGE $BADROOT; do
	mac=$(printf '52:54:00:4d:00:%02d' "$p")
	acks=$(grep -a "DHCPACK(br0) [0-9.]* $mac" "$d/dnsmasq.log" | awk '{ print $5, $7 }' | uniq)
	if [ "$p" = "$TWOSTAGE" ]; then
		is "$(cut -d' ' -f1 <<<"$acks" | sort -u | wc -l)" 3 "dnsmasq: $mac got three leases: iPXE's, the live system's, the root's"
	else
		is "$(cut -d' ' -f1 <<<"$acks" | sort -u | wc -l)" 2 "dnsmasq: $mac got two leases: iPXE's, the live system's (no root)"
	fi
	echo "#   vm$p's leases in order (transaction, address): $(tr '\n' ' ' <<<"$acks")"
done
# dnsmasq's lines for the DHCP transactions of iPXE clients (log-dhcp: "ID tags: ipxe, ...", then what it sent)
ipxe=$(awk '/ tags: .*ipxe/ { id[$5] = 1 } ($5 in id)' "$d/dnsmasq.log")
like "$ipxe" "http://$VM_NET.1/node/boot.ipxe" "dnsmasq hands iPXE clients the script's URL"
[ -n "$ipxe" ] || grep -a "tags:\|bootfile\|boot.ipxe" "$d/dnsmasq.log" | head -20 | sed 's/^/#   /'

echo "# the naming lines on the consoles:"
for p in $PORTS $SILENT $TWOSTAGE $BADROOT; do grep -ah 'lldpname: \|cmt-live-init: ' "$d/console$p.log" | tr -d '\r' | sed "s/^/#   vm$p: /"; done
echo "# $((SECONDS - start)) s from power-on; $((SECONDS - t0)) s in all"
echo "1..$_tap_n"
