#!/usr/bin/python3
"""Generate a large cluster for the learner benchmark (bench/learner.md).

usage: learner-gen.py OUTDIR [PODS] [FLOWS] [SEED] [REPLICAS] [NODES]

Writes OUTDIR/snap1.json and OUTDIR/snap2.json, `kubectl get pods,namespaces,
nodes -A -o json` Lists of PODS pods (default 10000) in namespaces of 10
Deployments with REPLICAS replicas each (default 5), on NODES nodes (default
50), the second snapshot two hours
later after a rollout of every tenth Deployment (new hash, names and IPs), and
OUTDIR/flows.db, a flowpol database holding FLOWS distinct flow rows (default
1000000) over one day of 10-minute windows: intra-namespace calls, DNS to
kube-dns, some cross-namespace calls, external addresses, nodes, and unowned
in-cluster addresses. Fixed seed: the same arguments give the same files.
"""
import ipaddress, json, os, random, sqlite3, subprocess, sys

out = sys.argv[1]
npods = int(sys.argv[2]) if len(sys.argv) > 2 else 10000
nflows = int(sys.argv[3]) if len(sys.argv) > 3 else 1000000
rnd = random.Random(int(sys.argv[4]) if len(sys.argv) > 4 else 1)
os.makedirs(out, exist_ok=True)
T0 = 1795651200  # 2026-11-26T00:00:00Z
ALPH = "bcdfghjklmnpqrstvwxz2456789"


def sfx(n):
    return "".join(rnd.choice(ALPH) for _ in range(n))


def ts(t):
    import datetime
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


REPL = int(sys.argv[5]) if len(sys.argv) > 5 else 5
DEPLOYS = 10
nns = max(1, npods // (REPL * DEPLOYS))
nnodes = int(sys.argv[6]) if len(sys.argv) > 6 else 50
nodes = ["node-%02d" % i for i in range(nnodes)]
node_ip = {n: str(ipaddress.IPv4Address(int(ipaddress.IPv4Address("10.240.0.10")) + i)) for i, n in enumerate(nodes)}
ipn = [0]


def next_ip():
    ipn[0] += 1
    return str(ipaddress.IPv4Address(int(ipaddress.IPv4Address("10.244.0.0")) + ipn[0]))


def pod(ns, dep, h, labels, ip, created, node):
    name = "%s-%s-%s" % (dep, h, sfx(5))
    lbl = dict(labels)
    lbl["pod-template-hash"] = h
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"creationTimestamp": ts(created), "generateName": "%s-%s-" % (dep, h), "labels": lbl,
                         "name": name, "namespace": ns,
                         "ownerReferences": [{"apiVersion": "apps/v1", "blockOwnerDeletion": True, "controller": True,
                                              "kind": "ReplicaSet", "name": "%s-%s" % (dep, h), "uid": "rs-%s-%s-%s" % (ns, dep, h)}],
                         "resourceVersion": str(rnd.randint(1000, 999999)), "uid": "%s-%s-%s" % (ns, name, sfx(8))},
            "spec": {"containers": [{"image": "example/%s:1" % dep, "name": "main"}], "nodeName": node,
                     "serviceAccountName": "default"},
            "status": {"hostIP": node_ip[node], "phase": "Running", "podIP": ip, "podIPs": [{"ip": ip}],
                       "startTime": ts(created)}}


# Workloads: (ns, dep) -> labels, pods
ws = []
for n in range(nns):
    ns = "team-%03d" % n
    for d in range(DEPLOYS):
        dep = ["web", "api", "worker", "cache", "db", "auth", "search", "billing", "mailer", "report"][d]
        labels = {"app.kubernetes.io/name": dep, "app.kubernetes.io/part-of": ns, "tier": ["front", "back"][d % 2]}
        ws.append({"ns": ns, "dep": dep, "labels": labels, "hash": sfx(10)})
ws.append({"ns": "kube-system", "dep": "coredns", "labels": {"k8s-app": "kube-dns"}, "hash": sfx(10)})


