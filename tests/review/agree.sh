#!/usr/bin/env bash
# report and diff judge every learned edge alike: both read the read model
# and evaluate a workload as every label set and address family of its
# pods (review/peers.h). The dual-stack cluster plus edges the emitter
# cannot allow (an unowned in-cluster address, TCP port 0, ICMP to an IPv6
# address) is checked edge by edge: report's "would not allow" table
# against diff --format json on what emit wrote.
set -u
. "$(dirname "$0")/../lib.sh"
. "$FLOWPOL_SRC/tests/review/lib.sh"

cat >extra.txt <<'X'
2026-11-20T12:06:00Z node-a 10.42.0.31 10.42.0.99 tcp 80 2
2026-11-20T12:07:00Z node-a 10.42.0.31 10.42.0.21 tcp 0 1
2026-11-20T12:08:00Z node-a fd00:42::31 2001:db8:1::443 icmp 2048 1
X
dualstack_learn extra.txt
"$FLOWPOL" edges >edges.tsv || fail "edges exited $?"
"$FLOWPOL" emit --out pol 2>/dev/null || fail "emit exited $?"
"$FLOWPOL" diff --policies pol --now "$NOW" --format json >diff.json
rc=$?
[ "$rc" -eq 1 ] || fail "diff exited $rc, want 1 (denied edges)"
"$FLOWPOL" report --now "$NOW" --no-record >report.md 2>err.txt || fail "report: $(cat err.txt)"
/usr/bin/python3 - edges.tsv diff.json report.md <<'X' || fail "report and diff disagree"
import json, sys
edges = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])][1:]
d = json.load(open(sys.argv[2]))
key = lambda e: "%s -> %s %s%s%s" % (e["src"], e["dst"], e["proto"], "/" if e["port"] else "", e["port"])
diff = {key(e): "denied" for e in d["denied_edges"]}
diff.update({key(e): "unattributed" for e in d["unattributed"]})
rep, on = {}, False
for l in open(sys.argv[3]):
    if l.startswith("## "):
        on = l.strip() == "## Edges the generated policies would not allow"
    elif on and l.startswith("| ") and not l.startswith("| Edge |"):
        cells = [c.strip() for c in l.strip().strip("|").split(" | ")]
        rep[cells[0]] = "unattributed" if "address not resolved" in cells[2] else "denied"
verdicts = {}
bad = 0
for src, dst, proto, port, *_ in edges:
    k = key({"src": src, "dst": dst, "proto": proto, "port": port})
    a, b = diff.get(k, "allowed"), rep.get(k, "allowed")
    verdicts[a] = verdicts.get(a, 0) + 1
    if a != b:
        print("edge %s: diff %s, report %s" % (k, a, b))
        bad += 1
extra = (set(diff) | set(rep)) - {key({"src": e[0], "dst": e[1], "proto": e[2], "port": e[3]}) for e in edges}
if extra:
    print("not learned edges:", sorted(extra))
    bad += 1
print(verdicts)
want = {"allowed": 5, "denied": 2, "unattributed": 1}
if verdicts != want:
    print("want", want)
    bad += 1
sys.exit(1 if bad else 0)
X
pass
