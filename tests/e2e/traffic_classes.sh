#!/usr/bin/env bash
# Real-cluster traffic classes through the real kernel: two network
# namespaces play nodes joined by an uplink, pods hang off them by cali*
# veths (wired as in collect_install_rule.sh), each node runs `collect
# --install-rule`. Traffic: kubelet-like probes from each pod's own node
# (IPv4 and IPv6), the other node calling a pod, a pod calling a
# hostNetwork listener on a node (node-exporter), pods asking a node-local
# DNS address (169.254.20.10 on each node), pod to pod across the nodes.
# learn + emit: no node /32 or /128 outside the node set, diff right after
# emit exits 0. Then the same cluster with the pods on the other node (new
# names and addresses) gives byte-identical files, and with both nodes
# replaced (new names and addresses) only the node set file changes.
# Traffic stays in the namespaces this test creates (no default route).
set -u
. "$(dirname "$0")/../lib.sh"
need_root_netns
: "${FPTRAFFIC:?FPTRAFFIC must name the built traffic tool}"

G=$((10000 + $$ % 10000))
nsx() { ip netns exec "$@"; }
mkns() {
	ip netns add "$1" || fail "ip netns add $1"
	at_exit "ip netns del $1"
	nsx "$1" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
	ip -n "$1" link set lo up
}

