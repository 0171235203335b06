/* Unit tests: Kubernetes name rules, the inventory parser, snapshot intervals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "store/store.h"
#include "common/timeutil.h"
#include "learner/inventory.h"
#include "common/k8sname.h"
#include "testutil.h"

static void
test_inventory_names(void **state)
{
	char k63[64], k64[65], pre[300];

	(void)state;
	memset(k63, 'a', 63);
	k63[63] = '\0';
	memset(k64, 'a', 64);
	k64[64] = '\0';
	assert_null(k8s_check_dns_label("ns-1"));
	assert_null(k8s_check_dns_label(k63));
	assert_non_null(k8s_check_dns_label(k64));
	assert_non_null(k8s_check_dns_label("-ns"));
	assert_non_null(k8s_check_dns_label("Ns"));
	assert_non_null(k8s_check_dns_label("a.b"));
	assert_null(k8s_check_dns_subdomain("a.b-c.d"));
	assert_non_null(k8s_check_dns_subdomain("a..b"));
	assert_non_null(k8s_check_dns_subdomain(""));
	assert_non_null(k8s_check_dns1035_label("1web"));
	assert_null(k8s_check_dns1035_label("web1"));
	assert_null(k8s_check_label_key("app"));
	assert_null(k8s_check_label_key("app.kubernetes.io/name"));
	assert_null(k8s_check_label_key("A_b.c-D"));
	assert_non_null(k8s_check_label_key("/name"));
	assert_non_null(k8s_check_label_key("a/b/c"));
	assert_non_null(k8s_check_label_key("Bad_Prefix/x"));
	assert_non_null(k8s_check_label_key("app name"));
	assert_non_null(k8s_check_label_key(k64));
	snprintf(pre, sizeof(pre), "%s.%s.%s.%s/x", k63, k63, k63, k63);
	assert_non_null(k8s_check_label_key(pre));	/* prefix > 253 */
	assert_null(k8s_check_label_value(""));
	assert_null(k8s_check_label_value(k63));
	assert_non_null(k8s_check_label_value(k64));
	assert_non_null(k8s_check_label_value("-x"));
	assert_non_null(k8s_check_label_value("a b"));
}

static int
parse(const char *text, struct inv_counts *n)
{
	struct inv *inv = NULL;
	int r;

	assert_int_equal(inv_new(&inv), 0);
	r = inv_parse(inv, "t.json", text, strlen(text));
	if (r == 0 && n != NULL)
		inv_counts(inv, n);
	inv_free(inv);
	return r;
}

static void
test_inventory_shapes(void **state)
{
	struct inv_counts n;

	(void)state;
	/* one object, JSON without spaces, escapes decoded */
	assert_int_equal(parse("{\"kind\":\"Namespace\",\"metadata\":{\"name\":"
	    "\"\\u0061b\",\"annotations\":{\"x\":\"\\u003cb\\u003e \\u0026\"}}}", &n), 0);
	assert_int_equal(n.namespaces, 1);
	/* a List, other kinds ignored, empty items */
	assert_int_equal(parse("apiVersion: v1\nkind: List\nitems:\n"
	    "- kind: ConfigMap\n  metadata: {name: x, namespace: y}\n"
	    "- kind: Node\n  metadata: {name: n1}\n  status:\n    addresses:\n"
	    "    - {type: InternalIP, address: 10.0.0.1}\n"
	    "    - {type: InternalIP, address: 'fd00::1'}\n", &n), 0);
	assert_int_equal(n.nodes, 1);
	assert_int_equal(n.ignored, 1);
	assert_int_equal(parse("{\"kind\": \"List\", \"items\": []}", &n), 0);
	assert_int_equal(n.pods, 0);
	/* calicoctl list kind, ReplicaSet owner */
	assert_int_equal(parse("kind: ReplicaSetList\nitems:\n- kind: ReplicaSet\n"
	    "  metadata:\n    name: web-5d\n    namespace: a\n    ownerReferences:\n"
	    "    - {kind: Deployment, name: web, controller: true}\n", &n), 0);
	assert_int_equal(n.controllers, 1);
	/* a long value in a folded YAML scalar */
	{
		char *big = malloc(300000), *p = big;
		size_t i;

		assert_non_null(big);
		p += snprintf(p, 200, "kind: Namespace\nmetadata:\n  name: a\n"
		    "  annotations:\n    long: ");
		for (i = 0; i < 20000; i++)
			p += snprintf(p, 20, "word%zu ", i % 10);
		*p++ = '\n';
		*p = '\0';
		assert_int_equal(parse(big, &n), 0);
		free(big);
	}
}

