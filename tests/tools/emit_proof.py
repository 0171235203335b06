#!/usr/bin/python3
"""Least-privilege proof for an emitted policy set.

usage: emit_proof.py --db DB --policies DIR [--granularity workload|namespace]
                     [--exempt NS,...] [--dns NS/NAME,...] [--staged]
                     [--probes-out FILE --endpoints-out FILE]
                     [--compare SEEDPOLICIES]

Reads the learned model from the store (pods, workloads, edges) and checks,
with the Calico evaluator in calico_eval.py, that the policies in DIR
 - allow every learned edge (pod to pod, node/external to pod, pod to
   external), and
 - deny every other workload pair, address and port probed: all pairs of
   workloads (at least one outside the exempt namespaces) and of workloads
   and addresses, each with every protocol/port seen anywhere in the model,
   its neighbours, and a few never seen.
The only flows allowed beyond the edges are the DNS layer's (any pod to the
DNS pods on UDP and TCP 53). With --granularity namespace the unit is the
namespace. With --staged nothing may be denied; with --enforce only
flows with an end in those namespaces may be. --probes-out and
--endpoints-out write every probe with its expected verdict, and the
endpoints (labels, namespace labels, addresses), as TSV for
emit_engine_check, which runs the same proof through the policy engine.
--compare also evaluates a hand-written set (the seed's) on the same probes
and reports that the emitted set is strictly tighter: everything it allows
beyond the seed's set is a learned edge or the DNS layer (the seed opens only
UDP 53; the DNS layer also opens TCP 53 to the DNS pods, as DNS needs for
large answers), and the seed's set allows flows it denies. Exit 0 proven, 1 a counterexample, 2 error.
"""
import argparse
import ipaddress
import sqlite3
import sys
import os

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import calico_eval  # noqa: E402

DEFAULT_EXEMPT = "calico-system,gatekeeper-system,kube-node-lease,kube-public,kube-system,tigera-operator"


def labels_of(text):
    out = {}
    for line in (text or "").split("\n"):
        if line:
            k, _, v = line.partition("=")
            out[k] = v
    return out


