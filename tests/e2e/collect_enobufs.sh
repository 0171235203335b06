#!/usr/bin/env bash
# A live collector that falls behind: its receive buffer overflows while it
# is stopped (SIGSTOP) and new connections keep coming. The kernel reports
# ENOBUFS; the collector warns once with the fix, counts the lost events
# from NFLOG sequence numbers, keeps running, and records what comes after.
set -u
. "$(dirname "$0")/../lib.sh"
need_root_netns
: "${FPTRAFFIC:?FPTRAFFIC must name the built traffic tool}"

p=fpb$$
A=${p}a B=${p}b
G=$((20000 + $$ % 10000))
ip netns add "$A"; at_exit "ip netns del $A"
ip netns add "$B"; at_exit "ip netns del $B"
ip link add "${p}va" netns "$A" type veth peer name "${p}vb" netns "$B"
for ns in "$A" "$B"; do ip -n "$ns" link set lo up; done
ip -n "$A" addr add 10.98.0.1/24 dev "${p}va"
ip -n "$B" addr add 10.98.0.2/24 dev "${p}vb"
ip -n "$A" link set "${p}va" up
ip -n "$B" link set "${p}vb" up
ip netns exec "$B" nft -f - <<NFT || fail "nft"
table inet fpbtest {
	chain input {
		type filter hook input priority 0; policy accept;
		ct state new log group $G
	}
}
NFT
bound() { ip netns exec "$B" awk -v g="$1" '$1 == g { f = 1 } END { exit !f }' /proc/net/netfilter/nfnetlink_log; }

bg live "$B" "$FLOWPOL" collect --group "$G" --node n1 --flush-interval 1 --rcvbuf 4096
wait_for "collector bound to group $G" bound "$G"
kill -STOP "$pid_live"
# 20,000 new UDP 5-tuples in 2 s: far more than 4 KiB of buffer holds.
ip netns exec "$A" "$FPTRAFFIC" flood 10.98.0.2 10000 2 >flood.out || fail "flood"
kill -CONT "$pid_live"
sleep 2
# Still running: a known number of new connections afterwards is recorded.
ip netns exec "$A" "$FPTRAFFIC" udp 10.98.0.2 4242 3 >/dev/null || fail "udp after overflow"
sleep 2
kill -TERM "$pid_live"
wait "$pid_live"; rc=$?
[ $rc -eq 0 ] || fail "collector exited $rc after SIGTERM: $(cat live.err)"

n=$(grep -c "receive buffer overflowed" live.err)
[ "$n" -eq 1 ] || fail "want the overflow warning once, got $n: $(cat live.err)"
grep -q "rmem_max" live.err || fail "the warning gives no fix: $(cat live.err)"
q() { /usr/bin/python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])' "$FLOWPOL_DB" "$1"; }
lost=$(q "SELECT coalesce(sum(lost), 0) FROM health")
recv=$(q "SELECT coalesce(sum(received), 0) FROM health")
[ "$lost" -gt 0 ] || fail "no lost events counted (received $recv)"
# Every event the kernel numbered is either received or counted lost.
[ $((lost + recv)) -eq 20003 ] || fail "received $recv + lost $lost != 20003 sent"
[ "$(q "SELECT packets FROM flows WHERE dport = 4242")" = 3 ] ||
	fail "the 3 datagrams after the overflow were not recorded"
pass
