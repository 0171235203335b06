#!/usr/bin/env bash
# The scheduled job: learn the seed (real capture through the collector),
# emit, commit the files, then new traffic arrives (a second capture through
# the collector): diff exits 1 naming exactly the new edges, in text, JSON
# and Markdown, and proposes the emitter's changes; after re-emitting, 0.
# Rules whose traffic stopped are stale, fresh ones are not.
set -u
. "$(dirname "$0")/../lib.sh"
S=$FLOWPOL_SRC/samples/seed
PY=/usr/bin/python3
NOW=2026-11-26T13:00:00Z

"$FLOWPOL" collect --pcap "$S/capture.pcap" --node staging-node-1 >/dev/null 2>err.txt ||
	fail "collect exited $?: $(cat err.txt)"
"$FLOWPOL" inventory --at 2026-11-26T10:00:00Z "$S/inventory.json" >/dev/null || fail "inventory exited $?"
"$FLOWPOL" learn >/dev/null 2>err.txt || fail "learn exited $?: $(cat err.txt)"
"$FLOWPOL" emit --out emitted 2>/dev/null || fail "emit exited $?"
# "Commit": the reviewed copy the cluster runs.
mkdir repo && cp -r emitted repo/policies || fail "copy"
expect_exit 0 "$FLOWPOL" diff --policies repo/policies --now "$NOW" >first.txt
grep -q "^flowpol diff: 0 of 6 observed edges would be denied" first.txt || fail "first diff: $(cat first.txt)"
grep -q "^Proposed by emit (compared with repo/policies): 0 added, 0 changed, 0 removed$" first.txt ||
	fail "first diff proposes changes: $(cat first.txt)"

# New traffic, an hour later, seen by another node: one known edge again
# (namespace1 busybox -> nginx and its DNS), two new edges (namespace2
# busybox -> ntierapp backend tcp/8080, backend -> an external address
# tcp/443), and one from an address the inventory does not know.
cat >events.txt <<'X'
2026-11-26T12:30:00Z 10.244.1.11 10.244.0.10 udp 53 2
2026-11-26T12:30:05Z 10.244.1.11 10.244.1.12 tcp 80 3
2026-11-26T12:31:00Z 10.244.2.11 10.244.3.12 tcp 8080 4
2026-11-26T12:32:00Z 10.244.3.12 203.0.113.7 tcp 443 2
2026-11-26T12:33:00Z 10.244.1.99 10.244.3.11 tcp 80 1
X
$PY "$FLOWPOL_SRC/tests/tools/nflog_events.py" new.pcap <events.txt || fail "writing the capture"
"$FLOWPOL" collect --pcap new.pcap --node staging-node-2 >/dev/null 2>err.txt ||
	fail "collect new exited $?: $(cat err.txt)"
"$FLOWPOL" learn >learn.txt 2>err.txt || fail "learn again exited $?: $(cat err.txt)"
grep -q "9 edges (period: the first flow to the last flow)$" learn.txt || fail "learn: $(cat learn.txt)"

for fmt in text json markdown; do
	expect_exit 1 "$FLOWPOL" diff --policies repo/policies --now "$NOW" --stale-after 1h \
	    --format "$fmt" >"drift.$fmt"
done

# Text: exactly the new edges, under the workload whose policy denies.
sed -n '/^Denied, by the workload/,/^$/p' drift.text | grep -v '^ \{12\}' >got.txt
cat >want.txt <<'X'
Denied, by the workload whose policy denies:
  namespace2/busybox-deployment
    egress  namespace2/busybox-deployment -> ntierapp/backend tcp/8080
  ntierapp/backend
    egress  ntierapp/backend -> external:203.0.113.7 tcp/443
    ingress namespace2/busybox-deployment -> ntierapp/backend tcp/8080

X
diff -u want.txt got.txt || fail "text: denied edges"
grep -q "^flowpol diff: 2 of 9 observed edges would be denied" drift.text || fail "text summary: $(head -1 drift.text)"
grep -q "^ \{12\}4 connections, first seen 2026-11-26T12:31:00Z, last seen 2026-11-26T12:31:03Z, nodes staging-node-2$" drift.text ||
	fail "text evidence: $(cat drift.text)"
grep -q "^ \{12\}denied by: end of tier default (3 policies applied, no rule allowed)$" drift.text ||
	fail "text: end-of-tier reason"
grep -q "^  unknown:10.244.1.99 -> ntierapp/frontend tcp/80 (would be denied)$" drift.text ||
	fail "text: unattributed edge"