static void
expect_error(const char *text, const char *want)
{
	fp_error_clear();
	assert_int_equal(parse(text, NULL), -1);
	if (strcmp(fp_errmsg(), want) != 0)
		fail_msg("got '%s', want '%s'", fp_errmsg(), want);
}

static void
test_inventory_errors(void **state)
{
	(void)state;
	expect_error("{\"kind\": \"Pod\", \"metadata\": {\"name\": \"p\", "
	    "\"namespace\": \"n\"}}",
	    "inventory: 't.json': line 1: object Pod/n/p: field spec: missing");
	expect_error("kind: Pod\nmetadata:\n  name: p\n  namespace: n\nspec:\n"
	    "  hostNetwork: true\nstatus:\n  podIPs:\n  - ip: 1.2.3\n",
	    "inventory: 't.json': line 9: object Pod/n/p: field status.podIPs.ip: "
	    "'1.2.3' is not an IP address");
	expect_error("kind: Pod\nmetadata:\n  name: p\n  namespace: n\n"
	    "  labels: {a: [1]}\nspec: {}\n",
	    "inventory: 't.json': line 5: object Pod/n/p: field metadata.labels: "
	    "key 'a': value is a list, want a string");
	expect_error("kind: Pod\nmetadata:\n  name: p\n  namespace: n\n"
	    "  labels: {a: null}\nspec: {}\n",
	    "inventory: 't.json': line 5: object Pod/n/p: field metadata.labels: "
	    "key 'a': value is null");
	expect_error("kind: Pod\nmetadata:\n  name: p\n  namespace: n\n  uid: ''\n"
	    "spec: {}\n",
	    "inventory: 't.json': line 5: object Pod/n/p: field metadata.uid: "
	    "empty or longer than 128 characters");
	expect_error("[1, 2]\n", "inventory: 't.json': line 1: document is a list, "
	    "want a Kubernetes object or List");
	expect_error("kind: Node\nmetadata:\n  name: n\nstatus:\n  addresses:\n"
	    "  - address: 1.2.3.4\n",
	    "inventory: 't.json': line 6: object Node/n: field "
	    "status.addresses.type: missing");
	expect_error("kind: Service\nmetadata: {name: s, namespace: n}\n"
	    "spec: {clusterIP: 10.0.0.300}\n",
	    "inventory: 't.json': line 3: object Service/n/s: field spec.clusterIPs: "
	    "'10.0.0.300' is not an IP address");
}

/* --- snapshots and intervals, against a real database -------------------- */

struct db {
	char *dir, *path;
	struct store *st;
};

static void
db_open(struct db *d)
{
	d->dir = tu_tmpdir();
	assert_non_null(d->dir);
	d->path = tu_path(d->dir, "t.db");
	assert_int_equal(store_open(&d->st, d->path, STORE_CREATE), 0);
}

static void
db_close(struct db *d)
{
	store_free(d->st);
	free(d->path);
	tu_rmdir(d->dir);
}

/*
 * Issue 14: a key twice in kubectl's JSON is refused with both lines (it
 * was accepted, first value winning, where kubectl keeps the last); a
 * hostile file stops at a named limit.
 */
static void
test_inventory_hostile_json(void **state)
{
	struct inv_counts n;
	size_t i, cap = 400000, len = 0;
	char *big = malloc(cap);

	(void)state;
	assert_non_null(big);
	expect_error("{\n  \"apiVersion\": \"v1\",\n  \"items\": [\n    {\n"
	    "      \"kind\": \"Namespace\",\n      \"metadata\": {\n"
	    "        \"name\": \"a\",\n        \"name\": \"b\"\n      }\n"
	    "    }\n  ],\n  \"kind\": \"List\"\n}\n",
	    "inventory: 't.json': line 8: items[0].metadata: duplicate key "
	    "'name' (first at line 7)");
	expect_error("{\"kind\": \"Namespace\", \"kind\": \"Pod\"}",
	    "inventory: 't.json': line 1: duplicate key 'kind' (first at line 1)");
	/* 160 KB of nested flow mappings: refused by the depth limit */
	for (i = 0; i < 40000; i++)
		memcpy(big + 4 * i, "{a: ", 4);
	big[4 * i] = '\0';
	expect_error(big, "inventory: 't.json': line 1: nested deeper than 64 "
	    "levels (the depth limit)");
	/* 2,500 labels read; past the keys-per-mapping limit is refused */
	len += (size_t)snprintf(big, cap, "kind: Namespace\nmetadata:\n"
	    "  name: a\n  labels:\n");
	for (i = 0; i < 2500; i++)
		len += (size_t)snprintf(big + len, cap - len, "    k%zu: v\n", i);
	assert_int_equal(parse(big, &n), 0);
	assert_int_equal(n.namespaces, 1);
	for (; i <= 10000; i++)
		len += (size_t)snprintf(big + len, cap - len, "    k%zu: v\n", i);
	expect_error(big, "inventory: 't.json': line 10005: metadata.labels: "
	    "mapping has more than 10000 keys (the keys-per-mapping limit)");
	free(big);
}

