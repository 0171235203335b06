"""A small Calico policy evaluator for the emitter's tests (test oracle).

Implements doc/calico-semantics.md 6 for what flowpol and the seed use:
GlobalNetworkPolicy, NetworkPolicy and their Staged kinds in the default
tier; order with the name/namespace/kind tie-break; types (explicit, else
the API default); Allow, Deny, Pass, Log; end-of-tier drop only when a
non-staged policy applied in that direction; profile allow otherwise; a flow
passes only if the source's egress and the destination's ingress allow it.
Rules: protocol/notProtocol, ipVersion, icmp, nets/notNets,
selector/notSelector/namespaceSelector (scoped as RULES.go does),
destination ports/notPorts. Anything else raises Unsupported, so the oracle
never guesses. The product's evaluator is policy/evaluate.c; this one lets
the emitter's proof run before that lands and cross-checks it after.
Calico's source files are cited by the short names of that page.
"""
import glob
import ipaddress
import math
import os

import yaml

import calsel

PROTO = {"TCP": 6, "UDP": 17, "ICMP": 1, "ICMPv6": 58, "SCTP": 132, "UDPLite": 136}
KINDS = {"GlobalNetworkPolicy": (False, False), "StagedGlobalNetworkPolicy": (False, True),
         "NetworkPolicy": (True, False), "StagedNetworkPolicy": (True, True)}


class Unsupported(Exception):
    pass


class Endpoint:
    """A flow end: a pod (Calico workload endpoint) or a plain address."""

    def __init__(self, ip4=None, ip6=None, ns=None, labels=None, ns_labels=None, sa="default"):
        self.ip = {4: ipaddress.ip_address(ip4) if ip4 else None,
                   6: ipaddress.ip_address(ip6) if ip6 else None}
        self.pod = ns is not None
        self.ns = ns
        self.labels = {}
        if self.pod:
            self.labels.update(labels or {})
            self.labels["projectcalico.org/namespace"] = ns
            self.labels["projectcalico.org/orchestrator"] = "k8s"
            self.labels["projectcalico.org/serviceaccount"] = sa
            for k, v in (ns_labels or {}).items():
                self.labels["pcns." + k] = v
            self.labels["pcns.projectcalico.org/name"] = ns


# GlobalNetworkSets of the set being read: (labels, nets). A selector
# matches an address that lies in a set whose labels it matches.
_NETSETS = []


def _in_netset(sel, ip, fam):
    return ip is not None and any(
        calsel.match(sel, labels) for labels, nets in _NETSETS
        if any(ip in n for n in nets if n.version == fam))


def _sel(text):
    return calsel.parse(text if text is not None else "")


def _proto(v):
    if v is None:
        return None
    if isinstance(v, int):
        return v
    if str(v).isdigit():
        return int(v)
    return PROTO[v]


def _ports(lst):
    out = []
    for p in lst or []:
        if isinstance(p, int):
            out.append((p, p))
        elif ":" in str(p):
            lo, hi = str(p).split(":")
            out.append((int(lo), int(hi)))
        elif str(p).isdigit():
            out.append((int(p), int(p)))
        else:
            raise Unsupported("named port %r" % p)
    return out


class Entity:
    def __init__(self, d, pol_ns):
        d = d or {}
        for k in d:
            if k not in ("nets", "notNets", "selector", "notSelector", "namespaceSelector",
                         "ports", "notPorts"):
                raise Unsupported("entity field %s" % k)
        self.nets = [ipaddress.ip_network(n) for n in d.get("nets") or []]
        self.not_nets = [ipaddress.ip_network(n) for n in d.get("notNets") or []]
        self.ports = _ports(d.get("ports"))
        self.not_ports = _ports(d.get("notPorts"))
        self.has_ports = "ports" in d
        self.has_not_ports = "notPorts" in d
        # RULES.go getEndpointSelector: (nsSel) && (selector)
        parts = []
        nss = d.get("namespaceSelector")
        if nss is not None:
            n = _sel(nss)
            if nss.strip() == "global()":
                parts.append(("not", ("has", "projectcalico.org/namespace")))
            elif n == ("all",):
                parts.append(("has", "projectcalico.org/namespace"))
            else:
                parts.append(calsel.prefixed(n, "pcns."))
        elif pol_ns is not None and ("selector" in d or "notSelector" in d):
            parts.append(("==", "projectcalico.org/namespace", pol_ns))
        if d.get("selector") is not None:
            parts.append(_sel(d["selector"]))
        self.sel = ("and",) + tuple(parts) if parts else None
        self.not_sel = _sel(d["notSelector"]) if d.get("notSelector") is not None else None

    def match(self, ep, fam, port):
        """ep: the endpoint this side names; port: its port or None."""
        ip = ep.ip.get(fam)
        if self.nets and (ip is None or not any(ip in n for n in self.nets if n.version == fam)):
            return False
        if self.not_nets and ip is not None and any(ip in n for n in self.not_nets if n.version == fam):
            return False
        if self.sel is not None and not (calsel.match(self.sel, ep.labels) if ep.pod
                                         else _in_netset(self.sel, ip, fam)):
            return False
        if self.not_sel is not None and (calsel.match(self.not_sel, ep.labels) if ep.pod
                                         else _in_netset(self.not_sel, ip, fam)):
            return False
        if self.has_ports and (port is None or not any(lo <= port <= hi for lo, hi in self.ports)):
            return False
        if self.has_not_ports and port is not None and any(lo <= port <= hi for lo, hi in self.not_ports):
            return False
        return True


