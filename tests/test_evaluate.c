#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <yaml.h>

#include "common/err.h"
#include "common/strbuf.h"
#include "common/yamlread.h"
#include "store/store.h"
#include "policy/evaluate.h"
#include "review/explain.h"
#include "policy/reader.h"
#include "testutil.h"

/*
 * Each test is a small policy set with the verdict Calico gives, following
 * doc/calico-semantics.md 6. A decision is written as
 *   "POLICY#RULE"  an Allow/Deny rule decided (POLICY is the name)
 *   "eot:TIER"     end-of-tier drop
 *   "profile"      no tier decided: the namespace profile allows
 *   "none"         not a pod: not evaluated
 */

#define H "apiVersion: projectcalico.org/v3\n"

static struct pe_policyset *
load_mode(const char *yaml, enum pe_types_mode mode)
{
	struct pe_policyset *ps = calloc(1, sizeof(*ps));

	assert_non_null(ps);
	if (pe_read_buffer(ps, "test.yaml", yaml, strlen(yaml)) < 0)
		fail_msg("read: %s", fp_errmsg());
	if (pe_policyset_prepare(ps, mode) < 0)
		fail_msg("prepare: %s", fp_errmsg());
	return ps;
}

static struct pe_policyset *
load(const char *yaml)
{
	return load_mode(yaml, PE_TYPES_API);
}

static void
unload(struct pe_policyset *ps)
{
	pe_policyset_release(ps);
	free(ps);
}

static void
desc(const struct pe_decision *d, char *buf, size_t len)
{
	switch (d->why) {
	case PE_WHY_RULE:
		snprintf(buf, len, "%s#%zu", d->policy->name, d->rule);
		break;
	case PE_WHY_END_OF_TIER:
		snprintf(buf, len, "eot:%s", d->tier->name);
		break;
	case PE_WHY_PROFILE:
		snprintf(buf, len, "profile");
		break;
	case PE_WHY_NO_ENDPOINT:
		snprintf(buf, len, "none");
		break;
	case PE_WHY_HOST_LOCAL:
		snprintf(buf, len, "host-local");
		break;
	}
}

static void
same_decision(const struct pe_decision *a, const struct pe_decision *b,
    int line)
{
	if (a->allowed != b->allowed || a->why != b->why ||
	    a->policy != b->policy || a->rule != b->rule ||
	    a->logs != b->logs || a->uncertain != b->uncertain ||
	    a->pass_policy != b->pass_policy || a->pass_rule != b->pass_rule)
		fail_msg("line %d: the rule index decides otherwise than a scan "
		    "of every rule", line);
}

static void
expect_flags(const struct pe_policyset *ps, const char *src, const char *dst,
    const char *pp, int flags, int allowed, const char *eg, const char *in,
    int line)
{
	struct pe_endpoint s, d;
	struct pe_flow f;
	struct pe_verdict v;
	char e1[256], e2[256];

	pe_endpoint_init(&s);
	pe_endpoint_init(&d);
	memset(&f, 0, sizeof(f));
	if (pe_resolve_endpoint(NULL, src, &s) < 0 ||
	    pe_resolve_endpoint(NULL, dst, &d) < 0 ||
	    pe_parse_proto_port(pp, &f) < 0)
		fail_msg("line %d: %s", line, fp_errmsg());
	f.src = &s;
	f.dst = &d;
	assert_int_equal(pe_evaluate(ps, &f, flags, &v), 0);
	desc(&v.egress, e1, sizeof(e1));
	desc(&v.ingress, e2, sizeof(e2));
	if (v.allowed != allowed || strcmp(e1, eg) != 0 || strcmp(e2, in) != 0)
		fail_msg("line %d: %s -> %s %s: got %s egress=%s ingress=%s, "
		    "want %s egress=%s ingress=%s", line, src, dst, pp,
		    v.allowed ? "allowed" : "denied", e1, e2,
		    allowed ? "allowed" : "denied", eg, in);
	assert_int_equal(v.allowed, v.egress.allowed && v.ingress.allowed);
	/* Scanning every rule, not the rule index, decides the same. */
	{
		struct pe_verdict sc;

		pe_ruleidx_scan = 1;
		assert_int_equal(pe_evaluate(ps, &f, flags, &sc), 0);
		pe_ruleidx_scan = 0;
		same_decision(&sc.egress, &v.egress, line);
		same_decision(&sc.ingress, &v.ingress, line);
	}
	/* Bound endpoints (the fast path) give the very same decisions. */
	{
		struct pe_verdict b;

		assert_int_equal(pe_endpoint_bind(&s, ps), 0);
		assert_int_equal(pe_endpoint_bind(&d, ps), 0);
		assert_int_equal(pe_evaluate(ps, &f, flags, &b), 0);
		assert_int_equal(b.allowed, v.allowed);
		assert_int_equal(b.egress.why, v.egress.why);
		assert_int_equal(b.ingress.why, v.ingress.why);
		assert_ptr_equal(b.egress.policy, v.egress.policy);
		assert_ptr_equal(b.ingress.policy, v.ingress.policy);
		assert_int_equal(b.egress.rule, v.egress.rule);
		assert_int_equal(b.ingress.rule, v.ingress.rule);
	}
	pe_endpoint_release(&s);
	pe_endpoint_release(&d);
}

#define EXPECT(ps, s, d, pp, a, eg, in) \
	expect_flags(ps, s, d, pp, 0, a, eg, in, __LINE__)
#define EXPECT_F(ps, s, d, pp, fl, a, eg, in) \
	expect_flags(ps, s, d, pp, fl, a, eg, in, __LINE__)

/* 6.3: nothing applies -> profile allow, both sides. */
static void
test_evaluate_profile_allow(void **state)
{
	struct pe_policyset *ps = load(H "kind: GlobalNetworkPolicy\n"
	    "metadata: {name: only-db}\n"
	    "spec: {selector: app == 'db', types: [Ingress]}\n");

	(void)state;
	EXPECT(ps, "ns:a,app=web", "ns:b,app=api", "tcp/80", 1, "profile",
	    "profile");
	/* The policy applies to db ingress with no rules: end-of-tier. */
	EXPECT(ps, "ns:a,app=web", "ns:b,app=db", "tcp/80", 0, "profile",
	    "eot:default");
	/* ... but not to db egress (types). */
	EXPECT(ps, "ns:b,app=db", "ns:a,app=web", "tcp/80", 1, "profile",
	    "profile");
	unload(ps);
}

/* 2.1: order, +Inf default, byte-wise name/namespace/kind tie-break. */
static void
test_evaluate_order(void **state)
{
	struct pe_policyset *ps = load(H "kind: GlobalNetworkPolicy\n"
	    "metadata: {name: allow}\n"
	    "spec: {types: [Egress], egress: [{action: Deny}]}\n"
	    "---\n" H "kind: GlobalNetworkPolicy\n"
	    "metadata: {name: allow-dns}\n"
	    "spec: {types: [Egress], egress: [{action: Allow}]}\n");
	struct pe_policyset *ps2;

	(void)state;
	/* "allow-dns/" < "allow//" because '-' < '/': allow-dns first. */
	EXPECT(ps, "ns:a,x=y", "ns:b", "tcp/1", 1, "allow-dns#0", "profile");
	unload(ps);
	ps2 = load(H "kind: GlobalNetworkPolicy\n"
	    "metadata: {name: b-allow}\n"
	    "spec: {order: 10, types: [Egress], egress: [{action: Allow}]}\n"
	    "---\n" H "kind: GlobalNetworkPolicy\n"
	    "metadata: {name: a-deny}\n"
	    "spec: {types: [Egress], egress: [{action: Deny}]}\n"
	    "---\n" H "kind: GlobalNetworkPolicy\n"
	    "metadata: {name: c-deny}\n"
	    "spec: {order: 9.5, types: [Egress], egress: [{action: Deny, "
	    "protocol: UDP}]}\n");
	/* Explicit order runs before unset (+Inf); 9.5 before 10. */
	EXPECT(ps2, "ns:a", "ns:b", "tcp/1", 1, "b-allow#0", "profile");
	EXPECT(ps2, "ns:a", "ns:b", "udp/1", 0, "c-deny#0", "profile");
	unload(ps2);
	/* Same name and order, GNP vs namespaced NP: the key bytes decide. */
	ps2 = load(H "kind: NetworkPolicy\n"
	    "metadata: {name: p, namespace: a}\n"
	    "spec: {order: 5, types: [Egress], egress: [{action: Deny}]}\n"
	    "---\n" H "kind: GlobalNetworkPolicy\n"
	    "metadata: {name: p}\n"
	    "spec: {order: 5, types: [Egress], egress: [{action: Allow}]}\n");
	/* "p//GlobalNetworkPolicy" < "p/a/NetworkPolicy" */
	EXPECT(ps2, "ns:a", "ns:b", "tcp/1", 1, "p#0", "profile");
	unload(ps2);
}

