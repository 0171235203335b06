#ifndef FLOWPOL_DATAPLANE_H
#define FLOWPOL_DATAPLANE_H

#include <stddef.h>

/*
 * Can netfilter see this node's pod traffic? Calico's eBPF dataplane
 * (FelixConfiguration bpfEnabled: true) attaches its programs to the pod
 * interfaces' TC hooks (the preamble cali_tc_preamble, by tc or tcx) and
 * forwards pod traffic itself: there are no iptables or nftables policy
 * chains, and an NFLOG rule of ours logs nothing (doc/calico-semantics.md,
 * 10.4 "BPF dataplane"). A collector there would record an empty database.
 *
 * What this node shows when Felix runs in BPF mode, from Felix's source:
 *   - the devices bpfin.cali and bpfout.cali in the host's network
 *     namespace (felix/dataplane/linux/dataplanedefs/dataplane_defs.go,
 *     BPFInDev/BPFOutDev), which Felix deletes when BPF mode is turned off
 *     (its functional tests check exactly that);
 *   - its maps pinned as cali_* under /sys/fs/bpf/tc/globals (only seen
 *     where the BPF filesystem is mounted, which a collector pod lacks).
 * The devices need no privilege to see and do not depend on how the
 * programs are attached.
 *
 * dp_calico_bpf looks in the current network namespace, and in bpf_globals
 * (normally DP_BPF_GLOBALS; NULL skips it). Returns 1 with the evidence
 * found written to evidence ("device 'bpfin.cali'"), 0 if none, -1 on an
 * error other than absence (with a message).
 */
#define DP_BPF_GLOBALS "/sys/fs/bpf/tc/globals"

int dp_calico_bpf(const char *bpf_globals, char *evidence, size_t len);

#endif
