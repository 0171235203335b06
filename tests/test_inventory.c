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
	expect_query(&d, "SELECT count(*) FROM endpoints WHERE owner_kind = 'node'", "1");
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_inventory_names),
		cmocka_unit_test(test_inventory_shapes),
		cmocka_unit_test(test_inventory_errors),
		cmocka_unit_test(test_inventory_hostile_json),
		cmocka_unit_test(test_inventory_intervals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
