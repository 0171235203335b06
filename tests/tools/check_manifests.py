#!/usr/bin/python3
"""Checks of samples/deploy/*.yaml (no cluster needed).

Usage: check_manifests.py FLOWPOL_BINARY DIR [OPENAPI.json]

Checks every document is a well-formed Kubernetes object of a known kind
that validates against Kubernetes' own OpenAPI schema (OPENAPI.json, the
subset vendored in tests/data/k8s-openapi/, made strict as the API server's
field validation is: unknown fields are errors), that the files apply in
name order (the Namespace before anything in it), that references between
them resolve (service accounts, role bindings, volume claims, ConfigMap
keys, selectors), the Pod Security label the collector needs, seccomp
RuntimeDefault, resources and privileges of every container, that the
collector gets only NET_ADMIN, that the inventory role is read-only on
exactly the kinds the watcher script watches, and that every `flowpol
SUBCOMMAND --option` the manifests (and the watcher script) run exists in
the built binary. Prints one line per problem and exits 1 if there are any.
"""
import glob
import json
import os
import re
import subprocess
import sys

import jsonschema
import yaml

KNOWN = {
    ("v1", "Namespace"), ("v1", "ServiceAccount"), ("v1", "PersistentVolumeClaim"),
    ("v1", "ConfigMap"), ("apps/v1", "DaemonSet"), ("apps/v1", "Deployment"),
    ("batch/v1", "CronJob"), ("rbac.authorization.k8s.io/v1", "ClusterRole"),
    ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding"),
}
CLUSTER_SCOPED = {"Namespace", "ClusterRole", "ClusterRoleBinding"}
# kubectl resource name -> API group, for the inventory ClusterRole
GROUPS = {"pods": "", "namespaces": "", "nodes": "", "services": "",
          "endpointslices": "discovery.k8s.io", "replicasets": "apps", "jobs": "batch"}
WATCH_SCRIPT = "inventory-watch.sh"
WATCH_COMMAND = "/usr/local/bin/flowpol-inventory-watch"
DNS1123 = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
problems = []


def bad(where, msg):
    problems.append(f"{where}: {msg}")


def pod_spec(obj):
    k = obj["kind"]
    if k in ("DaemonSet", "Deployment"):
        return obj["spec"]["template"]
    if k == "CronJob":
        return obj["spec"]["jobTemplate"]["spec"]["template"]
    return None


def flowpol_calls(cmd):
    """Yield (subcommand, [long options]) for each flowpol call in a command."""
    text = " ".join(cmd)
    for m in re.finditer(r"(?:^|[\s;|&(])flowpol\s+([a-z]+)((?:\s+(?!flowpol\b)[^;|&\n]*)?)", text):
        opts = re.findall(r"(?<!\S)--([a-z][a-z-]*)", m.group(2))
        yield m.group(1), opts


def strict(node):
    """Kubernetes' schema as the API server applies it: unknown fields are
    errors (kubectl's default --validate=strict), int-or-string and
    quantities take numbers too."""
    if isinstance(node, list):
        return [strict(v) for v in node]
    if not isinstance(node, dict):
        return node
    if node.get("format") == "int-or-string":
        return {"anyOf": [{"type": "integer"}, {"type": "string"}]}
    out = {k: strict(v) for k, v in node.items()}
    if ("properties" in out and "additionalProperties" not in out and
            not out.get("x-kubernetes-preserve-unknown-fields")):
        out["additionalProperties"] = False
    return out


def schema_validators(path):
    """(apiVersion, kind) -> validator, from the vendored OpenAPI subset."""
    spec = json.load(open(path))
    defs = {k: strict(v) for k, v in spec["definitions"].items()}
    defs["io.k8s.apimachinery.pkg.api.resource.Quantity"] = {
        "anyOf": [{"type": "string"}, {"type": "number"}]}
    out = {}
    for name, d in defs.items():
        for gvk in d.get("x-kubernetes-group-version-kind", []):
            api = gvk["version"] if not gvk["group"] else f"{gvk['group']}/{gvk['version']}"
            schema = {"definitions": defs, "$ref": f"#/definitions/{name}"}
            out[(api, gvk["kind"])] = jsonschema.Draft4Validator(schema)
    return out