# cluster RUN NODE1 NODE2 A1 A2 PLACE: one cluster. Nodes NODE1, NODE2 with
# uplink addresses 10.64.0.A1/A2 and fd64::A1/A2; PLACE "ab" puts web on
# node 1 and cart and app on node 2, "ba" the other way round (with other
# pod names and addresses). Leaves RUN.db learned and RUN/ emitted.
cluster() {
	local run=$1 n1=$2 n2=$3 a1=$4 a2=$5 place=$6 p=fpt$$$1 i
	local N1=${p}a N2=${p}b sfx web_n cart_n web_i cart_i app_i
	mkns "$N1"; mkns "$N2"
	for n in "$N1" "$N2"; do
		nsx "$n" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
		# NodeLocal DNSCache's address, local to each node (its own
		# dummy interface in a cluster; lo here)
		ip -n "$n" addr add 169.254.20.10/32 dev lo scope link
	done
	ip link add "${p}u" netns "$N1" type veth peer name "${p}v" netns "$N2"
	ip -n "$N1" addr add "10.64.0.$a1/24" dev "${p}u"
	ip -n "$N2" addr add "10.64.0.$a2/24" dev "${p}v"
	ip -n "$N1" addr add "fd64::$a1/64" dev "${p}u" nodad
	ip -n "$N2" addr add "fd64::$a2/64" dev "${p}v" nodad
	ip -n "$N1" link set "${p}u" up
	ip -n "$N2" link set "${p}v" up
	ip -n "$N1" route add 169.254.1.1/32 dev "${p}u"
	ip -n "$N2" route add 169.254.1.1/32 dev "${p}v"
	ip -n "$N1" route add 10.65.2.0/24 via "10.64.0.$a2"
	ip -n "$N2" route add 10.65.1.0/24 via "10.64.0.$a1"
	ip -n "$N1" -6 route add fd65:2::/64 via "fd64::$a2"
	ip -n "$N2" -6 route add fd65:1::/64 via "fd64::$a1"
	# pod NAME NODE(1|2) INDEX: 10.65.NODE.INDEX, fd65:NODE::INDEX
	pod() {
		local name=$1 k=$2 idx=$3 ns=${p}$1 host node src src6
		node=$([ "$k" = 1 ] && echo "$N1" || echo "$N2")
		src=10.64.0.$([ "$k" = 1 ] && echo "$a1" || echo "$a2")
		src6=fd64::$([ "$k" = 1 ] && echo "$a1" || echo "$a2")
		host=cali$(printf '%s' "$p.$name" | sha1sum | cut -c1-11)
		mkns "$ns"
		ip link add "$host" netns "$node" type veth peer name eth0 netns "$ns"
		ip -n "$node" link set "$host" address ee:ee:ee:ee:ee:ee
		nsx "$node" sysctl -qw "net.ipv4.conf.$host.proxy_arp=1" \
			"net.ipv4.neigh.$host.proxy_delay=0"
		ip -n "$node" link set "$host" up
		ip -n "$node" route add "10.65.$k.$idx/32" dev "$host" src "$src"
		ip -n "$node" -6 route add "fd65:$k::$idx/128" dev "$host" src "$src6"
		ip -n "$ns" addr add "10.65.$k.$idx/32" dev eth0
		ip -n "$ns" addr add "fd65:$k::$idx/128" dev eth0 nodad
		ip -n "$ns" link set eth0 up
		ip -n "$ns" route add 169.254.1.1 dev eth0 scope link
		ip -n "$ns" route add 10.64.0.0/14 via 169.254.1.1 dev eth0
		ip -n "$ns" route add 169.254.20.10 via 169.254.1.1 dev eth0
		ip -n "$ns" -6 route add fd64::/16 via fe80::ecee:eeff:feee:eeee dev eth0
	}
	if [ "$place" = ab ]; then
		web_n=1 cart_n=2 web_i=10 cart_i=20 app_i=30 sfx=aaaaa
	else
		web_n=2 cart_n=1 web_i=11 cart_i=21 app_i=31 sfx=zzzzz
	fi
	pod web $web_n $web_i
	pod cart $cart_n $cart_i
	pod app $cart_n $app_i
	local web=10.65.$web_n.$web_i web6=fd65:$web_n::$web_i cart=10.65.$cart_n.$cart_i
	local wn=${p}$([ $web_n = 1 ] && echo a || echo b) cn=${p}$([ $cart_n = 1 ] && echo a || echo b)
	local wa=$([ $web_n = 1 ] && echo "$a1" || echo "$a2") oa=$([ $web_n = 1 ] && echo "$a2" || echo "$a1")
	local on=${p}$([ $web_n = 1 ] && echo b || echo a)
	bg "w$run" "${p}web" "$FPTRAFFIC" serve tcp "$web" 8080
	bg "w6$run" "${p}web" "$FPTRAFFIC" serve tcp "$web6" 8080
	bg "c$run" "${p}cart" "$FPTRAFFIC" serve tcp "$cart" 8081
	bg "x$run" "${p}a" "$FPTRAFFIC" serve tcp "10.64.0.$a1" 9100
	bg "d1$run" "${p}a" "$FPTRAFFIC" serve udp 169.254.20.10 53
	bg "d2$run" "${p}b" "$FPTRAFFIC" serve udp 169.254.20.10 53
	wait_for "$run: servers" bash -c "cat w$run.out w6$run.out c$run.out x$run.out d1$run.out d2$run.out | grep -c ready | grep -qx 6"
	traffic() {
		nsx "$wn" "$FPTRAFFIC" tcp "$web" 8080 2 >/dev/null &&	# probe, own node
		nsx "$wn" "$FPTRAFFIC" tcp "$web6" 8080 1 >/dev/null &&
		nsx "$cn" "$FPTRAFFIC" tcp "$cart" 8081 2 >/dev/null &&
		nsx "$on" "$FPTRAFFIC" tcp "$web" 8080 1 >/dev/null &&	# the other node
		nsx "$on" "$FPTRAFFIC" tcp "$web6" 8080 1 >/dev/null &&
		nsx "${p}app" "$FPTRAFFIC" tcp "$web" 8080 2 >/dev/null &&	# pod to pod
		nsx "${p}app" "$FPTRAFFIC" tcp "10.64.0.$a1" 9100 1 >/dev/null &&	# hostNetwork
		nsx "${p}web" "$FPTRAFFIC" udp 169.254.20.10 53 2 >/dev/null &&	# node-local DNS
		nsx "${p}app" "$FPTRAFFIC" udp 169.254.20.10 53 1 >/dev/null
	}
	traffic || fail "$run: warming up"
	bg "ca$run" "${p}a" "$FLOWPOL" collect --db "$run-a.db" --group "$G" --node "$n1" \
		--flush-interval 1 --install-rule
	bg "cb$run" "${p}b" "$FLOWPOL" collect --db "$run-b.db" --group "$G" --node "$n2" \
		--flush-interval 1 --install-rule
	wait_for "$run: collector tables" bash -c "ip netns exec ${p}a nft list table inet flowpol && ip netns exec ${p}b nft list table inet flowpol" >/dev/null 2>&1
	traffic || fail "$run: traffic"
	sleep 2
	local pa pb
	eval "pa=\$pid_ca$run pb=\$pid_cb$run"
	kill -TERM "$pa" "$pb"
	wait "$pa" || fail "$run: collector a exited $?"
	wait "$pb" || fail "$run: collector b exited $?"
	/usr/bin/python3 - "$run" "$n1" "$n2" "$a1" "$a2" "$place" >"$run.json" <<'PY'
import json, sys
run, n1, n2, a1, a2, place = sys.argv[1:]
T = "2026-12-01T09:00:00Z"
web_n, cart_n = (1, 2) if place == "ab" else (2, 1)
idx = (10, 20, 30) if place == "ab" else (11, 21, 31)
sfx = "aaaaa" if place == "ab" else "zzzzz"
nodes = {1: n1, 2: n2}
addr = {1: a1, 2: a2}
def pod(ns, name, node, labels, owner, ips=(), host=False, ports=()):
    p = {"kind": "Pod", "metadata": {"name": name, "namespace": ns, "uid": run + name,
         "creationTimestamp": T, "labels": labels,
         "ownerReferences": [{"kind": owner[0], "name": owner[1], "controller": True}]},
         "spec": {"nodeName": node, "hostNetwork": host, "containers": [{"name": "c",
                  "ports": [{"containerPort": pt, "protocol": pr} for pt, pr in ports]}]},
         "status": {"phase": "Running"}}
    if ips:
        p["status"]["podIPs"] = [{"ip": i} for i in ips]
    return p
items = [{"kind": "Namespace", "metadata": {"name": n}} for n in ("kube-system", "monitoring", "shop")]
for k in (1, 2):
    items.append({"kind": "Node", "metadata": {"name": nodes[k], "creationTimestamp": T},
                  "spec": {"podCIDRs": ["10.65.%d.0/24" % k, "fd65:%d::/64" % k]},
                  "status": {"addresses": [{"type": "InternalIP", "address": "10.64.0.%s" % addr[k]},
                                           {"type": "InternalIP", "address": "fd64::%s" % addr[k]}]}})
    items.append(pod("kube-system", "node-local-dns-%s" % nodes[k], nodes[k],
                     {"k8s-app": "node-local-dns"}, ("DaemonSet", "node-local-dns"),
                     host=True, ports=((53, "UDP"),)))
items.append(pod("monitoring", "node-exporter-%s" % n1, n1, {"app": "node-exporter"},
                 ("DaemonSet", "node-exporter"), host=True, ports=((9100, "TCP"),)))
for name, k, i, lab in (("web", web_n, idx[0], "web"), ("cart", cart_n, idx[1], "cart"),
                        ("app", cart_n, idx[2], "app")):
    items.append(pod("shop", "%s-5d4c3b2a1-%s" % (name, sfx), nodes[k],
                     {"app": lab, "pod-template-hash": "5d4c3b2a1"},
                     ("ReplicaSet", name + "-5d4c3b2a1"),
                     ["10.65.%d.%d" % (k, i), "fd65:%d::%d" % (k, i)]))
json.dump({"kind": "List", "items": items}, sys.stdout, indent=1)
PY
	"$FLOWPOL" merge "$run.db" "$run-a.db" "$run-b.db" >/dev/null || fail "$run: merge"
	"$FLOWPOL" inventory --db "$run.db" --at 2026-12-01T10:00:00Z "$run.json" >/dev/null ||
		fail "$run: inventory"
	"$FLOWPOL" learn --db "$run.db" >"$run.learn" 2>&1 || fail "$run: learn: $(cat "$run.learn")"
	"$FLOWPOL" emit --db "$run.db" --out "$run" 2>"$run.emit" || fail "$run: emit: $(cat "$run.emit")"
	"$FLOWPOL" diff --db "$run.db" --policies "$run" >"$run.diff" ||
		fail "$run: diff right after emit: $(cat "$run.diff")"
	for i in "${p}web" "${p}cart" "${p}app" "${p}a" "${p}b"; do
		ip netns pids "$i" | xargs -r kill 2>/dev/null
	done
}

