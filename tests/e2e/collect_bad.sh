#!/usr/bin/env bash
# Bad input to collect and flows: truncated, corrupt and foreign captures;
# foreign, newer, locked and unreadable databases. Each is refused with
# "flowpol: context: reason" naming the file and byte offset, exit 2, and
# rows stored before stay intact.
set -u
. "$(dirname "$0")/../lib.sh"

seed=$FLOWPOL_SRC/samples/seed/capture.pcap
export FLOWPOL_BUSY_TIMEOUT_MS=200
"$FLOWPOL" collect --pcap "$seed" --node n1 || fail "good replay exited $?"
"$FLOWPOL" flows >before.tsv || fail "flows exited $?"
[ "$(wc -l <before.tsv)" -eq 7 ] || fail "seed rows: $(cat before.tsv)"
# The same capture again (under another name) is recognised and skipped...
cp "$seed" again.pcap
"$FLOWPOL" collect --pcap again.pcap --node n1 2>err.txt || fail "second replay exited $?"
grep -q "^flowpol: collect: pcap 'again.pcap': already replayed into this database" err.txt ||
	fail "no notice for a repeated capture: $(cat err.txt)"
"$FLOWPOL" flows | diff -u before.tsv - || fail "a repeated capture changed the flows"
# ...unless asked for: then its counts add up (in a scratch copy).
cp "$FLOWPOL_DB" re.db
"$FLOWPOL" collect --db re.db --reimport --pcap "$seed" --node n1 || fail "--reimport exited $?"
"$FLOWPOL" flows --db re.db | awk -F'\t' 'NR > 1 { n += $7 } END { print n }' >re.txt
[ "$(cat re.txt)" = 30 ] || fail "--reimport: $(cat re.txt) packets, want 30 (twice the seed's 15)"
sum() { sha256sum "$1" | cut -d' ' -f1; }
patch() {	# patch FILE OFFSET HEXBYTES
	printf "$(sed 's/\(..\)/\\x\1/g' <<<"$3")" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}
# refuse WANT-REGEX cmd... : exit 2, one "flowpol: " line matching, rows intact.
refuse() {
	local want=$1; shift
	"$@" >out.txt 2>err.txt; local rc=$?
	[ $rc -eq 2 ] || fail "'$*' exited $rc, want 2: $(cat err.txt)"
	# Every message names the command ($2), once.
	case $want in "$2: "*) ;; *) want="$2: $want" ;; esac
	grep -Eq "^flowpol: $want" err.txt || fail "'$*': message '$(cat err.txt)' does not match '$want'"
	"$FLOWPOL" flows >after.tsv || fail "flows after '$*' exited $?"
	diff -q before.tsv after.tsv >/dev/null || fail "'$*' changed the stored rows"
}

head -c 50 "$seed" >trunc.pcap
refuse "pcap 'trunc.pcap': byte offset 40: record truncated \(10 of [0-9]+ bytes\); nothing from this file was stored$" \
	"$FLOWPOL" collect --pcap trunc.pcap --node n1
head -c 30 "$seed" >trunc2.pcap
refuse "pcap 'trunc2.pcap': byte offset 24: record header truncated" "$FLOWPOL" collect --pcap trunc2.pcap
head -c 10 "$seed" >trunc3.pcap
refuse "pcap 'trunc3.pcap': byte offset 0: file header truncated" "$FLOWPOL" collect --pcap trunc3.pcap
# A capture cut inside its last record loses that file, not the ones before.
size=$(stat -c %s "$seed")
head -c $((size - 5)) "$seed" >cut.pcap
cp "$seed" other.pcap
"$FLOWPOL" collect --db two.db --pcap "$seed" cut.pcap --node n2 2>err.txt
[ $? -eq 2 ] || fail "good then cut capture: want exit 2"
grep -Eq "^flowpol: collect: pcap 'cut.pcap': byte offset [0-9]+: record truncated" err.txt || fail "cut: $(cat err.txt)"
[ "$("$FLOWPOL" flows --db two.db | tail -n +2 | awk -F'\t' '{ s += $7 } END { print s }')" = 15 ] ||
	fail "the good file's rows were not kept alone"