/* 2.6: doNotTrack and preDNAT policies are for host endpoints only. */
static void
test_evaluate_host_only_policies(void **state)
{
	struct pe_policyset *ps = load(H "kind: GlobalNetworkPolicy\n"
	    "metadata: {name: untracked}\n"
	    "spec: {doNotTrack: true, applyOnForward: true, types: [Ingress, "
	    "Egress], ingress: [{action: Deny}], egress: [{action: Deny}]}\n"
	    "---\n" H "kind: GlobalNetworkPolicy\n"
	    "metadata: {name: prednat}\n"
	    "spec: {preDNAT: true, applyOnForward: true, types: [Ingress], "
	    "ingress: [{action: Deny}]}\n");

	(void)state;
	EXPECT(ps, "ns:a", "ns:b", "tcp/80", 1, "profile", "profile");
	unload(ps);
}

/* 6.2: tiers, Pass, defaultAction, missing tier. */
static void
test_evaluate_tiers(void **state)
{
	struct pe_policyset *ps = load(H "kind: Tier\n"
	    "metadata: {name: security}\n"
	    "spec: {order: 100, defaultAction: Pass}\n"
	    "---\n" H "kind: Tier\n"
	    "metadata: {name: late}\n"
	    "spec: {order: 2000000}\n"
	    "---\n" H "kind: GlobalNetworkPolicy\n"
	    "metadata: {name: security.block}\n"
	    "spec:\n  tier: security\n  order: 1\n  types: [Ingress]\n"
	    "  ingress:\n  - {action: Deny, protocol: TCP, destination: "
	    "{ports: [23]}}\n  - {action: Pass, protocol: TCP, destination: "
	    "{ports: [80]}}\n  - {action: Allow, protocol: TCP, destination: "
	    "{ports: [443]}}\n"
	    "---\n" H "kind: GlobalNetworkPolicy\n"
	    "metadata: {name: web}\n"
	    "spec: {selector: app == 'web', types: [Ingress], ingress: "
	    "[{action: Allow, protocol: TCP, destination: {ports: [80]}}]}\n"
	    "---\n" H "kind: GlobalNetworkPolicy\n"
	    "metadata: {name: late.ssh}\n"
	    "spec: {tier: late, types: [Ingress], ingress: [{action: Allow}]}\n"
	    "---\n" H "kind: GlobalNetworkPolicy\n"
	    "metadata: {name: ghost.x}\n"
	    "spec: {tier: ghost, selector: app == 'g', types: [Ingress], "
	    "ingress: [{action: Allow, protocol: UDP}]}\n");

	(void)state;
	/* Deny in the first tier wins over anything later. */
	EXPECT(ps, "ns:a", "ns:b,app=web", "tcp/23", 0, "profile",
	    "security.block#0");
	/* Pass skips to the default tier, where web allows 80. */
	EXPECT(ps, "ns:a", "ns:b,app=web", "tcp/80", 1, "profile", "web#0");
	/* Allow in an earlier tier ends evaluation. */
	EXPECT(ps, "ns:a", "ns:b,app=web", "tcp/443", 1, "profile",
	    "security.block#2");
	/*
	 * No rule in security matches 8080; its defaultAction is Pass, so
	 * default runs: web applied, nothing matched -> end of tier default
	 * (order 1e6, before tier late at 2e6).
	 */
	EXPECT(ps, "ns:a", "ns:b,app=web", "tcp/8080", 0, "profile",
	    "eot:default");
	/* Not web: default tier has no policy for it, late allows. */
	EXPECT(ps, "ns:a", "ns:b,app=api", "tcp/8080", 1, "profile",
	    "late.ssh#0");
	/* The missing tier sorts after late: late allows first. */
	EXPECT(ps, "ns:a", "ns:b,app=g", "tcp/9", 1, "profile", "late.ssh#0");
	unload(ps);

	/* Without the late tier, the missing tier decides and acts as Deny. */
	ps = load(H "kind: GlobalNetworkPolicy\n"
	    "metadata: {name: ghost.x}\n"
	    "spec: {tier: ghost, selector: app == 'g', types: [Ingress], "
	    "ingress: [{action: Allow, protocol: UDP}]}\n");
	EXPECT(ps, "ns:a", "ns:b,app=g", "udp/9", 1, "profile", "ghost.x#0");
	EXPECT(ps, "ns:a", "ns:b,app=g", "tcp/9", 0, "profile", "eot:ghost");
	assert_int_equal(ps->c_tiers[ps->n_ctiers - 1].valid, 0);
	unload(ps);

	/* A Pass in the last tier falls through to the profile: allowed. */
	ps = load(H "kind: GlobalNetworkPolicy\n"
	    "metadata: {name: p}\n"
	    "spec: {types: [Ingress], ingress: [{action: Pass}]}\n");
	EXPECT(ps, "ns:a", "ns:b", "tcp/9", 1, "profile", "profile");
	unload(ps);
}

/* 6.2 Log is not terminal; Deny/Allow are; first matching rule wins. */
static void
test_evaluate_actions(void **state)
{
	struct pe_policyset *ps = load(H "kind: GlobalNetworkPolicy\n"
	    "metadata: {name: p}\n"
	    "spec:\n  types: [Egress]\n  egress:\n"
	    "  - {action: Log}\n"
	    "  - {action: Deny, protocol: UDP}\n"
	    "  - {action: Allow, protocol: UDP}\n"
	    "  - {action: Allow, protocol: TCP}\n");
	struct pe_endpoint s, d;
	struct pe_flow f;
	struct pe_verdict v;

	(void)state;
	EXPECT(ps, "ns:a", "ns:b", "udp/53", 0, "p#1", "profile");
	EXPECT(ps, "ns:a", "ns:b", "tcp/53", 1, "p#3", "profile");
	/* ICMP: only the Log rule matches -> end of tier. */
	EXPECT(ps, "ns:a", "ns:b", "icmp/8/0", 0, "eot:default", "profile");
	pe_endpoint_init(&s);
	pe_endpoint_init(&d);
	memset(&f, 0, sizeof(f));
	assert_int_equal(pe_resolve_endpoint(NULL, "ns:a", &s), 0);
	assert_int_equal(pe_resolve_endpoint(NULL, "ns:b", &d), 0);
	assert_int_equal(pe_parse_proto_port("tcp/1", &f), 0);
	f.src = &s;
	f.dst = &d;
	assert_int_equal(pe_evaluate(ps, &f, 0, &v), 0);
	assert_int_equal(v.egress.logs, 1);
	pe_endpoint_release(&s);
	pe_endpoint_release(&d);
	unload(ps);
}

/* 2.5 types: explicit, API defaulting, Felix fallback. */
static void
test_evaluate_types(void **state)
{
	static const char yaml[] = H "kind: GlobalNetworkPolicy\n"
	    "metadata: {name: e}\n"
	    "spec: {selector: app == 'e', egress: [{action: Allow, protocol: "
	    "UDP}]}\n"
	    "---\n" H "kind: GlobalNetworkPolicy\n"
	    "metadata: {name: nr}\n"
	    "spec: {selector: app == 'n'}\n";
	struct pe_policyset *ps = load(yaml);

	(void)state;
	/* API: e gets [Egress] (egress rules only): ingress untouched. */
	EXPECT(ps, "ns:a,app=e", "ns:b,app=e", "tcp/1", 0, "eot:default",
	    "profile");
	/* API: nr (no rules) gets [Ingress]: egress untouched. */
	EXPECT(ps, "ns:a,app=n", "ns:b,app=n", "tcp/1", 0, "profile",
	    "eot:default");
	unload(ps);
	ps = load_mode(yaml, PE_TYPES_FELIX);
	/* Felix fallback: both directions. */
	EXPECT(ps, "ns:a,app=e", "ns:b,app=e", "udp/1", 0, "e#0",
	    "eot:default");
	EXPECT(ps, "ns:a,app=n", "ns:b,app=x", "tcp/1", 0, "eot:default",
	    "profile");
	unload(ps);
}

/*
 * The applicability index: policies keyed by a label equality their
 * selector requires, the others listed apart. Many policies over several
 * namespaces and tiers; a bound endpoint must see exactly the ones whose
 * selectors match it, in evaluation order.
 */
