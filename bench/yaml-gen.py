#!/usr/bin/env python3
"""Hostile and large YAML/JSON inputs for bench/yaml.sh.

  yaml-gen.py KIND N > FILE
KIND: flowmap   '{a: ' repeated N times (nested flow mappings, unclosed)
      flowseq   '[' repeated N times
      labels    a GlobalNetworkSet whose labels hold N keys, in reverse
                order (the worst order for a sorted label set)
      dupkey    the same with the first key repeated at the end
      policies  N GlobalNetworkPolicies in one stream, 4 rules each
      invlabels a Namespace (inventory) whose labels hold N keys
"""
import sys

kind, n = sys.argv[1], int(sys.argv[2])
w = sys.stdout.write
if kind == "flowmap":
    w("{a: " * n + "\n")
elif kind == "flowseq":
    w("[" * n + "\n")
elif kind in ("labels", "dupkey"):
    w("apiVersion: projectcalico.org/v3\nkind: GlobalNetworkSet\n"
      "metadata:\n  name: s\n  labels:\n")
    for i in range(n - 1, -1, -1):
        w("    k%07d: v\n" % i)
    if kind == "dupkey":
        w("    k%07d: again\n" % (n - 1))
elif kind == "policies":
    for i in range(n):
        w("apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\n"
          "metadata:\n  name: p%d\nspec:\n  order: %d\n"
          "  selector: app == 'a%d'\n  types: [Ingress, Egress]\n"
          "  ingress:\n" % (i, i, i))
        for j in range(4):
            w("  - action: Allow\n    protocol: TCP\n"
              "    source: {selector: app == 'b%d', nets: [10.%d.%d.0/24]}\n"
              "    destination: {ports: [%d, 8000:8080]}\n"
              % (j, i % 256, j, 80 + j))
        w("  egress:\n  - action: Allow\n---\n")
elif kind == "invlabels":
    w('{"apiVersion": "v1", "kind": "Namespace", "metadata": '
      '{"name": "ns", "labels": {\n')
    w(",\n".join('  "k%07d": "v"' % i for i in range(n - 1, -1, -1)))
    w("\n}}}\n")
else:
    sys.exit("unknown kind " + kind)