def script_kinds(folder):
    """The kinds the watcher script watches by default, and its flowpol calls."""
    path = os.path.join(folder, WATCH_SCRIPT)
    if not os.path.exists(path):
        return None, []
    text = open(path).read()
    m = re.search(r"\|\| set -- ([a-z. ]+)\n", text)
    kinds = m.group(1).split() if m else []
    return kinds, [l for l in text.splitlines() if not l.lstrip().startswith("#")]


def main():
    binary, folder = sys.argv[1], sys.argv[2]
    validators = schema_validators(sys.argv[3]) if len(sys.argv) > 3 else {}
    watch_kinds, watch_lines = script_kinds(folder)
    docs = []
    for path in sorted(glob.glob(os.path.join(folder, "*.yaml"))):
        with open(path) as f:
            for i, d in enumerate(yaml.safe_load_all(f)):
                if d is not None:
                    docs.append((f"{os.path.basename(path)}#{i}", d))
    if not docs:
        bad(folder, "no manifests")
    # kubectl apply -f DIR applies the files in name order, the documents of
    # a file in order: a namespaced object before its Namespace fails.
    seen_ns = set()
    for where, d in docs:
        md = d.get("metadata") or {}
        if d.get("kind") == "Namespace":
            seen_ns.add(md.get("name"))
            labels = md.get("labels") or {}
            if labels.get("pod-security.kubernetes.io/enforce") != "privileged":
                bad(where, "namespace lacks pod-security.kubernetes.io/enforce: privileged "
                    "(the collector needs hostNetwork, hostPath and NET_ADMIN)")
        elif d.get("kind") not in CLUSTER_SCOPED and md.get("namespace") not in seen_ns:
            bad(where, f"applied before its namespace {md.get('namespace')!r}")
        v = validators.get((d.get("apiVersion"), d.get("kind")))
        if validators and v is None:
            bad(where, f"no schema for {d.get('apiVersion')}/{d.get('kind')}")
        elif v is not None:
            for e in sorted(v.iter_errors(d), key=lambda e: list(e.absolute_path)):
                path = ".".join(str(p) for p in e.absolute_path) or "(top)"
                bad(where, f"schema: {path}: {e.message[:200]}")
    names = {}
    for where, d in docs:
        for key in ("apiVersion", "kind", "metadata"):
            if key not in d:
                bad(where, f"missing {key}")
        if (d.get("apiVersion"), d.get("kind")) not in KNOWN:
            bad(where, f"unexpected kind {d.get('apiVersion')}/{d.get('kind')}")
            continue
        md = d["metadata"]
        if not DNS1123.match(md.get("name", "")) or len(md["name"]) > 253:
            bad(where, f"invalid name {md.get('name')!r}")
        if d["kind"] in CLUSTER_SCOPED:
            if "namespace" in md:
                bad(where, "cluster-scoped object has a namespace")
        elif md.get("namespace") != "flowpol":
            bad(where, "namespaced object outside namespace flowpol")
        names[(d["kind"], md["name"])] = d

    help_cache = {}

    def help_of(sub):
        if sub not in help_cache:
            r = subprocess.run([binary, sub, "--help"], capture_output=True, text=True)
            help_cache[sub] = (r.returncode, r.stdout)
        return help_cache[sub]

    for where, d in docs:
        k = d["kind"]
        tpl = pod_spec(d)
        if tpl is not None:
            spec = tpl["spec"]
            if k != "CronJob":
                sel = d["spec"]["selector"]["matchLabels"]
                labels = tpl["metadata"].get("labels", {})
                if any(labels.get(a) != b for a, b in sel.items()):
                    bad(where, "selector does not match the pod template labels")
            vols = {v["name"]: v for v in spec.get("volumes", [])}
            for v in vols.values():
                claim = v.get("persistentVolumeClaim", {}).get("claimName")
                if claim and ("PersistentVolumeClaim", claim) not in names:
                    bad(where, f"volume claim {claim} is not defined")
            sa = spec.get("serviceAccountName")
            if sa and ("ServiceAccount", sa) not in names:
                bad(where, f"service account {sa} is not defined")
            if k == "CronJob":
                if len(d["spec"]["schedule"].split()) != 5:
                    bad(where, "schedule is not a 5-field cron expression")
                if spec.get("restartPolicy") not in ("Never", "OnFailure"):
                    bad(where, "a Job needs restartPolicy Never or OnFailure")
            sc_pod = spec.get("securityContext", {})
            if (sc_pod.get("seccompProfile") or {}).get("type") != "RuntimeDefault":
                bad(where, "pod has no seccompProfile RuntimeDefault")
            cms = {(e["valueFrom"]["configMapKeyRef"]["name"], e["valueFrom"]["configMapKeyRef"]["key"])
                   for c in spec.get("initContainers", []) + spec["containers"]
                   for e in c.get("env", []) if "configMapKeyRef" in e.get("valueFrom", {})}
            for cm, key in sorted(cms):
                if key not in (names.get(("ConfigMap", cm)) or {}).get("data", {}):
                    bad(where, f"ConfigMap {cm} has no key {key}")
            for c in spec.get("initContainers", []) + spec["containers"]:
                cw = f"{where} container {c['name']}"
                for m in c.get("volumeMounts", []):
                    if m["name"] not in vols:
                        bad(cw, f"mounts undefined volume {m['name']}")
                sc = c.get("securityContext", {})
                if sc.get("privileged"):
                    bad(cw, "privileged")
                if sc.get("allowPrivilegeEscalation", True):
                    bad(cw, "allowPrivilegeEscalation is not false")
                caps = sc.get("capabilities", {})
                if caps.get("drop") != ["ALL"]:
                    bad(cw, "does not drop ALL capabilities")
                added = caps.get("add", [])
                if added and added != ["NET_ADMIN"]:
                    bad(cw, f"adds capabilities {added}")
                if "limits" not in c.get("resources", {}):
                    bad(cw, "no resource limits")
                if "requests" not in c.get("resources", {}):
                    bad(cw, "no resource requests")
                if not c["image"].startswith("flowpol:"):
                    continue
                cmd = c.get("command", []) + c.get("args", [])
                if cmd[:1] == [WATCH_COMMAND]:
                    if watch_kinds is None:
                        bad(cw, f"runs {WATCH_COMMAND} but {WATCH_SCRIPT} is missing")
                        continue
                    cmd = watch_lines
                calls = list(flowpol_calls(cmd))
                if not calls:
                    bad(cw, "runs no flowpol command")
                for sub, opts in calls:
                    rc, text = help_of(sub)
                    if rc != 0 or "not implemented" in text:
                        bad(cw, f"'flowpol {sub}' is not a working subcommand")
                        continue
                    for o in opts:
                        if f"--{o}" not in text:
                            bad(cw, f"'flowpol {sub}' has no option --{o}")
        if k == "DaemonSet":
            spec = tpl["spec"]
            if not spec.get("hostNetwork"):
                bad(where, "collector must run with hostNetwork")
            if not any("hostPath" in v for v in spec.get("volumes", [])):
                bad(where, "collector database needs a hostPath")
            coll = spec["containers"][0]
            if coll["securityContext"]["capabilities"].get("add") != ["NET_ADMIN"]:
                bad(where, "collector must add exactly NET_ADMIN")
            if "livenessProbe" not in coll:
                bad(where, "collector has no liveness probe")
        if k == "ClusterRole":
            granted = set()
            for r in d["rules"]:
                for g in r.get("apiGroups", []):
                    for res in r.get("resources", []):
                        granted.add((g, res))
                if sorted(r["verbs"]) != ["get", "list", "watch"]:
                    bad(where, f"verbs {r['verbs']} are not read-only")
            want = {(GROUPS.get(kd, "?"), kd) for kd in (watch_kinds or [])}
            for g, res in sorted(granted - want):
                bad(where, f"grants {g or 'core'}/{res}, which the watcher does not watch")
            for g, res in sorted(want - granted):
                bad(where, f"does not grant {g or 'core'}/{res}, which the watcher watches")
        if k == "ClusterRoleBinding":
            if ("ClusterRole", d["roleRef"]["name"]) not in names:
                bad(where, "binds an undefined ClusterRole")
            for s in d["subjects"]:
                if ("ServiceAccount", s["name"]) not in names:
                    bad(where, f"binds undefined service account {s['name']}")
    for p in problems:
        print(p)
    print(f"{len(docs)} manifests checked, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