static void
test_evaluate_index(void **state)
{
	struct strbuf b = STRBUF_INIT;
	struct pe_policyset *ps;
	struct pe_endpoint ep;
	size_t i, n = 0;
	int want;

	(void)state;
	sb_adds(&b, H "kind: Tier\nmetadata: {name: early}\n"
	    "spec: {order: 5}\n");
	for (i = 0; i < 60; i++)
		sb_addf(&b, "---\n" H "kind: NetworkPolicy\n"
		    "metadata: {name: p%zu, namespace: n%zu}\n"
		    "spec: {selector: \"app == 'a%zu' && tier == 'x'\", "
		    "types: [Ingress]}\n", i, i % 6, i % 4);
	/* No equality to index by: listed apart, matched for every pod. */
	sb_adds(&b, "---\n" H "kind: GlobalNetworkPolicy\n"
	    "metadata: {name: g-has}\nspec: {selector: has(app), "
	    "types: [Egress]}\n");
	sb_adds(&b, "---\n" H "kind: GlobalNetworkPolicy\n"
	    "metadata: {name: g-in}\nspec: {selector: \"app in {'a1', 'a2'} "
	    "|| app == 'zz'\", types: [Ingress]}\n");
	sb_adds(&b, "---\n" H "kind: GlobalNetworkPolicy\n"
	    "metadata: {name: early.first}\nspec: {tier: early, selector: "
	    "\"tier == 'x'\", types: [Ingress], ingress: [{action: Pass}]}\n");
	/* doNotTrack policies never apply to pods. */
	sb_adds(&b, "---\n" H "kind: GlobalNetworkPolicy\n"
	    "metadata: {name: g-dnt}\nspec: {selector: has(app), doNotTrack: "
	    "true, applyOnForward: true, types: [Ingress]}\n");
	ps = load(sb_str(&b));
	sb_release(&b);
	pe_endpoint_init(&ep);
	if (pe_resolve_endpoint(NULL, "ns:n3,app=a1,tier=x", &ep) < 0)
		fail_msg("%s", fp_errmsg());
	assert_int_equal(pe_endpoint_bind(&ep, ps), 0);
	for (i = 0; i < ps->n_policies; i++) {
		const struct pe_policy *p = &ps->policies[i];
		int bits = pe_endpoint_applies(&ep, i);

		want = pe_policy_for_workloads(p) &&
		    strcmp(p->name, "g-in") == 0 ? 1 :
		    strcmp(p->name, "g-has") == 0 ? 1 :
		    strcmp(p->name, "early.first") == 0 ? 1 :
		    p->namespace != NULL && strcmp(p->namespace, "n3") == 0 &&
		    atoi(p->name + 1) % 4 == 1;
		if ((bits != 0) != want)
			fail_msg("policy %s: applies %d, want %d", p->name,
			    bits, want);
		n += want;
	}
	/* p9, p21, p33, p45, p57 in n3 with app a1; three global. */
	assert_int_equal(ep.n_bound, n);
	assert_int_equal(n, 8);
	for (i = 1; i < ep.n_bound; i++)
		assert_true(ep.bound_ranks[i - 1] < ep.bound_ranks[i]);
	/* The early tier comes first. */
	assert_string_equal(ps->policies[ps->c_order[ep.bound_ranks[0]]].name,
	    "early.first");
	pe_endpoint_release(&ep);
	/* Bound and unbound evaluation agree (expect_flags checks both). */
	EXPECT(ps, "ns:n3,app=a1,tier=x", "ns:n3,app=a1,tier=x", "tcp/80", 0,
	    "eot:default", "eot:default");
	EXPECT(ps, "ns:n2,app=a3,tier=y", "ns:n2,app=a3,tier=y", "tcp/80", 0,
	    "eot:default", "profile");
	EXPECT(ps, "ns:n2,tier=y", "ns:n2,app=a3,tier=y", "tcp/80", 1,
	    "profile", "profile");
	unload(ps);
}

/* 6.2 end of tier only with a non-staged policy; 6.4 staged never enforce. */
static void
test_evaluate_staged(void **state)
{
	struct pe_policyset *ps = load(H "kind: StagedGlobalNetworkPolicy\n"
	    "metadata: {name: default-deny}\n"
	    "spec: {selector: has(projectcalico.org/namespace), types: "
	    "[Ingress, Egress]}\n"
	    "---\n" H "kind: StagedNetworkPolicy\n"
	    "metadata: {name: deny-b, namespace: b}\n"
	    "spec: {types: [Ingress], ingress: [{action: Deny}]}\n"
	    "---\n" H "kind: Tier\n"
	    "metadata: {name: t}\n"
	    "spec: {order: 10}\n"
	    "---\n" H "kind: StagedGlobalNetworkPolicy\n"
	    "metadata: {name: t.only}\n"
	    "spec: {tier: t, types: [Ingress], ingress: [{action: Deny}]}\n");

	(void)state;
	EXPECT(ps, "ns:a", "ns:b", "tcp/80", 1, "profile", "profile");
	/* What if they were enforced: t.only denies in tier t first. */
	EXPECT_F(ps, "ns:a", "ns:b", "tcp/80", PE_EVAL_STAGED, 0,
	    "eot:default", "t.only#0");
	unload(ps);

	/* A staged change to an enforced policy replaces it in the view. */
	ps = load(H "kind: GlobalNetworkPolicy\n"
	    "metadata: {name: web}\n"
	    "spec: {types: [Ingress], ingress: [{action: Allow, protocol: "
	    "TCP}]}\n"
	    "---\n" H "kind: StagedGlobalNetworkPolicy\n"
	    "metadata: {name: web}\n"
	    "spec: {types: [Ingress], ingress: [{action: Allow, protocol: "
	    "UDP}]}\n"
	    "---\n" H "kind: GlobalNetworkPolicy\n"
	    "metadata: {name: old}\n"
	    "spec: {order: 1, types: [Ingress], ingress: [{action: Deny, "
	    "protocol: UDP}]}\n"
	    "---\n" H "kind: StagedGlobalNetworkPolicy\n"
	    "metadata: {name: old}\n"
	    "spec: {stagedAction: Delete}\n"
	    "---\n" H "kind: StagedGlobalNetworkPolicy\n"
	    "metadata: {name: web-learn}\n"
	    "spec: {stagedAction: Learn, types: [Ingress]}\n");
	EXPECT(ps, "ns:a", "ns:b", "tcp/80", 1, "profile", "web#0");
	EXPECT(ps, "ns:a", "ns:b", "udp/80", 0, "profile", "old#0");
	EXPECT_F(ps, "ns:a", "ns:b", "tcp/80", PE_EVAL_STAGED, 0, "profile",
	    "eot:default");
	EXPECT_F(ps, "ns:a", "ns:b", "udp/80", PE_EVAL_STAGED, 1, "profile",
	    "web#0");
	unload(ps);
}

/* 6.6: both directions must allow; non-pod peers are not evaluated. */
/* A binding to another set, or to an older preparation, is not used. */
static void
test_evaluate_bind_stale(void **state)
{
	struct pe_policyset *deny = load(H "kind: GlobalNetworkPolicy\n"
	    "metadata: {name: d}\nspec: {types: [Egress], egress: "
	    "[{action: Deny}]}\n");
	struct pe_policyset *allow = load(H "kind: GlobalNetworkPolicy\n"
	    "metadata: {name: a}\nspec: {selector: app == 'x', types: "
	    "[Egress], egress: [{action: Allow}]}\n");
	struct pe_endpoint s, d;
	struct pe_flow f;
	struct pe_verdict v;

	(void)state;
	pe_endpoint_init(&s);
	pe_endpoint_init(&d);
	memset(&f, 0, sizeof(f));
	assert_int_equal(pe_resolve_endpoint(NULL, "ns:a,app=y", &s), 0);
	assert_int_equal(pe_resolve_endpoint(NULL, "ns:b", &d), 0);
	assert_int_equal(pe_parse_proto_port("tcp/1", &f), 0);
	f.src = &s;
	f.dst = &d;
	assert_int_equal(pe_endpoint_bind(&s, allow), 0);
	assert_int_equal(pe_evaluate(deny, &f, 0, &v), 0);
	assert_int_equal(v.allowed, 0);
	/* Re-preparing the set makes the binding stale. */
	pe_policyset_release_compiled(deny);
	assert_int_equal(pe_policyset_prepare(deny, PE_TYPES_API), 0);
	assert_int_equal(pe_endpoint_bind(&s, deny), 0);
	pe_policyset_release_compiled(deny);
	assert_int_equal(pe_policyset_prepare(deny, PE_TYPES_FELIX), 0);
	assert_int_equal(pe_evaluate(deny, &f, 0, &v), 0);
	assert_int_equal(v.allowed, 0);
	assert_string_equal(v.egress.policy->name, "d");
	pe_endpoint_release(&s);
	pe_endpoint_release(&d);
	unload(deny);
	unload(allow);
}