# JSON: the same edges, grouping, evidence; stable for scripts.
$PY - drift.json <<'X' || fail "json"
import json, sys
d = json.load(open(sys.argv[1]))
key = lambda e: (e["src"], e["dst"], e["proto"], e["port"])
got = [key(e) for e in d["denied_edges"]]
assert got == [("namespace2/busybox-deployment", "ntierapp/backend", "tcp", "8080"),
               ("ntierapp/backend", "external:203.0.113.7", "tcp", "443")], got
w = [(g["workload"], [key(e) for e in g["egress"]], [key(e) for e in g["ingress"]]) for g in d["workloads"]]
assert w == [("namespace2/busybox-deployment", [got[0]], []),
             ("ntierapp/backend", [got[1]], [got[0]])], w
e = d["denied_edges"][0]
assert e["connections"] == 4 and e["nodes"] == ["staging-node-2"], e
assert e["first_seen"] == "2026-11-26T12:31:00Z" and e["last_seen"] == "2026-11-26T12:31:03Z", e
assert e["egress"]["why"] == "end-of-tier" and e["egress"]["tier"] == "default", e
assert e["ingress"]["why"] == "end-of-tier" and e["ingress"]["denied_combinations"] == 1, e
assert d["denied_edges"][1]["ingress"] is None, d["denied_edges"][1]
assert [key(e) for e in d["unattributed"]] == [("unknown:10.244.1.99", "ntierapp/frontend", "tcp", "80")], d["unattributed"]
assert d["summary"] == {"denied_edges": 2, "edges": 9, "edges_checked": 9, "staged_evaluated": False, "staged_policies": 0, "stale_rules": 5, "unattributed": 1}, d["summary"]
# Stale within the last hour: frontend -> backend stopped at 11:25; the
# namespace1 busybox rules saw traffic at 12:30; TCP DNS never did.
st = {(s["policy"], s["direction"], s["index"]) for s in d["stale_rules"]}
assert ("flowpol-ntierapp-frontend", "egress", 0) in st, st
assert ("flowpol-ntierapp-backend", "ingress", 0) in st, st
assert ("flowpol-allow-dns", "egress", 1) in st, st
assert ("flowpol-allow-dns", "egress", 0) not in st, st
assert ("flowpol-namespace1-busybox-deployment", "egress", 0) not in st, st
assert ("flowpol-namespace1-nginx-deployment", "ingress", 0) not in st, st
s = [x for x in d["stale_rules"] if x["policy"] == "flowpol-allow-dns"][0]
assert s["file"] == "repo/policies/flowpol-allow-dns.yaml" and s["line"] > 0, s
assert "protocol=TCP" in s["rule"] and s["kind"] == "GlobalNetworkPolicy", s
# What emit would change: the two workloads with new edges.
p = d["proposed"]
assert (p["added"], p["changed"], p["removed"]) == (0, 2, 0), p
assert [f["file"] for f in p["files"]] == ["flowpol-namespace2-busybox-deployment.yaml",
                                           "flowpol-ntierapp-backend.yaml"], p
assert "+      - 8080\n" in p["files"][1]["diff"] and "203.0.113.7/32" in p["files"][1]["diff"], p
# Keys are sorted in every object (stable for scripts).
def sorted_keys(o):
    if isinstance(o, dict):
        assert list(o) == sorted(o), list(o)
        for v in o.values():
            sorted_keys(v)
    elif isinstance(o, list):
        for v in o:
            sorted_keys(v)
sorted_keys(d)
X

# Markdown: the same edges as table rows under per-workload headings.
grep -E '^#### |^\| (egress|ingress) ' drift.markdown | cut -d'|' -f1-5 >got.txt
cat >want.txt <<'X'
#### `namespace2/busybox-deployment`
| egress | `namespace2/busybox-deployment` | `ntierapp/backend` | tcp/8080 
#### `ntierapp/backend`
| egress | `ntierapp/backend` | `external:203.0.113.7` | tcp/443 
| ingress | `namespace2/busybox-deployment` | `ntierapp/backend` | tcp/8080 
X
diff -u want.txt got.txt || fail "markdown: denied edges"
grep -q '^\*\*2 of 9 observed edges would be denied\*\*' drift.markdown || fail "markdown summary"
grep -q '^### Stale allow rules$' drift.markdown || fail "markdown: stale section"
grep -q '^| `flowpol-ntierapp-backend.yaml` | changed | ' drift.markdown || fail "markdown: proposals"
grep -q '^````diff$' drift.markdown || fail "markdown: patch"

# Byte-identical on a re-run (deterministic ordering).
"$FLOWPOL" diff --policies repo/policies --now "$NOW" --stale-after 1h --format json | cmp -s - drift.json ||
	fail "json differs on a re-run"

# --since: only edges last seen since then are checked.
expect_exit 1 "$FLOWPOL" diff --policies repo/policies --now "$NOW" --since 2026-11-26T12:31:30Z \
    --format json >since.json
