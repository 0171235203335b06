#!/bin/bash
# End to end through the real kernel: the seed's pods as network namespaces
# behind a "node" namespace with Calico-like cali* veths, the seed's calls
# as real UDP/TCP traffic, logged by an nft rule to NFLOG and recorded by the
# live collector; then inventory (samples/seed/inventory.json), learn, emit.
# The emitted files equal samples/seed/policies/ and pass the proof.
# Traffic stays inside namespaces this test creates (no default route).
. "$FLOWPOL_SRC/tests/lib.sh"
. "$FLOWPOL_SRC/tests/emitter/lib.sh"
need_root_netns
: "${FPTRAFFIC:?}"
S=$FLOWPOL_SRC/samples/seed
G=$((3000 + $$ % 20000))	# an NFLOG group of our own
p=fpe$$
node=${p}n
nss=()
at_exit 'for ns in "${nss[@]}"; do ip netns del "$ns" 2>/dev/null; done'
ip netns add "$node"; nss+=("$node")
ip -n "$node" link set lo up
ip netns exec "$node" sysctl -qw net.ipv4.ip_forward=1
ip netns exec "$node" nft -f - <<NFT || fail "nft"
table inet ${p} {
	chain forward {
		type filter hook forward priority 0; policy accept;
		ct state new log group $G
	}
}
NFT

declare -A podns
i=0
pod() {	# pod NAMESPACE NAME IP: as samples/seed/record.sh lays them out
	local kns=$1 name=$2 ip=$3 ns if
	ns=${p}p$i; i=$((i + 1))
	if=cali$(printf '%s' "$kns.$name" | sha1sum | cut -c1-11)
	ip netns add "$ns"; nss+=("$ns")
	ip -n "$ns" link set lo up
	ip link add name eth0 netns "$ns" type veth peer name "$if" netns "$node" || fail "veth"
	ip -n "$ns" addr add "$ip/32" dev eth0
	ip -n "$ns" link set eth0 up
	ip -n "$node" link set "$if" address ee:ee:ee:ee:ee:ee
	ip -n "$ns" route add 169.254.1.1 dev eth0 scope link
	ip -n "$ns" neigh add 169.254.1.1 lladdr ee:ee:ee:ee:ee:ee dev eth0 nud permanent
	ip -n "$ns" route add 10.244.0.0/16 via 169.254.1.1 dev eth0
	ip -n "$node" link set "$if" up
	ip -n "$node" route add "$ip/32" dev "$if" scope link
	podns[$kns/$name]=$ns
}
pod kube-system coredns 10.244.0.10
pod namespace1 busybox 10.244.1.11
pod namespace1 nginx 10.244.1.12
pod namespace2 busybox 10.244.2.11
pod namespace2 nginx 10.244.2.12
pod ntierapp frontend 10.244.3.11
pod ntierapp backend 10.244.3.12

bound() { ip netns exec "$node" awk -v g="$G" '$1 == g { f = 1 } END { exit !f }' /proc/net/netfilter/nfnetlink_log; }

bg dns "${podns[kube-system/coredns]}" "$FPTRAFFIC" serve udp 10.244.0.10 53
bg web1 "${podns[namespace1/nginx]}" "$FPTRAFFIC" serve tcp 10.244.1.12 80
bg web2 "${podns[namespace2/nginx]}" "$FPTRAFFIC" serve tcp 10.244.2.12 80
bg be "${podns[ntierapp/backend]}" "$FPTRAFFIC" serve tcp 10.244.3.12 80
bg live "$node" "$FLOWPOL" collect --db "$FLOWPOL_DB" --group "$G" --node staging-node-1 --flush-interval 1
wait_for servers bash -c 'cat dns.out web1.out web2.out be.out | grep -c ready | grep -qx 4'
wait_for "collector on group $G" bound

run() { ip netns exec "${podns[$1]}" "$FPTRAFFIC" "${@:2}" >/dev/null || fail "traffic $*"; }
run namespace1/busybox udp 10.244.0.10 53 2
run namespace2/busybox udp 10.244.0.10 53 2
run ntierapp/frontend udp 10.244.0.10 53 2
run namespace1/busybox tcp 10.244.1.12 80 3
run namespace1/busybox tcp 10.244.2.12 80 2
run ntierapp/frontend tcp 10.244.3.12 80 4
sleep 2	# the kernel batches NFLOG for up to 1 s
kill -TERM "$pid_live"; wait "$pid_live" || fail "collector exited $?: $(cat live.err)"

"$FLOWPOL" inventory --at 2026-11-26T10:00:00Z "$S/inventory.json" >/dev/null 2>err.txt ||
	fail "inventory: $(cat err.txt)"
"$FLOWPOL" learn >learn.txt 2>err.txt || fail "learn: $(cat err.txt)"
"$FLOWPOL" emit --out out 2>err.txt || fail "emit: $(cat err.txt)"
diff -r "$GOLD" out || fail "live pipeline output differs from samples/seed/policies"
P --db "$FLOWPOL_DB" --policies out >proof.txt 2>&1 || fail "proof: $(cat proof.txt)"
grep -q "0 counterexamples, 0 undecided" proof.txt || fail "engine proof: $(cat proof.txt)"
pass
