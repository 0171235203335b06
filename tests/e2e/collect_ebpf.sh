#!/usr/bin/env bash
# collect refuses to record where Calico's eBPF dataplane runs: a network
# namespace plays a node where Felix runs in BPF mode, with the veth pair
# bpfin.cali/bpfout.cali Felix creates there (and a pod interface cali*).
# Live collect exits 2 naming the device and what to do, and creates no
# database; with the pair gone it starts (the same group, ended by SIGTERM).
set -u
. "$(dirname "$0")/../lib.sh"
need_root_netns

N=fpb$$
G=$((30000 + $$ % 10000))
ip netns add "$N" || fail "ip netns add"
at_exit "ip netns del $N"
ip -n "$N" link set lo up
ip -n "$N" link add bpfin.cali type veth peer name bpfout.cali || fail "veth pair"
ip -n "$N" link add cali0123456789a type veth peer name eth0 || fail "pod veth"
ip -n "$N" link set bpfin.cali up && ip -n "$N" link set bpfout.cali up || fail "link up"

ip netns exec "$N" "$FLOWPOL" collect --db ebpf.db --group "$G" --install-rule 2>err.txt
[ $? -eq 2 ] || fail "collect did not refuse on an eBPF node"
grep -q "^flowpol: collect: Calico's eBPF dataplane runs on this node (device 'bpfin.cali'): pod traffic bypasses netfilter, so NFLOG would record nothing; .*bpfEnabled: false" err.txt ||
	fail "message: $(cat err.txt)"
[ ! -e ebpf.db ] || fail "an empty database was created"
ip netns exec "$N" nft list table inet flowpol >/dev/null 2>&1 && fail "the rule was installed"

# bpfout.cali alone is evidence too.
ip -n "$N" link set bpfin.cali name other0 || fail "rename"
ip netns exec "$N" "$FLOWPOL" collect --db ebpf.db --group "$G" 2>err.txt
[ $? -eq 2 ] && grep -q "(device 'bpfout.cali')" err.txt || fail "bpfout.cali alone: $(cat err.txt)"

# Felix turned BPF mode off: the pair is gone, collect records.
ip -n "$N" link del other0 || fail "link del"
bg col "$N" "$FLOWPOL" collect --db ebpf.db --group "$G"
# Running once it handles SIGTERM (bit 15 of SigCgt).
term_caught() { local m; m=$(awk '/^SigCgt:/ { print $2 }' "/proc/$pid_col/status" 2>/dev/null) &&
	[ -n "$m" ] && (( 0x$m & 0x4000 )); }
wait_for "the collector to start" term_caught
kill -TERM "$pid_col"; wait "$pid_col"; rc=$?
[ "$rc" -eq 0 ] || fail "collect without eBPF exited $rc: $(cat col.err)"
pass
