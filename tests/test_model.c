#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <sqlite3.h>

#include "tests/testutil.h"
#include "common/err.h"
#include "common/ipaddr.h"
#include "store/model.h"
#include "store/store.h"

/*
 * The read model (store/model.h) against a real SQLite file written the
 * way the learner and the inventory write it.
 */

struct fx {
	char *dir, *path;
	struct store *st;
	struct model *m;
};

static void
exec(struct store *st, const char *sql)
{
	if (store_exec(st, sql) < 0)
		fail_msg("%s: %s", sql, fp_errmsg());
}

/*
 * Namespace shop; workload shop/web of pods u2 (dual stack, labels changed
 * once) and u1 (IPv4 only); u3 a hostNetwork pod of shop/agent; u4 in
 * kube-system labelled k8s-app=kube-dns. 10.0.0.9 was u1's until t=500,
 * then u3's.
 */
static const char fixture_sql[] =
    "INSERT INTO namespaces VALUES ('shop', 'team=a\n', 0, 0);"
    "INSERT INTO namespaces VALUES ('kube-system', '', 0, 0);"
    "INSERT INTO workloads VALUES ('shop', 'web', 'Deployment', "
    "  'app == ''web''', 2);"
    "INSERT INTO workloads VALUES ('shop', 'agent', 'DaemonSet', "
    "  'app == ''agent''', 1);"
    "INSERT INTO workloads VALUES ('kube-system', 'coredns', 'Deployment', "
    "  'k8s-app == ''kube-dns''', 1);"
    "INSERT INTO workload_notes (namespace, name, members, exact) "
    "  VALUES ('shop', 'web', 'ReplicaSet/web-1,ReplicaSet/web-2', 0);"
    "INSERT INTO pods (uid, namespace, name, node, service_account, "
    "  host_network, labels, workload, first_seen, last_seen) VALUES "
    "  ('u2', 'shop', 'web-b', 'n1', 'web', 0, 'app=web\nv=2\n', "
    "   'shop/web', 0, 0),"
    "  ('u1', 'shop', 'web-a', 'n1', 'web', 0, 'app=web\nv=1\n', "
    "   'shop/web', 0, 0),"
    "  ('u3', 'shop', 'agent-x', 'n1', 'default', 1, 'app=agent\n', "
    "   'shop/agent', 0, 0),"
    "  ('u4', 'kube-system', 'coredns-a', 'n1', 'default', 0, "
    "   'k8s-app=kube-dns\n', 'kube-system/coredns', 0, 0);"
    "INSERT INTO pod_labels VALUES ('u2', 'app=web\nv=0\n', 0, 0),"
    "  ('u2', 'app=web\nv=2\n', 0, 0);"
    /* u2: an old IPv4, its current IPv4 and IPv6 */
    "INSERT INTO endpoints VALUES (x'0a000001', 'pod', 'u2', 100, 200, 0, 0, 0),"
    "  (x'0a000002', 'pod', 'u2', 200, NULL, 0, 0, NULL),"
    "  (x'fd000000000000000000000000000002', 'pod', 'u2', 200, NULL, 0, 0, NULL),"
    "  (x'0a000009', 'pod', 'u1', 0, 500, 0, 0, 0),"
    "  (x'0a000009', 'pod', 'u3', 500, NULL, 1, 1, NULL),"
    "  (x'c0a80001', 'node', 'n1', 0, NULL, 0, 0, NULL);"
    "INSERT INTO edges VALUES ('shop/web', 'external:2001:db8::1', 6, 443, "
    "  3, 10, 20, 'n1,n2'),"
    "  ('shop/agent', 'shop/web', 6, 80, 1, 5, 6, 'n1'),"
    "  ('shop/web', 'node:192.168.0.1', 17, 53, 2, 1, 2, 'n1'),"
    "  ('shop/web', 'unknown:10.0.0.77', 1, 2048, 1, 1, 1, 'n1');"
    "INSERT INTO coverage VALUES ('shop', 10, 8, 1, 1, 99),"
    "  ('', 4, 4, 0, 0, NULL);"
    "INSERT INTO unresolved VALUES (x'0a00004d', 'unknown', 5, 1, 2),"
    "  (x'0a00004e', 'unknown', 9, 1, 2), (x'0a00004f', 'ambiguous', 1, 1, 2);"
    "INSERT INTO health (window_start, node, window_len, received, lost) "
    "  VALUES (0, 'n1', 600, 10, 1), (600, 'n1', 600, 20, 0),"
    "  (600, 'n2', 600, 5, 5);";

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	assert_non_null(f->dir = tu_tmpdir());
	f->path = tu_path(f->dir, "model.db");
	assert_int_equal(store_open(&f->st, f->path, STORE_CREATE), 0);
	exec(f->st, fixture_sql);
	assert_int_equal(model_open(&f->m, f->st), 0);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	model_free(f->m);
	store_free(f->st);
	free(f->path);
	tu_rmdir(f->dir);
	free(f);
	return 0;
}

