#!/usr/bin/env python3
"""The np-guard netpol-analyzer connectivity cases through flowpol's engine.

    npguard_cases.py CHECKER DATA_DIR KNOWN_DIFFS

DATA_DIR holds one directory per case, vendored from
github.com/np-guard/netpol-analyzer (tests/<case>/*.yaml, and
test_outputs/connlist/<case>_connlist_output.txt as connlist.txt; see the
README there). For each case the workloads (Deployment, StatefulSet,
DaemonSet, ReplicaSet, ReplicationController, Job, CronJob, and Pods,
named as np-guard names them: "ns/name[Kind]", a Pod by its owner) become
endpoints with their pod-template labels, namespace labels and named
container ports; the policies (NetworkPolicy, and AdminNetworkPolicy /
BaselineAdminNetworkPolicy, read for Calico 3.31, the last release that
enforces both) go to the engine; and every ordered pair of workloads is
probed for TCP, UDP and SCTP at every port boundary the case mentions
(expected output, policies, container ports) against what connlist.txt
says ("All Connections", "TCP 80,UDP 1-52,54-65535", or the pair's
absence: nothing). np-guard's connections are TCP, UDP and SCTP only (it
writes "All Connections" for every port of the three), so other
protocols are not probed. Lines with an External peer are not checked:
flowpol's engine models only the pod side of such flows.

CHECKER is emit_engine_check (-V VERSION ENDPOINTS PROBES POLICIES...).
KNOWN_DIFFS lists "case<TAB>reason" where Calico's answer differs from
np-guard's upstream Kubernetes answer; such a case must differ (flowpol
follows Calico). Prints one line per case and
"npguard: N of M cases passed (K follow Calico where it differs)";
exit 0 when every case passes or differs as listed.
"""
import json
import os
import re
import subprocess
import sys
import tempfile

import yaml

WORKLOAD_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet",
                  "ReplicationController", "Job")
POLICY_KINDS = ("NetworkPolicy", "AdminNetworkPolicy",
                "BaselineAdminNetworkPolicy")
PROTOS = {"TCP": 6, "UDP": 17, "SCTP": 132}


def docs_of(path):
    with open(path, encoding="utf-8") as f:
        for d in yaml.safe_load_all(f):
            if not isinstance(d, dict):
                continue
            if d.get("kind", "").endswith("List") and "items" in d:
                for it in d["items"] or []:
                    if isinstance(it, dict):
                        yield it
            else:
                yield d


def labels_text(labels):
    return ",".join("%s=%s" % (k, "" if v is None else v)
                    for k, v in sorted((labels or {}).items()))


def template_of(d):
    spec = d.get("spec") or {}
    if d["kind"] == "CronJob":
        spec = ((spec.get("jobTemplate") or {}).get("spec")) or {}
    return spec.get("template") or {}


def named_ports(podspec):
    out = []
    for c in (podspec or {}).get("containers") or []:
        for p in c.get("ports") or []:
            if p.get("name") and p.get("containerPort"):
                out.append((p["name"], PROTOS.get(p.get("protocol", "TCP"), 6),
                            int(p["containerPort"])))
    return out


def parse_conns(text):
    """{proto: set of (lo, hi)} or "all"."""
    text = text.strip()
    if text == "All Connections":
        return "all"
    out = {}
    if text == "No Connections":
        return out
    cur = None
    for item in text.split(","):
        item = item.strip()
        m = re.match(r"^(TCP|UDP|SCTP|ICMP)\s+(.*)$", item)
        if m:
            cur = m.group(1)
            item = m.group(2)
        if cur is None:
            raise ValueError("connections '%s'" % text)
        lo, _, hi = item.partition("-")
        out.setdefault(cur, set()).add((int(lo), int(hi or lo)))
    return out


def allows(conns, proto, port):
    if conns == "all":
        return True
    for lo, hi in conns.get(proto, ()):
        if lo <= port <= hi:
            return True
    return False


def numbers_in(obj, out):
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k in ("port", "endPort", "start", "end", "number",
                     "containerPort") and isinstance(v, int):
                out.add(v)
            numbers_in(v, out)
    elif isinstance(obj, list):
        for v in obj:
            numbers_in(v, out)


