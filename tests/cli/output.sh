#!/usr/bin/env bash
# -o/--output on every listing: each form parsed back with a real parser
# (JSON: python3's json and jq; YAML: libyaml through PyYAML's CSafeLoader;
# TSV by its header), the same rows in all of them, with the schema's types.
# -n/-A filters. The seed capture and inventory are the data.
set -u
. "$(dirname "$0")/../lib.sh"
S=$FLOWPOL_SRC/samples/seed
command -v jq >/dev/null || fail "jq is missing (scripts/deps.sh installs it)"
/usr/bin/python3 -c 'import yaml; yaml.CSafeLoader' 2>/dev/null ||
	fail "PyYAML without libyaml (python3-yaml)"

"$FLOWPOL" collect --node staging-node-1 --pcap "$S/capture.pcap" >/dev/null || fail "collect"
"$FLOWPOL" inventory --at 2026-11-26T10:00:00Z "$S/inventory.json" >/dev/null || fail "inventory"
"$FLOWPOL" learn >/dev/null || fail "learn"

# parse FILE FORMAT: print the items (or for status the namespaces) as one
# canonical JSON line each, from whichever format, with a real parser.
cat >parse.py <<'PY'
import csv, json, sys, yaml
path, fmt, kind = sys.argv[1], sys.argv[2], sys.argv[3]
text = open(path, encoding="utf-8").read()
if fmt in ("json", "yaml"):
    doc = json.loads(text) if fmt == "json" else yaml.load(text, Loader=yaml.CSafeLoader)
    assert doc["apiVersion"] == "flowpol/v1", doc.get("apiVersion")
    assert doc["kind"] == kind, (doc["kind"], kind)
    rows = doc["namespaces"] if kind == "Status" else doc["items"]
    for r in rows:
        print(json.dumps(r, sort_keys=True))
    sys.exit(0)
lines = [l for l in text.split("\n") if not l.startswith("#")]
if kind == "Status":
    lines = lines[:lines.index("")]
if fmt == "tsv":
    for r in csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE):
        print(json.dumps(r, sort_keys=True))
else:  # table: columns start where the header's names do
    head = lines[0]
    starts = [i for i, c in enumerate(head) if c != " " and (i == 0 or head[i - 1] == " ")]
    names = head.split()
    for l in lines[1:]:
        if not l:
            continue
        cells = [l[s:(starts[k + 1] if k + 1 < len(starts) else None)].strip()
                 for k, s in enumerate(starts)]
        print(json.dumps({n.lower(): c for n, c in zip(names, cells)}, sort_keys=True))
PY
parse() { /usr/bin/python3 parse.py "$@" || fail "parsing $1 as $2"; }

