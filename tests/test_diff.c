#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "store/store.h"
#include "common/timeutil.h"
#include "review/diff.h"
#include "policy/reader.h"
#include "testutil.h"

/*
 * diff at unit level: a small learned model written straight into a real
 * SQLite file (the learner's schema), a policy set from a buffer, and the
 * printed result checked for grouping, ordering, label-set combinations,
 * rule attribution and stale rules.
 */

#define T0 1000000000LL		/* a time in µs; edges are seen at T0..T0+9 */

static const char model_sql[] =
    "INSERT INTO namespaces VALUES"
    " ('a', 'kubernetes.io/metadata.name=a\n', 1, 2),"
    " ('b', 'kubernetes.io/metadata.name=b\n', 1, 2);"
    /* b/zeta: two pods with different labels, one with a label history. */
    "INSERT INTO pods (uid, namespace, name, labels, workload, first_seen,"
    " last_seen) VALUES"
    " ('z1', 'b', 'zeta-1', 'app=zeta\ntier=web\n', 'b/zeta', 1, 2),"
    " ('z2', 'b', 'zeta-2', 'app=zeta\n', 'b/zeta', 1, 2),"
    " ('a1', 'a', 'alpha-1', 'app=alpha\n', 'a/alpha', 1, 2),"
    " ('b1', 'a', 'beta-1', 'app=beta\n', 'a/beta', 1, 2);"
    "INSERT INTO pod_labels VALUES"
    " ('z1', 'app=zeta\nold=1\n', 1, 1),"
    " ('z1', 'app=zeta\ntier=web\n', 2, 2),"
    " ('z2', 'app=zeta\n', 1, 2);"
    "INSERT INTO workloads (namespace, name, kind, selector, pods) VALUES"
    " ('b', 'zeta', 'Deployment', 'app == ''zeta''', 2),"
    " ('a', 'alpha', 'Deployment', 'app == ''alpha''', 1),"
    " ('a', 'beta', 'Deployment', 'app == ''beta''', 1);"
    /* Inserted out of order on purpose. */
    "INSERT INTO edges VALUES"
    " ('b/zeta', 'a/alpha', 6, 80, 5, 1000000000, 1000000009, 'n1'),"
    " ('a/beta', 'external:192.0.2.1', 17, 53, 2, 1000000000, 1000000001,"
    "  'n1,n2'),"
    " ('a/alpha', 'a/beta', 6, 443, 3, 1000000000, 1000000002, 'n2'),"
    " ('a/alpha', 'node:10.0.0.1', 6, 10250, 1, 10, 20, 'n1'),"
    " ('unknown:10.9.9.9', 'a/alpha', 6, 80, 1, 1000000000, 1000000000,"
    "  'n1');";

#define H "apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\n"

static const char policies[] =
    H "metadata: {name: default-deny}\n"
    "spec:\n"
    "  order: 100\n"
    "  selector: projectcalico.org/namespace in {'a', 'b'}\n"
    "  types: [Ingress, Egress]\n"
    "---\n"
    H "metadata: {name: beta-deny}\n"
    "spec:\n"
    "  order: 150\n"
    "  selector: app == 'beta'\n"
    "  types: [Ingress]\n"
    "  ingress:\n"
    "  - action: Deny\n"
    "    source: {selector: app == 'alpha'}\n"
    "---\n"
    H "metadata: {name: zeta}\n"
    "spec:\n"
    "  order: 200\n"
    "  selector: app == 'zeta' && tier == 'web'\n"
    "  types: [Egress]\n"
    "  egress:\n"
    "  - action: Allow\n"
    "    protocol: TCP\n"
    "    destination: {selector: app == 'alpha', ports: [80]}\n"
    "---\n"
    H "metadata: {name: alpha}\n"
    "spec:\n"
    "  order: 300\n"
    "  selector: app == 'alpha'\n"
    "  types: [Ingress, Egress]\n"
    "  ingress:\n"
    "  - action: Allow\n"
    "    protocol: TCP\n"
    "    source: {selector: app == 'zeta'}\n"
    "    destination: {ports: [80]}\n"
    "  egress:\n"
    "  - action: Allow\n"
    "    protocol: UDP\n"
    "    destination: {ports: [9999]}\n";

struct fixture {
	char *dir, *db;
	struct store *st;
	struct pe_policyset ps;
};