static void
test_model_peer_parse(void **state)
{
	struct model_peer p;
	char ns[8], buf[FP_IPSTRLEN];

	(void)state;
	assert_int_equal(model_peer_parse("shop/web", &p), 0);
	assert_int_equal(p.kind, MODEL_PEER_WORKLOAD);
	assert_string_equal(model_peer_ns(&p, ns, sizeof(ns)), "shop");
	assert_string_equal(model_peer_name(&p), "web");
	assert_int_equal(model_peer_family(&p), 0);
	assert_string_equal(model_peer_ns(&(struct model_peer){ .text =
	    "averylongnamespace/x", .nslen = 18 }, ns, sizeof(ns)), "averylo");
	assert_int_equal(model_peer_parse("external:2001:db8::1", &p), 0);
	assert_int_equal(p.kind, MODEL_PEER_EXTERNAL);
	assert_int_equal(model_peer_family(&p), 6);
	assert_string_equal(fp_ip_format(&p.ip, buf), "2001:db8::1");
	assert_int_equal(model_peer_parse("node:192.168.0.1", &p), 0);
	assert_int_equal(p.kind, MODEL_PEER_NODE);
	assert_int_equal(model_peer_family(&p), 4);
	assert_int_equal(model_peer_parse("unknown:10.0.0.7", &p), 0);
	assert_int_equal(p.kind, MODEL_PEER_UNKNOWN);
	assert_int_equal(model_peer_parse("host:1.2.3.4", &p), -1);
	assert_non_null(strstr(fp_errmsg(), "peer 'host:1.2.3.4' is not "
	    "namespace/name, node:IP, external:IP or unknown:IP"));
	assert_int_equal(model_peer_parse("external:1.2.3", &p), -1);
	assert_non_null(strstr(fp_errmsg(), "peer 'external:1.2.3': not an IP "
	    "address"));
}

static void
test_model_edges_sorted_with_peers(void **state)
{
	struct fx *f = *state;
	struct model_edges *it = NULL;
	struct model_edge e;
	static const char *const want[][2] = {
		{ "shop/agent", "shop/web" },
		{ "shop/web", "external:2001:db8::1" },
		{ "shop/web", "node:192.168.0.1" },
		{ "shop/web", "unknown:10.0.0.77" },
	};
	size_t n = 0;
	int rc;

	assert_int_equal(model_edges_open(f->m, &it), 0);
	while ((rc = model_edges_next(it, &e)) == 1) {
		assert_true(n < 4);
		assert_string_equal(e.src.text, want[n][0]);
		assert_string_equal(e.dst.text, want[n][1]);
		assert_int_equal(e.row, (long)n + 1);
		if (n == 1) {
			assert_int_equal(e.dst.kind, MODEL_PEER_EXTERNAL);
			assert_int_equal(e.proto, 6);
			assert_int_equal(e.port, 443);
			assert_int_equal(e.connections, 3);
			assert_int_equal(e.first_seen, 10);
			assert_int_equal(e.last_seen, 20);
			assert_string_equal(e.nodes, "n1,n2");
		}
		n++;
	}
	assert_int_equal(rc, 0);
	assert_int_equal(n, 4);
	model_edges_close(it);

	/* A peer that does not parse stops the pass, naming the edge. */
	exec(f->st, "INSERT INTO edges VALUES ('shop/web', 'nowhere', 6, 1, 1, "
	    "0, 0, '')");
	assert_int_equal(model_edges_open(f->m, &it), 0);
	while ((rc = model_edges_next(it, &e)) == 1)
		;
	assert_int_equal(rc, -1);
	assert_non_null(strstr(fp_errmsg(), "edge 4: peer 'nowhere' is not "
	    "namespace/name"));
	model_edges_close(it);
}

