#!/usr/bin/python3
"""Copy the events of a LINKTYPE_NFLOG capture whose IPv4 destination lies in
a prefix: pcap_select.py IN OUT CIDR. (libpcap cannot filter NFLOG captures.)
Prints the number of events kept."""
import ipaddress
import struct
import sys


def main():
    src, dst, cidr = sys.argv[1], sys.argv[2], ipaddress.ip_network(sys.argv[3])
    data = open(src, "rb").read()
    magic = data[:4]
    end = "<" if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    out, off, kept = [data[:24]], 24, 0
    while off + 16 <= len(data):
        incl = struct.unpack(end + "I", data[off + 8:off + 12])[0]
        rec = data[off:off + 16 + incl]
        body = rec[16:]
        # NFLOG header (4 bytes), then TLVs: length and type in the byte order
        # of the capturing host, values in network order, 4-byte aligned.
        p, ipdst = 4, None
        while p + 4 <= len(body):
            tl, tt = struct.unpack(end + "HH", body[p:p + 4])
            if tl < 4:
                break
            if tt == 9 and tl >= 4 + 20 and body[p + 4] >> 4 == 4:
                ipdst = ipaddress.ip_address(body[p + 4 + 16:p + 4 + 20])
            p += (tl + 3) & ~3
        if ipdst is not None and ipdst in cidr:
            out.append(rec)
            kept += 1
        off += 16 + incl
    open(dst, "wb").write(b"".join(out))
    print(kept)


if __name__ == "__main__":
    main()
