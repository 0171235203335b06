#!/usr/bin/env bash
# flowpol report on the seed pipeline (collect --pcap -> inventory -> learn):
# the report names every workload, edge, policy and coverage figure (in its
# details, inline for a small cluster); it keeps no state (the database is
# only read, runs with --now are byte-identical); --since lists what is
# new; --policies compares committed files with what emit writes.
set -u
. "$(dirname "$0")/../lib.sh"
S=$FLOWPOL_SRC/samples/seed
PY=/usr/bin/python3
NOW=2026-11-26T12:00:00Z
EXEMPT=" calico-system gatekeeper-system kube-node-lease kube-public kube-system tigera-operator "

sql() { "$PY" -c 'import sqlite3,sys
c = sqlite3.connect(sys.argv[1])
for r in c.execute(sys.argv[2]): print("\t".join(str(x) for x in r))
c.commit()' "$FLOWPOL_DB" "$1"; }

# Markdown section $2 (from its "## " heading to the next) of file $1.
section() { awk -v h="## $2" '$0 == h {on = 1; next} /^## / {on = 0} on' "$1"; }

# The seed capture in two halves: destinations in 10.244.0.0/23 first
# (DNS and namespace1), then those in 10.244.2.0/23.
"$PY" "$FLOWPOL_SRC/tests/tools/pcap_select.py" "$S/capture.pcap" part1.pcap 10.244.0.0/23 >n1.txt ||
	fail "pcap_select part1"
"$PY" "$FLOWPOL_SRC/tests/tools/pcap_select.py" "$S/capture.pcap" part2.pcap 10.244.2.0/23 >n2.txt ||
	fail "pcap_select part2"
[ "$(cat n1.txt)" -gt 0 ] && [ "$(cat n2.txt)" -gt 0 ] || fail "a half of the capture is empty"

"$FLOWPOL" collect --pcap part1.pcap --node staging-node-1 >/dev/null 2>err.txt ||
	fail "collect part1: $(cat err.txt)"
"$FLOWPOL" inventory --at 2026-11-26T10:00:00Z "$S/inventory.json" >/dev/null 2>err.txt ||
	fail "inventory: $(cat err.txt)"
"$FLOWPOL" learn >/dev/null 2>err.txt || fail "learn: $(cat err.txt)"
"$FLOWPOL" edges >edges1.tsv || fail "edges exited $?"

# --- the rest of the traffic arrives ------------------------------------------
"$FLOWPOL" collect --pcap part2.pcap --node staging-node-1 >/dev/null 2>err.txt ||
	fail "collect part2: $(cat err.txt)"
"$FLOWPOL" learn >/dev/null 2>err.txt || fail "learn 2: $(cat err.txt)"
"$FLOWPOL" edges >edges.tsv || fail "edges exited $?"
diff -u "$S/edges.tsv" edges.tsv >/dev/null || fail "both halves do not give the seed's edges"
sum0=$(sha256sum "$FLOWPOL_DB")
"$FLOWPOL" report --now "$NOW" >r2.md 2>err.txt || fail "report 2 exited $?: $(cat err.txt)"
[ "$sum0" = "$(sha256sum "$FLOWPOL_DB")" ] || fail "report changed the database"
grep -q "^<details>$" r2.md || fail "a small report has no inline details"
"$FLOWPOL" report --now "$NOW" | cmp -s - r2.md || fail "two runs differ"
# part1 learned fewer edges: --since finds exactly the ones first seen
# after part1's last (here all edges share one second: every edge is new)

# --- the content of a full report (r2) -------------------------------------
# every workload, with kind, selector and pods
tail -n +2 "$S/workloads.tsv" | while IFS=$'\t' read -r ns name kind sel pods; do
	grep -qF "| $ns | $name | $kind | $sel | $pods |" r2.md || fail "workload $ns/$name missing"
done || exit 1
nns=$(tail -n +2 "$S/workloads.tsv" | cut -f1 | sort -u | wc -l)
nwl=$(tail -n +2 "$S/workloads.tsv" | wc -l)
grep -q "^| Workloads | $nwl " r2.md || fail "summary: workloads"
grep -q "^| Namespaces | $nns |$" r2.md || fail "summary: namespaces"
grep -q "^| Edges | $(($(wc -l <edges.tsv) - 1)) |$" r2.md || fail "summary: edges"
# every edge with its counts and times, and its evidence in each policy
# section that governs it: the source's egress unless exempt, the
# destination's ingress unless exempt
section r2.md "Policies and their evidence" >pol.md
tail -n +2 edges.tsv | while IFS=$'\t' read -r src dst proto port conns first last; do
	grep -qF "| $src | $dst | $proto/$port | $conns | $first | $last | staging-node-1 |" r2.md ||
		fail "edge $src -> $dst missing from the edges table"
	want=0
	case "$EXEMPT" in *" ${src%%/*} "*) ;; *) want=$((want + 1)) ;; esac
	case "$EXEMPT" in *" ${dst%%/*} "*) ;; *) want=$((want + 1)) ;; esac
	got=$(grep -cF "| $src -> $dst $proto/$port | $conns | $first | $last | staging-node-1 |" pol.md)
	[ "$got" -eq "$want" ] || fail "edge $src -> $dst: $got evidence rows, want $want"
