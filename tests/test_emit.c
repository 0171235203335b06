/* Unit tests of the emitter: names, selector checks against Calico's
 * vectors and the policy engine's parser, determinism, limits, bad input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "testutil.h"
#include "common/err.h"
#include "common/fileio.h"
#include "store/store.h"
#include "emitter/emit.h"
#include "emitter/names.h"
#include "common/k8sname.h"
#include "policy/reader.h"
#include "policy/selector.h"
#include "tests/emitter_gen.h"

#define DATA FLOWPOL_TESTDATA "/emitter"

struct fx {
	char *dir;
	struct store *st;
	int n;
};

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char *path;

	assert_non_null(f);
	f->dir = tu_tmpdir();
	assert_non_null(f->dir);
	path = tu_path(f->dir, "t.db");
	assert_int_equal(store_open(&f->st, path, STORE_CREATE), 0);
	free(path);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	store_free(f->st);
	tu_rmdir(f->dir);
	free(f);
	return 0;
}

static void
exec_file(struct store *st, const char *name)
{
	char *sql, path[512];
	size_t len;

	snprintf(path, sizeof(path), "%s/%s", DATA, name);
	assert_int_equal(fp_read_file(path, 1 << 20, &sql, &len), 0);
	assert_int_equal(store_exec(st, sql), 0);
	free(sql);
}

static void
exec(struct store *st, const char *sql)
{
	if (store_exec(st, sql) < 0)
		fail_msg("%s", fp_errmsg());
}

/* The whole result as one string (docs in order, NUL-separated). */
static char *
joined(const struct emit_result *r)
{
	size_t i, n = 1;
	char *s, *p;

	for (i = 0; i < r->ndocs; i++)
		n += strlen(r->docs[i].file) + r->docs[i].len + 2;
	s = p = malloc(n);
	assert_non_null(s);
	for (i = 0; i < r->ndocs; i++)
		p += snprintf(p, n - (size_t)(p - s), "%s\n%s\n", r->docs[i].file,
		    r->docs[i].text);
	return s;
}

static size_t
count(const char *hay, const char *needle)
{
	size_t n = 0;

	while ((hay = strstr(hay, needle)) != NULL) {
		n++;
		hay++;
	}
	return n;
}

static const struct emit_doc *
doc(const struct emit_result *r, const char *file)
{
	size_t i;

	for (i = 0; i < r->ndocs; i++)
		if (strcmp(r->docs[i].file, file) == 0)
			return &r->docs[i];
	fail_msg("no document %s", file);
	return NULL;
}

/* Every document is read by the policy engine's reader, which parses each
 * selector with the engine's parser; parse them once more here and check
 * explicit distinct orders and explicit types. */
static void
engine_reads(const struct emit_result *r)
{
	struct pe_policyset ps = PE_POLICYSET_INIT;
	struct sel *s;
	size_t i, j, k;

	for (i = 0; i < r->ndocs; i++)
		if (pe_read_buffer(&ps, r->docs[i].file, r->docs[i].text,
		    r->docs[i].len) < 0)
			fail_msg("engine rejects %s: %s", r->docs[i].file, fp_errmsg());
	/* every document is a policy, but the node set */
	for (i = 0, k = 0; i < r->ndocs; i++)
		k += strcmp(r->docs[i].kind, "GlobalNetworkSet") == 0;
	assert_int_equal(ps.n_policies + k, r->ndocs);
	assert_int_equal(ps.n_netsets, k);
	for (i = 0; i < ps.n_policies; i++) {
		const struct pe_policy *p = &ps.policies[i];

		assert_true(p->has_order);
		assert_int_not_equal(p->types, 0);
		assert_non_null(p->selector);
		assert_int_equal(sel_parse(p->selector, &s, NULL), 0);
		assert_false(sel_is_all(s));
		sel_free(s);
		for (j = 0; j < i; j++)
			assert_true(ps.policies[j].order != p->order);
		for (k = 0; k < p->n_ingress + p->n_egress; k++) {
			const struct pe_rule *ru = k < p->n_ingress ? &p->ingress[k] :
			    &p->egress[k - p->n_ingress];
			const char *sels[] = { ru->src.selector, ru->src.ns_selector,
			    ru->dst.selector, ru->dst.ns_selector };

			assert_int_equal(ru->action, PE_ACT_ALLOW);
			assert_true(ru->src.n_ports == 0);
			assert_true(ru->dst.n_ports <= 50);
			assert_true(ru->src.n_nets <= 256 && ru->dst.n_nets <= 256);
			for (j = 0; j < 4; j++) {
				if (sels[j] == NULL)
					continue;
				assert_int_equal(sel_parse(sels[j], &s, NULL), 0);
				sel_free(s);
			}
		}
	}
	pe_policyset_release(&ps);
}

