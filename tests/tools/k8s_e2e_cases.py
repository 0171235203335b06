#!/usr/bin/env python3
"""The Kubernetes e2e network policy cases through flowpol's engine.

    k8s_e2e_cases.py CHECKER CASES.yaml

CASES.yaml (tests/data/peer/k8s-e2e/cases.yaml) holds the cases of
kubernetes test/e2e/network/netpol/network_policy.go transcribed by hand;
its header says how. For each case the pods become endpoints (label
pod=<name>, named ports serve-<port>-<proto> for 80 and 81 over TCP, UDP
and SCTP), the policies Kubernetes NetworkPolicy objects, and every check
one probe per ordered pair of distinct pods with the reachability the
case expects. CHECKER is emit_engine_check. Prints one line per case and
"k8s-e2e: N of M cases passed"; exit 0 when all pass.
"""
import fnmatch
import json
import os
import subprocess
import sys
import tempfile

import yaml

PROTOS = {"TCP": 6, "UDP": 17, "SCTP": 132}


def matches(pattern, pod):
    if pattern == "*":
        return True
    return fnmatch.fnmatchcase(pod, pattern)


def run_case(checker, case, work):
    pods = case["pods"]
    epath = os.path.join(work, "endpoints.tsv")
    ppath = os.path.join(work, "probes.tsv")
    polpath = os.path.join(work, "policies.json")
    named = ",".join("serve-%d-%s/%d/%d" % (port, p.lower(), num, port)
                     for port in (80, 81) for p, num in PROTOS.items())
    with open(epath, "w", encoding="utf-8") as f:
        for i, p in enumerate(pods):
            ns, name = p.split("/")
            f.write("e%d\tpod\t%s\t\tpod=%s\t\t%s\n" % (i, ns, name, named))
    docs = [{"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
             "metadata": {"name": p["name"], "namespace": p["namespace"]},
             "spec": p["spec"]} for p in case.get("policies") or []]
    # JSON: a plain y or n in YAML is a boolean to kubectl and flowpol
    with open(polpath, "w", encoding="utf-8") as f:
        json.dump({"apiVersion": "v1", "kind": "List", "items": docs}, f)
    n = 0
    with open(ppath, "w", encoding="utf-8") as f:
        for chk in case["checks"]:
            for i, a in enumerate(pods):
                for j, b in enumerate(pods):
                    if a == b:
                        continue	# ignoreLoopback
                    want = chk["default"]
                    for e in chk["expect"]:
                        if matches(e["from"], a) and matches(e["to"], b):
                            want = e["allowed"]
                    f.write("e%d\te%d\t4\t%d\t%d\t%s\n" % (
                        i, j, PROTOS[chk["protocol"]], chk["port"],
                        "allow" if want else "deny"))
                    n += 1
    r = subprocess.run([checker, epath, ppath, polpath], capture_output=True,
                       text=True, check=False)
    if r.returncode == 0:
        return True, "%d probes" % n
    out = (r.stdout.strip() or r.stderr.strip()).splitlines() or ["?"]
    return False, "%s; %s" % (out[-1], out[0])


def main():
    checker, path = sys.argv[1:3]
    with open(path, encoding="utf-8") as f:
        cases = [c for c in yaml.safe_load_all(f) if c]
    passed = 0
    for c in cases:
        with tempfile.TemporaryDirectory() as work:
            ok, info = run_case(checker, c, work)
        passed += ok
        print("%s %s: %s" % ("pass" if ok else "FAIL", c["name"], info))
    print("k8s-e2e: %d of %d cases passed" % (passed, len(cases)))
    return 0 if passed == len(cases) else 1


if __name__ == "__main__":
    sys.exit(main())
