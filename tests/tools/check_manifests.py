#!/usr/bin/python3
"""Structural checks of samples/deploy/*.yaml (no cluster needed).

Usage: check_manifests.py FLOWPOL_BINARY DIR

Checks every document is a well-formed Kubernetes object of a known kind,
that references between them resolve (service accounts, role bindings,
volume claims, selectors), that the collector gets only NET_ADMIN, that the
inventory role is read-only on pods/namespaces/nodes, and that every
`flowpol SUBCOMMAND --option` the manifests run exists in the built binary.
Prints one line per problem and exits 1 if there are any.
"""
import glob
import os
import re
import subprocess
import sys

import yaml

KNOWN = {
    ("v1", "Namespace"), ("v1", "ServiceAccount"), ("v1", "PersistentVolumeClaim"),
    ("v1", "ConfigMap"), ("apps/v1", "DaemonSet"), ("apps/v1", "Deployment"),
    ("batch/v1", "CronJob"), ("rbac.authorization.k8s.io/v1", "ClusterRole"),
    ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding"),
}
CLUSTER_SCOPED = {"Namespace", "ClusterRole", "ClusterRoleBinding"}
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


def main():
    binary, folder = sys.argv[1], sys.argv[2]
    docs = []
    for path in sorted(glob.glob(os.path.join(folder, "*.yaml"))):
        with open(path) as f:
            for i, d in enumerate(yaml.safe_load_all(f)):
                if d is not None:
                    docs.append((f"{os.path.basename(path)}#{i}", d))
    if not docs:
        bad(folder, "no manifests")
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
            for c in spec["containers"]:
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
                calls = list(flowpol_calls(c.get("command", []) + c.get("args", [])))
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
        if k == "ClusterRole":
            for r in d["rules"]:
                if r.get("apiGroups") != [""]:
                    bad(where, f"rule on api groups {r.get('apiGroups')}")
                if sorted(r["resources"]) != ["namespaces", "nodes", "pods"]:
                    bad(where, f"rule on resources {r['resources']}")
                if sorted(r["verbs"]) != ["get", "list", "watch"]:
                    bad(where, f"verbs {r['verbs']} are not read-only")
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