for spec in flows:FlowList workloads:WorkloadList edges:EdgeList status:Status; do
	cmd=${spec%%:*} kind=${spec#*:} now=()
	[ "$cmd" = status ] && now=(--now 2026-11-26T14:00:00Z)
	for fmt in table tsv json yaml; do
		"$FLOWPOL" "$cmd" -o "$fmt" "${now[@]}" >"$cmd.$fmt" || fail "$cmd -o $fmt exited $?"
		parse "$cmd.$fmt" "$fmt" "$kind" >"$cmd.$fmt.rows"
		[ -s "$cmd.$fmt.rows" ] || fail "$cmd -o $fmt: no rows"
	done
	# The same rows whatever the format: compare the shared text columns.
	n=$(wc -l <"$cmd.tsv.rows")
	for fmt in table json yaml; do
		[ "$(wc -l <"$cmd.$fmt.rows")" = "$n" ] || fail "$cmd -o $fmt: row count differs from tsv"
	done
	cmp -s "$cmd.json.rows" "$cmd.yaml.rows" || fail "$cmd: json and yaml differ"
	cmp -s "$cmd.tsv.rows" "$cmd.table.rows" || fail "$cmd: table and tsv differ"
	# --format is an alias; piped output defaults to tsv.
	"$FLOWPOL" "$cmd" --format json "${now[@]}" >alias.json || fail "$cmd --format json"
	"$FLOWPOL" "$cmd" "${now[@]}" >default.out || fail "$cmd"
	cmp -s alias.json "$cmd.json" || fail "$cmd --format json differs from -o json"
	cmp -s default.out "$cmd.tsv" || fail "$cmd piped is not tsv"
done

# On a terminal the default is the table (script(1) gives the command one).
script -qec "$FLOWPOL edges" /dev/null | tr -d '\r' >tty.out || fail "edges on a terminal"
cmp -s tty.out edges.table || fail "edges on a terminal is not the table: $(head -2 tty.out)"

# Types: numbers are numbers, lists are arrays, times RFC 3339.
jq -e '[.items[] | select(.port == 80)] | length == 3' edges.json >/dev/null || fail "jq: port is not a number"
jq -e 'all(.items[]; (.nodes | type) == "array" and .nodes == ["staging-node-1"])' edges.json >/dev/null ||
	fail "jq: nodes is not an array"
jq -e 'all(.items[]; (.connections | type) == "number" and (.first_seen | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$")))' edges.json >/dev/null ||
	fail "jq: connections or first_seen"
jq -e 'all(.items[]; .icmp_type == null and .icmp_code == null)' edges.json >/dev/null || fail "jq: icmp fields"
jq -e 'all(.items[]; (.pods | type) == "number" and (.members | type) == "array" and (.exact | type) == "boolean")' workloads.json >/dev/null ||
	fail "jq: workloads types"
jq -e 'all(.items[]; (.dport | type) == "number" and (.packets | type) == "number")' flows.json >/dev/null || fail "jq: flows types"
jq -e '.learned_at | test("Z$")' status.json >/dev/null || fail "jq: status learned_at"
jq -e '(.collector[0].received == 15) and (.collector[0].loss_percent | type) == "number"' status.json >/dev/null ||
	fail "jq: status collector"
jq -e '.namespaces[] | select(.namespace == "ntierapp") | .since_last_new_edge == 9295' status.json >/dev/null ||
	fail "jq: since_last_new_edge: $(jq -c '.namespaces' status.json)"
/usr/bin/python3 - <<'PY' || fail "yaml types"
import yaml
d = yaml.load(open("edges.yaml"), Loader=yaml.CSafeLoader)
e = d["items"][0]
assert isinstance(e["port"], int) and isinstance(e["connections"], int), e
assert isinstance(e["first_seen"], str) and isinstance(e["nodes"], list), e
s = yaml.load(open("status.yaml"), Loader=yaml.CSafeLoader)
assert isinstance(s["collector"][0]["loss_percent"], float), s
PY
# TSV by header: the columns the scripts rely on.
head -1 edges.tsv | grep -qx "$(printf 'src\tdst\tproto\tport\tconnections\tfirst_seen\tlast_seen')" || fail "edges tsv header"

# -n keeps workloads in NS, edges with either end in NS; -A is everything.
"$FLOWPOL" workloads -o json -n ntierapp | jq -e '[.items[].namespace] == ["ntierapp", "ntierapp"]' >/dev/null ||
	fail "workloads -n ntierapp"
"$FLOWPOL" edges -o json -n kube-system | jq -e '(.items | length) == 3 and all(.items[]; .dst == "kube-system/coredns")' >/dev/null ||
	fail "edges -n kube-system: $("$FLOWPOL" edges -n kube-system)"
"$FLOWPOL" edges -o json -n namespace2 -n ntierapp | jq -e '(.items | length) == 4' >/dev/null || fail "edges -n twice"
"$FLOWPOL" edges -n namespace2 -A | cmp -s - edges.tsv || fail "-A after -n is not everything"
"$FLOWPOL" -n ntierapp status -o json | jq -e '[.namespaces[].namespace] == ["ntierapp"]' >/dev/null || fail "status -n before the command"
"$FLOWPOL" edges -o json -n no-such | jq -e '.items == []' >/dev/null || fail "edges -n with no match"
"$FLOWPOL" edges -o yaml -n no-such | /usr/bin/python3 -c 'import sys, yaml; assert yaml.load(sys.stdin, Loader=yaml.CSafeLoader)["items"] == []' ||
	fail "empty yaml list"
# report -n: its workloads and edges tables keep NS only, and a partial
# view is not recorded as the next report's baseline.
"$FLOWPOL" report -n ntierapp --now 2026-11-26T14:00:00Z >r.md || fail "report -n exited $?"
sed -n '/^## Workloads/,/^## [^W]/p' r.md | grep '^| [a-z]' | grep -v '^| Namespace' >rw.txt
[ "$(wc -l <rw.txt)" -eq 2 ] && ! grep -qv '^| ntierapp |' rw.txt || fail "report -n workloads: $(cat rw.txt)"
sed -n '/^## Edges/,/^## [^E]/p' r.md | grep '^| [a-z]' | grep -v '^| Source' >re.txt
[ "$(wc -l <re.txt)" -eq 2 ] && ! grep -qv 'ntierapp/' re.txt || fail "report -n edges: $(cat re.txt)"
[ "$(sqlite3 "$FLOWPOL_DB" "SELECT count(*) FROM meta WHERE key LIKE 'report.%'")" -eq 0 ] || fail "report -n recorded its run"
"$FLOWPOL" report --now 2026-11-26T14:00:00Z -A >all.md || fail "report -A"
sed -n '/^## Edges/,/^## [^E]/p' all.md | grep -c '^| [a-z0-9-]*/' | grep -qx 6 || fail "report -A edges"
expect_exit 2 "$FLOWPOL" edges -n 'Bad_NS' 2>err.txt
grep -qx "flowpol: edges: option -n/--namespace: 'Bad_NS' is not a namespace name: .*" err.txt || fail "-n bad: $(cat err.txt)"
# A bad format names the option and the allowed ones, on one line.
expect_exit 2 "$FLOWPOL" edges -o svg 2>err.txt
[ "$(cat err.txt)" = "flowpol: edges: option -o/--output: 'svg' is not one of table, tsv, json or yaml" ] ||
	fail "-o svg: $(cat err.txt)"
expect_exit 2 "$FLOWPOL" graph --format svg 2>err.txt
[ "$(cat err.txt)" = "flowpol: graph: option -o/--output: 'svg' is not one of dot or mermaid" ] || fail "graph --format svg: $(cat err.txt)"
"$FLOWPOL" graph -o dot | head -1 | grep -qx 'digraph flowpol {' || fail "graph -o dot"
# version -o json parses and names the libraries.
"$FLOWPOL" version -o json | jq -e '.kind == "Version" and (.sqlite | test("^3\\.")) and (.libyaml | length > 0) and has("commit") and (.libnetfilter_log | length > 0)' >/dev/null ||
	fail "version -o json"
pass
