-- Added to seed.sql. A debugging pod in an exempt namespace that carries
-- the same label as the seed's busybox (app=busybox) and sends nothing. It
-- changes no policy, and a rule that forgot its namespaceSelector would let
-- it in: the proof must then find a counterexample.
INSERT INTO pods (uid, namespace, name, node, owner_kind, owner_name, labels, workload, first_seen, last_seen) VALUES
 ('u-dbg', 'kube-system', 'debug-busybox-6d5f7c8b9-aaaaa', 'node-a', 'ReplicaSet', 'debug-busybox-6d5f7c8b9', 'app=busybox
pod-template-hash=6d5f7c8b9
', 'kube-system/debug-busybox', 1700000000000000, 1700000600000000);
INSERT INTO workloads (namespace, name, kind, selector, pods) VALUES
 ('kube-system', 'debug-busybox', 'Deployment', 'app == ''busybox''', 1);
-- And a pod outside kube-system that copies the kube-dns label: it must not
-- become a DNS destination for every pod.
INSERT INTO pods (uid, namespace, name, node, owner_kind, owner_name, labels, workload, first_seen, last_seen) VALUES
 ('u-fake', 'ntierapp', 'fake-dns-5c6d7e8f9-bbbbb', 'node-a', 'ReplicaSet', 'fake-dns-5c6d7e8f9', 'app=fake-dns
k8s-app=kube-dns
pod-template-hash=5c6d7e8f9
', 'ntierapp/fake-dns', 1700000000000000, 1700000600000000);
INSERT INTO workloads (namespace, name, kind, selector, pods) VALUES
 ('ntierapp', 'fake-dns', 'Deployment', 'app == ''fake-dns''', 1);
