#!/usr/bin/env bash
# The live collector against the real kernel. Two network namespaces joined
# by a veth (IPv4 and IPv6, no default route); on the receiving side an nft
# rule `ct state new log group N` (and the same rule to group M for
# tcpdump). Real TCP connections, UDP datagrams and ICMP echoes in known
# numbers; the collector, stopped by SIGTERM, must have stored exactly that,
# and the tcpdump capture of the same events replayed with --pcap must give
# the same rows, byte for byte.
set -u
. "$(dirname "$0")/../lib.sh"
need_root_netns
command -v tcpdump >/dev/null || fail "needs tcpdump (scripts/deps.sh installs it)"
: "${FPTRAFFIC:?FPTRAFFIC must name the built traffic tool}"

p=fpc$$
A=${p}a B=${p}b
G=$((20000 + $$ % 10000)) M=$((G + 10000))
ip netns add "$A"; at_exit "ip netns del $A"
ip netns add "$B"; at_exit "ip netns del $B"
ip link add "${p}va" netns "$A" type veth peer name "${p}vb" netns "$B"
for ns in "$A" "$B"; do ip -n "$ns" link set lo up; done
ip -n "$A" addr add 10.99.0.1/24 dev "${p}va"
ip -n "$B" addr add 10.99.0.2/24 dev "${p}vb"
ip -n "$A" addr add fd99::1/64 dev "${p}va" nodad
ip -n "$B" addr add fd99::2/64 dev "${p}vb" nodad
ip -n "$A" link set "${p}va" up
ip -n "$B" link set "${p}vb" up
ip netns exec "$B" nft -f - <<NFT || fail "nft"
table inet fpctest {
	chain input {
		type filter hook input priority 0; policy accept;
		ct state new log group $G
		ct state new log group $M
	}
}
NFT

bound() { ip netns exec "$B" awk -v g="$1" '$1 == g { f = 1 } END { exit !f }' /proc/net/netfilter/nfnetlink_log; }

bg srv4 "$B" "$FPTRAFFIC" serve tcp 10.99.0.2 8080
bg srv6 "$B" "$FPTRAFFIC" serve tcp fd99::2 8443
bg dns4 "$B" "$FPTRAFFIC" serve udp 10.99.0.2 53
bg dns6 "$B" "$FPTRAFFIC" serve udp fd99::2 5353
bg live "$B" "$FLOWPOL" collect --group "$G" --node e2e-node --flush-interval 1
bg tcpd "$B" tcpdump -i "nflog:$M" -U -w cap.pcap
wait_for "servers" bash -c 'cat srv4.out srv6.out dns4.out dns6.out | grep -c ready | grep -qx 4'
wait_for "collector bound to group $G" bound "$G"
wait_for "tcpdump" grep -q listening tcpd.err

# A second listener on the same group is refused, clearly.
ip netns exec "$B" "$FLOWPOL" collect --db other.db --group "$G" 2>err.txt
rc=$?
[ $rc -eq 2 ] || fail "second collector on group $G exited $rc, want 2"
grep -q "^flowpol: collect: nflog group $G: held by another process" err.txt || fail "message: $(cat err.txt)"
# Calico's groups need --force.
ip netns exec "$B" "$FLOWPOL" collect --db other.db --group 1 2>err.txt
[ $? -eq 2 ] && grep -q "Calico" err.txt || fail "group 1 not refused: $(cat err.txt)"
# Group 3 is Felix's DNS logging: refused the same way.
ip netns exec "$B" "$FLOWPOL" collect --db other.db --group 3 2>err.txt
[ $? -eq 2 ] && grep -q "3 DNS logging" err.txt || fail "group 3 not refused: $(cat err.txt)"

run() { ip netns exec "$A" "$FPTRAFFIC" "$@" || fail "fptraffic $*"; }
run tcp 10.99.0.2 8080 5
run tcp fd99::2 8443 3
run udp 10.99.0.2 53 4
run udp fd99::2 5353 2
run ping 10.99.0.2 2
run ping fd99::2 1
cat >want.txt <<'TXT'
10.99.0.1	10.99.0.2	icmp	8/0	2
10.99.0.1	10.99.0.2	tcp	8080	5
10.99.0.1	10.99.0.2	udp	53	4
fd99::1	fd99::2	tcp	8443	3
fd99::1	fd99::2	udp	5353	2
fd99::1	fd99::2	icmpv6	128/0	1
TXT
total=17

sleep 1.5	# past the flush interval: rows reach the store while running
"$FLOWPOL" flows >during.tsv || fail "flows while collecting exited $?"
[ "$(wc -l <during.tsv)" -eq 7 ] || fail "rows not flushed while running: $(cat during.tsv)"
kill -TERM "$pid_live"; wait "$pid_live"; rc=$?
[ $rc -eq 0 ] || fail "collector exited $rc after SIGTERM: $(cat live.err)"
[ -s live.err ] && fail "collector warned: $(cat live.err)"
kill -INT "$pid_tcpd"; wait "$pid_tcpd"

"$FLOWPOL" flows >live.tsv || fail "flows exited $?"
head -1 live.tsv | grep -qx $'window_start\tnode\tsrc\tdst\tproto\tdport\tpackets\tfirst_seen\tlast_seen' ||
	fail "header: $(head -1 live.tsv)"
tail -n +2 live.tsv | cut -f3-7 >got.txt
diff -u want.txt got.txt || fail "live flows differ from what was sent"
tail -n +2 live.tsv | cut -f2 | sort -u | grep -qx e2e-node || fail "node label"
sql() { /usr/bin/python3 -c 'import sqlite3,sys
print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone())' "$@"; }
h=$(sql "$FLOWPOL_DB" "select sum(received), sum(decoded), sum(malformed), sum(lost) from health")
[ "$h" = "($total, $total, 0, 0)" ] || fail "live health: $h"

# The capture of the same events, replayed, gives the same rows.
"$FLOWPOL" collect --db replay.db --pcap cap.pcap --node e2e-node 2>err.txt ||
	fail "replay exited $?: $(cat err.txt)"
"$FLOWPOL" flows --db replay.db >replay.tsv || fail "flows (replay) exited $?"
diff -u live.tsv replay.tsv || fail "replayed capture differs from the live rows"
# Microseconds: UDP and ICMP events carry the packet's receive time, the
# same in both groups' messages. A TCP segment carries its sender's
# departure time (monotonic), so the kernel stamps each log message when it
# builds it: the two groups' stamps for one packet differ by microseconds.
/usr/bin/python3 - "$FLOWPOL_DB" replay.db <<'PY' || fail "stored rows differ between live and replay"
import sqlite3, sys
q = "select window_start, node, src, dst, proto, dport, packets, first_seen, last_seen from flows order by 1, 2, 3, 4, 5, 6"
a, b = (sqlite3.connect(f).execute(q).fetchall() for f in sys.argv[1:3])
ok = len(a) == len(b) == 6
for x, y in zip(a, b):
    exact = x[4] != 6
    ok = ok and x[:7] == y[:7] and all(
        (x[i] == y[i]) if exact else abs(x[i] - y[i]) < 1000 for i in (7, 8))
sys.exit(0 if ok else 1)
PY
pass
