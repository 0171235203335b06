#!/usr/bin/python3
"""Validate Calico v3 documents against the CRD schemas in calico/crds/.

usage: crd_validate.py [--crds DIR]... [--flowpol] [--list-selectors] PATH...

PATH is a YAML file, a directory (its *.yaml files) or '-' (stdin); each may
hold several documents. Every document's object is checked against the
openAPIV3Schema of the CRD for its kind (apiVersion projectcalico.org/v3),
in each --crds directory given (default: calico/crds/v3-projectcalico.org and
the stricter master-unreleased one). The schemas are made strict: where the
API server would silently prune an unknown field, this reports it. On top of
the schema come the checks Calico does in Go (validator.go) that a generator
can get wrong: name regex, protocol spelling, ports needing a protocol,
strictly masked CIDRs of one family agreeing with ipVersion, ICMP fields,
annotation keys and the selector grammar (doc/selector-grammar.md).
--flowpol adds flowpol's own rules: explicit order and types, distinct
orders, no all() in a policy selector.
--list-selectors prints every selector found, one per line, and exits.
Exit 0 all valid, 1 invalid documents, 2 usage or I/O error.
"""
import copy
import glob
import ipaddress
import os
import re
import sys

import jsonschema
import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import calsel  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.dirname(os.path.dirname(HERE))
DEFAULT_CRDS = [os.path.join(SRC, "calico/crds/v3-projectcalico.org"),
                os.path.join(SRC, "calico/crds/master-unreleased-v3-projectcalico.org")]
POLICY_KINDS = ("GlobalNetworkPolicy", "StagedGlobalNetworkPolicy",
                "NetworkPolicy", "StagedNetworkPolicy")
