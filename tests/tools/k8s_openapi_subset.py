#!/usr/bin/python3
"""Cut the definitions samples/deploy/ needs out of Kubernetes' OpenAPI spec.

Usage: k8s_openapi_subset.py SWAGGER.json SOURCE > tests/data/k8s-openapi/<version>.json

SWAGGER.json is Kubernetes' own OpenAPI v2 document (api/openapi-spec/
swagger.json of a release branch, as the kubernetes-client/python repository
carries it in kubernetes/swagger.json.unprocessed). Keeps every definition
reachable from the kinds in ROOTS, drops descriptions (size), and records
SOURCE (repository, commit, path) in the output. Data only: the validation is
done by check_manifests.py with python3-jsonschema.
"""
import json
import sys

ROOTS = [
    "io.k8s.api.core.v1.Namespace", "io.k8s.api.core.v1.ServiceAccount",
    "io.k8s.api.core.v1.PersistentVolumeClaim", "io.k8s.api.core.v1.ConfigMap",
    "io.k8s.api.core.v1.Secret", "io.k8s.api.apps.v1.DaemonSet",
    "io.k8s.api.apps.v1.Deployment", "io.k8s.api.batch.v1.CronJob",
    "io.k8s.api.rbac.v1.ClusterRole", "io.k8s.api.rbac.v1.ClusterRoleBinding",
    "io.k8s.api.rbac.v1.Role", "io.k8s.api.rbac.v1.RoleBinding",
]


def strip(node, refs):
    if isinstance(node, dict):
        out = {}
        for k, v in node.items():
            if k == "description":
                continue
            if k == "$ref":
                refs.append(v.rsplit("/", 1)[1])
            out[k] = strip(v, refs)
        return out
    if isinstance(node, list):
        return [strip(v, refs) for v in node]
    return node


def main():
    spec = json.load(open(sys.argv[1]))
    defs = spec["definitions"]
    keep, todo = {}, list(ROOTS)
    while todo:
        name = todo.pop()
        if name in keep:
            continue
        refs = []
        keep[name] = strip(defs[name], refs)
        todo.extend(refs)
    json.dump({"source": sys.argv[2], "info": spec.get("info", {}), "roots": ROOTS,
               "definitions": dict(sorted(keep.items()))}, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