static void
test_evaluate_both_directions(void **state)
{
	struct pe_policyset *ps = load(H "kind: GlobalNetworkPolicy\n"
	    "metadata: {name: deny-in}\n"
	    "spec: {selector: app == 'db', types: [Ingress], ingress: "
	    "[{action: Deny}]}\n"
	    "---\n" H "kind: GlobalNetworkPolicy\n"
	    "metadata: {name: web-out}\n"
	    "spec: {selector: app == 'web', types: [Egress], egress: "
	    "[{action: Allow}]}\n");

	(void)state;
	EXPECT(ps, "ns:a,app=web", "ns:a,app=db", "tcp/5432", 0, "web-out#0",
	    "deny-in#0");
	EXPECT(ps, "external:192.0.2.1", "ns:a,app=db", "tcp/5432", 0,
	    "none", "deny-in#0");
	EXPECT(ps, "ns:a,app=web", "external:192.0.2.1", "tcp/443", 1,
	    "web-out#0", "none");
	EXPECT(ps, "ns:a,app=db", "node:10.0.0.1", "tcp/10250", 1, "profile",
	    "none");
	unload(ps);
}

/* 7: labels Calico adds; namespace selectors; NP scoping. */
static void
test_evaluate_labels_and_namespaces(void **state)
{
	struct pe_policyset *ps = load(H "kind: GlobalNetworkPolicy\n"
	    "metadata: {name: gate}\n"
	    "spec:\n  order: 1\n"
	    "  selector: projectcalico.org/orchestrator == 'k8s' && "
	    "projectcalico.org/serviceaccount == 'api'\n"
	    "  namespaceSelector: env == 'prod'\n"
	    "  types: [Ingress]\n  ingress:\n"
	    "  - action: Allow\n    source:\n"
	    "      namespaceSelector: projectcalico.org/name == 'front'\n"
	    "  - action: Allow\n    source:\n"
	    "      namespaceSelector: kubernetes.io/metadata.name == 'ops'\n"
	    "      selector: app == 'admin'\n"
	    "---\n" H "kind: NetworkPolicy\n"
	    "metadata: {name: local, namespace: shop}\n"
	    "spec:\n  order: 2\n  types: [Ingress]\n  ingress:\n"
	    "  - action: Allow\n    source: {selector: app == 'web'}\n"
	    "  - action: Allow\n    source: {notSelector: app == 'bad'}\n"
	    "    protocol: UDP\n"
	    "  - action: Allow\n    source: {namespaceSelector: "
	    "team == 'x'}\n");

	(void)state;
	/* gate applies: SA api in a namespace labelled env=prod. */
	EXPECT(ps, "ns:front,app=x", "ns:p,nslabel:env=prod,sa:api",
	    "tcp/1", 1, "profile", "gate#0");
	EXPECT(ps, "ns:ops,app=admin", "ns:p,nslabel:env=prod,sa:api",
	    "tcp/1", 1, "profile", "gate#1");
	EXPECT(ps, "ns:ops,app=other", "ns:p,nslabel:env=prod,sa:api",
	    "tcp/1", 0, "profile", "eot:default");
	/* Not env=prod, or another SA: gate does not apply. */
	EXPECT(ps, "ns:ops", "ns:p,nslabel:env=dev,sa:api", "tcp/1", 1,
	    "profile", "profile");
	EXPECT(ps, "ns:ops", "ns:p,nslabel:env=prod,sa:web", "tcp/1", 1,
	    "profile", "profile");
	/* A pod cannot fake pcns labels. */
	EXPECT(ps, "ns:ops", "ns:p,pcns.env=prod,sa:api", "tcp/1", 1,
	    "profile", "profile");
	/* NP applies only in its namespace; its rule selector too. */
	EXPECT(ps, "ns:shop,app=web", "ns:shop,app=db", "tcp/1", 1, "profile",
	    "local#0");
	EXPECT(ps, "ns:other,app=web", "ns:shop,app=db", "tcp/1", 0,
	    "profile", "eot:default");
	EXPECT(ps, "ns:other,app=web", "ns:other2,app=db", "tcp/1", 1,
	    "profile", "profile");
	/* notSelector in an NP: the positive part is scoped to shop. */
	EXPECT(ps, "ns:shop,app=x", "ns:shop,app=db", "udp/1", 1, "profile",
	    "local#1");
	EXPECT(ps, "ns:elsewhere,app=x", "ns:shop,app=db", "udp/1", 0,
	    "profile", "eot:default");
	EXPECT(ps, "ns:shop,app=bad", "ns:shop,app=db", "udp/1", 0, "profile",
	    "eot:default");
	/* namespaceSelector in an NP opens other namespaces. */
	EXPECT(ps, "ns:z,nslabel:team=x", "ns:shop,app=db", "tcp/1", 1,
	    "profile", "local#2");
	unload(ps);
}

/*
 * The set keeps each distinct selector text, ports list and compiled
 * selector once (policy/intern.c): rules that share the text of a
 * selector must still be scoped each to its own policy's namespace, a
 * shared ports list must still be each rule's own, and a second prepare
 * (which frees and rebuilds the compiled selectors) must decide the same.
 */
static void
test_evaluate_shared_selectors(void **state)
{
	struct pe_policyset *ps;
	int round;

	(void)state;
	ps = load(H "kind: NetworkPolicy\n"
	    "metadata: {name: a, namespace: one}\n"
	    "spec:\n  order: 1\n  types: [Ingress]\n  ingress:\n"
	    "  - action: Allow\n    protocol: TCP\n"
	    "    source: {selector: app == 'web'}\n"
	    "    destination: {ports: [80, http]}\n"
	    "---\n" H "kind: NetworkPolicy\n"
	    "metadata: {name: b, namespace: two}\n"
	    "spec:\n  order: 1\n  types: [Ingress]\n  ingress:\n"
	    "  - action: Allow\n    protocol: TCP\n"
	    "    source: {selector: app == 'web'}\n"
	    "    destination: {ports: [80, http]}\n"
	    "  - action: Deny\n    protocol: TCP\n"
	    "    source: {selector: app == 'web'}\n"
	    "    destination: {notPorts: [80, http]}\n");
	/* The same text in both policies, one shared copy of it and of the
	 * ports list; distinct compiled selectors per namespace. */
	assert_ptr_equal(ps->policies[0].ingress[0].src.selector,
	    ps->policies[1].ingress[0].src.selector);
	assert_ptr_equal(ps->policies[0].ingress[0].dst.ports,
	    ps->policies[1].ingress[0].dst.ports);
	assert_ptr_equal(PE_MORE(&ps->policies[1].ingress[1].dst)->not_ports,
	    ps->policies[1].ingress[0].dst.ports);
	assert_null(ps->policies[0].ingress[0].dst.more);
	for (round = 0; round < 2; round++) {
		assert_ptr_not_equal(ps->policies[0].ingress[0].src.c_sel,
		    ps->policies[1].ingress[0].src.c_sel);
		assert_ptr_equal(ps->policies[1].ingress[0].src.c_sel,
		    ps->policies[1].ingress[1].src.c_sel);
		EXPECT(ps, "ns:one,app=web", "ns:one,app=db", "tcp/80", 1,
		    "profile", "a#0");
		EXPECT(ps, "ns:two,app=web", "ns:one,app=db", "tcp/80", 0,
		    "profile", "eot:default");
		EXPECT(ps, "ns:two,app=web", "ns:two,app=db", "tcp/80", 1,
		    "profile", "b#0");
		EXPECT(ps, "ns:two,app=web", "ns:two,app=db", "tcp/81", 0,
		    "profile", "b#1");
		EXPECT(ps, "ns:one,app=web", "ns:two,app=db", "tcp/80", 0,
		    "profile", "eot:default");
		if (pe_policyset_prepare(ps, PE_TYPES_API) < 0)
			fail_msg("prepare: %s", fp_errmsg());
	}
	unload(ps);
}