cluster r1 node-a node-b 1 2 ab
grep -q "flows from a pod's own node need no rule" r1.learn || fail "no host-local traffic: $(cat r1.learn)"
"$FLOWPOL" edges --db r1.db | cut -f1-4 | LC_ALL=C sort >r1.edges
cat >want.edges <<'X'
node:10.64.0.2	shop/web	tcp	8080
node:fd64::2	shop/web	tcp	8080
shop/app	kube-system/node-local-dns	udp	53
shop/app	monitoring/node-exporter	tcp	9100
shop/app	shop/web	tcp	8080
shop/web	kube-system/node-local-dns	udp	53
src	dst	proto	port
X
diff -u want.edges r1.edges || fail "r1: edges"
grep -l '10\.64\.0\.[0-9]*/32\|fd64::[0-9]*/128' r1/*.yaml | grep -qv flowpol-nodes.yaml &&
	fail "r1: a node address pinned in a policy"
[ -e r1/flowpol-nodes.yaml ] || fail "r1: no node set"
cluster r2 node-a node-b 1 2 ba
diff -r r1 r2 || fail "pods on the other node changed the policies"
cluster r3 node-c node-d 5 6 ab
[ "$(diff -rq r1 r3)" = "Files r1/flowpol-nodes.yaml and r3/flowpol-nodes.yaml differ" ] ||
	fail "replacing the nodes: $(diff -r r1 r3)"
pass