static int
import(struct db *d, const char *at, const char *text)
{
	struct inv *inv = NULL;
	int64_t t;
	int r;

	assert_int_equal(fp_time_parse(at, &t), 0);
	assert_int_equal(inv_new(&inv), 0);
	r = inv_parse(inv, "t", text, strlen(text));
	if (r == 0)
		r = inv_store(inv, d->st, t, "t", 0);
	inv_free(inv);
	return r;
}

/* One text column of the first row, "" if none; caller frees. */
static char *
query(struct db *d, const char *sql)
{
	sqlite3_stmt *s = NULL;
	char *out;

	assert_int_equal(store_prepare(d->st, &s, sql), 0);
	if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0))
		out = strdup((const char *)sqlite3_column_text(s, 0));
	else
		out = strdup("");
	sqlite3_finalize(s);
	return out;
}

static void
expect_query(struct db *d, const char *sql, const char *want)
{
	char *got = query(d, sql);

	if (strcmp(got, want) != 0)
		fail_msg("%s: got '%s', want '%s'", sql, got, want);
	free(got);
}

#define POD(name, ip, extra) \
	"- kind: Pod\n  metadata:\n    name: " name "\n    namespace: n\n" \
	"    uid: u-" name "\n" extra "  spec: {}\n  status:\n    podIP: " ip "\n"

#define IV "SELECT group_concat(owner || ' ' || " \
	"strftime('%H:%M:%S', valid_from / 1000000, 'unixepoch') || ' ' || " \
	"coalesce(strftime('%H:%M:%S', valid_to / 1000000, 'unixepoch'), 'open'), ';') " \
	"FROM (SELECT * FROM endpoints ORDER BY owner, valid_from)"

static void
test_inventory_intervals(void **state)
{
	struct db d;

	(void)state;
	db_open(&d);
	/* a: created 09:00; b: no creationTimestamp; c: terminating at 10:30 */
	assert_int_equal(import(&d, "2026-11-21T10:00:00Z", "kind: List\nitems:\n"
	    POD("a", "10.0.0.1", "    creationTimestamp: \"2026-11-21T09:00:00Z\"\n")
	    POD("b", "10.0.0.2", "")
	    POD("c", "10.0.0.3", "    deletionTimestamp: \"2026-11-21T10:30:00Z\"\n")), 0);
	expect_query(&d, IV, "u-a 09:00:00 open;u-b 10:00:00 open;u-c 10:00:00 10:30:00");
	/* 11:00: a gone; b changed IP; d new without timestamp */
	assert_int_equal(import(&d, "2026-11-21T11:00:00Z", "kind: List\nitems:\n"
	    POD("b", "10.0.0.9", "") POD("c", "10.0.0.3", "") POD("d", "10.0.0.1", "")), 0);
	expect_query(&d, IV, "u-a 09:00:00 11:00:00;u-b 10:00:00 11:00:00;"
	    "u-b 10:00:00 open;u-c 10:00:00 10:30:00;u-d 10:00:00 open");
	expect_query(&d, "SELECT group_concat(uid) FROM pods WHERE gone_at IS NOT NULL",
	    "u-a");
	/* A node-only snapshot says nothing about pods. */
	assert_int_equal(import(&d, "2026-11-21T12:00:00Z", "kind: Node\nmetadata:\n"
	    "  name: n1\nstatus:\n  addresses:\n  - {type: InternalIP, address: 10.9.0.1}\n"
	    "  - {type: ExternalIP, address: 203.0.113.1}\n"), 0);
	expect_query(&d, "SELECT count(*) FROM endpoints WHERE owner_kind = 'pod' AND "
	    "gone_at IS NULL", "3");
	/* InternalIP and ExternalIP: node traffic to pods comes from either. */
	expect_query(&d, "SELECT count(*) FROM endpoints WHERE owner_kind = 'node'", "2");
	/* Out of order: refused, nothing stored. */
	assert_int_equal(import(&d, "2026-11-21T10:30:00Z", "kind: List\nitems:\n"
	    POD("z", "10.0.0.7", "")), -1);
	assert_non_null(strstr(fp_errmsg(), "import snapshots in time order"));
	expect_query(&d, "SELECT count(*) FROM pods WHERE uid = 'u-z'", "0");
	expect_query(&d, "SELECT count(*) FROM snapshots", "3");
	/* Same time as the latest: adds to it, closes nothing listed then. */
	assert_int_equal(import(&d, "2026-11-21T12:00:00Z", "kind: List\nitems:\n"
	    POD("b", "10.0.0.9", "") POD("c", "10.0.0.3", "") POD("d", "10.0.0.1", "")), 0);
	expect_query(&d, "SELECT count(*) FROM endpoints WHERE gone_at IS NULL "
	    "AND owner_kind = 'pod'", "3");
	db_close(&d);
}