def snapshot(rolled):
    items, owners = [], {}
    for i, w in enumerate(ws):
        reps = 2 if w["dep"] == "coredns" else REPL
        if rolled and i % 10 == 3:
            w = dict(w, hash=w["hash"][::-1])
            created = T0 + 11 * 3600
            key = "new"
        else:
            created = T0 - 3600
            key = "old"
        pl = w.setdefault("pods_" + key, [])
        if not pl:
            for r in range(reps):
                node = nodes[rnd.randrange(len(nodes))]
                pl.append(pod(w["ns"], w["dep"], w["hash"], w["labels"], next_ip(), created, node))
        for p in pl:
            items.append(p)
            owners.setdefault(p["status"]["podIP"], []).append((w["ns"], w["dep"], created))
    for n in sorted({w["ns"] for w in ws}):
        items.append({"apiVersion": "v1", "kind": "Namespace", "metadata": {
            "labels": {"kubernetes.io/metadata.name": n}, "name": n, "creationTimestamp": ts(T0 - 86400)}})
    for n in nodes:
        items.append({"apiVersion": "v1", "kind": "Node", "metadata": {"name": n, "creationTimestamp": ts(T0 - 86400)},
                      "status": {"addresses": [{"address": node_ip[n], "type": "InternalIP"}]}})
    return {"apiVersion": "v1", "items": items, "kind": "List", "metadata": {"resourceVersion": ""}}


s1 = snapshot(False)
s2 = snapshot(True)
json.dump(s1, open(os.path.join(out, "snap1.json"), "w"), indent=4, sort_keys=True)
json.dump(s2, open(os.path.join(out, "snap2.json"), "w"), indent=4, sort_keys=True)

# Flow rows: a schema-complete database made by flowpol itself.
db = os.path.join(out, "flows.db")
if os.path.exists(db):
    os.unlink(db)
flowpol = os.environ.get("FLOWPOL", "flowpol")
subprocess.run([flowpol, "inventory", "--db", db, "--at", "@%d" % (T0 - 7200), "-"],
               input=b'{"kind":"List","items":[]}', check=True, stdout=subprocess.DEVNULL)
con = sqlite3.connect(db)
con.execute("DELETE FROM snapshots")
pods_by_ns = {}
for w in ws:
    for p in w.get("pods_old", []):
        pods_by_ns.setdefault(w["ns"], []).append(ipaddress.IPv4Address(p["status"]["podIP"]).packed)
dns = [ipaddress.IPv4Address(p["status"]["podIP"]).packed for p in ws[-1]["pods_old"]]
nsl = sorted(k for k in pods_by_ns if k != "kube-system")
# Duplicate keys are skipped by the primary key as they are drawn, so the
# rows are the same as with a set of seen keys, without holding one.
ins = "INSERT OR IGNORE INTO flows VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
W = 144
nrows = 0
while nrows < nflows:
    wi = rnd.randrange(W)
    ws_ = T0 + wi * 600
    node = nodes[rnd.randrange(len(nodes))]
    ns = nsl[rnd.randrange(len(nsl))]
    src = rnd.choice(pods_by_ns[ns])
    r = rnd.random()
    if r < 0.6:
        dst, proto, port = rnd.choice(pods_by_ns[ns]), 6, rnd.choice([80, 8080, 5432, 6379])
    elif r < 0.8:
        dst, proto, port = rnd.choice(dns), 17, 53
    elif r < 0.9:
        dst, proto, port = rnd.choice(pods_by_ns[nsl[rnd.randrange(len(nsl))]]), 6, 443
    elif r < 0.95:
        dst, proto, port = ipaddress.IPv4Address(rnd.randrange(0x08000000, 0x09000000)).packed, 6, 443
    elif r < 0.98:
        src, dst, proto, port = ipaddress.IPv4Address(node_ip[node]).packed, src, 6, 10250
    else:
        dst, proto, port = ipaddress.IPv4Address("10.243.250.%d" % rnd.randrange(256)).packed, 6, 80
    first = ws_ * 1000000 + rnd.randrange(590) * 1000000
    nrows += con.execute(ins, (ws_, node, src, dst, proto, port, rnd.randint(1, 20), first,
                               first + rnd.randrange(10) * 1000000)).rowcount
con.executemany("INSERT INTO health(window_start, node, window_len, received, decoded) VALUES (?, ?, 600, 1000, 1000)",
                [(T0 + wi * 600, n) for wi in range(W) for n in nodes])
con.commit()
print("generated %d pods in %d namespaces, %d flow rows in %s" % (len(s1["items"]) - nns - 1 - len(nodes), nns + 1, nrows, out))
