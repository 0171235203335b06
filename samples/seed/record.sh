#!/usr/bin/env bash
# Re-record samples/seed/capture.pcap: the seed scenario's traffic, sent
# between network namespaces through the real kernel and logged by an nft
# `ct state new log group N` rule on the node's forward hook, captured with
# `tcpdump -i nflog:N -w`. Then write flows.tsv, its expected `flowpol flows`
# output (node label staging-node-1, default 600 s window).
#
# Needs root, iproute2, nftables, tcpdump, and a build (bash scripts/test.sh):
#   bash samples/seed/record.sh [BUILD_DIR]
#
# Layout (all IPv4, as Calico routes it): one "node" namespace routes /32s
# to one namespace per pod over veths named like Calico's (cali + 11 hex of
# sha1("namespace.pod")), whose MAC ee:ee:ee:ee:ee:ee stands for the pods'
# gateway 169.254.1.1. No namespace has a default route: traffic cannot leave.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
build=${1:-$src/build}
FLOWPOL=${FLOWPOL:-$build/flowpol}
FPTRAFFIC=${FPTRAFFIC:-$build/tests/fptraffic}
GROUP=${GROUP:-40}
[ "$(id -u)" -eq 0 ] || { echo "record.sh: needs root" >&2; exit 2; }
[ -x "$FLOWPOL" ] && [ -x "$FPTRAFFIC" ] || { echo "record.sh: build first" >&2; exit 2; }

p=fpc$$
work=$(mktemp -d /tmp/flowpol-seed.XXXXXX)
pids=()
nss=()
cleanup() {
	local i
	for ((i = ${#pids[@]} - 1; i >= 0; i--)); do kill "${pids[i]}" 2>/dev/null || true; wait "${pids[i]}" 2>/dev/null || true; done
	for ns in "${nss[@]}"; do ip netns del "$ns" 2>/dev/null || true; done
	rm -rf "$work"
}
trap cleanup EXIT

node=${p}node
ip netns add "$node"; nss+=("$node")
ip -n "$node" link set lo up
ip netns exec "$node" sysctl -qw net.ipv4.ip_forward=1
ip netns exec "$node" nft -f - <<NFT
table inet fpcseed {
	chain forward {
		type filter hook forward priority 0; policy accept;
		ct state new log group $GROUP
	}
}
NFT

# pod NAMESPACE NAME IP: a namespace for the pod, a cali* veth to the node.
i=0
declare -A podns
pod() {
	local kns=$1 name=$2 ip=$3 ns if
	ns=${p}p$i; i=$((i + 1))
	if=cali$(printf '%s' "$kns.$name" | sha1sum | cut -c1-11)
	ip netns add "$ns"; nss+=("$ns")
	ip -n "$ns" link set lo up
	ip link add name eth0 netns "$ns" type veth peer name "$if" netns "$node"
	ip -n "$ns" addr add "$ip/32" dev eth0
	ip -n "$ns" link set eth0 up
	# Calico's host side answers for the gateway with ee:ee:ee:ee:ee:ee;
	# a permanent entry does it here, with no route out to proxy ARP for.
	ip -n "$node" link set "$if" address ee:ee:ee:ee:ee:ee
	ip -n "$ns" route add 169.254.1.1 dev eth0 scope link
	ip -n "$ns" neigh add 169.254.1.1 lladdr ee:ee:ee:ee:ee:ee dev eth0 nud permanent
	ip -n "$ns" route add 10.244.0.0/16 via 169.254.1.1 dev eth0
	ip netns exec "$node" sysctl -qw "net.ipv4.conf.$if.proxy_arp=1"
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

serve() {	# serve POD tcp|udp IP PORT
	ip netns exec "${podns[$1]}" "$FPTRAFFIC" serve "$2" "$3" "$4" >"$work/serve.$BASHPID" &
	pids+=($!)
}
serve kube-system/coredns udp 10.244.0.10 53
serve namespace1/nginx tcp 10.244.1.12 80
serve namespace2/nginx tcp 10.244.2.12 80
serve ntierapp/backend tcp 10.244.3.12 80

ip netns exec "$node" tcpdump -i "nflog:$GROUP" -U -w "$work/capture.pcap" 2>"$work/tcpdump.err" &
tcpdump=$!
pids+=($tcpdump)
for _ in $(seq 100); do
	grep -q listening "$work/tcpdump.err" 2>/dev/null && [ "$(cat "$work"/serve.* | grep -c ready)" -eq 4 ] && break
	sleep 0.1
done
grep -q listening "$work/tcpdump.err" || { cat "$work/tcpdump.err" >&2; exit 1; }

run() { ip netns exec "${podns[$1]}" "$FPTRAFFIC" "${@:2}"; }
run namespace1/busybox udp 10.244.0.10 53 2
run namespace2/busybox udp 10.244.0.10 53 2
run ntierapp/frontend udp 10.244.0.10 53 2
run namespace1/busybox tcp 10.244.1.12 80 3
run namespace1/busybox tcp 10.244.2.12 80 2
run ntierapp/frontend tcp 10.244.3.12 80 4

# libpcap's NFLOG reader leaves the kernel's 1 s batching timeout in place.
sleep 2
kill -INT "$tcpdump"; wait "$tcpdump" || true
grep -q "^15 packets captured" "$work/tcpdump.err" || { cat "$work/tcpdump.err" >&2; exit 1; }
cp "$work/capture.pcap" "$here/capture.pcap"
rm -f "$work/seed.db"
"$FLOWPOL" collect --db "$work/seed.db" --pcap "$here/capture.pcap" --node staging-node-1
"$FLOWPOL" flows --db "$work/seed.db" >"$here/flows.tsv"
cat "$here/flows.tsv"