/*
 * Real-cluster objects: every address a node has (status and Calico's
 * annotations, both families), Services with their ports and load balancer
 * fields, EndpointSlices, container ports, and a Job's pod that ran and
 * finished between two snapshots.
 */
static void
test_inventory_traffic(void **state)
{
	struct db d;

	(void)state;
	db_open(&d);
	assert_int_equal(import(&d, "2026-11-21T10:00:00Z", "kind: List\nitems:\n"
	    "- kind: Node\n  metadata:\n    name: n1\n    annotations:\n"
	    "      projectcalico.org/IPv4Address: 10.9.0.1/24\n"
	    "      projectcalico.org/IPv6Address: fd00:9::1/64\n"
	    "      projectcalico.org/IPv4IPIPTunnelAddr: 10.42.0.1\n"
	    "      projectcalico.org/IPv4VXLANTunnelAddr: 10.42.0.2\n"
	    "      projectcalico.org/IPv6VXLANTunnelAddr: fd00:42::1\n"
	    "      projectcalico.org/IPv4WireguardInterfaceAddr: 10.42.0.3\n"
	    "      projectcalico.org/IPv6WireguardInterfaceAddr: fd00:42::3\n"
	    "      unrelated/IPv4Address: 10.99.0.1\n"
	    "  status:\n    addresses:\n"
	    "    - {type: InternalIP, address: 10.9.0.1}\n"
	    "    - {type: InternalIP, address: 'fd00:9::1'}\n"
	    "    - {type: ExternalIP, address: 203.0.113.1}\n"
	    "    - {type: ExternalIP, address: '2001:db8::1'}\n"
	    "    - {type: Hostname, address: n1}\n"
	    "- kind: Service\n  metadata: {name: web, namespace: n}\n  spec:\n"
	    "    type: LoadBalancer\n    externalTrafficPolicy: Local\n"
	    "    selector: {app: web}\n    clusterIPs: [10.96.0.20, 'fd00:96::20']\n"
	    "    loadBalancerSourceRanges: [198.51.100.0/24, '2001:db8:1::/48']\n"
	    "    ports:\n    - {name: http, port: 80, targetPort: http, nodePort: 30080}\n"
	    "    - {name: dns, port: 53, protocol: UDP}\n"
	    "- kind: EndpointSlice\n  metadata:\n    name: web-abcde\n    namespace: n\n"
	    "    labels: {kubernetes.io/service-name: web}\n  addressType: IPv4\n"
	    "  endpoints:\n  - addresses: [10.42.0.10]\n    conditions: {ready: true}\n"
	    "    nodeName: n1\n  - addresses: [10.42.0.11]\n    conditions: {ready: false}\n"
	    "  - addresses: [10.42.0.12]\n"
	    "  ports:\n  - {name: http, port: 8080, protocol: TCP}\n  - {name: all}\n"
	    "- kind: Pod\n  metadata: {name: web-1, namespace: n, uid: u-web}\n  spec:\n"
	    "    containers:\n    - name: c\n      ports:\n"
	    "      - {name: http, containerPort: 8080}\n"
	    "      - {containerPort: 9090, protocol: UDP}\n"
	    "  status: {phase: Running, podIP: 10.42.0.10}\n"
	    "- kind: Pod\n  metadata:\n    name: job-1\n    namespace: n\n    uid: u-job\n"
	    "    creationTimestamp: '2026-11-21T09:10:00Z'\n  spec: {}\n  status:\n"
	    "    phase: Succeeded\n    podIP: 10.42.0.40\n    containerStatuses:\n"
	    "    - state: {terminated: {finishedAt: '2026-11-21T09:20:00Z'}}\n"
	    "    - state: {terminated: {finishedAt: '2026-11-21T09:25:00Z'}}\n"), 0);
	expect_query(&d, "SELECT group_concat(type, ',') FROM (SELECT type FROM "
	    "node_addresses ORDER BY ip, type)", "InternalIP,IPv4IPIPTunnelAddr,"
	    "IPv4VXLANTunnelAddr,IPv4WireguardInterfaceAddr,ExternalIP,"
	    "ExternalIP,InternalIP,IPv6VXLANTunnelAddr,IPv6WireguardInterfaceAddr");
	expect_query(&d, "SELECT count(*) FROM endpoints WHERE owner_kind = 'node'", "9");
	expect_query(&d, "SELECT type || ' ' || traffic_policy || ' ' || source_ranges "
	    "|| ' ' || cluster_ips FROM services", "LoadBalancer Local "
	    "198.51.100.0/24,2001:db8:1::/48 10.96.0.20,fd00:96::20");
	expect_query(&d, "SELECT group_concat(port_name || ':' || proto || '/' || port "
	    "|| '>' || target_port || ':' || node_port, ' ') FROM (SELECT * FROM "
	    "service_ports ORDER BY port)", "dns:17/53>53:0 http:6/80>http:30080");
	expect_query(&d, "SELECT group_concat(service || ' ' || ready || ' ' || node, ';') "
	    "FROM (SELECT * FROM slice_endpoints ORDER BY ip)",
	    "web 1 n1;web 0 ;web 1 ");
	expect_query(&d, "SELECT group_concat(port_name || ' ' || port, ';') FROM "
	    "slice_ports", "http 8080");
	expect_query(&d, "SELECT group_concat(port_name || ':' || proto || '/' || port, "
	    "' ') FROM (SELECT * FROM pod_ports ORDER BY port)", "http:6/8080 :17/9090");
	/* The Job's pod held its IP from creation until its last container stopped. */
	expect_query(&d, IV " WHERE owner = 'u-job'", "u-job 09:10:00 09:25:00");
	expect_query(&d, "SELECT live || ' ' || (gone_at IS NOT NULL) FROM pods "
	    "WHERE uid = 'u-job'", "1 1");
	/* Seen finished again: nothing changes. */
	assert_int_equal(import(&d, "2026-11-21T11:00:00Z", "kind: List\nitems:\n"
	    "- kind: Pod\n  metadata:\n    name: job-1\n    namespace: n\n    uid: u-job\n"
	    "    creationTimestamp: '2026-11-21T09:10:00Z'\n  spec: {}\n  status:\n"
	    "    phase: Succeeded\n    podIP: 10.42.0.40\n"), 0);
	expect_query(&d, IV " WHERE owner = 'u-job'", "u-job 09:10:00 09:25:00");
	/* Bad fields are named. */
	assert_int_equal(import(&d, "2026-11-21T12:00:00Z", "kind: Service\n"
	    "metadata: {name: s, namespace: n}\nspec:\n  externalTrafficPolicy: Nearby\n"), -1);
	assert_non_null(strstr(fp_errmsg(), "field spec.externalTrafficPolicy: "
	    "'Nearby' is not Cluster or Local"));
	assert_int_equal(import(&d, "2026-11-21T12:00:00Z", "kind: Service\n"
	    "metadata: {name: s, namespace: n}\nspec:\n  ports:\n  - {port: 99999}\n"), -1);
	assert_non_null(strstr(fp_errmsg(), "field spec.ports.port: '99999' is not a "
	    "number from 1 to 65535"));
	assert_int_equal(import(&d, "2026-11-21T12:00:00Z", "kind: Node\n"
	    "metadata:\n  name: n2\n  annotations:\n"
	    "    projectcalico.org/IPv4Address: nope\n"), -1);
	assert_non_null(strstr(fp_errmsg(), "field metadata.annotations."
	    "projectcalico.org/IPv4Address: 'nope' is not an IP address"));
	db_close(&d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_inventory_names),
		cmocka_unit_test(test_inventory_shapes),
		cmocka_unit_test(test_inventory_errors),
		cmocka_unit_test(test_inventory_hostile_json),
		cmocka_unit_test(test_inventory_intervals),
		cmocka_unit_test(test_inventory_traffic),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