static void
test_model_workloads(void **state)
{
	struct fx *f = *state;
	const struct model_workload *v, *w;
	size_t n;

	assert_int_equal(model_workloads(f->m, &v, &n), 0);
	assert_int_equal(n, 3);
	assert_string_equal(v[0].text, "kube-system/coredns");
	assert_string_equal(v[1].text, "shop/agent");
	assert_string_equal(v[2].text, "shop/web");
	assert_true(v[1].exact);
	assert_string_equal(v[1].members, "");
	assert_non_null(w = model_workload_find(f->m, "shop/web"));
	assert_string_equal(w->selector, "app == 'web'");
	assert_string_equal(w->kind, "Deployment");
	assert_int_equal(w->pods, 2);
	assert_false(w->exact);
	assert_string_equal(w->members, "ReplicaSet/web-1,ReplicaSet/web-2");
	assert_null(model_workload_find(f->m, "shop/gone"));
	assert_null(model_workload_find(f->m, "shop"));
}

static void
test_model_pods_every_address_and_label_set(void **state)
{
	struct fx *f = *state;
	struct model_pod **v = NULL, *p = NULL;
	char buf[FP_IPSTRLEN];
	size_t n = 0;

	assert_int_equal(model_workload_pods(f->m, "shop/web", &v, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(v[0]->uid, "u1");
	assert_string_equal(v[1]->uid, "u2");
	p = v[1];
	assert_string_equal(p->name, "web-b");
	assert_string_equal(p->service_account, "web");
	assert_string_equal(p->workload, "shop/web");
	assert_string_equal(p->labels, "app=web\nv=2\n");
	/* the latest and the history, once each, sorted */
	assert_int_equal(p->nlabel_sets, 2);
	assert_string_equal(p->label_sets[0], "app=web\nv=0\n");
	assert_string_equal(p->label_sets[1], "app=web\nv=2\n");
	/* every address, both families, held ones first */
	assert_int_equal(p->naddrs, 3);
	assert_int_equal(p->addrs[2].valid_to, 200);
	assert_string_equal(fp_ip_format(&p->addrs[2].ip, buf), "10.0.0.1");
	assert_int_equal(p->addrs[0].valid_to, INT64_MAX);
	assert_string_equal(fp_ip_format(model_pod_addr(p, 4), buf), "10.0.0.2");
	assert_string_equal(fp_ip_format(model_pod_addr(p, 6), buf), "fd00::2");
	assert_null(model_pod_addr(v[0], 6));
	model_pods_free(v, n);

	p = NULL;
	assert_int_equal(model_pod_get(f->m, "u3", &p), 1);
	assert_true(p->host_network);
	assert_int_equal(p->nlabel_sets, 1);
	model_pod_free(p);
	p = NULL;
	assert_int_equal(model_pod_find(f->m, "shop", "web-a", &p), 1);
	assert_string_equal(p->uid, "u1");
	model_pod_free(p);
	p = NULL;
	assert_int_equal(model_pod_get(f->m, "nope", &p), 0);
	assert_null(p);
	assert_int_equal(model_workload_pods(f->m, "shop/none", &v, &n), 0);
	assert_int_equal(n, 0);
	model_pods_free(v, n);
}

static void
test_model_ip_owner_at_a_time(void **state)
{
	struct fx *f = *state;
	enum model_owner_kind k;
	struct fp_ip ip;
	char *owner = NULL;

	assert_int_equal(fp_ip_parse(&ip, "10.0.0.9"), 0);
	assert_int_equal(model_ip_owner(f->m, &ip, 100, &k, &owner), 1);
	assert_int_equal(k, MODEL_OWNER_POD);
	assert_string_equal(owner, "u1");
	free(owner);
	assert_int_equal(model_ip_owner(f->m, &ip, 500, &k, &owner), 1);
	assert_string_equal(owner, "u3");
	free(owner);
	assert_int_equal(model_ip_owner(f->m, &ip, MODEL_AT_LATEST, &k, &owner), 1);
	assert_string_equal(owner, "u3");
	free(owner);
	assert_int_equal(fp_ip_parse(&ip, "192.168.0.1"), 0);
	assert_int_equal(model_ip_owner(f->m, &ip, MODEL_AT_LATEST, &k, &owner), 1);
	assert_int_equal(k, MODEL_OWNER_NODE);
	assert_string_equal(owner, "n1");
	free(owner);
	assert_int_equal(fp_ip_parse(&ip, "fd00::2"), 0);
	assert_int_equal(model_ip_owner(f->m, &ip, 50, &k, &owner), 0);
	assert_null(owner);
}

static void
test_model_labels_namespaces(void **state)
{
	struct fx *f = *state;
	char **v = NULL, *l = NULL;
	size_t n = 0;

	assert_int_equal(model_workloads_labelled(f->m, "kube-system", "k8s-app",
	    "kube-dns", &v, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(v[0], "kube-system/coredns");
	free(v[0]);
	free(v);
	assert_int_equal(model_workloads_labelled(f->m, "shop", "k8s-app",
	    "kube-dns", &v, &n), 0);
	assert_int_equal(n, 0);
	free(v);
	assert_int_equal(model_namespace_labels(f->m, "shop", &l), 1);
	assert_string_equal(l, "team=a\n");
	free(l);
	assert_int_equal(model_namespace_labels(f->m, "gone", &l), 0);
	assert_null(l);
}

static void
test_model_coverage_unresolved_health(void **state)
{
	struct fx *f = *state;
	struct model_coverage *c = NULL;
	struct model_unresolved *u = NULL;
	struct model_health *h = NULL;
	char buf[FP_IPSTRLEN];
	size_t n = 0, total = 0;

	assert_int_equal(model_coverage(f->m, &c, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(c[0].ns, "");
	assert_false(c[0].has_last_new_edge);
	assert_string_equal(c[1].ns, "shop");
	assert_int_equal(c[1].resolved, 8);
	assert_int_equal(c[1].last_new_edge, 99);
	model_coverage_free(c, n);

	/* by reason, then most flows: the limit keeps the first, counts all */
	assert_int_equal(model_unresolved(f->m, 2, &u, &n, &total), 0);
	assert_int_equal(n, 2);
	assert_int_equal(total, 3);
	assert_string_equal(u[0].reason, "ambiguous");
	assert_string_equal(fp_ip_format(&u[1].ip, buf), "10.0.0.78");
	assert_int_equal(u[1].flows, 9);
	model_unresolved_free(u, n);

	assert_int_equal(model_health(f->m, INT64_MIN, INT64_MAX, &h, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(h[0].node, "n1");
	assert_int_equal(h[0].windows, 2);
	assert_int_equal(h[0].received, 30);
	assert_int_equal(h[0].to, 1200);
	model_health_free(h, n);
	/* only windows overlapping (since, until] */
	assert_int_equal(model_health(f->m, 600 * 1000000LL, INT64_MAX, &h, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(h[0].windows, 1);
	assert_int_equal(h[0].received, 20);
	model_health_free(h, n);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_model_peer_parse),
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_model_edges_sorted_with_peers),
		T(test_model_workloads),
		T(test_model_pods_every_address_and_label_set),
		T(test_model_ip_owner_at_a_time),
		T(test_model_labels_namespaces),
		T(test_model_coverage_unresolved_health),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