def run_case(checker, cdir, work):
    docs = []
    for root, dirs, files in os.walk(cdir):
        dirs.sort()
        for name in sorted(files):
            if name.endswith((".yaml", ".yml", ".json")):
                docs.extend(docs_of(os.path.join(root, name)))
    policies = [d for d in docs if d.get("kind") in POLICY_KINDS]
    admin = any(d["kind"] != "NetworkPolicy" for d in policies)
    ns_labels = {}
    for d in docs:
        if d.get("kind") == "Namespace":
            md = d.get("metadata") or {}
            ns_labels[md.get("name")] = md.get("labels") or {}
    eps = {}
    for d in docs:
        kind = d.get("kind")
        md = d.get("metadata") or {}
        ns = md.get("namespace") or "default"
        if kind in WORKLOAD_KINDS or kind == "CronJob":
            t = template_of(d)
            eps["%s/%s[%s]" % (ns, md.get("name"), kind)] = (
                ns, (t.get("metadata") or {}).get("labels") or {},
                named_ports(t.get("spec")))
    for d in docs:
        if d.get("kind") != "Pod":
            continue
        md = d.get("metadata") or {}
        ns = md.get("namespace") or "default"
        owners = md.get("ownerReferences") or []
        key = ("%s/%s[%s]" % (ns, owners[0]["name"], owners[0]["kind"])
               if owners else "%s/%s[Pod]" % (ns, md.get("name")))
        eps.setdefault(key, (ns, md.get("labels") or {},
                             named_ports(d.get("spec"))))
    if len(eps) < 2:
        return "skip", "fewer than two workloads"
    expected = {}
    ports = {1, 65535}
    with open(os.path.join(cdir, "connlist.txt"), encoding="utf-8") as f:
        for line in f:
            m = re.match(r"^(\S+) => (\S+) : (.*)$", line.strip())
            if not m:
                continue
            src, dst, conns = m.groups()
            if ("[External]" in src or "[External]" in dst or
                    src.startswith("{") or dst.startswith("{")):
                continue
            if src not in eps or dst not in eps:
                return "skip", "peer %s unknown" % (src if src not in eps
                                                    else dst)
            c = parse_conns(conns)
            expected[(src, dst)] = c
            if c != "all":
                for rs in c.values():
                    for lo, hi in rs:
                        ports.update((lo, hi))
    numbers_in(policies, ports)
    for _, _, nps in eps.values():
        ports.update(p for _, _, p in nps)
    cand = sorted({q for p in ports for q in (p - 1, p, p + 1)
                   if 1 <= q <= 65535})
    keys = sorted(eps)
    epath = os.path.join(work, "endpoints.tsv")
    ppath = os.path.join(work, "probes.tsv")
    polpath = os.path.join(work, "policies.json")
    with open(epath, "w", encoding="utf-8") as f:
        for i, k in enumerate(keys):
            ns, labels, nps = eps[k]
            f.write("e%d\tpod\t%s\t\t%s\t%s\t%s\n" % (
                i, ns, labels_text(labels), labels_text(ns_labels.get(ns)),
                ",".join("%s/%d/%d" % p for p in nps)))
    n = 0
    with open(ppath, "w", encoding="utf-8") as f:
        for i, a in enumerate(keys):
            for j, b in enumerate(keys):
                if a == b:
                    continue
                c = expected.get((a, b), {})
                for proto, num in PROTOS.items():
                    for port in cand:
                        f.write("e%d\te%d\t4\t%d\t%d\t%s\n" % (
                            i, j, num, port,
                            "allow" if allows(c, proto, port) else "deny"))
                        n += 1
    # JSON: a plain y or n in YAML is a boolean to kubectl and flowpol
    with open(polpath, "w", encoding="utf-8") as f:
        json.dump({"apiVersion": "v1", "kind": "List", "items": policies}, f)
    args = [checker, "-V", "3.31" if admin else "3.33", epath, ppath,
            polpath]
    r = subprocess.run(args, capture_output=True, text=True, check=False)
    if r.returncode == 0:
        return "pass", "%d probes" % n
    if r.returncode == 1:
        first = (r.stdout.strip().splitlines() or ["?"])
        return "fail", "%s; %s" % (first[-1], first[0])
    return "error", (r.stderr.strip() or r.stdout.strip())[:300]


def main():
    checker, data, known_path = sys.argv[1:4]
    known = {}
    with open(known_path, encoding="utf-8") as f:
        for line in f:
            if line.strip() and not line.startswith("#"):
                c, _, why = line.rstrip("\n").partition("\t")
                known[c] = why
    cases = sorted(d for d in os.listdir(data)
                   if os.path.isdir(os.path.join(data, d)))
    passed = differ = bad = 0
    for c in cases:
        with tempfile.TemporaryDirectory() as work:
            status, info = run_case(checker, os.path.join(data, c), work)
        if c in known:
            if status == "fail":
                differ += 1
                print("calico   %s: %s (%s)" % (c, known[c], info))
            else:
                bad += 1
                print("UNEXPECTED %s: listed as differing but %s: %s"
                      % (c, status, info))
        elif status == "pass":
            passed += 1
            print("pass     %s: %s" % (c, info))
        else:
            bad += 1
            print("%-8s %s: %s" % (status.upper(), c, info))
    print("npguard: %d of %d cases passed (%d follow Calico where it "
          "differs)" % (passed + differ, len(cases), differ))
    return 0 if bad == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