static struct emit_opts
opts0(void)
{
	struct emit_opts o;

	memset(&o, 0, sizeof(o));
	return o;
}

/* --- tests --------------------------------------------------------------- */

static void
test_emit_names(void **state)
{
	char big[400], *n;

	(void)state;
	n = emit_policy_name("namespace1", "nginx-deployment");
	assert_string_equal(n, "flowpol-namespace1-nginx-deployment");
	free(n);
	n = emit_policy_name("ns", "My.App_v2");
	assert_string_equal(n, "flowpol-ns-my-app-v2");
	assert_null(calico_check_policy_name(n, 0));
	free(n);
	memset(big, 'w', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	big[252] = '\0';
	n = emit_policy_name("a-namespace", big);
	assert_true(strlen(n) <= 253);
	assert_null(calico_check_policy_name(n, 0));
	assert_non_null(strstr(n, "flowpol-a-namespace-www"));
	free(n);
	assert_null(calico_check_policy_name("a.b", 0));
	assert_non_null(calico_check_policy_name("a.b.c", 0));
	assert_non_null(calico_check_policy_name("-a", 0));
	assert_non_null(calico_check_policy_name("a-", 0));
	assert_non_null(calico_check_policy_name("Abc", 0));
	assert_non_null(calico_check_policy_name("a_b", 0));
	assert_non_null(calico_check_policy_name("", 0));
	big[253] = '\0';
	memset(big, 'a', 254);
	big[254] = '\0';
	assert_non_null(calico_check_policy_name(big, 0));
	assert_null(k8s_check_dns_label("kube-system"));
	assert_non_null(k8s_check_dns_label("Kube"));
	assert_non_null(k8s_check_dns_label("a.b"));
	assert_null(k8s_check_dns_subdomain("a.b-c"));
	assert_non_null(k8s_check_dns_subdomain("a..b"));
}

/* emit_selector_check and the engine's sel_parse agree with every case of
 * Calico's own selector tests (valid vs error). */
static void
test_emit_selector_vectors(void **state)
{
	char *buf, *line, *save = NULL, *tab;
	size_t len, n = 0;
	struct sel *s;
	int want_ok, mine, engine;

	(void)state;
	assert_int_equal(fp_read_file(FLOWPOL_SRC "/calico/selector-vectors.tsv",
	    1 << 20, &buf, &len), 0);
	for (line = strtok_r(buf, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if ((tab = strchr(line, '\t')) == NULL)
			continue;
		*tab = '\0';
		want_ok = strstr(tab + 1, "\terror") == NULL;
		mine = emit_selector_check(line, NULL) == 0;
		engine = sel_parse(line, &s, NULL) == 0;
		if (engine)
			sel_free(s);
		if (mine != want_ok || engine != want_ok)
			fail_msg("selector '%s': want %s, emitter %d, engine %d", line,
			    want_ok ? "valid" : "error", mine, engine);
		n++;
	}
	assert_true(n > 100);
	free(buf);
}

static void
test_emit_seed(void **state)
{
	struct fx *f = *state;
	struct emit_result r = { 0 };
	const struct emit_doc *d;

	exec_file(f->st, "seed.sql");
	assert_int_equal(emit_build(f->st, &(struct emit_opts){ 0 }, &r), 0);
	assert_int_equal(r.ndocs, 8);
	assert_string_equal(r.docs[0].name, "flowpol-default-deny");
	assert_string_equal(r.docs[1].name, "flowpol-allow-dns");
	d = doc(&r, "flowpol-ntierapp-backend.yaml");
	assert_non_null(strstr(d->text, "selector: \"projectcalico.org/namespace "
	    "== 'ntierapp' && app == 'backend'\""));
	assert_non_null(strstr(d->text, "      namespaceSelector: \"projectcalico.org/name == 'ntierapp'\"\n"
	    "      selector: \"app == 'frontend'\"\n"));
	assert_non_null(strstr(d->text, "    protocol: TCP\n"));
	/* DNS edges are the DNS layer's: no learned UDP rule */
	assert_null(strstr(doc(&r, "flowpol-ntierapp-frontend.yaml")->text, "UDP"));
	/* the exempt coredns has no policy of its own */
	{
		char *j = joined(&r);

		assert_int_equal(count(j, "kube-system-coredns"), 0);
		free(j);
	}
	engine_reads(&r);
	assert_int_equal(r.nnotes, 0);
	emit_result_free(&r);
}

/* Same store: same bytes. A rollout of a generated cluster (new pods,
 * hashes, uids, nodes, counts, times): same bytes. */
static void
test_emit_deterministic(void **state)
{
	struct fx *f = *state;
	struct emit_result a = { 0 }, b = { 0 };
	struct store *st2;
	char *ja, *jb, *path, name[32];
	unsigned seed;

	for (seed = 1; seed <= 20; seed++) {
		snprintf(name, sizeof(name), "a%u.db", seed);
		path = tu_path(f->dir, name);
		assert_int_equal(store_open(&st2, path, STORE_CREATE), 0);
		assert_int_equal(gen_cluster_rollout(st2, seed, 0, NULL), 0);
		assert_int_equal(emit_build(st2, &(struct emit_opts){ 0 }, &a), 0);
		emit_result_free(&b);
		assert_int_equal(emit_build(st2, &(struct emit_opts){ 0 }, &b), 0);
		ja = joined(&a);
		jb = joined(&b);
		assert_string_equal(ja, jb);
		free(jb);
		store_free(st2);
		free(path);
		emit_result_free(&b);

		snprintf(name, sizeof(name), "b%u.db", seed);
		path = tu_path(f->dir, name);
		assert_int_equal(store_open(&st2, path, STORE_CREATE), 0);
		assert_int_equal(gen_cluster_rollout(st2, seed, 1 + (int)seed, NULL), 0);
		assert_int_equal(emit_build(st2, &(struct emit_opts){ 0 }, &b), 0);
		jb = joined(&b);
		assert_string_equal(ja, jb);
		if (seed <= 5)
			engine_reads(&a);
		free(ja);
		free(jb);
		store_free(st2);
		free(path);
		emit_result_free(&a);
		emit_result_free(&b);
	}
}

/* Calico's limits: at most 50 ports and 256 nets per rule; ranges only
 * over ports all seen; ICMP type/code; protocols without ports; IPv6. */
static void
test_emit_limits(void **state)
{
	struct fx *f = *state;
	struct emit_result r = { 0 };
	const char *t;
	char sql[512];
	int i;

	exec(f->st, "INSERT INTO workloads (namespace, name, kind, selector, pods) VALUES ('ns', 'web', 'Deployment', "
	    "'app == ''web''', 1), ('ns', 'db', 'Deployment', 'app == ''db''', 1);"
	    "BEGIN");
	for (i = 0; i < 120; i++) {	/* 100..219 step 1 but 150 missing */
		if (i == 50)
			continue;
		snprintf(sql, sizeof(sql), "INSERT INTO edges (src, dst, proto, port, connections, first_seen, last_seen, nodes) VALUES ('ns/web', "
		    "'ns/db', 6, %d, 1, 0, 0, 'n')", 100 + i);
		exec(f->st, sql);
	}
	for (i = 0; i < 60; i++) {	/* scattered: no ranges */
		snprintf(sql, sizeof(sql), "INSERT INTO edges (src, dst, proto, port, connections, first_seen, last_seen, nodes) VALUES ('ns/web', "
		    "'ns/db', 17, %d, 1, 0, 0, 'n')", 1000 + 3 * i);
		exec(f->st, sql);
	}
	for (i = 0; i < 300; i++) {
		snprintf(sql, sizeof(sql), "INSERT INTO edges (src, dst, proto, port, connections, first_seen, last_seen, nodes) VALUES ('ns/web', "
		    "'external:198.51.%d.%d', 6, 443, 1, 0, 0, 'n')", i / 200, i % 200 + 1);
		exec(f->st, sql);
	}
	exec(f->st, "INSERT INTO edges (src, dst, proto, port, connections, first_seen, last_seen, nodes) VALUES ('ns/web', 'external:2001:db8::1', 6, 443, 1, 0, 0, 'n'),"
	    "('node:10.0.0.1', 'ns/web', 1, 2048, 1, 0, 0, 'n'),"
	    "('ns/web', 'ns/db', 47, 0, 1, 0, 0, 'n'),"
	    "('ns/web', 'unknown:10.244.9.9', 6, 80, 1, 0, 0, 'n'),"
	    "('ns/web', 'ns/db', 6, 0, 1, 0, 0, 'n');COMMIT");
	assert_int_equal(emit_build(f->st, &(struct emit_opts){ 0 }, &r), 0);
	t = doc(&r, "flowpol-ns-web.yaml")->text;
	/* 119 TCP ports: 100..149 and 151..219 are two ranges, one rule */
	assert_non_null(strstr(t, "      - \"100:149\"\n      - \"151:219\"\n"));
	/* 60 scattered UDP ports: 50 + 10 */
	assert_non_null(strstr(t, "      - 1147\n")); /* the 50th */
	assert_int_equal(count(t, "    protocol: UDP\n"), 2);
	/* 300 IPv4 nets: 256 + 44, and one IPv6 rule */
	assert_int_equal(count(t, "    ipVersion: 4\n"), 2);
	assert_int_equal(count(t, "    ipVersion: 6\n"), 1);
	assert_non_null(strstr(t, "      - 2001:db8::1/128\n"));
	assert_int_equal(count(t, "/32\n"), 300);	/* never the node */
	/* ICMP echo request from a node: the node set, by its label */
	assert_non_null(strstr(t, "    protocol: ICMP\n    icmp:\n"
	    "      type: 8\n      code: 0\n    source:\n      selector: "
	    "\"flowpol/node-set == 'cluster-nodes'\"\n"));
	/* GRE: a number, no ports */
	assert_non_null(strstr(t, "    protocol: 47\n    destination:\n"
	    "      namespaceSelector"));
	/* unknown peer and port 0: reported, not allowed */
	/* and no pods in the inventory: the DNS default, noted (sorted first) */
	/* and no node in the inventory: the node set is empty, noted */
	assert_int_equal(r.nnotes, 4);
	assert_non_null(strstr(r.notes[0], "dns: no pods labelled k8s-app=kube-dns"));
	assert_non_null(strstr(r.notes[1], "proto 6 port 0: cannot be written"));
	assert_non_null(strstr(r.notes[2], "unknown:10.244.9.9 tcp/80: unknown peer"));
	assert_non_null(strstr(r.notes[3], "the node set flowpol-nodes is empty"));
	assert_null(strstr(t, "10.244.9.9"));
	engine_reads(&r);
	emit_result_free(&r);
}

static void
test_emit_name_clash(void **state)
{
	struct fx *f = *state;
	struct emit_result r = { 0 };
	size_t i, j;
	char long_name[260], sql[700];

	memset(long_name, 'x', 253);
	long_name[253] = '\0';
	snprintf(sql, sizeof(sql), "INSERT INTO workloads (namespace, name, kind, selector, pods) VALUES "
	    "('a-b', 'c', 'Deployment', 'app == ''c''', 1),"
	    "('a', 'b-c', 'Deployment', 'app == ''bc''', 1),"
	    "('default', 'deny', 'Deployment', 'app == ''deny''', 1),"
	    "('long', '%s', 'Deployment', 'app == ''x''', 1)", long_name);
	exec(f->st, sql);
	assert_int_equal(emit_build(f->st, &(struct emit_opts){ 0 }, &r), 0);
	assert_int_equal(r.ndocs, 6);
	for (i = 0; i < r.ndocs; i++) {
		assert_null(calico_check_policy_name(r.docs[i].name, 0));
		for (j = 0; j < i; j++)
			assert_string_not_equal(r.docs[i].name, r.docs[j].name);
		assert_string_not_equal(r.docs[i].name, "flowpol-a-b-c");
	}
	doc(&r, "flowpol-default-deny.yaml");
	engine_reads(&r);
	emit_result_free(&r);
}

static void
check_error(struct store *st, const char *sql, const char *want)
{
	struct emit_result r = { 0 };

	exec(st, "DELETE FROM workloads; DELETE FROM edges");
	exec(st, sql);
	assert_int_equal(emit_build(st, &(struct emit_opts){ 0 }, &r), -1);
	if (strstr(fp_errmsg(), want) == NULL)
		fail_msg("error '%s' lacks '%s'", fp_errmsg(), want);
	assert_int_equal(r.ndocs, 0);
}

static void
test_emit_bad_model(void **state)
{
	struct fx *f = *state;

	check_error(f->st, "INSERT INTO workloads (namespace, name, kind, selector, pods) VALUES ('ns', 'w', 'D', 'app = ''x''', 1)",
	    "workload 'ns/w': selector 'app = 'x'' is not a valid Calico selector");
	check_error(f->st, "INSERT INTO workloads (namespace, name, kind, selector, pods) VALUES ('ns', 'w', 'D', 'app == ''x''\n|| b == ''y''', 1)",
	    "is not a valid Calico selector");
	check_error(f->st, "INSERT INTO workloads (namespace, name, kind, selector, pods) VALUES ('Ns', 'w', 'D', 'app == ''x''', 1)",
	    "invalid namespace name");
	check_error(f->st, "INSERT INTO workloads (namespace, name, kind, selector, pods) VALUES ('ns', 'w', 'D', 'app == ''x''', 1);"
	    "INSERT INTO edges (src, dst, proto, port, connections, first_seen, last_seen, nodes) VALUES ('ns/w', 'ns/gone', 6, 80, 1, 0, 0, 'n')",
	    "edge 1: workload 'ns/gone' is not in the workloads table");
	check_error(f->st, "INSERT INTO workloads (namespace, name, kind, selector, pods) VALUES ('ns', 'w', 'D', 'app == ''x''', 1);"
	    "INSERT INTO edges (src, dst, proto, port, connections, first_seen, last_seen, nodes) VALUES ('ns/w', 'host:1.2.3.4', 6, 80, 1, 0, 0, 'n')",
	    "peer 'host:1.2.3.4' is not namespace/name");
	check_error(f->st, "INSERT INTO workloads (namespace, name, kind, selector, pods) VALUES ('ns', 'w', 'D', 'app == ''x''', 1);"
	    "INSERT INTO edges (src, dst, proto, port, connections, first_seen, last_seen, nodes) VALUES ('ns/w', 'external:1.2.3', 6, 80, 1, 0, 0, 'n')",
	    "not an IP address");
}

/* A workload the learner selects with all(): the whole namespace, and
 * never all() in the output. */
static void
test_emit_whole_namespace(void **state)
{
	struct fx *f = *state;
	struct emit_result r = { 0 };
	const char *t;
	char *j;

	exec(f->st, "INSERT INTO workloads (namespace, name, kind, selector, pods) VALUES ('solo', 'only', 'Deployment', 'all()', 1),"
	    "('ns', 'web', 'Deployment', 'app == ''web''', 1);"
	    "INSERT INTO edges (src, dst, proto, port, connections, first_seen, last_seen, nodes) VALUES ('ns/web', 'solo/only', 6, 8080, 1, 0, 0, 'n')");
	assert_int_equal(emit_build(f->st, &(struct emit_opts){ 0 }, &r), 0);
	t = doc(&r, "flowpol-solo-only.yaml")->text;
	assert_non_null(strstr(t, "  selector: \"projectcalico.org/namespace == 'solo'\"\n"));
	t = doc(&r, "flowpol-ns-web.yaml")->text;
	assert_non_null(strstr(t, "      namespaceSelector: \"projectcalico.org/name == 'solo'\"\n"
	    "      ports:\n      - 8080\n"));
	j = joined(&r);
	assert_null(strstr(j, "all()"));
	free(j);
	assert_int_equal(r.nnotes, 1);	/* no DNS pods */
	engine_reads(&r);
	emit_result_free(&r);

	/* a selector the learner marks inexact is reported */
	exec(f->st, "INSERT INTO workloads (namespace, name, kind, selector, pods) "
	    "VALUES ('ns', 'loose', 'Deployment', 'tier == ''x''', 1);"
	    "INSERT INTO workload_notes (namespace, name, members, exact) "
	    "VALUES ('ns', 'loose', 'ReplicaSet/loose-1', 0)");
	assert_int_equal(emit_build(f->st, &(struct emit_opts){ 0 }, &r), 0);
	assert_int_equal(r.nnotes, 3);
	assert_string_equal(r.notes[2], "workload ns/loose: selector tier == 'x' also "
	    "selects other pods of the namespace; add a label such as "
	    "app.kubernetes.io/name: loose to its pod template; its policy "
	    "applies to them too");
	/* no edge names it: silent, isolated by the default deny, and said */
	assert_string_equal(r.notes[1], "workload ns/loose: never seen talking in "
	    "the learned period: the default deny isolates it (--exempt-silent "
	    "leaves it out)");
	assert_int_equal(r.nsilent, 1);
	assert_string_equal(r.silent[0], "ns/loose");
	emit_result_free(&r);
}

/* More than 1024 rules in a direction: continued in -partN policies. */
static void
test_emit_many_rules(void **state)
{
	struct fx *f = *state;
	struct emit_result r = { 0 };
	char sql[512];
	int i;

	exec(f->st, "INSERT INTO workloads (namespace, name, kind, selector, pods) VALUES ('ns', 'web', 'Deployment', 'app == ''web''', 1);BEGIN");
	for (i = 0; i < 2100; i++) {	/* one peer each: one rule each */
		snprintf(sql, sizeof(sql), "INSERT INTO workloads (namespace, name, kind, selector, pods) VALUES ('ns', 'c%04d', "
		    "'Deployment', 'app == ''c%04d''', 1);"
		    "INSERT INTO edges (src, dst, proto, port, connections, first_seen, last_seen, nodes) VALUES ('ns/c%04d', 'ns/web', 6, 80, 1, 0, 0, 'n')",
		    i, i, i);
		exec(f->st, sql);
	}
	exec(f->st, "COMMIT");
	assert_int_equal(emit_build(f->st, &(struct emit_opts){ 0 }, &r), 0);
	assert_int_equal(count(doc(&r, "flowpol-ns-web.yaml")->text, "- action: Allow"), 1024);
	assert_int_equal(count(doc(&r, "flowpol-ns-web-part2.yaml")->text, "- action: Allow"), 1024);
	assert_int_equal(count(doc(&r, "flowpol-ns-web-part3.yaml")->text, "- action: Allow"), 52);
	assert_non_null(strstr(doc(&r, "flowpol-ns-web-part3.yaml")->text,
	    "selector: \"projectcalico.org/namespace == 'ns' && app == 'web'\""));
	assert_int_equal(r.ndocs, 2 + 2101 + 2);
	emit_result_free(&r);
}

static void
test_emit_options(void **state)
{
	struct fx *f = *state;
	struct emit_result r = { 0 };
	struct emit_opts o = opts0();
	const char *en[] = { "namespace2" }, *ex[] = { "kube-public" };
	char *j;

	exec_file(f->st, "seed.sql");
	o.staged = 1;
	assert_int_equal(emit_build(f->st, &o, &r), 0);
	j = joined(&r);
	assert_int_equal(count(j, "\nkind: StagedGlobalNetworkPolicy\n"), 8);
	free(j);
	engine_reads(&r);
	emit_result_free(&r);

	o = opts0();
	o.enforce = en;
	o.nenforce = 1;
	assert_int_equal(emit_build(f->st, &o, &r), 0);
	assert_int_equal(r.ndocs, 10);
	assert_non_null(strstr(doc(&r, "flowpol-namespace2-nginx-deployment.yaml")->text,
	    "\nkind: GlobalNetworkPolicy\n"));
	assert_non_null(strstr(doc(&r, "flowpol-namespace1-nginx-deployment.yaml")->text,
	    "\nkind: StagedGlobalNetworkPolicy\n"));
	engine_reads(&r);
	emit_result_free(&r);

	o = opts0();
	o.exempt = ex;
	o.nexempt = 1;
	o.exempt_set = 1;
	assert_int_equal(emit_build(f->st, &o, &r), 0);
	assert_non_null(strstr(doc(&r, "flowpol-allow-dns-ingress.yaml")->text,
	    "selector: \"projectcalico.org/namespace == 'kube-system' && k8s-app == 'kube-dns'\""));
	doc(&r, "flowpol-kube-system-coredns.yaml");
	engine_reads(&r);
	emit_result_free(&r);

	o = opts0();
	o.granularity = EMIT_NAMESPACE;
	assert_int_equal(emit_build(f->st, &o, &r), 0);
	assert_int_equal(r.ndocs, 5);
	engine_reads(&r);
	emit_result_free(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_emit_names),
		cmocka_unit_test(test_emit_selector_vectors),
		cmocka_unit_test_setup_teardown(test_emit_seed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_emit_deterministic, setup, teardown),
		cmocka_unit_test_setup_teardown(test_emit_limits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_emit_name_clash, setup, teardown),
		cmocka_unit_test_setup_teardown(test_emit_bad_model, setup, teardown),
		cmocka_unit_test_setup_teardown(test_emit_whole_namespace, setup, teardown),
		cmocka_unit_test_setup_teardown(test_emit_many_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_emit_options, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
