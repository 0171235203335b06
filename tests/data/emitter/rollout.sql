-- After a rollout of every workload, on top of seed.sql: new pod names,
-- hashes, uids, nodes, counts and times; the same workloads and edges.
-- Emit must not change.
UPDATE namespaces SET first_seen = first_seen + 100000000000000,
 last_seen = last_seen + 100000000000000;
DELETE FROM pods;
INSERT INTO pods (uid, namespace, name, node, owner_kind, owner_name, labels, workload, first_seen, last_seen) VALUES
 ('v-dns-1', 'kube-system', 'coredns-7f9a1b2c3d-zz9y8', 'node-c', 'ReplicaSet', 'coredns-7f9a1b2c3d', 'k8s-app=kube-dns
pod-template-hash=7f9a1b2c3d
', 'kube-system/coredns', 1800000000000000, 1800000600000000),
 ('v-dns-2', 'kube-system', 'coredns-7f9a1b2c3d-aa1b2', 'node-d', 'ReplicaSet', 'coredns-7f9a1b2c3d', 'k8s-app=kube-dns
pod-template-hash=7f9a1b2c3d
', 'kube-system/coredns', 1800000000000000, 1800000600000000),
 ('v-bb1', 'namespace1', 'busybox-deployment-55aa66bb7-m3n4o', 'node-c', 'ReplicaSet', 'busybox-deployment-55aa66bb7', 'app=busybox
pod-template-hash=55aa66bb7
', 'namespace1/busybox-deployment', 1800000000000000, 1800000600000000),
 ('v-ng1', 'namespace1', 'nginx-deployment-9c8d7e6f5a-p5q6r', 'node-d', 'ReplicaSet', 'nginx-deployment-9c8d7e6f5a', 'app=nginx
pod-template-hash=9c8d7e6f5a
', 'namespace1/nginx-deployment', 1800000000000000, 1800000600000000),
 ('v-bb2', 'namespace2', 'busybox-deployment-55aa66bb7-s7t8u', 'node-c', 'ReplicaSet', 'busybox-deployment-55aa66bb7', 'app=busybox
pod-template-hash=55aa66bb7
', 'namespace2/busybox-deployment', 1800000000000000, 1800000600000000),
 ('v-ng2', 'namespace2', 'nginx-deployment-9c8d7e6f5a-v9w0x', 'node-d', 'ReplicaSet', 'nginx-deployment-9c8d7e6f5a', 'app=nginx
pod-template-hash=9c8d7e6f5a
', 'namespace2/nginx-deployment', 1800000000000000, 1800000600000000),
 ('v-fe', 'ntierapp', 'frontend-1a2b3c4d5e-c1d2e', 'node-c', 'ReplicaSet', 'frontend-1a2b3c4d5e', 'app=frontend
pod-template-hash=1a2b3c4d5e
', 'ntierapp/frontend', 1800000000000000, 1800000600000000),
 ('v-be', 'ntierapp', 'backend-6e5d4c3b2a-f3g4h', 'node-d', 'ReplicaSet', 'backend-6e5d4c3b2a', 'app=backend
pod-template-hash=6e5d4c3b2a
', 'ntierapp/backend', 1800000000000000, 1800000600000000);
UPDATE edges SET connections = 7 * connections + 1,
 first_seen = first_seen + 100000000000000,
 last_seen = last_seen + 100000000000000,
 nodes = replace(replace(nodes, 'node-a', 'node-c'), 'node-b', 'node-d');
