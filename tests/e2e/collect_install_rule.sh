#!/usr/bin/env bash
# Learn mode on a node: `collect --install-rule` with no hand-written nft
# rule. A network namespace plays the node; "pod" namespaces hang off it by
# veths wired the way Calico wires them (node side named cali + 11 hex
# digits of sha1("<ns>.<pod>"), /32 and /128 routes, proxy ARP, forwarding,
# the pod's gateway 169.254.1.1 and fe80::ecee:eeff:feee:eeee), one pod
# named like Azure CNI's (azv...), and one plain uplink to a namespace
# playing another host. Real TCP and UDP between pods, pod to node, node to
# pod and host to pod; the stored flows must be exactly what was sent over
# the selected interfaces, each connection once; after SIGTERM (and SIGINT)
# the table is gone. Then: a table in the way (exit 2, untouched),
# --replace-rule, and bad globs.
set -u
. "$(dirname "$0")/../lib.sh"
need_root_netns
: "${FPTRAFFIC:?FPTRAFFIC must name the built traffic tool}"

p=fpr$$
N=${p}n X=${p}x
G=$((20000 + $$ % 10000))
nsx() { ip netns exec "$@"; }
mkns() {	# mkns NAME: a namespace without DAD delays, removed at exit
	ip netns add "$1" || fail "ip netns add $1"
	at_exit "ip netns del $1"
	nsx "$1" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
	ip -n "$1" link set lo up
}
mkns "$N"
mkns "$X"
nsx "$N" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1

# The uplink: node 10.64.0.1, other host 10.64.0.2. Like a node's eth0 it
# carries the route to 169.254.1.1, which makes proxy ARP on the cali
# interfaces answer for the pods' gateway.
ip link add "${p}u" netns "$N" type veth peer name "${p}x" netns "$X"
ip -n "$N" addr add 10.64.0.1/24 dev "${p}u"
ip -n "$X" addr add 10.64.0.2/24 dev "${p}x"
ip -n "$N" link set "${p}u" up
ip -n "$X" link set "${p}x" up
ip -n "$N" route add 169.254.1.1/32 dev "${p}u"
ip -n "$X" route add 10.65.0.0/24 via 10.64.0.1

# pod NAME IFPREFIX INDEX: a pod namespace with 10.65.0.INDEX and
# fd65::INDEX, its node-side veth IFPREFIX + sha1("default.NAME")[:11].
pod() {
	local ns=${p}$1 i=$3 host
	host=$2$(printf '%s' "default.$1-$$" | sha1sum | cut -c1-11)
	mkns "$ns"
	ip link add "$host" netns "$N" type veth peer name "${p}e" netns "$ns"
	ip -n "$N" link set "$host" address ee:ee:ee:ee:ee:ee
	# As Felix does: proxy ARP answers at once (no proxy_delay), so a first
	# SYN does not wait long enough to be retransmitted (and logged twice).
	nsx "$N" sysctl -qw "net.ipv4.conf.$host.proxy_arp=1" \
		"net.ipv4.neigh.$host.proxy_delay=0"
	ip -n "$N" link set "$host" up
	ip -n "$N" route add "10.65.0.$i/32" dev "$host"
	ip -n "$N" -6 route add "fd65::$i/128" dev "$host"
	ip -n "$ns" addr add "10.65.0.$i/32" dev "${p}e"
	ip -n "$ns" addr add "fd65::$i/128" dev "${p}e"
	ip -n "$ns" link set "${p}e" up
	ip -n "$ns" route add 169.254.1.1 dev "${p}e" scope link
	ip -n "$ns" route add 10.64.0.0/15 via 169.254.1.1 dev "${p}e"
	ip -n "$ns" -6 route add fd65::/64 via fe80::ecee:eeff:feee:eeee dev "${p}e"
	eval "if_$1=$host"
}
pod p1 cali 1
pod p2 cali 2
pod p3 cali 3
pod p4 azv 4
case "$if_p1$if_p4" in cali[0-9a-f][0-9a-f][0-9a-f]*azv[0-9a-f]*) ;; *) fail "names: $if_p1 $if_p4" ;; esac

has_table() { nsx "$N" nft list table inet flowpol >/dev/null 2>&1; }
tables() { nsx "$N" nft list tables; }

bg s1 "${p}p1" "$FPTRAFFIC" serve tcp 10.65.0.1 7070
bg s2 "${p}p2" "$FPTRAFFIC" serve tcp 10.65.0.2 8080
bg s2b "${p}p2" "$FPTRAFFIC" serve tcp fd65::2 8443
bg s3 "${p}p3" "$FPTRAFFIC" serve udp 10.65.0.3 53
bg s3b "${p}p3" "$FPTRAFFIC" serve tcp 10.65.0.3 9090
bg s4 "${p}p4" "$FPTRAFFIC" serve udp 10.65.0.4 5353
bg sn "$N" "$FPTRAFFIC" serve tcp 10.64.0.1 10250
wait_for "servers" bash -c 'cat s*.out | grep -c ready | grep -qx 7'