/* 4: protocol, ports, named ports, ICMP, ipVersion. */
static void
test_evaluate_rule_fields(void **state)
{
	struct pe_policyset *ps = load(H "kind: GlobalNetworkPolicy\n"
	    "metadata: {name: r}\n"
	    "spec:\n  types: [Ingress]\n  ingress:\n"
	    /* 0 */ "  - {action: Allow, protocol: TCP, destination: {ports: "
	    "['8000:8080', 9000], notPorts: [8001]}}\n"
	    /* 1 */ "  - {action: Allow, notProtocol: TCP, protocol: 17, "
	    "destination: {ports: ['53']}}\n"
	    /* 2 */ "  - {action: Allow, destination: {ports: [http]}}\n"
	    /* 3 */ "  - {action: Allow, protocol: ICMP, icmp: {type: 8, code: "
	    "0}}\n"
	    /* 4 */ "  - {action: Allow, protocol: ICMPv6, notICMP: {type: "
	    "128}}\n"
	    /* 5 */ "  - {action: Allow, ipVersion: 6, protocol: SCTP}\n"
	    /* 6 */ "  - {action: Allow, protocol: 47}\n"
	    /* 7 */ "  - {action: Allow, notProtocol: UDP, protocol: UDPLite}\n");

	(void)state;
	EXPECT(ps, "ns:a", "ns:b", "tcp/8000", 1, "profile", "r#0");
	EXPECT(ps, "ns:a", "ns:b", "tcp/8080", 1, "profile", "r#0");
	EXPECT(ps, "ns:a", "ns:b", "tcp/9000", 1, "profile", "r#0");
	EXPECT(ps, "ns:a", "ns:b", "tcp/8001", 0, "profile", "eot:default");
	EXPECT(ps, "ns:a", "ns:b", "tcp/8081", 0, "profile", "eot:default");
	EXPECT(ps, "ns:a", "ns:b", "udp/53", 1, "profile", "r#1");
	EXPECT(ps, "ns:a", "ns:b", "udp/54", 0, "profile", "eot:default");
	/* Named port: the destination pod's own port table decides. */
	EXPECT(ps, "ns:a", "ns:b,port:http/tcp/8081", "tcp/8081", 1,
	    "profile", "r#2");
	EXPECT(ps, "ns:a", "ns:b,port:http/tcp/8081", "udp/8081", 0,
	    "profile", "eot:default");
	EXPECT(ps, "ns:a", "ns:b,port:http/tcp/8081", "tcp/8082", 0,
	    "profile", "eot:default");
	EXPECT(ps, "ns:a", "ns:b,ip:10.0.0.2", "icmp/8/0", 1, "profile",
	    "r#3");
	EXPECT(ps, "ns:a", "ns:b,ip:10.0.0.2", "icmp/8/1", 0, "profile",
	    "eot:default");
	EXPECT(ps, "ns:a", "ns:b,ip:fd00::2", "icmpv6/129/0", 1, "profile",
	    "r#4");
	EXPECT(ps, "ns:a", "ns:b,ip:fd00::2", "icmpv6/128/0", 0, "profile",
	    "eot:default");
	EXPECT(ps, "ns:a", "ns:b,ip:fd00::2", "sctp/9", 1, "profile", "r#5");
	EXPECT(ps, "ns:a", "ns:b,ip:10.0.0.2", "sctp/9", 0, "profile",
	    "eot:default");
	EXPECT(ps, "ns:a", "ns:b", "47", 1, "profile", "r#6");
	EXPECT(ps, "ns:a", "ns:b", "udplite/5", 1, "profile", "r#7");
	unload(ps);
}

/* 5: nets/notNets, network sets, GNP namespaceSelector forms, SAs. */
static void
test_evaluate_entities(void **state)
{
	struct pe_policyset *ps = load(H "kind: GlobalNetworkSet\n"
	    "metadata: {name: partners, labels: {role: partner}}\n"
	    "spec: {nets: [198.51.100.0/24]}\n"
	    "---\n" H "kind: NetworkSet\n"
	    "metadata: {name: dbs, namespace: data, labels: {role: db}}\n"
	    "spec: {nets: [10.9.0.0/16]}\n"
	    "---\n" H "kind: GlobalNetworkPolicy\n"
	    "metadata: {name: e}\n"
	    "spec:\n  selector: app == 'web'\n  types: [Egress]\n  egress:\n"
	    /* 0 */ "  - action: Allow\n    destination: {nets: "
	    "[203.0.113.0/24], notNets: [203.0.113.128/25]}\n"
	    /* 1 */ "  - action: Allow\n    destination: {selector: role == "
	    "'partner'}\n"
	    /* 2 */ "  - action: Allow\n    protocol: TCP\n    destination: "
	    "{selector: role == 'db', namespaceSelector: all(), ports: "
	    "[5432]}\n"
	    /* 3 */ "  - action: Allow\n    protocol: UDP\n    destination: "
	    "{namespaceSelector: global()}\n"
	    /* 4 */ "  - action: Allow\n    protocol: TCP\n    destination: "
	    "{serviceAccounts: {names: [metrics]}, ports: [9090]}\n"
	    /* 5 */ "  - action: Allow\n    protocol: TCP\n    destination: "
	    "{serviceAccounts: {selector: tier == 'gold'}, ports: [9091]}\n"
	    /* 6 */ "  - action: Allow\n    protocol: TCP\n    destination: "
	    "{notSelector: has(app), ports: [7000]}\n"
	    /* 7 */ "  - action: Allow\n    protocol: TCP\n    destination: "
	    "{selector: '!has(app)', ports: [7001]}\n"
	    /* 8 */ "  - action: Allow\n    protocol: TCP\n    destination: "
	    "{notNets: ['fd00::/16'], ports: [6000]}\n");

	(void)state;
	EXPECT(ps, "ns:a,app=web", "external:203.0.113.5", "tcp/1", 1, "e#0",
	    "none");
	EXPECT(ps, "ns:a,app=web", "external:203.0.113.200", "tcp/1", 0,
	    "eot:default", "none");
	/* A GlobalNetworkSet's labels reach external IPs. */
	EXPECT(ps, "ns:a,app=web", "external:198.51.100.7", "tcp/1", 1, "e#1",
	    "none");
	/* NetworkSet in a namespace: all() namespaceSelector covers it. */
	EXPECT(ps, "ns:a,app=web", "external:10.9.1.1", "tcp/5432", 1, "e#2",
	    "none");
	/* A pod labelled role=db too. */
	EXPECT(ps, "ns:a,app=web", "ns:x,role=db", "tcp/5432", 1, "e#2",
	    "profile");
	/* global(): only non-namespaced things (the GlobalNetworkSet). */
	EXPECT(ps, "ns:a,app=web", "external:198.51.100.7", "udp/1", 1, "e#1",
	    "none");
	EXPECT(ps, "ns:a,app=web", "ns:x,role=partner", "udp/1", 1, "e#1",
	    "profile");
	EXPECT(ps, "ns:a,app=web", "external:10.9.1.1", "udp/1", 0,
	    "eot:default", "none");
	/* Service accounts by name (any namespace) and by SA labels. */
	EXPECT(ps, "ns:a,app=web", "ns:mon,sa:metrics", "tcp/9090", 1, "e#4",
	    "profile");
	EXPECT(ps, "ns:a,app=web", "ns:mon,sa:other", "tcp/9090", 0,
	    "eot:default", "profile");
	EXPECT(ps, "ns:a,app=web", "ns:mon,sa:s,salabel:tier=gold",
	    "tcp/9091", 1, "e#5", "profile");
	/* notSelector matches non-Calico IPs; '!has(app)' does not. */
	EXPECT(ps, "ns:a,app=web", "external:192.0.2.9", "tcp/7000", 1, "e#6",
	    "none");
	EXPECT(ps, "ns:a,app=web", "external:192.0.2.9", "tcp/7001", 0,
	    "eot:default", "none");
	EXPECT(ps, "ns:a,app=web", "ns:b", "tcp/7001", 1, "e#7", "profile");
	EXPECT(ps, "ns:a,app=web", "ns:b,app=z", "tcp/7000", 0, "eot:default",
	    "profile");
	/*
	 * POL.go filterNets: a notNets list wholly IPv6 drops the rule from
	 * the IPv4 rendering, although an IPv4 address is "not in" it.
	 */
	EXPECT(ps, "ns:a,app=web,ip:10.0.0.1", "external:192.0.2.9",
	    "tcp/6000", 0, "eot:default", "none");
	EXPECT(ps, "ns:a,app=web,ip:fd01::1", "external:fd01::9",
	    "tcp/6000", 1, "e#8", "none");
	EXPECT(ps, "ns:a,app=web,ip:fd01::1", "external:fd00::9",
	    "tcp/6000", 0, "eot:default", "none");
	unload(ps);
}

/*
 * Network sets found through the sorted net index: a set of 300 /32s (a
 * 5,000-node cluster's node set has more than a rule's 256 nets), sets
 * sharing a net, nested prefixes and both families.
 */
