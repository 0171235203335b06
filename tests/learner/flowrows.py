#!/usr/bin/python3
"""Insert flow rows into a flowpol database, standing in for the collector.

usage: flowrows.py DB < ROWS
Each line: TIME NODE SRC DST PROTO PORT PACKETS [SPAN_SECONDS]
TIME is RFC 3339 UTC (the first packet); the row goes into the 600 s window
holding it, with last_seen = TIME + SPAN (default 0). '#' lines are skipped.
"health NODE WINDOW_START RECEIVED LOST MALFORMED" adds a health row.
"""
import datetime, ipaddress, sqlite3, sys

PROTOS = {"tcp": 6, "udp": 17, "sctp": 132, "icmp": 1, "icmpv6": 58}


def us(t):
    d = datetime.datetime.strptime(t, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)
    return int(d.timestamp()) * 1000000


db = sqlite3.connect(sys.argv[1])
for line in sys.stdin:
    f = line.split()
    if not f or f[0].startswith("#"):
        continue
    if f[0] == "health":
        db.execute("INSERT INTO health(window_start, node, window_len, received, decoded, lost, malformed) "
                   "VALUES (?, ?, 600, ?, ?, ?, ?)",
                   (us(f[2]) // 1000000, f[1], int(f[3]), int(f[3]), int(f[4]), int(f[5])))
        continue
    first = us(f[0])
    span = int(f[7]) if len(f) > 7 else 0
    ws = first // 1000000 // 600 * 600
    db.execute("INSERT INTO flows(window_start, node, src, dst, proto, dport, packets, first_seen, last_seen) "
               "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET packets = packets + excluded.packets, "
               "last_seen = max(last_seen, excluded.last_seen)",
               (ws, f[1], ipaddress.ip_address(f[2]).packed, ipaddress.ip_address(f[3]).packed,
                PROTOS[f[4]], int(f[5]), int(f[6]), first, first + span * 1000000))
db.commit()