static int
setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	struct store *w = NULL;

	assert_non_null(fx);
	assert_non_null(fx->dir = tu_tmpdir());
	assert_non_null(fx->db = tu_path(fx->dir, "flowpol.db"));
	if (store_open(&w, fx->db, STORE_CREATE) < 0 ||
	    store_exec(w, model_sql) < 0)
		fail_msg("%s", fp_errmsg());
	store_free(w);
	if (store_open(&fx->st, fx->db, STORE_READONLY) < 0 ||
	    pe_read_buffer(&fx->ps, "pol.yaml", policies,
	    strlen(policies)) < 0)
		fail_msg("%s", fp_errmsg());
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *fx = *state;

	store_free(fx->st);
	pe_policyset_release(&fx->ps);
	tu_rmdir(fx->dir);
	free(fx->db);
	free(fx);
	return 0;
}

/* Run diff and print it; returns malloc'd text. */
static char *
run(struct fixture *fx, int64_t since, enum fp_format fmt, size_t *denied)
{
	struct diff_opts o = { since, T0 + 10 * FP_USEC, 3600 * FP_USEC, NULL,
	    0, 0, 0, NULL, NULL };
	struct diff_result *r = NULL;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	if (diff_run(fx->st, &fx->ps, &o, &r) < 0)
		fail_msg("diff: %s", fp_errmsg());
	assert_non_null(f = open_memstream(&buf, &len));
	diff_print(f, r, fmt);
	fclose(f);
	*denied = diff_denied_edges(r);
	diff_result_free(r);
	return buf;
}

/*
 * Run diff at now over the fixture's policies plus the file name holding
 * extra (the name orders stale rules) and print it as text; returns
 * malloc'd text.
 */
static char *
run_extra(struct fixture *fx, const char *name, const char *extra,
    int64_t now, size_t *denied)
{
	struct pe_policyset ps = PE_POLICYSET_INIT;
	struct diff_opts o = { INT64_MIN, now, 3600 * FP_USEC, NULL, 0, 0,
	    0, NULL, NULL };
	struct diff_result *r = NULL;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	if (pe_read_buffer(&ps, "pol.yaml", policies, strlen(policies)) < 0 ||
	    pe_read_buffer(&ps, name, extra, strlen(extra)) < 0)
		fail_msg("%s", fp_errmsg());
	if (diff_run(fx->st, &ps, &o, &r) < 0)
		fail_msg("diff: %s", fp_errmsg());
	assert_non_null(f = open_memstream(&buf, &len));
	diff_print(f, r, FP_FMT_TEXT);
	fclose(f);
	*denied = diff_denied_edges(r);
	diff_result_free(r);
	pe_policyset_release(&ps);
	return buf;
}

/* Whether a, b, c ... occur in text in this order. */
static void
in_order(const char *text, const char *const *want, size_t n)
{
	const char *p = text;
	size_t i;

	for (i = 0; i < n; i++) {
		const char *q = strstr(p, want[i]);

		if (q == NULL) {
			/* cmocka truncates long messages: the text first. */
			fprintf(stderr, "%s\n", text);
			fail_msg("'%s' missing or out of order", want[i]);
		}
		p = q + strlen(want[i]);
	}
}

static void
test_diff_grouping_text(void **state)
{
	struct fixture *fx = *state;
	size_t denied;
	char *t = run(fx, T0, FP_FMT_TEXT, &denied);
	static const char *const want[] = {
		"flowpol diff: 3 of 4 observed edges would be denied",
		"\n  a/alpha\n",
		"    egress  a/alpha -> a/beta tcp/443\n",
		"3 connections, first seen ",
		"nodes n2\n",
		"denied by: end of tier default (2 policies applied",
		"\n  a/beta\n",
		"    egress  a/beta -> external:192.0.2.1 udp/53\n",
		"nodes n1,n2\n",
		"    ingress a/alpha -> a/beta tcp/443\n",
		"denied by: tier default, GlobalNetworkPolicy beta-deny "
		    "ingress[0] (pol.yaml:",
		"\n  b/zeta\n",
		"    egress  b/zeta -> a/alpha tcp/80\n",
		"denied by: end of tier default (1 policy applied",
		"label sets: 2 of 3 combinations denied\n",
		"Unattributed",
		"  unknown:10.9.9.9 -> a/alpha tcp/80 (would be denied)\n",
		"Stale allow rules",
		": 1\n",
		"  GlobalNetworkPolicy alpha egress[0] (pol.yaml:",
		"Allow protocol=UDP",
	};

	assert_int_equal(denied, 3);
	in_order(t, want, sizeof(want) / sizeof(want[0]));
	/* Outside --since: the node edge is not checked at all. */
	assert_null(strstr(t, "10250"));
	/* zeta -> alpha is allowed at alpha's ingress: listed once. */
	assert_null(strstr(t, "ingress b/zeta"));
	free(t);
}