run() { local ns=$1; shift; nsx "$ns" "$FPTRAFFIC" "$@" || fail "fptraffic in $ns: $*"; }
traffic() {
	run "${p}p1" tcp 10.65.0.2 8080 3	# pod to pod (forward)
	run "${p}p1" tcp fd65::2 8443 2		# the same over IPv6
	run "${p}p2" udp 10.65.0.3 53 4		# pod to pod, UDP
	run "${p}p1" tcp 10.64.0.1 10250 2	# pod to node (input)
	run "$N" tcp 10.65.0.3 9090 2		# node to pod (output)
	run "$X" tcp 10.65.0.1 7070 1		# other host to pod (forward, out cali)
	run "${p}p4" tcp 10.65.0.2 8080 2	# azure pod to calico pod
	run "${p}p4" tcp 10.64.0.1 10250 1	# azure pod to node
	run "$N" udp 10.65.0.4 5353 3		# node to azure pod
	run "$X" tcp 10.64.0.1 10250 2		# other host to node: never logged
}
# Rows as flows prints them (src dst proto dport packets), sorted.
calico_rows='10.64.0.1	10.65.0.3	tcp	9090	2
10.64.0.2	10.65.0.1	tcp	7070	1
10.65.0.1	10.64.0.1	tcp	10250	2
10.65.0.1	10.65.0.2	tcp	8080	3
10.65.0.2	10.65.0.3	udp	53	4
10.65.0.4	10.65.0.2	tcp	8080	2
fd65::1	fd65::2	tcp	8443	2'
azure_rows='10.64.0.1	10.65.0.4	udp	5353	3
10.65.0.4	10.64.0.1	tcp	10250	1'
calico_total=16 azure_total=4

