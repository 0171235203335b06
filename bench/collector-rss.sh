#!/usr/bin/env bash
# Peak memory: `flowpol collect --pcap` of a capture with FLOWS distinct
# flows (one event each) inside one 600-second window, so that all of them
# are held at once. Peak RSS from getrusage. Target: <= 128 MiB at 1,000,000.
#   bash bench/collector-rss.sh [FLOWS=1000000]
. "$(dirname "$0")/collector-common.sh"
flows=${1:-1000000}
"$FPTRAFFIC" genpcap "$work/flows.pcap" "$flows" "$flows"
/usr/bin/python3 - "$FLOWPOL" "$work" "$flows" <<'PY'
import resource, sqlite3, subprocess, sys, time
flowpol, work, flows = sys.argv[1], sys.argv[2], int(sys.argv[3])
t0 = time.time()
subprocess.run([flowpol, "collect", "--db", work + "/m.db", "--pcap",
                work + "/flows.pcap", "--node", "bench"], check=True)
t = time.time() - t0
kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
rows = sqlite3.connect(work + "/m.db").execute("select count(*) from flows").fetchone()[0]
print(f"distinct flows: {flows}, rows stored: {rows}, time {t:.2f} s")
print(f"peak RSS: {kib / 1024:.1f} MiB")
sys.exit(0 if rows == flows else 1)
PY
