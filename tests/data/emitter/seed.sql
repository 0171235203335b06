-- The seed scenario's learned model (shared/seed/sampleworkloads.yaml and
-- its calls), as the learner writes it: pods with their labels, the
-- workloads they group into, the edges between them.
INSERT INTO namespaces (name, labels, first_seen, last_seen) VALUES
 ('kube-system', 'kubernetes.io/metadata.name=kube-system
', 1700000000000000, 1700000600000000),
 ('namespace1', 'kubernetes.io/metadata.name=namespace1
name=namespace1
', 1700000000000000, 1700000600000000),
 ('namespace2', 'kubernetes.io/metadata.name=namespace2
name=namespace2
', 1700000000000000, 1700000600000000),
 ('ntierapp', 'kubernetes.io/metadata.name=ntierapp
name=ntierapp
', 1700000000000000, 1700000600000000);
INSERT INTO pods (uid, namespace, name, node, owner_kind, owner_name, labels, workload, first_seen, last_seen) VALUES
 ('u-dns-1', 'kube-system', 'coredns-5d78c9869d-4kq2x', 'node-a', 'ReplicaSet', 'coredns-5d78c9869d', 'k8s-app=kube-dns
pod-template-hash=5d78c9869d
', 'kube-system/coredns', 1700000000000000, 1700000600000000),
 ('u-dns-2', 'kube-system', 'coredns-5d78c9869d-9zt7m', 'node-b', 'ReplicaSet', 'coredns-5d78c9869d', 'k8s-app=kube-dns
pod-template-hash=5d78c9869d
', 'kube-system/coredns', 1700000000000000, 1700000600000000),
 ('u-bb1', 'namespace1', 'busybox-deployment-7c9d8f6b5-abcde', 'node-a', 'ReplicaSet', 'busybox-deployment-7c9d8f6b5', 'app=busybox
pod-template-hash=7c9d8f6b5
', 'namespace1/busybox-deployment', 1700000000000000, 1700000600000000),
 ('u-ng1', 'namespace1', 'nginx-deployment-6b7f675859-qwert', 'node-b', 'ReplicaSet', 'nginx-deployment-6b7f675859', 'app=nginx
pod-template-hash=6b7f675859
', 'namespace1/nginx-deployment', 1700000000000000, 1700000600000000),
 ('u-bb2', 'namespace2', 'busybox-deployment-7c9d8f6b5-fghij', 'node-a', 'ReplicaSet', 'busybox-deployment-7c9d8f6b5', 'app=busybox
pod-template-hash=7c9d8f6b5
', 'namespace2/busybox-deployment', 1700000000000000, 1700000600000000),
 ('u-ng2', 'namespace2', 'nginx-deployment-6b7f675859-yuiop', 'node-b', 'ReplicaSet', 'nginx-deployment-6b7f675859', 'app=nginx
pod-template-hash=6b7f675859
', 'namespace2/nginx-deployment', 1700000000000000, 1700000600000000),
 ('u-fe', 'ntierapp', 'frontend-84d7c5b8d9-lkjhg', 'node-a', 'ReplicaSet', 'frontend-84d7c5b8d9', 'app=frontend
pod-template-hash=84d7c5b8d9
', 'ntierapp/frontend', 1700000000000000, 1700000600000000),
 ('u-be', 'ntierapp', 'backend-5f6d7c8b9a-mnbvc', 'node-b', 'ReplicaSet', 'backend-5f6d7c8b9a', 'app=backend
pod-template-hash=5f6d7c8b9a
', 'ntierapp/backend', 1700000000000000, 1700000600000000);
INSERT INTO workloads (namespace, name, kind, selector, pods) VALUES
 ('kube-system', 'coredns', 'Deployment', 'k8s-app == ''kube-dns''', 2),
 ('namespace1', 'busybox-deployment', 'Deployment', 'app == ''busybox''', 1),
 ('namespace1', 'nginx-deployment', 'Deployment', 'app == ''nginx''', 1),
 ('namespace2', 'busybox-deployment', 'Deployment', 'app == ''busybox''', 1),
 ('namespace2', 'nginx-deployment', 'Deployment', 'app == ''nginx''', 1),
 ('ntierapp', 'backend', 'Deployment', 'app == ''backend''', 1),
 ('ntierapp', 'frontend', 'Deployment', 'app == ''frontend''', 1);
INSERT INTO edges (src, dst, proto, port, connections, first_seen, last_seen, nodes) VALUES
 ('namespace1/busybox-deployment', 'kube-system/coredns', 17, 53, 12, 1700000001000000, 1700000500000000, 'node-a'),
 ('namespace2/busybox-deployment', 'kube-system/coredns', 17, 53, 4, 1700000002000000, 1700000400000000, 'node-a'),
 ('ntierapp/frontend', 'kube-system/coredns', 17, 53, 8, 1700000003000000, 1700000300000000, 'node-a'),
 ('namespace1/busybox-deployment', 'namespace1/nginx-deployment', 6, 80, 6, 1700000004000000, 1700000500000000, 'node-a,node-b'),
 ('namespace1/busybox-deployment', 'namespace2/nginx-deployment', 6, 80, 6, 1700000005000000, 1700000500000000, 'node-a,node-b'),
 ('ntierapp/frontend', 'ntierapp/backend', 6, 80, 3, 1700000006000000, 1700000300000000, 'node-a,node-b');
