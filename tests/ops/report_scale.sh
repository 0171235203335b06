#!/usr/bin/env bash
# report fits a pull request at 2,000 workloads: a generated model (50
# namespaces, 2,000 workloads, 6,000 edges; bench/emit-gen.py), its policies
# committed, then traffic the committed policies deny (60 new edges) and one
# committed policy deleted. The summary stays under 60,000 characters, names
# what changed against the committed directory (newly isolated, widened,
# denied edges), and links the details written with --details; without
# --details it says how to get them; --namespace narrows everything; the
# database is only read.
set -u
. "$(dirname "$0")/../lib.sh"
: "${EMIT_FIXTURE:?EMIT_FIXTURE must name the fixture tool}"
PY=/usr/bin/python3
NOW=2026-11-26T12:00:00Z
"$PY" "$FLOWPOL_SRC/bench/emit-gen.py" 50 2000 6000 >model.sql || fail "emit-gen"
"$EMIT_FIXTURE" m.db model.sql || fail "fixture"
"$FLOWPOL" emit --db m.db --out committed 2>/dev/null || fail "emit"
rm committed/flowpol-ns007-app00007.yaml || fail "no policy for ns007/app00007"
"$PY" - m.db <<'X' || fail "new edges"
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
rows = [("ns%03d/app%05d" % (i % 50, i), "ns%03d/app%05d" % ((i + 1) % 50, i + 1), 6, 7777)
        for i in range(100, 160)]
c.executemany("INSERT INTO edges (src, dst, proto, port, connections, first_seen, last_seen, nodes) "
              "VALUES (?, ?, ?, ?, 1, 0, 1, 'n')", rows)
c.commit()
X
sum0=$(sha256sum m.db)

"$FLOWPOL" report --db m.db --now "$NOW" --policies committed --details details.md >pr.md 2>err.txt ||
	fail "report exited $?: $(cat err.txt)"
size=$(wc -c <pr.md)
[ "$size" -lt 60000 ] || fail "summary of $size characters"
grep -q "^| Workloads | 2001 (6002 pods) |$" pr.md || fail "workloads count"
grep -q "^| Edges | 6060 |$" pr.md || fail "edges count"
grep -q "^| Compared with committed | 1 added, 61 changed, 1940 unchanged, 0 removed |$" pr.md ||
	fail "comparison: $(grep Compared pr.md)"
# the 60 new edges, and the 5 of ns007/app00007 whose committed policy is gone
n7=$(sqlite3 m.db "SELECT count(*) FROM edges WHERE 'ns007/app00007' IN (src, dst)")
[ "$n7" -eq 5 ] || fail "the generated model changed: $n7 edges of ns007/app00007"
grep -q "^| Observed edges the committed policies deny | 65 |$" pr.md || fail "denied count"
grep -q "^\.\.\. and 40 more (in the details)\.$" pr.md || fail "denied list not cut at 25 of 65"
grep -A4 "^### Workloads newly isolated" pr.md | grep -qx -- "- ns007/app00007" || fail "newly isolated"
grep -q "^| ns000/app00150 | 2 |$" pr.md || fail "widened workload not listed: $(grep -A8 widened pr.md)"
grep -q "^| ns007/app00007 | 5 |$" pr.md || fail "the workload without its policy is not widened"
grep -q "^\.\.\. and 37 more (in the details)\.$" pr.md || fail "widened list not cut at 25 of 62"
grep -qF "| ns000/app00100 -> ns001/app00101 tcp/7777 | 1 | both ends |" pr.md || fail "denied edge row"
grep -q "are in \[details.md\](details.md)\.$" pr.md || fail "no link to the details"
[ "$(grep -c "^| ns[0-9]* | app[0-9]* | Deployment | " details.md)" -eq 2000 ] || fail "details lack workloads"
grep -q "^## Policies and their evidence$" details.md || fail "details lack the evidence"

# Without --details: the details do not fit, and the summary says so.
"$FLOWPOL" report --db m.db --now "$NOW" --policies committed >pr2.md || fail "report 2"
[ "$(wc -c <pr2.md)" -lt 60000 ] || fail "body over 60,000 characters"
grep -q "do not fit a pull request body: write them to a file next to it with \`--details FILE\`\.$" pr2.md ||
	fail "no hint at --details"

# One namespace.
"$FLOWPOL" report --db m.db --now "$NOW" --namespace ns001 --details ns.md >pr3.md || fail "report --namespace"
grep -q "^| Workloads | 40 (120 pods) |$" pr3.md || fail "ns001 workloads: $(grep '^| Workloads' pr3.md)"
"$PY" - ns.md <<'X' || fail "--namespace let in other edges"
import sys
sec = open(sys.argv[1]).read().split("\n## Edges\n")[1].split("\n## ")[0]
rows = [l.split(" | ") for l in sec.splitlines() if l.startswith("| ns") or l.startswith("| kube")]
assert rows and all(r[0][2:].startswith("ns001/") or r[1].startswith("ns001/") for r in rows), rows[:3]
X
[ "$sum0" = "$(sha256sum m.db)" ] || fail "report changed the database"
pass
