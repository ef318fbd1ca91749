#!/usr/bin/env python3
"""Build the LLDP/CDP capture files of tests/lldpname/ byte by byte.

Each switch style below is one Ethernet frame written as a classic pcap file
(LINKTYPE_ETHERNET) in this directory, and as a raw frame in
tests/fuzz/corpus/lldp/ (seeds for fuzz_lldp). The frames follow IEEE
802.1AB-2016 (TLV header: 7-bit type, 9-bit length) and Cisco's CDP
(802.3 length, LLC/SNAP aa:aa:03 00:00:0c 0x2000, then version, TTL,
checksum and 16-bit type/length TLVs). Port names are the ones real switches
send (Cisco IOS, NX-OS, Arista EOS, breakout ports, Junos, Cumulus/SONiC).
The files are committed; run this again only to change them:

    python3 tests/lldpname/mkcaptures.py

malformed.pcap holds one frame per way a frame can be broken, then one good
frame (swp12 on leaf06): lldpname skips the bad ones with a warning and
names the node from the last one. none.pcap holds only an ARP request.
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
SEEDS = os.path.join(HERE, "..", "fuzz", "corpus", "lldp")
LLDP_DST = bytes.fromhex("0180c200000e")
CDP_DST = bytes.fromhex("01000ccccccc")


def mac(last):
    return bytes([0x02, 0x00, 0x5E, 0x10, 0x00, last])


def tlv(t, value):
    """An LLDP TLV: 7-bit type, 9-bit length, value."""
    return struct.pack("!H", (t << 9) | len(value)) + value


def tlv_raw(t, length, value):
    """An LLDP TLV whose length field says LENGTH whatever VALUE holds."""
    return struct.pack("!H", (t << 9) | length) + value


def chassis_mac(m):
    return tlv(1, b"\x04" + m)


def port(subtype, name):
    return tlv(2, bytes([subtype]) + name.encode())


IFNAME, LOCAL = 5, 7


def ttl(s=120):
    return tlv(3, struct.pack("!H", s))


def text(t, s):
    return tlv(t, s.encode())


def caps(sys, enabled):
    return tlv(7, struct.pack("!HH", sys, enabled))


def mgmt_ipv4(addr, ifindex):
    a = bytes(int(x) for x in addr.split("."))
    return tlv(8, bytes([5, 1]) + a + b"\x02" + struct.pack("!I", ifindex) + b"\x00")


def org(oui, sub, value):
    return tlv(127, bytes.fromhex(oui) + bytes([sub]) + value)


END = tlv(0, b"")


def lldp_frame(src, *tlvs):
    return LLDP_DST + src + b"\x88\xcc" + b"".join(tlvs)


def cdp_tlv(t, value):
    return struct.pack("!HH", t, len(value) + 4) + value


def cdp_frame(src, *tlvs, version=2, length=None):
    pdu = bytes([version, 180]) + b"\x00\x00" + b"".join(tlvs)
    llc = bytes.fromhex("aaaa0300000c2000") + pdu
    n = len(llc) if length is None else length
    return CDP_DST + src + struct.pack("!H", n) + llc


def pad(frame):
    return frame + b"\x00" * max(0, 60 - len(frame))


def write_pcap(name, frames):
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i, fr in enumerate(frames):
            fr = pad(fr)
            f.write(struct.pack("<IIII", 1700000000 + i, 0, len(fr), len(fr)))
            f.write(fr)


def write_seed(name, frame):
    os.makedirs(SEEDS, exist_ok=True)
    with open(os.path.join(SEEDS, name), "wb") as f:
        f.write(pad(frame))


BRIDGE, ROUTER = 0x0004, 0x0010

GOOD = {
    # Cisco IOS access switch: Gi1/0/37 as interface name
    "ios-gi1-0-37": lldp_frame(
        mac(1), chassis_mac(mac(1)), port(IFNAME, "Gi1/0/37"), ttl(),
        text(4, "GigabitEthernet1/0/37"), text(5, "access01.example.com"),
        text(6, "Cisco IOS Software, C3850 Software"), caps(BRIDGE | ROUTER, BRIDGE),
        mgmt_ipv4("192.0.2.11", 37), END),
    # Cisco NX-OS: Ethernet1/12, with 802.1 and 802.3 TLVs
    "nxos-ethernet1-12": lldp_frame(
        mac(2), chassis_mac(mac(2)), port(IFNAME, "Ethernet1/12"), ttl(),
        text(4, "to compute"), text(5, "leaf02"), text(6, "Cisco Nexus Operating System (NX-OS)"),
        caps(BRIDGE | ROUTER, BRIDGE | ROUTER), mgmt_ipv4("192.0.2.12", 83886080),
        org("0080c2", 1, struct.pack("!H", 100)),
        org("0080c2", 3, struct.pack("!H", 100) + bytes([7]) + b"compute"),
        org("00120f", 1, bytes([3]) + struct.pack("!HH", 0x6C01, 30)),
        org("00120f", 4, struct.pack("!H", 9216)), END),
    # Arista EOS: Ethernet12, chassis ID as a MAC, VLAN and aggregation TLVs
    "eos-ethernet12": lldp_frame(
        mac(3), chassis_mac(mac(3)), port(IFNAME, "Ethernet12"), ttl(),
        text(5, "leaf03"), text(6, "Arista Networks EOS"), caps(BRIDGE | ROUTER, BRIDGE),
        org("0080c2", 7, bytes([1]) + struct.pack("!I", 0)),
        org("00120f", 3, bytes([1]) + struct.pack("!I", 0)), END),
    # A 4x25G breakout port: Ethernet5/35/1 (module 5, port 35, lane 1)
    "breakout-ethernet5-35-1": lldp_frame(
        mac(4), chassis_mac(mac(4)), port(IFNAME, "Ethernet5/35/1"), ttl(),
        text(5, "leaf04"), END),
    # Junos: the port ID is the SNMP ifIndex (locally assigned), the name is in the description
    "junos-ge-0-0-12": lldp_frame(
        mac(5), chassis_mac(mac(5)), port(LOCAL, "517"), ttl(),
        text(4, "ge-0/0/12"), text(5, "ex01"), text(6, "Juniper Networks, Inc. ex4300-48t"),
        caps(BRIDGE | ROUTER, BRIDGE | ROUTER), END),
    # Cumulus Linux / SONiC: swp12
    "cumulus-swp12": lldp_frame(
        mac(6), chassis_mac(mac(6)), port(IFNAME, "swp12"), ttl(),
        text(4, "swp12"), text(5, "leaf06"), text(6, "Cumulus Linux version 5.4.0"),
        caps(BRIDGE | ROUTER, ROUTER), END),
    # CDP v2 from a Cisco switch
    "cdp-gigabitethernet1-0-7": cdp_frame(
        mac(7),
        cdp_tlv(1, b"access07.example.com"),
        cdp_tlv(2, struct.pack("!I", 1) + bytes([1, 1, 0xCC]) + struct.pack("!H", 4) + bytes([192, 0, 2, 17])),
        cdp_tlv(3, b"GigabitEthernet1/0/7"),
        cdp_tlv(4, struct.pack("!I", 0x28)),
        cdp_tlv(5, b"Cisco IOS Software, Version 16.12.4"),
        cdp_tlv(6, b"cisco WS-C3850-48T"),
        cdp_tlv(0x0A, struct.pack("!H", 100)),
        cdp_tlv(0x0B, b"\x01")),
}

BAD = {
    # the Port Description TLV says 200 bytes, the frame ends after 9
    "bad-tlv-past-end": lldp_frame(
        mac(8), chassis_mac(mac(8)), port(IFNAME, "swp1"), ttl(), tlv_raw(4, 200, b"truncated")),
    # no Port ID TLV
    "bad-missing-port-id": lldp_frame(mac(8), chassis_mac(mac(8)), ttl(), text(5, "leaf08"), END),
    # Port ID before Chassis ID
    "bad-misordered": lldp_frame(mac(8), port(IFNAME, "swp1"), chassis_mac(mac(8)), ttl(), END),
    # Chassis ID TLV with a subtype and no ID
    "bad-empty-chassis-id": lldp_frame(mac(8), tlv(1, b"\x07"), port(IFNAME, "swp1"), ttl(), END),
    # CDP Port-ID TLV whose length runs past the frame
    "bad-cdp-length-past-end": cdp_frame(
        mac(9), cdp_tlv(1, b"sw09"), struct.pack("!HH", 3, 400) + b"Gi1/0/1"),
    # CDP TLV length shorter than its own header
    "bad-cdp-length-short": cdp_frame(mac(9), cdp_tlv(1, b"sw09"), struct.pack("!HH", 3, 2) + b"Gi1/0/1"),
    # 802.3 length field longer than the frame
    "bad-cdp-8023-length": cdp_frame(mac(9), cdp_tlv(1, b"sw09"), cdp_tlv(3, b"Gi1/0/1"), length=1400),
}

ARP = bytes.fromhex("ffffffffffff") + mac(10) + bytes.fromhex(
    "08060001080006040001") + mac(10) + bytes([192, 0, 2, 1]) + b"\x00" * 6 + bytes([192, 0, 2, 2])


def main():
    for name, frame in GOOD.items():
        write_pcap(name + ".pcap", [frame])
        write_seed(name, frame)
    for name, frame in BAD.items():
        write_seed(name, frame)
    write_pcap("malformed.pcap", list(BAD.values()) + [GOOD["cumulus-swp12"]])
    write_pcap("none.pcap", [ARP])


if __name__ == "__main__":
    main()
