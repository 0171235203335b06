#!/usr/bin/env bash
# The live collector keeps only CAP_NET_ADMIN once its group is bound: read
# from /proc/PID/status of a running collector after it ran nft (its
# --install-rule table is in place), and it still removes the table with
# nft at SIGTERM. The same with file capabilities (setcap cap_net_admin+ep,
# run as nobody), where nft gets the capability as an ambient one. As root
# without CAP_NET_ADMIN the message says the capability is missing. Disk
# full at SIGTERM: exit 2 saying how many flows and events were dropped.
set -u
. "$(dirname "$0")/../lib.sh"
need_root_netns
command -v setcap >/dev/null || fail "needs setcap (libcap2-bin)"
p=fpp$$
N=${p}n
G=$((30000 + $$ % 10000))
ip netns add "$N" || fail "netns"
at_exit "ip netns del $N"
ip -n "$N" link set lo up
NET_ADMIN=0000000000001000	# 1 << CAP_NET_ADMIN (12)
table() { ip netns exec "$N" nft list table inet flowpol >/dev/null 2>&1; }
field() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$2/status"; }
check_caps() {	# PID WHO
	local f
	for f in CapEff CapPrm CapAmb; do
		[ "$(field $f "$1")" = $NET_ADMIN ] || fail "$2: $f is $(field $f "$1"), want $NET_ADMIN"
	done
	[ "$(field NoNewPrivs "$1")" = 1 ] || fail "$2: no_new_privs not set"
}

# 1. As root.
ip netns exec "$N" "$FLOWPOL" collect --db "$WORK/root.db" --group $G --install-rule --node n1 >root.out 2>root.err &
pid=$!
at_exit "kill $pid 2>/dev/null"
wait_for "the collector's table" table
[ "$(cat /proc/$pid/comm)" = flowpol ] || fail "pid $pid is not the collector"
check_caps $pid root
[ "$(field CapBnd $pid)" = $NET_ADMIN ] || fail "root: bounding set $(field CapBnd $pid)"
kill -TERM $pid; wait $pid; rc=$?
[ $rc -eq 0 ] || fail "collector exited $rc after SIGTERM: $(cat root.err)"
table && fail "the table is still there: nft could not remove it"

# 2. With file capabilities, as nobody.
mkdir -m 755 fc && cp "$FLOWPOL" fc/flowpol && setcap cap_net_admin+ep fc/flowpol || fail "setcap"
chmod 755 "$WORK"; chmod 777 fc
ip netns exec "$N" setpriv --reuid=65534 --regid=65534 --clear-groups \
	fc/flowpol collect --db "$WORK/fc/fc.db" --group $G --install-rule --node n1 >fc.out 2>fc.err &
pid=$!
at_exit "kill $pid 2>/dev/null"
wait_for "the file-capability collector's table ($(cat fc.err))" table
check_caps $pid "file capabilities"
kill -TERM $pid; wait $pid; rc=$?
[ $rc -eq 0 ] || fail "file-capability collector exited $rc: $(cat fc.err)"
table && fail "the table is still there after the file-capability collector"

# 3. Root without CAP_NET_ADMIN: said so, not "held by another process".
ip netns exec "$N" setpriv --bounding-set=-net_admin "$FLOWPOL" collect --db "$WORK/no.db" --group $G 2>no.err; rc=$?
[ $rc -eq 2 ] || fail "without CAP_NET_ADMIN exited $rc"
grep -q "lacks CAP_NET_ADMIN" no.err || fail "message: $(cat no.err)"

# 4. Disk full at SIGTERM: the final write fails, and what is lost is said.
ip netns exec "$N" nft -f - <<NFT || fail "nft"
table inet fpptest {
	chain out {
		type filter hook output priority 0; policy accept;
		ct state new log group $G
	}
}
NFT
export FLOWPOL WORK N G
unshare -m bash -c '
	mkdir -p "$WORK/small" && mount -t tmpfs -o size=512k tmpfs "$WORK/small" || exit 3
	ip netns exec "$N" "$FLOWPOL" collect --db "$WORK/small/c.db" --group $G --node n1 --flush-interval 3600 2>"$WORK/full.err" &
	pid=$!
	for i in $(seq 100); do
		ip netns exec "$N" awk -v g=$G "\$1 == g { f = 1 } END { exit !f }" /proc/net/netfilter/nfnetlink_log && break
		sleep 0.1
	done
	for port in 1 2 3 4 5; do ip netns exec "$N" bash -c "echo >/dev/tcp/127.0.0.1/$port" 2>/dev/null; done
	dd if=/dev/zero of="$WORK/small/fill" bs=4k 2>/dev/null
	kill -TERM $pid; wait $pid; echo $? >"$WORK/full.rc"' || fail "disk-full setup ($?)"
[ "$(cat full.rc)" = 2 ] || fail "collector on a full disk exited $(cat full.rc): $(cat full.err)"
grep -q "dropped: 5 flows from 5 events received since the last write were not stored" full.err ||
	fail "message: $(cat full.err)"
pass