static void
test_diff_grouping_json(void **state)
{
	struct fixture *fx = *state;
	size_t denied;
	char *t = run(fx, T0, FP_FMT_JSON, &denied);
	static const char *const want[] = {
		"\"denied_edges\": [",
		"\"dst\": \"a/beta\"",
		"\"src\": \"a/alpha\"",
		"\"dst\": \"external:192.0.2.1\"",
		"\"src\": \"b/zeta\"",
		"\"workload\": \"a/alpha\"",
		"\"workload\": \"a/beta\"",
		"\"workload\": \"b/zeta\"",
	};

	in_order(t, want, sizeof(want) / sizeof(want[0]));
	assert_non_null(strstr(t, "\"combinations\": 3, "
	    "\"denied_combinations\": 2, \"policies_applied\": 1, "
	    "\"tier\": \"default\", \"why\": \"end-of-tier\"}"));
	assert_non_null(strstr(t, "\"policy\": \"beta-deny\", \"rule\": 0, "
	    "\"rule_text\": \"Deny source.selector="));
	assert_non_null(strstr(t, "\"nodes\": [\"n1\", \"n2\"]"));
	assert_non_null(strstr(t, "\"summary\": {\"denied_edges\": 3, "
	    "\"edges\": 5, \"edges_checked\": 4, \"left_out\": 0, "
	    "\"staged_evaluated\": false, \"staged_policies\": 0, "
	    "\"stale_rules\": 1, \"unattributed\": 1}"));
	assert_non_null(strstr(t, "\"proposed\": null"));
	free(t);
}

static void
test_diff_since_and_markdown(void **state)
{
	struct fixture *fx = *state;
	size_t denied;
	char *t = run(fx, T0 + 5, FP_FMT_MARKDOWN, &denied);
	static const char *const want[] = {
		"## flowpol diff\n",
		"**1 of 1 observed edges would be denied**",
		"### Denied traffic\n",
		"#### `b/zeta`\n",
		"| egress | `b/zeta` | `a/alpha` | tcp/80 | 5 |",
		"(2 of 3 label-set combinations) |\n",
		"### Stale allow rules\n",
	};

	/* Only zeta -> alpha was last seen at or after T0 + 5 µs. */
	assert_int_equal(denied, 1);
	in_order(t, want, sizeof(want) / sizeof(want[0]));
	assert_null(strstr(t, "a/beta"));
	free(t);
}

static void
test_diff_stale_period(void **state)
{
	struct fixture *fx = *state;
	struct diff_opts o = { INT64_MIN, T0 + 7200 * FP_USEC, 3600 * FP_USEC,
	    NULL, 0, 0, 0, NULL, NULL };
	struct diff_result *r = NULL;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	/* Two hours later with a one-hour period: every Allow rule is stale,
	 * in file order (zeta's egress rule, alpha's ingress and egress). */
	assert_int_equal(diff_run(fx->st, &fx->ps, &o, &r), 0);
	assert_non_null(f = open_memstream(&buf, &len));
	diff_print(f, r, FP_FMT_TEXT);
	fclose(f);
	{
		static const char *const want[] = {
			"Stale allow rules (no observed edge since ",
			": 3\n",
			"GlobalNetworkPolicy zeta egress[0]",
			"GlobalNetworkPolicy alpha ingress[0]",
			"GlobalNetworkPolicy alpha egress[0]",
		};

		in_order(buf, want, sizeof(want) / sizeof(want[0]));
	}
	diff_result_free(r);
	free(buf);
}

/* A preDNAT (host endpoint only) policy never meets pod traffic: not stale. */
static void
test_diff_host_only_not_stale(void **state)
{
	struct fixture *fx = *state;
	static const char host[] = H "metadata: {name: host-only}\n"
	    "spec:\n"
	    "  order: 50\n"
	    "  selector: has(host)\n"
	    "  preDNAT: true\n"
	    "  applyOnForward: true\n"
	    "  ingress:\n"
	    "  - action: Allow\n"
	    "    protocol: TCP\n"
	    "    destination: {ports: [22]}\n";
	size_t denied;
	char *buf = run_extra(fx, "host.yaml", host, T0 + 7200 * FP_USEC, &denied);

	assert_non_null(strstr(buf, "Stale allow rules"));
	assert_non_null(strstr(buf, "alpha egress[0]"));
	assert_null(strstr(buf, "host-only"));
	free(buf);
}

