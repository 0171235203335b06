#!/usr/bin/env bash
# Loss accounting from NFLOG sequence numbers: a capture whose events carry
# NFULA_SEQ, with some events removed, must report exactly those as lost in
# the health table, and count the rest.
set -u
. "$(dirname "$0")/../lib.sh"
: "${FPTRAFFIC:?FPTRAFFIC must name the built traffic tool}"

"$FPTRAFFIC" genpcap full.pcap 1000 10 || fail "genpcap"
# Drop the events whose sequence number ends in 7 (100 of them, all of
# flow 7, since event i belongs to flow i % 10).
/usr/bin/python3 - full.pcap gaps.pcap <<'PY' || fail "filter"
import struct, sys
b = open(sys.argv[1], "rb").read()
out, off, n = bytearray(b[:24]), 24, 0
while off < len(b):
    incl = struct.unpack_from("<I", b, off + 8)[0]
    if n % 10 != 7:
        out += b[off:off + 16 + incl]
    off += 16 + incl
    n += 1
open(sys.argv[2], "wb").write(out)
PY
"$FLOWPOL" collect --pcap gaps.pcap --node n || fail "collect exited $?"
h=$(/usr/bin/python3 -c 'import sqlite3,sys
print(sqlite3.connect(sys.argv[1]).execute("select sum(received), sum(decoded), sum(lost), (select sum(packets) from flows), (select count(*) from flows) from health").fetchone())' "$FLOWPOL_DB")
[ "$h" = "(900, 900, 100, 900, 9)" ] || fail "health (received, decoded, lost, packets, flows): $h"
pass
