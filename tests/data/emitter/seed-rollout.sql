-- After a rollout of every workload: new pod names, hashes, uids, nodes,
-- counts and times; the same workloads and edges. Emit must not change.
-- The seed scenario's learned model (shared/seed/sampleworkloads.yaml and
-- its calls), as the learner writes it: pods with their labels, the
-- workloads they group into, the edges between them.
INSERT INTO namespaces (name, labels, first_seen, last_seen) VALUES
 ('kube-system', 'kubernetes.io/metadata.name=kube-system
', 1800000000000000, 1800000600000000),
 ('namespace1', 'kubernetes.io/metadata.name=namespace1
name=namespace1
', 1800000000000000, 1800000600000000),
 ('namespace2', 'kubernetes.io/metadata.name=namespace2
name=namespace2
', 1800000000000000, 1800000600000000),
 ('ntierapp', 'kubernetes.io/metadata.name=ntierapp
name=ntierapp
', 1800000000000000, 1800000600000000);
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
INSERT INTO workloads (namespace, name, kind, selector, pods) VALUES
 ('kube-system', 'coredns', 'Deployment', 'k8s-app == ''kube-dns''', 2),
 ('namespace1', 'busybox-deployment', 'Deployment', 'app == ''busybox''', 1),
 ('namespace1', 'nginx-deployment', 'Deployment', 'app == ''nginx''', 1),
 ('namespace2', 'busybox-deployment', 'Deployment', 'app == ''busybox''', 1),
 ('namespace2', 'nginx-deployment', 'Deployment', 'app == ''nginx''', 1),
 ('ntierapp', 'backend', 'Deployment', 'app == ''backend''', 1),
 ('ntierapp', 'frontend', 'Deployment', 'app == ''frontend''', 1);
INSERT INTO edges (src, dst, proto, port, connections, first_seen, last_seen, nodes) VALUES
 ('namespace1/busybox-deployment', 'kube-system/coredns', 17, 53, 85, 1800000001000000, 1800000500000000, 'node-c'),
 ('namespace2/busybox-deployment', 'kube-system/coredns', 17, 53, 29, 1800000002000000, 1800000400000000, 'node-c'),
 ('ntierapp/frontend', 'kube-system/coredns', 17, 53, 57, 1800000003000000, 1800000300000000, 'node-c'),
 ('namespace1/busybox-deployment', 'namespace1/nginx-deployment', 6, 80, 43, 1800000004000000, 1800000500000000, 'node-c,node-d'),
 ('namespace1/busybox-deployment', 'namespace2/nginx-deployment', 6, 80, 43, 1800000005000000, 1800000500000000, 'node-c,node-d'),
 ('ntierapp/frontend', 'ntierapp/backend', 6, 80, 22, 1800000006000000, 1800000300000000, 'node-c,node-d');