def peer_key(text):
    if text.startswith(("node:", "external:", "unknown:")):
        kind, _, ip = text.partition(":")
        return (kind, str(ipaddress.ip_address(ip)))
    return ("wl", text)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", required=True)
    ap.add_argument("--policies", required=True, action="append")
    ap.add_argument("--granularity", default="workload")
    ap.add_argument("--exempt", default=DEFAULT_EXEMPT)
    ap.add_argument("--dns")
    ap.add_argument("--staged", action="store_true")
    ap.add_argument("--enforce", help="only these namespaces are enforced")
    ap.add_argument("--probes-out")
    ap.add_argument("--endpoints-out")
    ap.add_argument("--compare")
    a = ap.parse_args()
    exempt = set(x for x in a.exempt.split(",") if x)
    nsmode = a.granularity == "namespace"

    db = sqlite3.connect("file:%s?mode=ro" % a.db, uri=True)
    nslabels = {n: labels_of(l) for n, l in db.execute("SELECT name, labels FROM namespaces")}
    wls = {"%s/%s" % (n, m): (n, s) for n, m, s in
           db.execute("SELECT namespace, name, selector FROM workloads ORDER BY 1, 2")}
    # one pod per workload stands for it (pods differ only in volatile labels)
    pods = {}
    for uid, ns, lab, wl in db.execute(
            "SELECT uid, namespace, labels, workload FROM pods WHERE workload IS NOT NULL "
            "ORDER BY workload, uid"):
        pods.setdefault(wl, (ns, labels_of(lab)))
    if a.dns:
        dns = set(a.dns.split(","))
    else:
        dns = set(wl for wl, (ns, lab) in pods.items()
                  if ns == "kube-system" and lab.get("k8s-app") == "kube-dns")
    edges = set()
    for s, d, p, port in db.execute("SELECT src, dst, proto, port FROM edges"):
        sk, dk = peer_key(s), peer_key(d)
        if "unknown" in (sk[0], dk[0]):
            continue
        if p not in (6, 17, 132, 1, 58):
            port = 0
        if p in (6, 17, 132) and not 1 <= port <= 65535:
            continue
        edges.add((sk, dk, p, port))

    # endpoints
    eps = {}
    for i, wl in enumerate(sorted(pods)):
        if wl not in wls:
            continue
        ns, lab = pods[wl]
        eps[("wl", wl)] = calico_eval.Endpoint(
            "10.244.%d.%d" % (i // 250, i % 250 + 1), "fd00:244::%x" % (i + 1),
            ns, lab, nslabels.get(ns, {}))
    addrs = set(k for e in edges for k in e[:2] if k[0] != "wl")
    addrs |= {("node", "10.0.0.250"), ("external", "198.51.100.7"),
              ("external", "2001:db8::ffff")}
    for kind, ip in addrs:
        v = ipaddress.ip_address(ip)
        eps[(kind, ip)] = calico_eval.Endpoint(ip if v.version == 4 else None,
                                               ip if v.version == 6 else None)

    # the cluster's nodes are one network set: any of them stands for all
    nodeset = set(str(ipaddress.ip_address(bytes(ip))) for (ip,) in db.execute(
        "SELECT DISTINCT ip FROM endpoints WHERE owner_kind = 'node' AND gone_at IS NULL"))

    def unit(k):
        if k[0] == "wl" and nsmode:
            return ("ns", k[1].split("/")[0])
        if k[0] == "node" and k[1] in nodeset:
            return ("nodeset",)
        return k

    def dns_layer(s, d, p, port):
        return s[0] == "wl" and d[0] == "wl" and d[1] in dns and p in (6, 17) and port == 53

    # what the DNS layer allows is its own (exact pods), not the learned
    # policies' (which at namespace granularity would open the namespace)
    observed = set((unit(s), unit(d), p, port) for s, d, p, port in edges
                   if not dns_layer(s, d, p, port))
    probes = set((p, port) for _, _, p, port in edges)
    for p, port in list(probes):
        if p in (6, 17, 132):
            probes |= {(p, port + 1), (p, port - 1)} if port > 1 else {(p, port + 1)}
            probes.add((6 if p != 6 else 17, port))
    probes |= {(6, 53), (17, 53), (6, 22), (17, 9999), (1, 8 << 8), (1, 0), (58, 128 << 8),
               (132, 80), (6, 65535), (47, 0)}
    probes = sorted(probes)

    def exempt_ep(k):
        return k[0] == "wl" and wls[k[1]][0] in exempt

    enforce = set(a.enforce.split(",")) if a.enforce else None

    def subject(k):
        """A pod whose own side is enforced by the emitted set."""
        if k[0] != "wl" or exempt_ep(k) or a.staged:
            return False
        return enforce is None or wls[k[1]][0] in enforce

    def expected(s, d, p, port):
        if not subject(s) and not subject(d):
            return True
        if (unit(s), unit(d), p, port) in observed:
            return True
        return dns_layer(s, d, p, port)

    if a.endpoints_out:
        with open(a.endpoints_out, "w") as fh:
            for k in sorted(eps):
                if k[0] == "wl":
                    ns, lab = pods[k[1]]
                    fh.write("%s\tpod\t%s\t-\t%s\t%s\n" % (
                        ":".join(k), ns, ",".join("%s=%s" % kv for kv in sorted(lab.items())),
                        ",".join("%s=%s" % kv for kv in sorted(nslabels.get(ns, {}).items()))))
                else:
                    fh.write("%s\t%s\t-\t%s\t\t\n" % (":".join(k), k[0], k[1]))
    pol = calico_eval.PolicySet(a.policies)
    cmp = calico_eval.PolicySet([a.compare]) if a.compare else None
    out = open(a.probes_out, "w") if a.probes_out else None
    keys = sorted(eps)
    bad = n = only_ours = only_seed = only_dns = 0
    for s in keys:
        for d in keys:
            if s == d and s[0] != "wl":
                continue
            if s[0] != "wl" and d[0] != "wl":
                continue
            # no policy is meant to select an exempt pod: pairs of them,
            # and exempt pods with addresses, are out of scope
            if (exempt_ep(s) or s[0] != "wl") and (exempt_ep(d) or d[0] != "wl"):
                continue
            fams = {4, 6} if s[0] == "wl" and d[0] == "wl" else \
                {eps[s if s[0] != "wl" else d].ip[4] and 4 or 6}
            fam = min(fams)
            for p, port in probes:
                if (p == 1 and fam == 6) or (p == 58 and fam == 4):
                    continue
                want = expected(s, d, p, port)
                got, why = pol.verdict(eps[s], eps[d], fam, p, port)
                n += 1
                if out:
                    out.write("%s\t%s\t%d\t%d\t%d\t%s\n" % (
                        ":".join(s), ":".join(d), fam, p, port, "allow" if want else "deny"))
                if got != want:
                    bad += 1
                    if bad <= 20:
                        print("counterexample: %s -> %s proto %d port %d: want %s, got %s (%s)"
                              % (":".join(s), ":".join(d), p, port,
                                 "allow" if want else "deny", "allow" if got else "deny", why))
                if cmp is not None:
                    seed, swhy = cmp.verdict(eps[s], eps[d], fam, p, port)
                    if got and not seed:
                        only_ours += 1
                        if (unit(s), unit(d), p, port) not in observed and want:
                            only_dns += 1
                            print("note: DNS layer %s -> %s %d/%d is denied by the compared "
                                  "set (%s)" % (":".join(s), ":".join(d), p, port, swhy))
                        elif (unit(s), unit(d), p, port) not in observed:
                            bad += 1
                            print("not tighter: %s -> %s %d/%d allowed by ours only, "
                                  "and not learned" % (":".join(s), ":".join(d), p, port))
                        else:
                            print("note: learned call %s -> %s %d/%d is denied by the "
                                  "compared set (%s)" % (":".join(s), ":".join(d), p, port, swhy))
                    if seed and not got:
                        only_seed += 1
    print("emit_proof: %d probes over %d endpoints, %d edges, %d counterexamples"
          % (n, len(eps), len(edges), bad))
    if cmp is not None:
        print("emit_proof: compared set allows %d probes the emitted set denies; "
              "emitted allows %d the compared set denies (%d learned calls, %d DNS "
              "layer, none else)" % (only_seed, only_ours, only_ours - only_dns, only_dns))
        if only_seed == 0:
            print("emit_proof: not strictly tighter")
            bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