static void
test_evaluate_netset_index(void **state)
{
	size_t cap = 64 * 1024, n = 0;
	char *y = malloc(cap);
	struct pe_policyset *ps;
	int i;

	(void)state;
	assert_non_null(y);
	n += (size_t)snprintf(y + n, cap - n, H "kind: GlobalNetworkSet\n"
	    "metadata: {name: nodes, labels: {role: node}}\nspec: {nets: [");
	for (i = 0; i < 300; i++)
		n += (size_t)snprintf(y + n, cap - n, "%s10.240.%d.%d/32",
		    i ? ", " : "", i / 200, 10 + i % 200);
	n += (size_t)snprintf(y + n, cap - n, ", 'fd00:240::7/128']}\n"
	    "---\n" H "kind: GlobalNetworkSet\n"
	    "metadata: {name: wide, labels: {role: wide}}\n"
	    "spec: {nets: [10.0.0.0/8, 'fd00::/16']}\n"
	    "---\n" H "kind: GlobalNetworkSet\n"
	    "metadata: {name: twin, labels: {role: twin}}\n"
	    "spec: {nets: [10.240.1.0/24, 10.240.0.77/32]}\n"
	    "---\n" H "kind: GlobalNetworkPolicy\n"
	    "metadata: {name: e}\n"
	    "spec:\n  selector: app == 'web'\n  types: [Egress]\n  egress:\n"
	    "  - action: Allow\n    protocol: TCP\n    destination: "
	    "{selector: role == 'node', ports: [1]}\n"
	    "  - action: Allow\n    protocol: TCP\n    destination: "
	    "{selector: role == 'twin', ports: [2]}\n"
	    "  - action: Allow\n    protocol: TCP\n    destination: "
	    "{selector: role == 'wide', ports: [3]}\n"
	    "  - action: Allow\n    protocol: TCP\n    destination: "
	    "{notSelector: role == 'node', ports: [4]}\n");
	ps = load(y);
	free(y);
	/* first, last, and an address between two entries of the /32s */
	EXPECT(ps, "ns:a,app=web", "external:10.240.0.10", "tcp/1", 1, "e#0",
	    "none");
	EXPECT(ps, "ns:a,app=web", "external:10.240.0.209", "tcp/1", 1, "e#0",
	    "none");
	EXPECT(ps, "ns:a,app=web", "external:10.240.1.109", "tcp/1", 1, "e#0",
	    "none");
	EXPECT(ps, "ns:a,app=web", "external:10.240.1.110", "tcp/1", 0,
	    "eot:default", "none");
	EXPECT(ps, "ns:a,app=web", "external:10.240.0.9", "tcp/1", 0,
	    "eot:default", "none");
	/* a /32 in two sets: each set's labels count */
	EXPECT(ps, "ns:a,app=web", "external:10.240.0.77", "tcp/2", 1, "e#1",
	    "none");
	EXPECT(ps, "ns:a,app=web", "external:10.240.0.78", "tcp/2", 0,
	    "eot:default", "none");
	/* the /24 and the /8 hold what the /32s do not */
	EXPECT(ps, "ns:a,app=web", "external:10.240.1.250", "tcp/2", 1, "e#1",
	    "none");
	EXPECT(ps, "ns:a,app=web", "external:10.99.0.1", "tcp/3", 1, "e#2",
	    "none");
	EXPECT(ps, "ns:a,app=web", "external:11.0.0.1", "tcp/3", 0,
	    "eot:default", "none");
	/* IPv6: a /128 and a /16, never an IPv4 entry */
	EXPECT(ps, "ns:a,app=web", "external:fd00:240::7", "tcp/1", 1, "e#0",
	    "none");
	EXPECT(ps, "ns:a,app=web", "external:fd00:240::8", "tcp/1", 0,
	    "eot:default", "none");
	EXPECT(ps, "ns:a,app=web", "external:fd00:1::1", "tcp/3", 1, "e#2",
	    "none");
	/* notSelector: in the node set or not */
	EXPECT(ps, "ns:a,app=web", "external:10.240.0.10", "tcp/4", 0,
	    "eot:default", "none");
	EXPECT(ps, "ns:a,app=web", "external:10.240.1.110", "tcp/4", 1, "e#3",
	    "none");
	unload(ps);
}

/* --- the seed ---------------------------------------------------------- */

struct seed_wl {
	char ns[64], name[64], labels[256];
};

static yaml_node_t *
yget(yaml_document_t *d, yaml_node_t *m, const char *key)
{
	yaml_node_pair_t *q;

	if (m == NULL || m->type != YAML_MAPPING_NODE)
		return NULL;
	for (q = m->data.mapping.pairs.start; q < m->data.mapping.pairs.top;
	    q++)
		if (strcmp((char *)yaml_document_get_node(d,
		    q->key)->data.scalar.value, key) == 0)
			return yaml_document_get_node(d, q->value);
	return NULL;
}

/* Deployments and namespace labels from the seed's sampleworkloads.yaml. */
static size_t
seed_workloads(struct seed_wl *out, size_t max, char nslabels[][128],
    char nsnames[][64], size_t *nns)
{
	char path[4096], *buf;
	FILE *f;
	long len;
	struct yr *p = NULL;
	yaml_document_t d;
	size_t n = 0;

	snprintf(path, sizeof(path), "%s/samples/seed/sampleworkloads.yaml",
	    FLOWPOL_SRC);
	assert_non_null(f = fopen(path, "rb"));
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	assert_non_null(buf = malloc((size_t)len));
	assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	assert_int_equal(yr_new(&p, buf, (size_t)len, NULL, 0), 0);
	*nns = 0;
	for (;;) {
		yaml_node_t *root, *kind = NULL, *meta = NULL, *spec = NULL;
		yaml_node_pair_t *q;
		int got = yr_load(p, &d);

		assert_true(got >= 0);
		if (got == 0)
			break;
		root = yaml_document_get_root_node(&d);
		kind = yget(&d, root, "kind");
		meta = yget(&d, root, "metadata");
		spec = yget(&d, root, "spec");
		if (kind && strcmp((char *)kind->data.scalar.value,
		    "Namespace") == 0) {
			yaml_node_t *nm, *lab;

			nm = yget(&d, meta, "name");
			lab = yget(&d, meta, "labels");
			snprintf(nsnames[*nns], 64, "%s",
			    (char *)nm->data.scalar.value);
			nslabels[*nns][0] = '\0';
			if (lab)
				for (q = lab->data.mapping.pairs.start;
				    q < lab->data.mapping.pairs.top; q++) {
					size_t o = strlen(nslabels[*nns]);

					snprintf(nslabels[*nns] + o, 128 - o,
					    ",nslabel:%s=%s",
					    yaml_document_get_node(&d, q->key)->data.scalar.value,
					    yaml_document_get_node(&d, q->value)->data.scalar.value);
				}
			(*nns)++;
		}
		if (kind && strcmp((char *)kind->data.scalar.value,
		    "Deployment") == 0 && n < max) {
			yaml_node_t *nm, *ns, *tmpl, *tm, *lab;

			nm = yget(&d, meta, "name");
			ns = yget(&d, meta, "namespace");
			tmpl = yget(&d, spec, "template");
			tm = yget(&d, tmpl, "metadata");
			lab = yget(&d, tm, "labels");
			snprintf(out[n].ns, sizeof(out[n].ns), "%s",
			    (char *)ns->data.scalar.value);
			snprintf(out[n].name, sizeof(out[n].name), "%s",
			    (char *)nm->data.scalar.value);
			out[n].labels[0] = '\0';
			for (q = lab->data.mapping.pairs.start;
			    q < lab->data.mapping.pairs.top; q++) {
				size_t o = strlen(out[n].labels);

				snprintf(out[n].labels + o,
				    sizeof(out[n].labels) - o, ",%s=%s",
				    yaml_document_get_node(&d, q->key)->data.scalar.value,
				    yaml_document_get_node(&d, q->value)->data.scalar.value);
			}
			n++;
		}
		yaml_document_delete(&d);
	}
	yr_free(p);
	free(buf);
	return n;
}

static void
seed_spec(const struct seed_wl *w, char nslabels[][128], char nsnames[][64],
    size_t nns, char *buf, size_t len)
{
	size_t i;
	const char *nl = "";
	int n;

	for (i = 0; i < nns; i++)
		if (strcmp(nsnames[i], w->ns) == 0)
			nl = nslabels[i];
	/* A truncated spec would evaluate other labels: refuse it. */
	n = snprintf(buf, len, "ns:%s%s%s", w->ns, nl, w->labels);
	assert_true(n >= 0 && (size_t)n < len);
}

/*
 * The seed's hand-written policies against the seed's workloads, TCP 80
 * between every pair and UDP 53 to kube-dns. What Calico does with them:
 * deny-all, allow-dns and the two namespace1 policies have no order and
 * sort by name (allow-dns, allow-namespace1-intra-communication,
 * allow-namespace1-to-namespace2, deny-all); the two ntierapp
 * NetworkPolicies (order 1 and 2) run first. namespace1 pods may talk to
 * namespace1 and send to namespace2, but namespace2 pods get no ingress
 * allow (allow-namespace1-to-namespace2 selects namespace1 pods only), so
 * namespace1 -> namespace2 is denied at namespace2's ingress by deny-all.
 */