/*
 * A staged policy's Allow rule that staged evaluation uses is not stale
 * (it is what the staged rollout proves), and it changes no denial: staged
 * policies never enforce.
 */
static void
test_diff_staged_rules(void **state)
{
	struct fixture *fx = *state;
	static const char staged[] =
	    "apiVersion: projectcalico.org/v3\n"
	    "kind: StagedGlobalNetworkPolicy\n"
	    "metadata: {name: beta-out}\n"
	    "spec:\n"
	    "  order: 400\n"
	    "  selector: app == 'beta'\n"
	    "  types: [Egress]\n"
	    "  egress:\n"
	    "  - action: Allow\n"
	    "    protocol: UDP\n"
	    "    destination: {ports: [53]}\n"
	    "  - action: Allow\n"
	    "    protocol: UDP\n"
	    "    destination: {ports: [54]}\n";
	size_t denied;
	char *buf = run_extra(fx, "staged.yaml", staged, T0 + 10 * FP_USEC, &denied);

	assert_int_equal(denied, 4);	/* no --since: the node edge too */
	{
		static const char *const want[] = {
			"    egress  a/beta -> external:192.0.2.1 udp/53\n",
			"Stale allow rules",
			": 2\n",
			"GlobalNetworkPolicy alpha egress[0]",
			"StagedGlobalNetworkPolicy beta-out egress[1]",
		};

		in_order(buf, want, sizeof(want) / sizeof(want[0]));
	}
	assert_null(strstr(buf, "beta-out egress[0]"));
	free(buf);
}

/*
 * emit --strict writes no policy for a workload whose selector also selects
 * others (a/beta here): with diff --strict, an edge denied only at it is
 * left out, not drift; one also denied elsewhere still counts, there only.
 * Without --strict the same model is drift.
 */
static void
test_diff_strict_left_out(void **state)
{
	struct fixture *fx = *state;
	struct diff_opts o = { T0, T0 + 10 * FP_USEC, 3600 * FP_USEC, NULL, 0,
	    0, 1, NULL, NULL };
	struct diff_result *r = NULL;
	struct store *w = NULL;
	char *buf = NULL, *t;
	size_t len = 0, denied;
	FILE *f;
	static const char *const want[] = {
		"flowpol diff: 2 of 4 observed edges would be denied",
		"\n  a/alpha\n",
		"    egress  a/alpha -> a/beta tcp/443\n",
		"\n  b/zeta\n",
		"Left out by emit (--strict: a selector that also selects other "
		    "workloads; not counted): 1\n",
		"  a/beta -> external:192.0.2.1 udp/53\n",
		"Stale allow rules",
	};

	if (store_open(&w, fx->db, 0) < 0 || store_exec(w, "INSERT INTO "
	    "workload_notes (namespace, name, members, exact) VALUES "
	    "('a', 'beta', '', 0)") < 0)
		fail_msg("%s", fp_errmsg());
	store_free(w);
	assert_int_equal(diff_run(fx->st, &fx->ps, &o, &r), 0);
	assert_non_null(f = open_memstream(&buf, &len));
	diff_print(f, r, FP_FMT_TEXT);
	diff_print(f, r, FP_FMT_JSON);
	fclose(f);
	assert_int_equal(diff_denied_edges(r), 2);
	in_order(buf, want, sizeof(want) / sizeof(want[0]));
	/* beta's own policy is left out: nothing is grouped under it. */
	assert_null(strstr(buf, "\n  a/beta\n"));
	assert_non_null(strstr(buf, "\"edges_checked\": 4, \"left_out\": 1, "));
	assert_non_null(strstr(buf, "\"left_out\": [\n    {\"connections\": 2, "
	    "\"dst\": \"external:192.0.2.1\""));
	diff_result_free(r);
	free(buf);
	/* Without --strict it is drift. */
	t = run(fx, T0, FP_FMT_TEXT, &denied);
	assert_int_equal(denied, 3);
	assert_null(strstr(t, "Left out"));
	free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_diff_grouping_text, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_diff_grouping_json, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_diff_since_and_markdown,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_diff_stale_period, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_diff_host_only_not_stale,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_diff_staged_rules, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_diff_strict_left_out, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
