#!/usr/bin/env bash
# Live lossless rate: new connections (one UDP datagram per new 5-tuple)
# offered at rising rates from one network namespace to another; on the
# receiver, `ct state new log group G` feeds the collector and the same rule
# to group H feeds a bare counting reader (fptraffic count: the same group
# settings, no decoding, no store). Loss of each is read from NFLOG
# sequence numbers (the collector's from its health table).
#   bash bench/collector-live.sh [SECONDS=5] [RATES="2000 5000 ..."] [SENDERS=1]
# SENDERS > 1 splits each rate over that many parallel sending processes.
# Needs root; uses only network namespaces it creates (no default route).
. "$(dirname "$0")/collector-common.sh"
secs=${1:-5}
rates=${2:-"2000 5000 10000 20000 50000 100000 200000"}
senders=${3:-1}
[ "$(id -u)" -eq 0 ] || { echo "needs root" >&2; exit 2; }
p=fpc$$
A=${p}a B=${p}b G=$((30000 + $$ % 10000)) H=$((G + 10000))
ip netns add "$A"; at_exit "ip netns del $A"
ip netns add "$B"; at_exit "ip netns del $B"
ip link add "${p}va" netns "$A" type veth peer name "${p}vb" netns "$B"
ip -n "$A" addr add 10.98.0.1/24 dev "${p}va"
ip -n "$B" addr add 10.98.0.2/24 dev "${p}vb"
ip -n "$A" link set "${p}va" up
ip -n "$B" link set "${p}vb" up
ip netns exec "$B" nft -f - <<NFT
table inet fpcbench {
	chain input {
		type filter hook input priority 0; policy accept;
		ct state new log group $G
		ct state new log group $H
		udp dport 1024-65535 drop
	}
}
NFT
# Each tuple is new again after 1 s, and the sender cycles 1,032,192 tuples.
ip netns exec "$B" sysctl -qw net.netfilter.nf_conntrack_udp_timeout=1
ip netns exec "$A" ping -c1 -W1 10.98.0.2 >/dev/null 2>&1 || true
bound() { ip netns exec "$B" awk -v g="$1" '$1 == g { f = 1 } END { exit !f }' /proc/net/netfilter/nfnetlink_log; }
printf '%-8s %-9s %-10s %-13s %-10s %-13s %-10s\n' offered sent achieved bare_events bare_lost coll_received coll_lost
for rate in $rates; do
	rm -f "$work/l.db"*
	ip netns exec "$B" "$FLOWPOL" collect --db "$work/l.db" --group "$G" --node bench --flush-interval 2 2>"$work/coll.err" &
	coll=$!
	ip netns exec "$B" "$FPTRAFFIC" count "$H" 3600 >"$work/count.out" &
	cnt=$!
	for _ in $(seq 100); do bound "$G" && bound "$H" && break; sleep 0.1; done
	for k in $(seq "$senders"); do
		ip netns exec "$A" "$FPTRAFFIC" flood 10.98.0.2 $((rate / senders)) "$secs" >"$work/flood.$k" &
	done
	wait $(jobs -p | grep -vx -e "$coll" -e "$cnt")
	sleep 1
	kill -TERM "$coll" "$cnt"; wait "$coll" || true; wait "$cnt" || true
	sent=$(cat "$work"/flood.* | awk '{ s += $2 } END { print s }')
	took=$(cat "$work"/flood.* | awk '$4 > t { t = $4 } END { print t }')
	read -r be bl < <(awk '/^events/ { print $2, $4 }' "$work/count.out")
	read -r cr cl < <(/usr/bin/python3 -c 'import sqlite3,sys
r = sqlite3.connect(sys.argv[1]).execute("select coalesce(sum(received),0), coalesce(sum(lost),0) from health").fetchone(); print(*r)' "$work/l.db")
	printf '%-8s %-9s %-10.0f %-13s %-10s %-13s %-10s\n' "$rate" "$sent" "$(awk -v a="$sent" -v b="$took" 'BEGIN { print a / b }')" "$be" "$bl" "$cr" "$cl"
	[ -s "$work/coll.err" ] && sed 's/^/  collector: /' "$work/coll.err"
done