static void
test_evaluate_seed(void **state)
{
	struct seed_wl wl[16];
	char nslabels[8][128], nsnames[8][64], s[512], d[512];
	size_t n, nns, i, j;
	struct pe_policyset ps = PE_POLICYSET_INIT;
	char path[4096];

	(void)state;
	snprintf(path, sizeof(path), "%s/samples/seed/calico-policies.yaml",
	    FLOWPOL_SRC);
	if (pe_read_path(&ps, path) < 0 ||
	    pe_policyset_prepare(&ps, PE_TYPES_API) < 0)
		fail_msg("%s", fp_errmsg());
	assert_int_equal(ps.n_policies, 6);
	n = seed_workloads(wl, 16, nslabels, nsnames, &nns);
	assert_int_equal(n, 6);
	assert_int_equal(nns, 3);
	for (i = 0; i < n; i++) {
		for (j = 0; j < n; j++) {
			const struct seed_wl *a = &wl[i], *b = &wl[j];
			const char *eg, *in;
			int ok;

			seed_spec(a, nslabels, nsnames, nns, s, sizeof(s));
			seed_spec(b, nslabels, nsnames, nns, d, sizeof(d));
			if (strcmp(a->ns, "namespace1") == 0 &&
			    strcmp(b->ns, "namespace1") == 0)
				eg = "allow-namespace1-intra-communication#0";
			else if (strcmp(a->ns, "namespace1") == 0 &&
			    strcmp(b->ns, "namespace2") == 0)
				eg = "allow-namespace1-to-namespace2#0";
			else if (strcmp(a->name, "frontend") == 0 &&
			    strcmp(b->name, "backend") == 0)
				eg = "allow-frontend-to-backend#0";
			else
				eg = "deny-all#0";
			if (strcmp(b->ns, "namespace1") == 0 &&
			    strcmp(a->ns, "namespace1") == 0)
				in = "allow-namespace1-intra-communication#0";
			else if (strcmp(a->name, "frontend") == 0 &&
			    strcmp(b->name, "backend") == 0)
				in = "allow-backend-from-frontend#0";
			else
				in = "deny-all#0";
			ok = strcmp(eg, "deny-all#0") != 0 &&
			    strcmp(in, "deny-all#0") != 0;
			expect_flags(&ps, s, d, "tcp/80", 0, ok, eg, in,
			    __LINE__);
			/*
			 * UDP 53 is open between every pod (allow-dns sorts
			 * first), except that the ntierapp policies with
			 * order 1 and 2 run before it.
			 */
			ok = strcmp(a->name, "frontend") == 0 &&
			    strcmp(b->name, "backend") == 0;
			expect_flags(&ps, s, d, "udp/53", 0, 1, ok ?
			    "allow-frontend-to-backend#0" : "allow-dns#0", ok ?
			    "allow-backend-from-frontend#0" : "allow-dns#0",
			    __LINE__);
		}
		seed_spec(&wl[i], nslabels, nsnames, nns, s, sizeof(s));
		expect_flags(&ps, s, "ns:kube-system,k8s-app=kube-dns",
		    "udp/53", 0, 1, "allow-dns#0", "allow-dns#0", __LINE__);
		/*
		 * DNS over TCP is not opened; kube-system is exempt from
		 * deny-all but allow-dns (all()) applies to it, so TCP 53
		 * ends at the default tier's end.
		 */
		expect_flags(&ps, s, "ns:kube-system,k8s-app=kube-dns",
		    "tcp/53", 0, 0, "deny-all#0", "eot:default", __LINE__);
	}
	/* A pod outside the seed namespaces but not exempt: deny-all. */
	expect_flags(&ps, "ns:other,app=x", "external:192.0.2.1", "tcp/443",
	    0, 0, "deny-all#0", "none", __LINE__);
	/* kube-system egress to the internet ends at the end of the tier. */
	expect_flags(&ps, "ns:kube-system,k8s-app=kube-dns",
	    "external:192.0.2.1", "udp/53", 0, 1, "allow-dns#0", "none",
	    __LINE__);
	pe_policyset_release(&ps);
}

/* --- explain against a learned database -------------------------------- */

static const char db_sql[] =
    "INSERT INTO namespaces VALUES"
    " ('namespace1', 'name=namespace1\n', 1, 2),"
    " ('namespace2', 'name=namespace2\n', 1, 2),"
    " ('ntierapp', 'name=ntierapp\n', 1, 2);"
    "INSERT INTO pods (uid, namespace, name, labels, workload, first_seen,"
    " last_seen) VALUES"
    " ('u1', 'namespace1', 'nginx-deployment-abc-1',"
    "  'app=nginx\npod-template-hash=abc\n', 'namespace1/nginx-deployment', 1, 2),"
    " ('u0', 'namespace1', 'nginx-deployment-abc-0',"
    "  'app=nginx\npick=me\npod-template-hash=abc\n',"
    "  'namespace1/nginx-deployment', 1, 2),"
    " ('u2', 'namespace1', 'busybox-deployment-x-1', 'app=busybox\n',"
    "  'namespace1/busybox-deployment', 1, 2),"
    " ('u3', 'namespace2', 'nginx-deployment-y-1', 'app=nginx\n',"
    "  'namespace2/nginx-deployment', 1, 2),"
    " ('u4', 'ntierapp', 'frontend-z-1', 'app=frontend\n',"
    "  'ntierapp/frontend', 1, 2);"
    "INSERT INTO endpoints (ip, owner_kind, owner, valid_from, valid_to,"
    " seen_first, seen_last) VALUES"
    " (X'0a000101', 'pod', 'u1', 1, NULL, 1, 1),"
    " (X'0a000102', 'pod', 'u2', 1, NULL, 1, 1),"
    " (X'0a000103', 'pod', 'u3', 1, NULL, 1, 1),"
    " (X'0a000104', 'pod', 'u0', 1, 5, 1, 1),"
    " (X'0a000104', 'pod', 'u4', 5, NULL, 5, 5),"
    " (X'0a000001', 'node', 'node1', 1, NULL, 1, 1);"
    "INSERT INTO workloads (namespace, name, kind, selector, pods) VALUES"
    " ('namespace1', 'nginx-deployment', 'Deployment', 'app == ''nginx''', 2),"
    " ('namespace1', 'busybox-deployment', 'Deployment', 'app == ''busybox''', 1),"
    " ('namespace2', 'nginx-deployment', 'Deployment', 'app == ''nginx''', 1),"
    " ('ntierapp', 'frontend', 'Deployment', 'app == ''frontend''', 1);";

/* Run flowpol explain; returns the exit status, output in out. */
static int
run_explain(const char *db, const char *pol, const char *src,
    const char *dst, const char *pp, char *out, size_t len)
{
	char cmd[4096];
	const char *bin = getenv("FLOWPOL");
	FILE *p;
	size_t n;
	int st;

	assert_non_null(bin);
	snprintf(cmd, sizeof(cmd), "'%s' explain --db '%s' --policies '%s' "
	    "'%s' '%s' '%s' 2>&1", bin, db, pol, src, dst, pp);
	assert_non_null(p = popen(cmd, "r"));
	n = fread(out, 1, len - 1, p);
	out[n] = '\0';
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

#define HAS(s) do { if (strstr(out, (s)) == NULL) \
	fail_msg("missing '%s' in:\n%s", (s), out); } while (0)