GNP_NAME = re.compile(r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
QNAME = re.compile(r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?"
                   r"[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")
PROTO_NAMES = ("TCP", "UDP", "ICMP", "ICMPv6", "SCTP", "UDPLite")


def strict(schema):
    """Forbid unknown properties wherever the schema lists properties."""
    s = copy.deepcopy(schema)

    def walk(n):
        if isinstance(n, dict):
            if "properties" in n and "additionalProperties" not in n \
                    and not n.get("x-kubernetes-preserve-unknown-fields"):
                n["additionalProperties"] = False
            for v in n.values():
                walk(v)
        elif isinstance(n, list):
            for v in n:
                walk(v)
    walk(s)
    return s


def load_crds(dirs):
    out = []
    for d in dirs:
        schemas = {}
        for f in sorted(glob.glob(os.path.join(d, "*.yaml"))):
            with open(f) as fh:
                crd = yaml.safe_load(fh)
            kind = crd["spec"]["names"]["kind"]
            for v in crd["spec"]["versions"]:
                if v["name"] == "v3":
                    schemas[kind] = jsonschema.Draft7Validator(
                        strict(v["schema"]["openAPIV3Schema"]))
        if not schemas:
            raise SystemExit("crd_validate: no v3 CRDs in %s" % d)
        out.append((os.path.basename(d), schemas))
    return out


# --- Go-side checks -------------------------------------------------------
def check_ports(where, ent, proto, errs):
    for key in ("ports", "notPorts"):
        ports = ent.get(key) or []
        if len(ports) > 50:
            errs.append("%s.%s: %d entries, at most 50" % (where, key, len(ports)))
        for p in ports:
            if isinstance(p, bool):
                errs.append("%s.%s: boolean %r" % (where, key, p))
                continue
            if isinstance(p, int) or re.fullmatch(r"\d+(:\d+)?", str(p)):
                lo, _, hi = str(p).partition(":")
                lo, hi = int(lo), int(hi or lo)
                if not (1 <= lo <= hi <= 65535):
                    errs.append("%s.%s: bad port %r" % (where, key, p))
                if proto not in ("TCP", "UDP", "SCTP", 6, 17, 132):
                    errs.append("%s.%s: numeric port needs protocol TCP, UDP or SCTP, "
                                "not %r" % (where, key, proto))
            elif not re.fullmatch(r"[a-z0-9-]{1,15}", str(p)) or not re.search("[a-z]", str(p)):
                errs.append("%s.%s: bad port %r" % (where, key, p))


def check_nets(where, ent, ipv, errs):
    fams = set()
    for key in ("nets", "notNets"):
        nets = ent.get(key) or []
        if len(nets) > 256:
            errs.append("%s.%s: %d entries, at most 256" % (where, key, len(nets)))
        for n in nets:
            try:
                net = ipaddress.ip_network(str(n), strict=True)
            except ValueError as e:
                errs.append("%s.%s: %r: %s" % (where, key, n, e))
                continue
            fams.add(net.version)
    if len(fams) > 1:
        errs.append("%s: mixes IPv4 and IPv6 nets" % where)
    if ipv is not None and fams and fams != {ipv}:
        errs.append("%s: nets are not IPv%d" % (where, ipv))


def check_selector(where, s, errs, sels, policy_level=False):
    if s is None:
        return
    sels.append(s)
    if len(s) > 1024:
        errs.append("%s: selector longer than 1024 characters" % where)
    if policy_level and "global()" in s:
        errs.append("%s: global() is not allowed here" % where)
    try:
        calsel.parse(s)
    except calsel.SelectorError as e:
        errs.append("%s: invalid selector %r: %s" % (where, s, e))


def check_rule(where, r, errs, sels):
    proto = r.get("protocol")
    if isinstance(proto, str) and not proto.isdigit() and proto not in PROTO_NAMES:
        errs.append("%s.protocol: %r is not one of %s (case-sensitive)"
                    % (where, proto, ", ".join(PROTO_NAMES)))
    if isinstance(proto, int) and not 1 <= proto <= 255:
        errs.append("%s.protocol: %r out of range" % (where, proto))
    ipv = r.get("ipVersion")
    if ipv not in (None, 4, 6):
        errs.append("%s.ipVersion: %r" % (where, ipv))
    if proto in ("ICMP", 1) and ipv == 6 or proto in ("ICMPv6", 58) and ipv == 4:
        errs.append("%s: protocol %s with ipVersion %s" % (where, proto, ipv))
    for k in ("icmp", "notICMP"):
        if k in r:
            if proto not in ("ICMP", "ICMPv6", 1, 58):
                errs.append("%s.%s needs protocol ICMP or ICMPv6" % (where, k))
            ic = r[k]
            if "code" in ic and "type" not in ic:
                errs.append("%s.%s: code without type" % (where, k))
            if not 0 <= ic.get("type", 0) <= 254 or not 0 <= ic.get("code", 0) <= 255:
                errs.append("%s.%s: out of range" % (where, k))
    for side in ("source", "destination"):
        ent = r.get(side) or {}
        w = "%s.%s" % (where, side)
        check_ports(w, ent, proto, errs)
        check_nets(w, ent, ipv, errs)
        for k in ("selector", "notSelector", "namespaceSelector"):
            check_selector("%s.%s" % (w, k), ent.get(k), errs, sels)
        if "global(" in (ent.get("selector") or "") + (ent.get("notSelector") or ""):
            errs.append("%s: global() only as a whole namespaceSelector" % w)
    ann = ((r.get("metadata") or {}).get("annotations")) or {}
    for k in ann:
        if not QNAME.match(k) or len(k.split("/")[-1]) > 63:
            errs.append("%s.metadata.annotations: key %r is not a qualified name" % (where, k))


def check_doc(doc, crds, flowpol, errs, sels, orders):
    kind = doc.get("kind")
    if doc.get("apiVersion") != "projectcalico.org/v3":
        errs.append("apiVersion %r is not projectcalico.org/v3" % doc.get("apiVersion"))
        return
    for label, schemas in crds:
        v = schemas.get(kind)
        if v is None:
            errs.append("kind %r has no CRD in %s" % (kind, label))
            continue
        for e in sorted(v.iter_errors(doc), key=lambda e: list(e.absolute_path)):
            errs.append("%s: %s: %s" % (label, "/".join(map(str, e.absolute_path)) or "(root)",
                                        e.message))
    meta = doc.get("metadata") or {}
    name = meta.get("name", "")
    if kind in POLICY_KINDS:
        if not isinstance(name, str) or len(name) > 253 or not GNP_NAME.match(name):
            errs.append("metadata.name %r is not a valid policy name" % (name,))
    spec = doc.get("spec") or {}
    if kind not in POLICY_KINDS:
        return
    check_selector("spec.selector", spec.get("selector"), errs, sels, True)
    check_selector("spec.namespaceSelector", spec.get("namespaceSelector"), errs, sels, True)
    types = spec.get("types")
    if types is not None and (len(types) != len(set(types)) or not 1 <= len(types) <= 2):
        errs.append("spec.types: %r" % (types,))
    for d in ("ingress", "egress"):
        for i, r in enumerate(spec.get(d) or []):
            check_rule("spec.%s[%d]" % (d, i), r, errs, sels)
    if flowpol:
        if "order" not in spec:
            errs.append("flowpol: spec.order missing")
        elif (spec.get("tier") or "default", spec["order"]) in orders:
            errs.append("flowpol: spec.order %r also used by %s"
                        % (spec["order"], orders[(spec.get("tier") or "default", spec["order"])]))
        else:
            orders[(spec.get("tier") or "default", spec["order"])] = name
        if not types:
            errs.append("flowpol: spec.types missing")
        sel = spec.get("selector") or ""
        if sel.strip() in ("", "all()") or "all()" in sel:
            errs.append("flowpol: spec.selector %r would select host endpoints" % sel)
        for d in ("ingress", "egress"):
            if spec.get(d) and d.capitalize() not in (types or []):
                errs.append("flowpol: spec.%s present but %s not in types" % (d, d.capitalize()))


def selector_vectors(path):
    """Check calsel against Calico's own selector test vectors."""
    bad = 0
    with open(path) as fh:
        for line in fh:
            line = line.rstrip("\n")
            if not line:
                continue
            sel, lab, want = line.split("\t")
            labels = {} if lab == "-" else dict(p.split("=", 1) for p in lab.split(","))
            try:
                got = "match" if calsel.match(calsel.parse(sel), labels) else "nomatch"
            except calsel.SelectorError:
                got = "error"
            if got != want:
                print("selector %r labels %s: want %s, got %s" % (sel, lab, want, got))
                bad += 1
    return 1 if bad else 0


def main(argv):
    crd_dirs, flowpol, list_sel, paths = [], False, False, []
    it = iter(argv)
    for a in it:
        if a == "--selector-vectors":
            return selector_vectors(next(it))
        if a == "--crds":
            crd_dirs.append(next(it))
        elif a == "--flowpol":
            flowpol = True
        elif a == "--list-selectors":
            list_sel = True
        else:
            paths.append(a)
    if not paths:
        print(__doc__, file=sys.stderr)
        return 2
    crds = load_crds(crd_dirs or DEFAULT_CRDS)
    # each PATH is one policy set: orders must be distinct within it
    files = []
    for p in paths:
        if os.path.isdir(p):
            files += [(f, p) for f in sorted(glob.glob(os.path.join(p, "*.yaml")))]
        else:
            files.append((p, p))
    bad = ndocs = 0
    sels, orders, cur = [], {}, None
    for f, setname in files:
        if setname != cur:
            orders, cur = {}, setname
        try:
            text = sys.stdin.read() if f == "-" else open(f).read()
            docs = list(yaml.safe_load_all(text))
        except (OSError, yaml.YAMLError) as e:
            print("crd_validate: %s: %s" % (f, e), file=sys.stderr)
            return 2
        for i, doc in enumerate(docs):
            if doc is None:
                continue
            ndocs += 1
            errs = []
            if not isinstance(doc, dict):
                errs.append("document is not a mapping")
            else:
                check_doc(doc, crds, flowpol, errs, sels, orders)
            for e in errs:
                print("%s: document %d: %s" % (f, i + 1, e))
            bad += bool(errs)
    if list_sel:
        for s in sels:
            print(s)
        return 0
    print("crd_validate: %d documents, %d invalid" % (ndocs, bad), file=sys.stderr)
    return 1 if bad or ndocs == 0 else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
