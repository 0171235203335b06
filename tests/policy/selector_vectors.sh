#!/usr/bin/env bash
# Every line of Calico's selector test vectors (calico/selector-vectors.tsv)
# through `flowpol selector`: match exits 0 and prints "match", nomatch exits
# 1 and prints "no match", error exits 2 with "position N:" in the message.
set -u
. "$(dirname "$0")/../lib.sh"

vectors="$FLOWPOL_SRC/calico/selector-vectors.tsv"
[ -r "$vectors" ] || fail "missing $vectors"
n=0
while IFS= read -r line || [ -n "$line" ]; do
	# Split on tabs by hand: `read` would trim the selector column.
	sel=${line%%$'\t'*}
	rest=${line#*$'\t'}
	labels=${rest%%$'\t'*}
	want=${rest#*$'\t'}
	args=()
	if [ "$labels" != "-" ]; then
		IFS=, read -r -a args <<<"$labels"
	fi
	out=$("$FLOWPOL" selector -- "$sel" "${args[@]}" 2>err.txt)
	rc=$?
	case $want in
	match) [ $rc -eq 0 ] && [ "$out" = match ] ||
		fail "line $((n + 1)): '$sel' [$labels]: got rc=$rc '$out', want match" ;;
	nomatch) [ $rc -eq 1 ] && [ "$out" = "no match" ] ||
		fail "line $((n + 1)): '$sel' [$labels]: got rc=$rc '$out', want no match" ;;
	error) [ $rc -eq 2 ] && [ -z "$out" ] &&
		grep -q '^flowpol: selector: position [0-9][0-9]*: ' err.txt ||
		fail "line $((n + 1)): '$sel': got rc=$rc '$out' $(cat err.txt), want error" ;;
	*) fail "line $((n + 1)): bad expectation '$want'" ;;
	esac
	n=$((n + 1))
done <"$vectors"
want_n=$(wc -l <"$vectors")
[ "$n" -eq "$want_n" ] || fail "ran $n vectors, file has $want_n lines"
[ "$n" -ge 140 ] || fail "only $n vectors"
echo "$n vectors passed"
pass