class Rule:
    def __init__(self, d, pol_ns):
        for k in d:
            if k not in ("action", "protocol", "notProtocol", "ipVersion", "icmp", "notICMP",
                         "source", "destination", "metadata"):
                raise Unsupported("rule field %s" % k)
        self.action = d["action"]
        self.proto = _proto(d.get("protocol"))
        self.not_proto = _proto(d.get("notProtocol"))
        self.ipv = d.get("ipVersion")
        self.icmp = d.get("icmp")
        self.not_icmp = d.get("notICMP")
        self.src = Entity(d.get("source"), pol_ns)
        self.dst = Entity(d.get("destination"), pol_ns)
        if self.src.has_ports or self.src.has_not_ports:
            raise Unsupported("source ports")

    def match(self, src, dst, fam, proto, port):
        if self.ipv is not None and self.ipv != fam:
            return False
        if self.proto is not None and self.proto != proto:
            return False
        if self.not_proto is not None and self.not_proto == proto:
            return False
        icmp = proto in (1, 58)
        for spec, want in ((self.icmp, True), (self.not_icmp, False)):
            if spec is None:
                continue
            m = icmp and spec.get("type") == port >> 8 and \
                ("code" not in spec or spec["code"] == port & 0xff)
            if m != want:
                return False
        dport = port if proto in (6, 17, 132, 136) else None
        return self.src.match(src, fam, None) and self.dst.match(dst, fam, dport)


class Policy:
    def __init__(self, doc, where):
        kind = doc["kind"]
        self.namespaced, self.staged = KINDS[kind]
        meta, spec = doc.get("metadata") or {}, doc.get("spec") or {}
        self.name = meta["name"]
        self.ns = meta.get("namespace", "default") if self.namespaced else None
        self.where = where
        if (spec.get("tier") or "default") != "default":
            raise Unsupported("tier %s" % spec.get("tier"))
        for k in ("serviceAccountSelector",):
            if spec.get(k):
                raise Unsupported(k)
        self.order = spec.get("order", math.inf)
        sel = _sel(spec.get("selector"))
        if self.namespaced:
            sel = ("and", sel, ("==", "projectcalico.org/namespace", self.ns))
        elif spec.get("namespaceSelector") is not None:
            sel = ("and", sel, calsel.prefixed(_sel(spec["namespaceSelector"]), "pcns."))
        self.sel = sel
        self.ingress = [Rule(r, self.ns) for r in spec.get("ingress") or []]
        self.egress = [Rule(r, self.ns) for r in spec.get("egress") or []]
        types = spec.get("types")
        if not types:  # DEFAULTS.go defaultPolicyTypesField
            if self.egress and not self.ingress:
                types = ["Egress"]
            elif self.egress and self.ingress:
                types = ["Ingress", "Egress"]
            else:
                types = ["Ingress"]
        self.types = set(types)
        kname = {"GlobalNetworkPolicy": "GlobalNetworkPolicy", "NetworkPolicy": "NetworkPolicy"}
        self.key = (self.order, ("%s/%s/%s" % (self.name, self.ns or "",
                                               kname.get(kind, kind))).encode())


class PolicySet:
    def __init__(self, paths):
        self.policies = []
        del _NETSETS[:]
        for p in paths:
            files = sorted(glob.glob(os.path.join(p, "*.yaml"))) if os.path.isdir(p) else [p]
            for f in files:
                with open(f) as fh:
                    for i, doc in enumerate(yaml.safe_load_all(fh)):
                        if doc is None:
                            continue
                        if doc.get("kind") == "GlobalNetworkSet":
                            _NETSETS.append(((doc.get("metadata") or {}).get("labels") or {},
                                             [ipaddress.ip_network(n) for n in
                                              (doc.get("spec") or {}).get("nets") or []]))
                            continue
                        if doc.get("kind") not in KINDS:
                            raise Unsupported("%s: kind %s" % (f, doc.get("kind")))
                        self.policies.append(Policy(doc, "%s#%d" % (f, i + 1)))
        self.policies.sort(key=lambda p: p.key)

    def direction(self, ep, d, src, dst, fam, proto, port):
        """(allowed, why) for one direction at endpoint ep."""
        applied = False
        for p in self.policies:
            if p.staged or d not in p.types or not calsel.match(p.sel, ep.labels):
                continue
            applied = True
            for i, r in enumerate(p.ingress if d == "Ingress" else p.egress):
                if not r.match(src, dst, fam, proto, port):
                    continue
                if r.action == "Allow":
                    return True, "%s %s rule %d allows" % (p.name, d, i)
                if r.action == "Deny":
                    return False, "%s %s rule %d denies" % (p.name, d, i)
                if r.action == "Pass":
                    return True, "%s passes to profiles" % p.name
        if applied:
            return False, "end of tier default (%s)" % d
        return True, "no policy (%s): profile allows" % d

    def verdict(self, src, dst, fam, proto, port):
        why = []
        if src.pod:
            ok, w = self.direction(src, "Egress", src, dst, fam, proto, port)
            why.append(w)
            if not ok:
                return False, "; ".join(why)
        if dst.pod:
            ok, w = self.direction(dst, "Ingress", src, dst, fam, proto, port)
            why.append(w)
            if not ok:
                return False, "; ".join(why)
        return True, "; ".join(why)