# collect_run TAG SIGNAL WANT_ROWS WANT_TOTAL options...: start the
# collector in the node, wait for its table, send the traffic, stop it with
# SIGNAL; exit 0, the table gone, exactly WANT_ROWS stored.
collect_run() {
	local tag=$1 sig=$2 want=$3 total=$4 rc h; shift 4
	has_table && fail "$tag: a flowpol table before the start: $(tables)"
	bg "c$tag" "$N" "$FLOWPOL" collect --db "$tag.db" --group "$G" \
		--node node-1 --flush-interval 1 --install-rule "$@"
	local pid; eval "pid=\$pid_c$tag"
	wait_for "$tag: the collector's table" has_table
	nsx "$N" nft list table inet flowpol >"$tag.nft"
	traffic
	kill "-$sig" "$pid"; wait "$pid"; rc=$?
	[ $rc -eq 0 ] || fail "$tag: collector exited $rc after SIG$sig: $(cat "c$tag.err")"
	[ -s "c$tag.err" ] && fail "$tag: collector warned: $(cat "c$tag.err")"
	has_table && fail "$tag: table still there after SIG$sig: $(tables)"
	tables | grep -q . && fail "$tag: tables left in the node: $(tables)"
	"$FLOWPOL" flows --db "$tag.db" >"$tag.tsv" || fail "$tag: flows exited $?"
	tail -n +2 "$tag.tsv" | cut -f3-7 | LC_ALL=C sort >"$tag.got"
	printf '%s\n' "$want" | LC_ALL=C sort >"$tag.want"
	diff -u "$tag.want" "$tag.got" || fail "$tag: stored flows differ from what was sent"
	h=$(/usr/bin/python3 -c 'import sqlite3,sys
print(sqlite3.connect(sys.argv[1]).execute("select sum(received), sum(decoded), sum(lost) from health").fetchone())' "$tag.db")
	[ "$h" = "($total, $total, 0)" ] || fail "$tag: health $h, want $total events, none lost"
}

# Once with nobody logging: ARP and neighbour caches are warm, so no first
# SYN waits on address resolution long enough to be sent (and logged) twice.
traffic

# Default: Calico's cali* only; the azure pod's own traffic is not logged,
# but its connection to a calico pod is (it leaves through a cali interface).
collect_run default TERM "$calico_rows" "$calico_total"
# The ruleset: three base chains at filter - 10, the group and snaplen.
grep -q "table inet flowpol" default.nft || fail "ruleset: $(cat default.nft)"
for h in forward input output; do
	grep -q "type filter hook $h priority filter - 10; policy accept;" default.nft ||
		fail "no $h chain at filter - 10: $(cat default.nft)"
done
grep -q "log group $G snaplen 128" default.nft || fail "log rule: $(cat default.nft)"
grep -q azv default.nft && fail "azv in the default ruleset: $(cat default.nft)"

# Both CNIs' interfaces, stopped with SIGINT; a connection from an azv pod
# to a cali pod matches two globs and is still logged once.
collect_run both INT "$calico_rows
$azure_rows" $((calico_total + azure_total)) --interfaces 'cali*' --interfaces 'azv*'
grep -q 'iifname "azv\*"' both.nft || fail "no azv rule: $(cat both.nft)"
# The same as one comma-separated value.
collect_run comma TERM "$calico_rows
$azure_rows" $((calico_total + azure_total)) --interfaces 'cali*,azv*'

# A table in the way: refused with exit 2, the name and the fix, and left
# exactly as it was; nothing stored.
nsx "$N" nft -f - <<'NFT' || fail "nft"
table inet flowpol {
	chain stale { }
}
NFT
nsx "$N" nft list ruleset >before.nft
nsx "$N" "$FLOWPOL" collect --db stale.db --group "$G" --node node-1 \
	--install-rule 2>err.txt
rc=$?
[ $rc -eq 2 ] || fail "start with a table in the way exited $rc, want 2: $(cat err.txt)"
grep -q "^flowpol: collect: nft table 'inet flowpol' already exists" err.txt || fail "message: $(cat err.txt)"
grep -q "nft delete table inet flowpol" err.txt && grep -q -- "--replace-rule" err.txt ||
	fail "message lacks the fix: $(cat err.txt)"
nsx "$N" nft list ruleset | diff -u before.nft - || fail "the table in the way was changed"
# The group is free again: the refused collector let go of it.
nsx "$N" awk -v g="$G" '$1 == g { f = 1 } END { exit f }' /proc/net/netfilter/nfnetlink_log ||
	fail "group $G still bound after the refusal"
# --replace-rule: the stale table is replaced in one transaction by the
# collector's, which is removed at the end.
bg crep "$N" "$FLOWPOL" collect --db replace.db --group "$G" --node node-1 \
	--flush-interval 1 --install-rule --replace-rule
wait_for "the collector's table in place of the stale one" \
	bash -c "ip netns exec $N nft list table inet flowpol 2>/dev/null | grep -q log_new"
nsx "$N" nft list table inet flowpol | grep -q stale && fail "stale chain kept by --replace-rule"
run "${p}p1" tcp 10.65.0.2 8080 1
kill -TERM "$pid_crep"; wait "$pid_crep"; rc=$?
[ $rc -eq 0 ] || fail "--replace-rule collector exited $rc: $(cat crep.err)"
has_table && fail "table still there after the --replace-rule run: $(tables)"
"$FLOWPOL" flows --db replace.db | tail -n +2 | cut -f3-7 >replace.got
printf '10.65.0.1\t10.65.0.2\ttcp\t8080\t1\n' | diff -u - replace.got ||
	fail "the --replace-rule run stored the wrong flows"

# Removal goes by the table's handle: a collector whose table another one
# replaced leaves the newcomer's alone (says so, exits 0); a table someone
# deleted by hand is no error.
bg ca "$N" "$FLOWPOL" collect --db a.db --group "$G" --node node-1 --install-rule
wait_for "first collector's table" has_table
bg cb "$N" "$FLOWPOL" collect --db b.db --group $((G + 1)) --node node-1 \
	--install-rule --replace-rule
wait_for "second collector's table" \
	bash -c "ip netns exec $N nft list table inet flowpol | grep -q 'log group $((G + 1)) '"
kill -TERM "$pid_ca"; wait "$pid_ca"; rc=$?
[ $rc -eq 0 ] || fail "replaced collector exited $rc: $(cat ca.err)"
grep -q "^flowpol: collect: nft table 'inet flowpol' was replaced by another collector's; left in place" ca.err ||
	fail "replaced collector's message: $(cat ca.err)"
nsx "$N" nft list table inet flowpol | grep -q "log group $((G + 1)) " ||
	fail "the first collector deleted the second one's table"
nsx "$N" nft delete table inet flowpol
kill -TERM "$pid_cb"; wait "$pid_cb"; rc=$?
[ $rc -eq 0 ] || fail "collector whose table was deleted exited $rc: $(cat cb.err)"
[ -s cb.err ] && fail "collector whose table was deleted warned: $(cat cb.err)"
has_table && fail "table left: $(tables)"

# Bad globs and option mixes: exit 2 before anything is installed.
for g in '*' 'ca*li' 'cali;drop' 'cali" accept' 'cali*,' 'averyveryverylongname*' ''; do
	nsx "$N" "$FLOWPOL" collect --db bad.db --group "$G" --install-rule \
		--interfaces "$g" 2>err.txt
	rc=$?
	[ $rc -eq 2 ] || fail "glob '$g' exited $rc, want 2"
	grep -q "^flowpol: collect: option --interfaces: " err.txt || fail "glob '$g': $(cat err.txt)"
	has_table && fail "glob '$g' left a table"
done
[ -e bad.db ] && fail "a bad glob created the database"
expect_exit 2 "$FLOWPOL" collect --group "$G" --interfaces 'cali*' 2>/dev/null
expect_exit 2 "$FLOWPOL" collect --group "$G" --replace-rule 2>/dev/null
expect_exit 2 "$FLOWPOL" collect --pcap x.pcap --install-rule 2>/dev/null
pass
