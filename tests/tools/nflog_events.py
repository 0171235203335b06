#!/usr/bin/python3
"""Write a LINKTYPE_NFLOG capture (as `tcpdump -i nflog:N -w` makes) of
chosen connection events, for feeding `flowpol collect --pcap`.

usage: nflog_events.py OUT.pcap < EVENTS
Each line: TIME SRC DST PROTO PORT [COUNT]
TIME is RFC 3339 UTC; PROTO tcp, udp, icmp or icmpv6 (PORT is then the
ICMP type); addresses IPv4 or IPv6; COUNT events (default 1), one second
apart, each from its own source port. '#' lines are skipped.
The layout follows tests/tools/fptraffic.c genpcap: TLV lengths and types
in host byte order (little endian here), values in network order."""
import datetime
import ipaddress
import struct
import sys

PROTOS = {"tcp": 6, "udp": 17, "icmp": 1, "icmpv6": 58}


def tlv(typ, value):
    body = struct.pack("<HH", 4 + len(value), typ) + value
    return body + b"\0" * (-len(body) % 4)


def packet(src, dst, proto, sport, dport):
    if proto == 6:
        l4 = struct.pack("!HHIIBBHHH", sport, dport, 0, 0, 0x50, 0x02, 65535, 0, 0)
    elif proto == 17:
        l4 = struct.pack("!HHHH", sport, dport, 8, 0)
    else:
        l4 = struct.pack("!BBHHH", dport, 0, 0, sport, 1)
    s, d = ipaddress.ip_address(src), ipaddress.ip_address(dst)
    if s.version == 6:
        return struct.pack("!IHBB16s16s", 6 << 28, len(l4), proto, 64,
                           s.packed, d.packed) + l4
    total = 20 + len(l4)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, total, 0, 0, 64, proto, 0,
                     s.packed, d.packed)
    return ip + l4


def main():
    out = [struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 262144, 239)]
    seq = 0
    for line in sys.stdin:
        f = line.split()
        if not f or f[0].startswith("#"):
            continue
        t = datetime.datetime.strptime(f[0], "%Y-%m-%dT%H:%M:%SZ").replace(
            tzinfo=datetime.timezone.utc)
        proto = PROTOS[f[3]]
        count = int(f[5]) if len(f) > 5 else 1
        for i in range(count):
            sec = int(t.timestamp()) + i
            v6 = ipaddress.ip_address(f[1]).version == 6
            rec = bytes([10 if v6 else 2, 0]) + struct.pack("!H", 5)
            rec += tlv(1, struct.pack("!HBB", 0x86dd if v6 else 0x0800, 1, 0))
            rec += tlv(3, struct.pack("!QQ", sec, 0))
            rec += tlv(12, struct.pack("!I", seq))
            rec += tlv(9, packet(f[1], f[2], proto, 40000 + seq % 20000, int(f[4])))
            seq += 1
            out.append(struct.pack("<IIII", sec, 0, len(rec), len(rec)) + rec)
    open(sys.argv[1], "wb").write(b"".join(out))


if __name__ == "__main__":
    main()