done || exit 1
grep -q "^| Edges the generated policies would not allow | 0 |$" r2.md || fail "seed edges not all allowed"
# every policy emit writes, by name and file
"$FLOWPOL" emit --out committed 2>/dev/null || fail "emit exited $?"
npol=0
for f in committed/*.yaml; do
	n=$(basename "$f" .yaml)
	grep -qx "### $n" r2.md || fail "policy $n missing"
	grep -q "^File $n.yaml, " r2.md || fail "policy file $n.yaml missing"
	npol=$((npol + 1))
done
[ "$npol" -ge 3 ] || fail "emit wrote only $npol policies"
[ "$(grep -c '^### flowpol-' pol.md)" -eq "$npol" ] || fail "report lists other policies than emit"
grep -A2 -x "### flowpol-default-deny" r2.md | grep -q "default deny for pods outside .*kube-system" ||
	fail "default deny: what it covers"
grep -A3 -x "### flowpol-allow-dns" r2.md | grep -q "^Selects (of the learned workloads): .*ntierapp/frontend" ||
	fail "allow-dns: the pods it covers"
# coverage per namespace and collector health, as the learner stored them
sql "SELECT namespace, flows, resolved, ambiguous, unknown FROM coverage" >cov.tsv
[ -s cov.tsv ] || fail "no coverage rows"
while IFS=$'\t' read -r ns f r a u; do
	grep -qF "| $ns | $f | $r | $a | $u | " r2.md || fail "coverage of $ns ($f $r $a $u) missing"
done <cov.tsv
sql "SELECT node, SUM(received), SUM(decoded), SUM(malformed), SUM(lost) FROM health GROUP BY node" >health.tsv
while IFS=$'\t' read -r node rec dec mal lost; do
	grep -q "^| $node | [0-9]* | [^|]* | [^|]* | $rec | $dec | $mal | $lost | " r2.md ||
		fail "health of $node missing"
done <health.tsv
grep -q "^| Last new edge | 2026-11-26T11:25:04Z (34m 55s ago) |$" r2.md || fail "time since the last new edge"

# --- --since ----------------------------------
"$FLOWPOL" report --now "$NOW" --since 2026-11-26T11:00:00Z >s1.md || fail "--since 1"
grep -q "^| New edges since 2026-11-26T11:00:00Z | $(($(wc -l <edges.tsv) - 1)) |$" s1.md ||
	fail "--since before the traffic: every edge new"
"$FLOWPOL" report --now "$NOW" --since -10m >s2.md || fail "--since -10m"
grep -q "^Nothing new: no edge was first seen since then\.$" s2.md || fail "--since after the traffic"
grep -q "^Edges not seen since then" s2.md || fail "--since: quiet edges"

# --- --policies: compare with committed files ------------------------------
"$FLOWPOL" report --now "$NOW" --policies committed >c1.md || fail "--policies 1"
section c1.md "Compared with committed" >cmp1.md
grep -q "^0 added, 0 changed, $npol unchanged, 0 removed\.$" cmp1.md || fail "committed = emitted: $(cat cmp1.md)"
victim=flowpol-ntierapp-backend.yaml
[ -f committed/$victim ] || fail "emit wrote no $victim"
rm committed/$victim
printf '# a reviewer note\n' >>committed/flowpol-allow-dns.yaml
cp committed/flowpol-ntierapp-frontend.yaml committed/flowpol-gone-away.yaml
printf 'kind: GlobalNetworkPolicy\n' >committed/hand-written.yaml
mkdir tmp
TMPDIR=$WORK/tmp "$FLOWPOL" report --now "$NOW" --policies committed >c2.md || fail "--policies 2"
section c2.md "Compared with committed" >cmp2.md
grep -qx "| $victim | added |" cmp2.md || fail "deleted file not reported added: $(cat cmp2.md)"
# Edited by hand, its header digest no longer matches: no longer flowpol's.
grep -q "^| flowpol-allow-dns.yaml | changed (the committed file was not written by" cmp2.md || fail "edited file not changed"
grep -qx "| flowpol-gone-away.yaml | removed |" cmp2.md || fail "stale generated file not removed"
grep -qx "| hand-written.yaml | not generated by flowpol (left alone) |" cmp2.md || fail "hand-written file"
grep -q "^1 added, 1 changed, $((npol - 2)) unchanged, 1 removed\.$" cmp2.md || fail "counts: $(cat cmp2.md)"
[ ! -e committed/$victim ] || fail "report wrote into --policies"
[ -z "$(ls -A tmp)" ] || fail "scratch directory left behind: $(ls -A tmp)"

# --- peers that are not workloads --------------------------------------------
cp "$FLOWPOL_DB" extra.db
"$PY" - extra.db <<'EOF' || fail "adding edges"
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.executemany("INSERT INTO edges VALUES (?, ?, ?, ?, 1, 1795692304000000, "
              "1795692304000000, 'staging-node-1')", [
    ("node:10.224.0.4", "ntierapp/backend", 6, 8080),
    ("unknown:10.244.9.9", "namespace1/nginx-deployment", 1, 8 << 8),
    ("kube-system/coredns", "node:10.224.0.4", 6, 6443),
])
c.commit()
EOF
"$FLOWPOL" report --db extra.db --now "$NOW" >x.md || fail "report with other peers"
# The node's rule names the node set; the edge itself is from the pod's own
# node, which Calico does not police, so no rule governs it.
grep -A8 -x "### flowpol-ntierapp-backend" x.md |
	grep -q "^| ingress [0-9]*: tcp/8080 from the cluster's nodes (flowpol-nodes) | no learned edge |" ||
	fail "node peer evidence: $(cat x.md)"
section x.md "Edges no generated policy governs" | grep -q "^| node:10.224.0.4 -> ntierapp/backend tcp/8080 | 1 |$" ||
	fail "host-local edge"
section x.md "Edges the generated policies would not allow" |
	grep -q "^| unknown:10.244.9.9 -> namespace1/nginx-deployment icmp/8/0 | 1 | " || fail "unknown peer not flagged"
section x.md "Edges no generated policy governs" |
	grep -q "^| kube-system/coredns -> node:10.224.0.4 tcp/6443 | 1 |$" || fail "exempt edge"
grep -q "^| Edges the generated policies would not allow | 1 |$" x.md || fail "summary: not allowed"

# merged and inexact workloads, unresolved addresses, as the learner stores them
"$PY" - extra.db <<'EOF' || fail "adding notes"
import sqlite3, sys, socket
c = sqlite3.connect(sys.argv[1])
c.execute("UPDATE workload_notes SET members = 'Deployment/backend,Deployment/backend-v2', "
          "exact = 0 WHERE namespace = 'ntierapp' AND name = 'backend'")
c.execute("INSERT INTO unresolved VALUES (?, 'unknown', 3, 1795692304000000, 1795692305000000)",
          (socket.inet_aton("10.244.9.9"),))
c.commit()
EOF
"$FLOWPOL" report --db extra.db --now "$NOW" >x2.md || fail "report with notes"
grep -q "^| ntierapp/backend | Deployment/backend,Deployment/backend-v2 | merged: .*; inexact: " x2.md ||
	fail "merged/inexact workload not listed"
grep -q "^| 10.244.9.9 | unknown | 3 | 2026-11-26T11:25:04Z | 2026-11-26T11:25:05Z |$" x2.md ||
	fail "unresolved address not listed"

# a store with flows but no model yet
"$FLOWPOL" collect --db early.db --pcap "$S/capture.pcap" --node staging-node-1 >/dev/null 2>&1 ||
	fail "collect into early.db"
"$FLOWPOL" report --db early.db --now "$NOW" >early.md || fail "report before learn exited $?"
grep -q "^No workloads learned" early.md || fail "report before learn: workloads"
grep -q "^No coverage recorded" early.md || fail "report before learn: coverage"
grep -q "^| staging-node-1 | 1 | " early.md || fail "report before learn: health"

# --- database text is escaped --------------------------------------------------
sql "INSERT INTO health(window_start, node, window_len, received) VALUES (1, 'evil|node\`<b>
## injected', 600, 1)" >/dev/null || fail "inserting a hostile node name"
"$FLOWPOL" report --now "$NOW" >e.md || fail "report with a hostile name"
grep -qF '| evil\|node\`\<b\> \#\# injected | 1 |' e.md || fail "hostile name not escaped: $(grep evil e.md)"
grep -q "^## injected" e.md && fail "a database value started a heading"

# --- errors ----------------------------------------------------------------------
"$FLOWPOL" report --db "$WORK/missing.db" >out.md 2>err.txt
[ $? -eq 2 ] || fail "missing database: want exit 2"
[ ! -s out.md ] || fail "output written on error"
grep -q "^flowpol: report: store '.*missing.db': no such database" err.txt || fail "missing database: $(cat err.txt)"
expect_exit 2 "$FLOWPOL" report --policies "$WORK/nope" >/dev/null 2>&1
expect_exit 2 "$FLOWPOL" report --now yesterday-ish >/dev/null 2>&1
expect_exit 2 "$FLOWPOL" report --bogus >/dev/null 2>&1
expect_exit 2 "$FLOWPOL" report extra >/dev/null 2>&1
"$FLOWPOL" report --help | grep -q "^usage: flowpol report" || fail "--help"
pass