cp "$seed" corrupt.pcap; patch corrupt.pcap 32 ffffff7f
refuse "pcap 'corrupt.pcap': byte offset 32: corrupt record: captured length" "$FLOWPOL" collect --pcap corrupt.pcap
cp "$seed" eth.pcap; patch eth.pcap 20 01000000
refuse "pcap 'eth.pcap': byte offset 20: link type 1 is not LINKTYPE_NFLOG \(239\)" "$FLOWPOL" collect --pcap eth.pcap
printf 'this is not a capture, only some text' >text.pcap
refuse "pcap 'text.pcap': byte offset 0: not a pcap file" "$FLOWPOL" collect --pcap text.pcap
refuse "pcap 'missing.pcap': No such file" "$FLOWPOL" collect --pcap missing.pcap

# Databases: foreign, newer, not SQLite, a directory, locked.
/usr/bin/python3 -c 'import sqlite3; c = sqlite3.connect("foreign.db"); c.execute("create table t(x)"); c.execute("insert into t values (1)"); c.commit()'
s=$(sum foreign.db)
refuse "store 'foreign.db': not a flowpol database" "$FLOWPOL" collect --db foreign.db --pcap "$seed"
refuse "store 'foreign.db': not a flowpol database" "$FLOWPOL" flows --db foreign.db
[ "$(sum foreign.db)" = "$s" ] || fail "foreign database was modified"
cp "$FLOWPOL_DB" newer.db
/usr/bin/python3 -c 'import sqlite3; c = sqlite3.connect("newer.db"); c.execute("pragma user_version = 99"); c.commit()'
s=$(sum newer.db)
refuse "store 'newer.db': schema version 99 is newer" "$FLOWPOL" collect --db newer.db --pcap "$seed"
refuse "store 'newer.db': schema version 99 is newer" "$FLOWPOL" flows --db newer.db
[ "$(sum newer.db)" = "$s" ] || fail "newer database was modified"
printf 'SQLite format 3 but not really, just text that is long enough to be a header block. %.0s' $(seq 20) >junk.db
refuse "store 'junk.db': (not a SQLite database|file is not a database)" "$FLOWPOL" collect --db junk.db --pcap "$seed"
mkdir dir.db
refuse "store 'dir.db': not a regular file" "$FLOWPOL" flows --db dir.db
refuse "store 'none.db': no such database" "$FLOWPOL" flows --db none.db
# Locked: another process holds the write lock for the whole attempt.
/usr/bin/python3 - "$FLOWPOL_DB" <<'PY' &
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("begin exclusive")
open("locked", "w").close()
time.sleep(1.5)
c.execute("rollback")
PY
locker=$!
at_exit "kill $locker 2>/dev/null"
for _ in $(seq 50); do [ -e locked ] && break; sleep 0.1; done
"$FLOWPOL" collect --reimport --pcap "$seed" 2>err.txt; rc=$?
[ $rc -eq 2 ] || fail "collect on a locked store exited $rc"
grep -Eq "^flowpol: collect: store '.*flowpol.db': .*locked" err.txt || fail "locked: $(cat err.txt)"
wait $locker
"$FLOWPOL" flows >after.tsv && diff -q before.tsv after.tsv >/dev/null || fail "rows changed after the locked attempt"
# Usage errors.
refuse "collect: give exactly one of --group N or --pcap" "$FLOWPOL" collect
refuse "collect: --pcap reads files, not stdin" "$FLOWPOL" collect --pcap - <"$seed"
refuse "collect: give exactly one of --group N or --pcap" "$FLOWPOL" collect --group 5 --pcap "$seed"
refuse "collect: option --window" "$FLOWPOL" collect --window 0 --pcap "$seed"
refuse "flows: " "$FLOWPOL" flows --format xml
# A node name is stored and printed in JSON: bytes that are not ASCII would
# make 'flows --format json' invalid.
refuse "collect: option --node: byte 2: " "$FLOWPOL" collect --node $'n1\xff\xfe' --pcap "$seed"
refuse "collect: option --node: byte 0: " "$FLOWPOL" collect --node $'\xc3\xa9' --pcap "$seed"
# Output to a full disk is an error, not a listing that looks complete.
"$FLOWPOL" flows >/dev/full 2>err.txt; rc=$?
[ $rc -eq 2 ] || fail "flows >/dev/full exited $rc, want 2"
grep -q "^flowpol: flows: writing the output: " err.txt || fail "flows >/dev/full: $(cat err.txt)"
pass
