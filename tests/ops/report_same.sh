#!/usr/bin/env bash
# report against a committed directory that is exactly what emit writes does
# not read the set again: each edge's committed verdict is its generated one.
# That shortcut must agree with reading the directory. An empty subdirectory
# (the policy reader would walk it, so the shortcut is not taken) and a
# symlinked file make the same set read the long way; the reports, with the
# directory's name put back, are byte-identical, summary and details, with
# and without new traffic the committed policies deny.
set -u
. "$(dirname "$0")/../lib.sh"
: "${EMIT_FIXTURE:?EMIT_FIXTURE must name the fixture tool}"
PY=/usr/bin/python3
NOW=2026-11-26T12:00:00Z
"$PY" "$FLOWPOL_SRC/bench/emit-gen.py" 10 200 600 >model.sql || fail "emit-gen"
"$EMIT_FIXTURE" m.db model.sql || fail "fixture"
"$FLOWPOL" emit --db m.db --out dirsame 2>/dev/null || fail "emit"
cp -r dirsame dirwalked && mkdir dirwalked/sub || fail "copy"
cp -r dirsame dirlinked || fail "copy 2"
f=$(ls dirlinked | head -1)
mv "dirlinked/$f" "dirlinked/.$f" && ln -s ".$f" "dirlinked/$f" || fail "link"

check() {
	for d in dirsame dirwalked dirlinked; do
		"$FLOWPOL" report --db m.db --now "$NOW" --policies "$d" \
		    --details "$d.$1.md" >"$d.$1.pr" 2>err.txt ||
			fail "report $d exited $?: $(cat err.txt)"
		sed -i "s/\b$d\b/DIR/g" "$d.$1.pr" "$d.$1.md"
	done
	grep -q "^| Compared with DIR | 0 added, 0 changed, 202 unchanged, 0 removed |$" dirsame.$1.pr ||
		fail "$1: comparison: $(grep Compared dirsame.$1.pr)"
	for d in dirwalked dirlinked; do
		cmp -s dirsame.$1.pr $d.$1.pr || fail "$1: summaries differ ($d): $(diff dirsame.$1.pr $d.$1.pr | head -5)"
		cmp -s dirsame.$1.md $d.$1.md || fail "$1: details differ ($d): $(diff dirsame.$1.md $d.$1.md | head -5)"
	done
}
check before
# Traffic no policy allows yet: the generated policies change, so now
# neither run takes the shortcut; against a fresh emit they agree again.
"$PY" - m.db <<'X' || fail "new edges"
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
rows = [("ns%03d/app%05d" % (i % 10, i), "ns%03d/app%05d" % ((i + 1) % 10, i + 1), 6, 7777)
        for i in range(100, 120)]
c.executemany("INSERT INTO edges (src, dst, proto, port, connections, first_seen, last_seen, nodes) "
              "VALUES (?, ?, ?, ?, 1, 0, 1, 'n')", rows)
c.commit()
X
"$FLOWPOL" report --db m.db --now "$NOW" --policies dirsame >drift.pr || fail "report with drift"
grep -q "^| Observed edges the committed policies deny | 20 |$" drift.pr ||
	fail "drift: $(grep 'committed policies deny' drift.pr)"
rm -rf dirsame dirwalked dirlinked
"$FLOWPOL" emit --db m.db --out dirsame 2>/dev/null || fail "emit 2"
cp -r dirsame dirwalked && mkdir dirwalked/sub || fail "copy"
cp -r dirsame dirlinked || fail "copy 2"
f=$(ls dirlinked | head -1)
mv "dirlinked/$f" "dirlinked/.$f" && ln -s ".$f" "dirlinked/$f" || fail "link"
check after
pass
