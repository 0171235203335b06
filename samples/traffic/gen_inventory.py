#!/usr/bin/python3
"""Write inventory.yaml, the traffic scenario's cluster (kubectl get
namespaces,nodes,pods,services,endpointslices -A -o yaml, trimmed to the
fields flowpol reads). Run from this directory; the output is committed."""
import yaml

T0 = "2026-12-01T09:00:00Z"


def pod(ns, name, node, ips, labels, owner=None, ports=(), host=False, phase="Running",
        finished=None, sa=None):
    p = {"apiVersion": "v1", "kind": "Pod",
         "metadata": {"name": name, "namespace": ns, "uid": "uid-" + name,
                      "creationTimestamp": T0, "labels": labels},
         "spec": {"nodeName": node, "containers": [{"name": "main", "image": "example",
                  "ports": [dict(containerPort=pt, name=nm, protocol=pr) for nm, pt, pr in ports]}]},
         "status": {"phase": phase}}
    if owner:
        p["metadata"]["ownerReferences"] = [{"apiVersion": "apps/v1", "kind": owner[0],
                                              "name": owner[1], "controller": True, "uid": "o-" + owner[1]}]
    if host:
        p["spec"]["hostNetwork"] = True
    if sa:
        p["spec"]["serviceAccountName"] = sa
    if ips:
        p["status"]["podIP"] = ips[0]
        p["status"]["podIPs"] = [{"ip": i} for i in ips]
    if finished:
        p["status"]["containerStatuses"] = [{"name": "main", "state": {"terminated": {
            "exitCode": 0, "finishedAt": finished}}}]
    return p


def node(name, ips, tunnel, extra=()):
    return {"apiVersion": "v1", "kind": "Node",
            "metadata": {"name": name, "creationTimestamp": "2026-11-30T08:00:00Z",
                         "labels": {"kubernetes.io/hostname": name},
                         "annotations": {"projectcalico.org/IPv4Address": ips[0] + "/24",
                                         "projectcalico.org/IPv6Address": ips[1] + "/64",
                                         "projectcalico.org/IPv4IPIPTunnelAddr": tunnel}},
            "spec": {"podCIDRs": [tunnel.rsplit(".", 1)[0] + ".0/24",
                                  "fd00:42:0:%s::/64" % ("0" if name == "node-a" else "1")]},
            "status": {"addresses": [{"type": "InternalIP", "address": ips[0]},
                                     {"type": "InternalIP", "address": ips[1]}] +
                       [{"type": "ExternalIP", "address": e} for e in extra] +
                       [{"type": "Hostname", "address": name}]}}


def svc(ns, name, ips, ports, selector=None, typ="ClusterIP", etp=None):
    s = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "namespace": ns},
         "spec": {"type": typ, "clusterIP": ips[0], "clusterIPs": ips,
                  "ports": [dict(name=n, port=p, targetPort=t, protocol=pr) for n, p, t, pr in ports]}}
    if selector:
        s["spec"]["selector"] = selector
    if etp:
        s["spec"]["externalTrafficPolicy"] = etp
        s["spec"]["ports"][0]["nodePort"] = 30443
    return s


def ns(name):
    return {"apiVersion": "v1", "kind": "Namespace",
            "metadata": {"name": name, "labels": {"kubernetes.io/metadata.name": name}}}


items = [ns(n) for n in ("batch", "default", "kube-system", "monitoring", "ops", "shop")]
items += [node("node-a", ["10.0.0.1", "fd00:10::1"], "10.42.0.1"),
          node("node-b", ["10.0.0.2", "fd00:10::2"], "10.42.1.1", ["203.0.113.2"])]