$PY -c 'import json,sys; d=json.load(open(sys.argv[1])); g=[(e["src"],e["port"]) for e in d["denied_edges"]]; assert g == [("ntierapp/backend","443")], g; assert d["summary"]["edges_checked"] == 2, d["summary"]' since.json ||
	fail "--since"
# The default stale period (14 days): only the never-used TCP DNS rule.
"$FLOWPOL" diff --policies repo/policies --now "$NOW" --format json >default.json
$PY -c 'import json,sys; d=json.load(open(sys.argv[1])); s=[(x["policy"],x["direction"],x["index"]) for x in d["stale_rules"]]; assert s == [("flowpol-allow-dns","egress",1)], s; assert d["stale_after_seconds"] == 14*86400' default.json ||
	fail "default stale period"
# A week later nothing has been seen: every allow rule is stale.
"$FLOWPOL" diff --policies repo/policies --now 2026-12-03T13:00:00Z --stale-after 7d --format json >late.json
nallow=$(cat repo/policies/*.yaml | grep -c '^  - action: Allow$')
[ "$nallow" -ge 8 ] || fail "committed allow rules: $nallow"
$PY -c 'import json,sys; d=json.load(open(sys.argv[1])); assert len(d["stale_rules"]) == int(sys.argv[2]), d["stale_rules"]' late.json "$nallow" ||
	fail "every rule stale a week later"

# Re-emit into the committed directory: no drift, nothing to propose.
"$FLOWPOL" emit --out repo/policies 2>/dev/null || fail "re-emit exited $?"
for fmt in text json markdown; do
	expect_exit 0 "$FLOWPOL" diff --policies repo/policies --now "$NOW" --stale-after 1h \
	    --format "$fmt" >"clean.$fmt"
done
grep -q "^flowpol diff: 0 of 9 observed edges would be denied" clean.text || fail "clean text: $(cat clean.text)"
grep -q "^Denied" clean.text && fail "clean text lists denials"
$PY -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["denied_edges"] == [] and d["workloads"] == [], d; p=d["proposed"]; assert (p["added"],p["changed"],p["removed"],p["files"]) == (0,0,0,[]), p; assert len(d["unattributed"]) == 1' clean.json ||
	fail "clean json"
grep -q "^No observed edge would be denied (9 checked)" clean.markdown || fail "clean markdown"
grep -q '^### Denied traffic' clean.markdown && fail "clean markdown lists denials"
# The new rules are fresh; the stopped frontend -> backend rule still stale.
$PY -c '
import json, sys
st = {(s["policy"], s["direction"], s["index"]) for s in json.load(open(sys.argv[1]))["stale_rules"]}
assert ("flowpol-ntierapp-frontend", "egress", 0) in st, st
assert not any(p in ("flowpol-namespace2-busybox-deployment",) for p, _, _ in st), st
' clean.json || fail "stale after re-emit"

# A policy emit no longer writes shows as removed; a hand edit as changed.
cp repo/policies/flowpol-allow-dns.yaml repo/policies/flowpol-old-workload.yaml
sed -i 's/^  order: 200$/  order: 201/; s/name: flowpol-allow-dns/name: flowpol-old-workload/' repo/policies/flowpol-old-workload.yaml
# As an earlier emit would have written it: its content digest matches.
$PY - repo/policies/flowpol-old-workload.yaml <<'X'
import hashlib, sys
l = open(sys.argv[1], "rb").read().split(b"\n", 1)
l[0] = l[0][:-64] + hashlib.sha256(l[1]).hexdigest().encode()
open(sys.argv[1], "wb").write(b"\n".join(l))
X
sed -i 's/^      - 8080$/      - 8081/' repo/policies/flowpol-ntierapp-backend.yaml
expect_exit 1 "$FLOWPOL" diff --policies repo --now "$NOW" --format json >edited.json
$PY - edited.json <<'X' || fail "removed/changed proposals"
import json, sys
d = json.load(open(sys.argv[1]))
p = d["proposed"]
assert p["directory"] == "repo/policies", p
assert [(f["file"], f["change"]) for f in p["files"]] == [
    ("flowpol-ntierapp-backend.yaml", "changed"), ("flowpol-old-workload.yaml", "removed")], p
assert p["files"][0]["diff"].count("\n-      - 8081\n+      - 8080\n") == 1, p["files"][0]["diff"]
# The hand edit made the 8080 edge drift again, at the backend's ingress only.
assert [(e["src"], e["port"], e["egress"] is None) for e in d["denied_edges"]] == [
    ("namespace2/busybox-deployment", "8080", True)], d["denied_edges"]
X
pass
