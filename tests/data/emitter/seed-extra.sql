-- Added to seed.sql: a debugging pod in an exempt namespace that carries
-- the same label as the seed's busybox (app=busybox) and sends nothing. It
-- changes no policy, and a rule that forgot its namespaceSelector would let
-- it in: the proof must then find a counterexample.
INSERT INTO pods (uid, namespace, name, node, owner_kind, owner_name, labels, workload, first_seen, last_seen) VALUES
 ('u-dbg', 'kube-system', 'debug-busybox-6d5f7c8b9-aaaaa', 'node-a', 'ReplicaSet', 'debug-busybox-6d5f7c8b9', 'app=busybox
pod-template-hash=6d5f7c8b9
', 'kube-system/debug-busybox', 1700000000000000, 1700000600000000);
INSERT INTO workloads (namespace, name, kind, selector, pods) VALUES
 ('kube-system', 'debug-busybox', 'Deployment', 'app == ''busybox''', 1);