items += [
    pod("shop", "web-7d9f8c6b5-aaaaa", "node-a", ["10.42.0.10", "fd00:42::10"],
        {"app": "web", "pod-template-hash": "7d9f8c6b5"}, ("ReplicaSet", "web-7d9f8c6b5"),
        [("http", 8080, "TCP")]),
    pod("shop", "cart-5c6d7e8f9-bbbbb", "node-b", ["10.42.1.20", "fd00:42:0:1::20"],
        {"app": "cart", "pod-template-hash": "5c6d7e8f9"}, ("ReplicaSet", "cart-5c6d7e8f9"),
        [("http", 8081, "TCP")]),
    pod("shop", "frontend-6b7c8d9e0-ccccc", "node-a", ["10.42.0.30", "fd00:42::30"],
        {"app": "frontend", "pod-template-hash": "6b7c8d9e0"}, ("ReplicaSet", "frontend-6b7c8d9e0"),
        [("https", 8443, "TCP")]),
    pod("monitoring", "node-exporter-dddd1", "node-a", ["10.0.0.1", "fd00:10::1"],
        {"app.kubernetes.io/name": "node-exporter", "controller-revision-hash": "abc",
         "pod-template-generation": "1"}, ("DaemonSet", "node-exporter"),
        [("metrics", 9100, "TCP")], host=True),
    pod("monitoring", "node-exporter-dddd2", "node-b", ["10.0.0.2", "fd00:10::2"],
        {"app.kubernetes.io/name": "node-exporter", "controller-revision-hash": "abc",
         "pod-template-generation": "1"}, ("DaemonSet", "node-exporter"),
        [("metrics", 9100, "TCP")], host=True),
    pod("monitoring", "prometheus-0", "node-b", ["10.42.1.50", "fd00:42:0:1::50"],
        {"app.kubernetes.io/name": "prometheus", "statefulset.kubernetes.io/pod-name": "prometheus-0"},
        ("StatefulSet", "prometheus"), [("web", 9090, "TCP")]),
    pod("kube-system", "coredns-5d78c9869d-eeeee", "node-b", ["10.42.1.53", "fd00:42:0:1::53"],
        {"k8s-app": "kube-dns", "pod-template-hash": "5d78c9869d"}, ("ReplicaSet", "coredns-5d78c9869d"),
        [("dns", 53, "UDP"), ("dns-tcp", 53, "TCP")]),
    pod("kube-system", "node-local-dns-fff01", "node-a", ["10.0.0.1", "fd00:10::1"],
        {"k8s-app": "node-local-dns", "controller-revision-hash": "def", "pod-template-generation": "1"},
        ("DaemonSet", "node-local-dns"), [("dns", 53, "UDP"), ("dns-tcp", 53, "TCP")], host=True),
    pod("kube-system", "node-local-dns-fff02", "node-b", ["10.0.0.2", "fd00:10::2"],
        {"k8s-app": "node-local-dns", "controller-revision-hash": "def", "pod-template-generation": "1"},
        ("DaemonSet", "node-local-dns"), [("dns", 53, "UDP"), ("dns-tcp", 53, "TCP")], host=True),
    pod("ops", "operator-8e9f0a1b2-ggggg", "node-a", ["10.42.0.60", "fd00:42::60"],
        {"app": "operator", "pod-template-hash": "8e9f0a1b2"}, ("ReplicaSet", "operator-8e9f0a1b2")),
    # A CronJob's pod that ran and finished before the snapshot.
    pod("batch", "report-29400600-hhhhh", "node-b", ["10.42.1.70", "fd00:42:0:1::70"],
        {"app": "report", "batch.kubernetes.io/job-name": "report-29400600",
         "job-name": "report-29400600", "controller-uid": "c1"}, ("Job", "report-29400600"),
        phase="Succeeded", finished="2026-12-01T10:21:00Z"),
]
items += [
    svc("default", "kubernetes", ["10.96.0.1"], [("https", 443, 6443, "TCP")]),
    svc("kube-system", "kube-dns", ["10.96.0.10", "fd00:96::10"],
        [("dns", 53, "dns", "UDP"), ("dns-tcp", 53, "dns-tcp", "TCP")], {"k8s-app": "kube-dns"}),
    svc("shop", "cart", ["10.96.20.30", "fd00:96::30"], [("http", 80, "http", "TCP")], {"app": "cart"}),
    svc("shop", "web", ["10.96.20.10", "fd00:96::10:0"], [("http", 80, 8080, "TCP")], {"app": "web"}),
    svc("shop", "frontend", ["10.96.20.40"], [("https", 443, "https", "TCP")], {"app": "frontend"},
        "LoadBalancer", "Local"),
    {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
     "metadata": {"name": "kubernetes", "namespace": "default",
                  "labels": {"kubernetes.io/service-name": "kubernetes"}},
     "addressType": "IPv4", "endpoints": [{"addresses": ["192.0.2.10"], "conditions": {"ready": True}}],
     "ports": [{"name": "https", "port": 6443, "protocol": "TCP"}]},
    {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
     "metadata": {"name": "web-x1y2z", "namespace": "shop",
                  "labels": {"kubernetes.io/service-name": "web"}},
     "addressType": "IPv4", "endpoints": [{"addresses": ["10.42.0.10"], "conditions": {"ready": True},
                                           "nodeName": "node-a"}],
     "ports": [{"name": "http", "port": 8080, "protocol": "TCP"}]},
]
with open("inventory.yaml", "w") as f:
    f.write("# Generated by gen_inventory.py: the traffic scenario's cluster.\n")
    yaml.safe_dump({"apiVersion": "v1", "kind": "List", "items": items}, f, sort_keys=True)
