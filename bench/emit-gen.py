#!/usr/bin/python3
"""A large learned model as SQL for the emit benchmark:
emit-gen.py NAMESPACES WORKLOADS EDGES > model.sql (fixed seed)."""
import random, sys
random.seed(7)
nns, nwl, nedges = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
out = ["BEGIN;"]
wls = []
for i in range(nwl):
    ns = "ns%03d" % (i % nns); name = "app%05d" % i
    wls.append("%s/%s" % (ns, name))
    out.append("INSERT INTO workloads (namespace, name, kind, selector, pods) VALUES ('%s','%s','Deployment','app == ''%s''',3);" % (ns, name, name))
    out.append("INSERT INTO pods (uid,namespace,name,labels,workload,first_seen,last_seen) VALUES ('u%d','%s','%s-x','app=%s\n','%s/%s',0,1);" % (i, ns, name, name, ns, name))
out.append("INSERT INTO workloads (namespace, name, kind, selector, pods) VALUES ('kube-system','coredns','Deployment','k8s-app == ''kube-dns''',2);")
out.append("INSERT INTO pods (uid,namespace,name,labels,workload,first_seen,last_seen) VALUES ('dns','kube-system','coredns-x','k8s-app=kube-dns\n','kube-system/coredns',0,1);")
seen = set()
while len(seen) < nedges:
    s = random.choice(wls); d = random.choice(wls + ["kube-system/coredns"])
    r = random.random()
    if r < 0.1: d = "external:203.0.%d.%d" % (random.randint(0, 255), random.randint(1, 254))
    p = 17 if d.startswith("kube-system") else 6
    port = 53 if p == 17 else random.choice([80, 443, 8080, 5432] + list(range(9000, 9100)))
    k = (s, d, p, port)
    if k in seen: continue
    seen.add(k)
    out.append("INSERT INTO edges (src, dst, proto, port, connections, first_seen, last_seen, nodes) VALUES ('%s','%s',%d,%d,1,0,1,'n');" % k)
out.append("COMMIT;")
print("\n".join(out))