static void
test_evaluate_explain_db(void **state)
{
	char *dir = tu_tmpdir(), *db, *extra, seed[4096], out[8192];
	struct store *st = NULL;
	static const char pick[] = H "kind: GlobalNetworkPolicy\n"
	    "metadata: {name: deny-pick}\n"
	    "spec: {order: 1, selector: pick == 'me', types: [Ingress],"
	    " ingress: [{action: Deny}]}\n";

	(void)state;
	assert_non_null(dir);
	db = tu_path(dir, "flowpol.db");
	extra = tu_path(dir, "pick.yaml");
	assert_int_equal(tu_write(extra, pick, strlen(pick)), 0);
	snprintf(seed, sizeof(seed), "%s/samples/seed/calico-policies.yaml",
	    FLOWPOL_SRC);
	if (store_open(&st, db, STORE_CREATE) < 0 ||
	    store_exec(st, db_sql) < 0)
		fail_msg("%s", fp_errmsg());
	store_free(st);

	/* Workloads by name. */
	assert_int_equal(run_explain(db, seed, "namespace1/busybox-deployment",
	    "namespace1/nginx-deployment", "tcp/80", out, sizeof(out)), 0);
	HAS("endpoint: pod namespace1/nginx-deployment (10.0.1.4)");
	HAS("policy: GlobalNetworkPolicy allow-namespace1-intra-communication");
	/* A pod by name; an IP resolved through endpoints. */
	assert_int_equal(run_explain(db, seed,
	    "namespace1/busybox-deployment-x-1", "10.0.1.3", "tcp/80", out,
	    sizeof(out)), 1);
	HAS("endpoint: pod nginx-deployment-y-1 in namespace namespace2 "
	    "(10.0.1.3)");
	HAS("policy: GlobalNetworkPolicy deny-all");
	HAS("rule: ingress[0]");
	/* 10.0.1.4 changed owner: the current one (frontend) counts. */
	assert_int_equal(run_explain(db, seed, "10.0.1.4", "10.0.1.1",
	    "tcp/80", out, sizeof(out)), 1);
	HAS("pod frontend-z-1 in namespace ntierapp (10.0.1.4)");
	/* A node IP and an unknown IP: only the pod side is evaluated. */
	assert_int_equal(run_explain(db, seed, "10.0.0.1", "10.0.1.1",
	    "tcp/80", out, sizeof(out)), 1);
	HAS("endpoint: node node1 (10.0.0.1)");
	HAS("egress: not evaluated");
	assert_int_equal(run_explain(db, seed, "10.0.1.2", "192.0.2.1",
	    "udp/53", out, sizeof(out)), 0);
	HAS("endpoint: external 192.0.2.1");
	/* The workload's pod with the lowest name gives the labels. */
	assert_int_equal(run_explain(db, extra, "ns:x",
	    "namespace1/nginx-deployment", "tcp/80", out, sizeof(out)), 1);
	HAS("policy: GlobalNetworkPolicy deny-pick");
	/* Unknown names are errors. */
	assert_int_equal(run_explain(db, seed, "namespace1/nope", "10.0.1.1",
	    "tcp/80", out, sizeof(out)), 2);
	HAS("flowpol: explain: source: 'namespace1/nope': no such workload "
	    "or pod");
	/* The same loader, in-process, as diff and the emitter use it. */
	{
		struct pe_endpoint ep;

		pe_endpoint_init(&ep);
		assert_int_equal(store_open(&st, db, STORE_READONLY), 0);
		assert_int_equal(pe_endpoint_load_pod(st, "u0", &ep), 1);
		assert_int_equal(ep.kind, PE_EP_POD);
		assert_string_equal(labels_get(&ep.sel_labels, "pick"), "me");
		assert_string_equal(labels_get(&ep.sel_labels,
		    "pcns.name"), "namespace1");
		assert_string_equal(labels_get(&ep.sel_labels,
		    "projectcalico.org/serviceaccount"), "default");
		assert_int_equal(ep.has_ip, 1);
		assert_int_equal(ep.ip.a[3], 4);
		pe_endpoint_release(&ep);
		assert_int_equal(pe_endpoint_load_pod(st, "nope", &ep), 0);
		pe_endpoint_release(&ep);
		store_free(st);
	}
	free(db);
	free(extra);
	tu_rmdir(dir);
}

/* An endpoint built by hand: a pod (ns set) or a node/external address. */
static void
mk_ep(struct pe_endpoint *ep, enum pe_ep_kind kind, const char *ns,
    const char *app, const char *ip, const char *node)
{
	pe_endpoint_init(ep);
	ep->kind = kind;
	if (ns != NULL)
		assert_non_null(ep->namespace = strdup(ns));
	if (app != NULL)
		assert_int_equal(labels_set(&ep->labels, "app", app), 0);
	if (ip != NULL) {
		assert_int_equal(fp_ip_parse(&ep->ip, ip), 0);
		ep->has_ip = 1;
	}
	if (node != NULL)
		assert_non_null(ep->node = strdup(node));
	assert_int_equal(pe_endpoint_prepare(ep), 0);
}

static void
verdict(const struct pe_policyset *ps, const struct pe_endpoint *s,
    const struct pe_endpoint *d, int proto, int port, struct pe_verdict *v)
{
	struct pe_flow f;

	memset(&f, 0, sizeof(f));
	f.src = s;
	f.dst = d;
	f.proto = proto;
	f.dport = port;
	f.icmp_type = f.icmp_code = -1;
	assert_int_equal(pe_evaluate(ps, &f, 0, v), 0);
}

/*
 * Host to local workload: Felix returns before workload ingress policy
 * (felix/rules/static.go, felix/bpf-gpl/tc.c), so a pod's own node reaches
 * it whatever the policy; another node is policed. A destination services
 * match selects the Service's endpoint addresses and ports.
 */
static void
test_evaluate_host_local_and_services(void **state)
{
	struct pe_policyset *ps = load(H "kind: GlobalNetworkPolicy\n"
	    "metadata: {name: deny}\nspec:\n  order: 100\n"
	    "  selector: projectcalico.org/orchestrator == 'k8s'\n"
	    "  types: [Ingress, Egress]\n---\n"
	    H "kind: GlobalNetworkPolicy\nmetadata: {name: api}\nspec:\n"
	    "  order: 10\n  selector: app == 'op'\n  types: [Egress]\n"
	    "  egress:\n  - action: Allow\n    protocol: TCP\n"
	    "    destination:\n      services: {name: kubernetes, namespace: default}\n");
	struct pe_endpoint web, op, node_a, node_b, api, api2;
	struct pe_verdict v;
	char buf[64];

	(void)state;
	mk_ep(&web, PE_EP_POD, "shop", "web", "10.42.0.10", "node-a");
	mk_ep(&op, PE_EP_POD, "ops", "op", "10.42.0.60", "node-a");
	mk_ep(&node_a, PE_EP_NODE, NULL, NULL, "10.0.0.1", "node-a");
	mk_ep(&node_b, PE_EP_NODE, NULL, NULL, "10.0.0.2", "node-b");
	mk_ep(&api, PE_EP_EXTERNAL, NULL, NULL, "192.0.2.10", NULL);
	assert_int_equal(pe_endpoint_add_service(&api, "default", "kubernetes", 6,
	    6443), 0);
	mk_ep(&api2, PE_EP_EXTERNAL, NULL, NULL, "192.0.2.10", NULL);
	verdict(ps, &node_a, &web, 6, 8080, &v);
	desc(&v.ingress, buf, sizeof(buf));
	assert_true(v.allowed);
	assert_string_equal(buf, "host-local");
	verdict(ps, &node_b, &web, 6, 8080, &v);
	desc(&v.ingress, buf, sizeof(buf));
	assert_false(v.allowed);
	assert_string_equal(buf, "eot:default");
	/* Pod to its own node is egress, policed as any other. */
	verdict(ps, &web, &node_a, 6, 9100, &v);
	assert_false(v.allowed);
	/* services: the endpoint's address and port, for the named Service. */
	verdict(ps, &op, &api, 6, 6443, &v);
	desc(&v.egress, buf, sizeof(buf));
	assert_true(v.allowed);
	assert_string_equal(buf, "api#0");
	assert_false(v.egress.uncertain);
	verdict(ps, &op, &api, 6, 443, &v);
	assert_false(v.allowed);
	verdict(ps, &web, &api, 6, 6443, &v);
	assert_false(v.allowed);
	/* An address whose Services are unknown: denied, and said to be unsure. */
	verdict(ps, &op, &api2, 6, 6443, &v);
	assert_false(v.allowed);
	assert_true(v.egress.uncertain);
	pe_endpoint_release(&web);
	pe_endpoint_release(&op);
	pe_endpoint_release(&node_a);
	pe_endpoint_release(&node_b);
	pe_endpoint_release(&api);
	pe_endpoint_release(&api2);
	unload(ps);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_evaluate_profile_allow),
		cmocka_unit_test(test_evaluate_host_local_and_services),
		cmocka_unit_test(test_evaluate_order),
		cmocka_unit_test(test_evaluate_tiers),
		cmocka_unit_test(test_evaluate_host_only_policies),
		cmocka_unit_test(test_evaluate_actions),
		cmocka_unit_test(test_evaluate_types),
		cmocka_unit_test(test_evaluate_staged),
		cmocka_unit_test(test_evaluate_index),
		cmocka_unit_test(test_evaluate_bind_stale),
		cmocka_unit_test(test_evaluate_both_directions),
		cmocka_unit_test(test_evaluate_labels_and_namespaces),
		cmocka_unit_test(test_evaluate_shared_selectors),
		cmocka_unit_test(test_evaluate_rule_fields),
		cmocka_unit_test(test_evaluate_entities),
		cmocka_unit_test(test_evaluate_netset_index),
		cmocka_unit_test(test_evaluate_seed),
		cmocka_unit_test(test_evaluate_explain_db),
	};

	/* Every policy direction gets a rule index, checked against a scan. */
	pe_ruleidx_min = 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
