#!/usr/bin/python3
"""The traffic scenario after a change in the cluster, for the stability
checks of tests/learner/traffic.sh.

usage: traffic_variant.py MODE SAMPLES_DIR OUT_INVENTORY OUT_EVENTS
MODE reschedule: web and cart move to the other node as new pods (new
  names, uids and addresses); the connections are the same calls from the
  pods' new places (probes from their new nodes).
MODE replace-nodes: node-a and node-b are replaced by node-c and node-d
  with new addresses; every pod moves with its node.
"""
import sys
import yaml

mode, src, out_inv, out_ev = sys.argv[1:5]
inv = yaml.safe_load(open(src + "/inventory.yaml"))
events = open(src + "/events.txt").read()

if mode == "reschedule":
    moves = {  # pod: (new name, new node, {old address: new address})
        "web-7d9f8c6b5-aaaaa": ("web-7d9f8c6b5-zzzzz", "node-b",
                                {"10.42.0.10": "10.42.1.11", "fd00:42::10": "fd00:42:0:1::11"}),
        "cart-5c6d7e8f9-bbbbb": ("cart-5c6d7e8f9-yyyyy", "node-a",
                                 {"10.42.1.20": "10.42.0.21", "fd00:42:0:1::20": "fd00:42::21"}),
    }
    addr = {}
    for obj in inv["items"]:
        if obj["kind"] == "Pod" and obj["metadata"]["name"] in moves:
            name, node, amap = moves[obj["metadata"]["name"]]
            obj["metadata"]["name"] = name
            obj["metadata"]["uid"] = "uid-" + name
            obj["spec"]["nodeName"] = node
            obj["status"]["podIP"] = amap[obj["status"]["podIP"]]
            obj["status"]["podIPs"] = [{"ip": amap[i["ip"]]} for i in obj["status"]["podIPs"]]
            addr.update(amap)
        if obj["kind"] == "EndpointSlice":
            for ep in obj["endpoints"]:
                ep["addresses"] = [addr.get(a, a) for a in ep["addresses"]]
                if ep["addresses"] == ["10.42.1.11"]:
                    ep["nodeName"] = "node-b"
    # the other node's addresses: the probes come from the pods' new nodes
    addr.update({"10.0.0.1": "10.0.0.2", "10.0.0.2": "10.0.0.1", "fd00:10::1": "fd00:10::2",
                 "fd00:10::2": "fd00:10::1", "10.42.0.1": "10.42.1.1"})
elif mode == "replace-nodes":
    addr = {"10.0.0.1": "10.0.1.1", "10.0.0.2": "10.0.1.2", "fd00:10::1": "fd00:11::1",
            "fd00:10::2": "fd00:11::2", "203.0.113.2": "203.0.113.9"}
    names = {"node-a": "node-c", "node-b": "node-d"}

    def fix(o):
        if isinstance(o, dict):
            return {k: fix(v) for k, v in o.items()}
        if isinstance(o, list):
            return [fix(v) for v in o]
        if isinstance(o, str):
            base, slash, rest = o.partition("/")
            if base in addr:
                return addr[base] + slash + rest
            return names.get(o, o)
        return o
    inv = fix(inv)
else:
    sys.exit("unknown mode " + mode)

out = []
for line in events.splitlines():
    f = line.split()
    if f and not f[0].startswith("#"):
        f[1], f[2] = addr.get(f[1], f[1]), addr.get(f[2], f[2])
        line = " ".join(f)
    out.append(line)
open(out_ev, "w").write("\n".join(out) + "\n")
with open(out_inv, "w") as fh:
    yaml.safe_dump(inv, fh, sort_keys=True)
