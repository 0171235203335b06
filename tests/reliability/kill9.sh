#!/usr/bin/env bash
# Live collection: kill -9 leaves an intact database that holds everything
# flushed before it (the loss is bounded by what arrived since the last
# flush); a collector started again on it works; SIGTERM loses nothing.
# Events are counted in packets (fptraffic udp: one new conntrack entry,
# so one logged event, per datagram).
set -u
. "$(dirname "$0")/../lib.sh"
need_root_netns
: "${FPTRAFFIC:?FPTRAFFIC must name the built traffic tool}"
N=fpk$$n
G=$((40000 + $$ % 10000))
ip netns add "$N" || fail "netns"
at_exit "ip netns del $N"
ip -n "$N" link set lo up
ip netns exec "$N" nft -f - <<NFT || fail "nft"
table inet fpktest {
	chain out {
		type filter hook output priority 0; policy accept;
		ct state new udp dport 9 log group $G
	}
}
NFT
bound() { ip netns exec "$N" awk -v g="$G" '$1 == g { f = 1 } END { exit !f }' /proc/net/netfilter/nfnetlink_log; }
stored() { sqlite3 "$WORK/k.db" "SELECT coalesce(sum(packets), 0) FROM flows" 2>/dev/null || echo -1; }
stored_is() { [ "$(stored)" = "$1" ]; }
send() { ip netns exec "$N" "$FPTRAFFIC" udp 127.0.0.1 9 "$1" >/dev/null || fail "send $1"; }

bg c1 "$N" "$FLOWPOL" collect --db "$WORK/k.db" --group $G --node n1 --flush-interval 1
wait_for "collector bound" bound
send 200
wait_for "200 events flushed" stored_is 200
send 300
kill -9 $pid_c1; wait $pid_c1 2>/dev/null
[ "$(sqlite3 k.db 'PRAGMA integrity_check')" = ok ] || fail "database damaged by kill -9"
after=$(stored)
[ "$after" -ge 200 ] && [ "$after" -le 500 ] || fail "after kill -9: $after events stored, want 200..500"
echo "kill -9: $((500 - after)) of the 300 events since the last flush lost" >&2

bg c2 "$N" "$FLOWPOL" collect --db "$WORK/k.db" --group $G --node n1 --flush-interval 3600
wait_for "collector bound again" bound
send 400
kill -TERM $pid_c2; wait $pid_c2; rc=$?
[ $rc -eq 0 ] || fail "SIGTERM: exit $rc: $(cat c2.err)"
[ "$(stored)" = $((after + 400)) ] || fail "SIGTERM lost events: $(stored), want $((after + 400))"
pass
