-- Added to seed.sql: the DNS pods lose their k8s-app=kube-dns label, so the
-- inventory names no DNS workload.
UPDATE pods SET labels = 'k8s-app=coredns-custom
' WHERE namespace = 'kube-system';
UPDATE workloads SET selector = 'k8s-app == ''coredns-custom''' WHERE name = 'coredns';
