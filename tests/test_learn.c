/* Unit tests: workload clustering, selectors, and time-aware resolution. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/ipaddr.h"
#include "learner/cluster.h"
#include "learner/resolve.h"
#include "common/labels.h"
#include "testutil.h"

#define MAXP 16

/* A little cluster: pods with one or two label sets each. */
struct fixture {
	struct cl_pod p[MAXP];
	struct labels l[MAXP][2];
	size_t n;
	struct cl_workload *w;
	size_t nw, merged;
};

/* labels as "k=v,k=v"; a second set after '|'. */
static void
add_pod(struct fixture *f, const char *ns, const char *name, const char *okind,
    const char *oname, const char *sa, const char *labels)
{
	struct cl_pod *p = &f->p[f->n];
	char buf[512], *set, *pair, *save1 = NULL, *save2 = NULL, *s;
	size_t k = 0;

	memset(p, 0, sizeof(*p));
	p->uid = name;
	p->ns = ns;
	p->name = name;
	p->owner_kind = okind;
	p->owner_name = oname;
	p->sa = sa;
	snprintf(buf, sizeof(buf), "%s", labels);
	for (s = buf; (set = strtok_r(s, "|", &save1)) != NULL; s = NULL) {
		char *t;

		labels_init(&f->l[f->n][k]);
		for (t = set; (pair = strtok_r(t, ",", &save2)) != NULL; t = NULL)
			assert_int_equal(labels_parse_pair(&f->l[f->n][k], pair), 0);
		k++;
	}
	if (k == 0)
		labels_init(&f->l[f->n][k++]);
	p->states = f->l[f->n];
	p->nstates = k;
	f->n++;
}

static void
build(struct fixture *f, const struct cl_ctrl *ctrls, size_t nctrls,
    const char *const *vol, size_t nvol)
{
	struct cl_opts o;

	memset(&o, 0, sizeof(o));
	o.volatile_keys = vol;
	o.nvolatile = nvol;
	assert_int_equal(cluster_build(f->p, f->n, ctrls, nctrls, &o, &f->w, &f->nw,
	    &f->merged), 0);
}

static void
release(struct fixture *f)
{
	size_t i;

	for (i = 0; i < f->n; i++) {
		labels_release(&f->l[i][0]);
		if (f->p[i].nstates > 1)
			labels_release(&f->l[i][1]);
	}
	cluster_free(f->w, f->nw);
}

static const struct cl_workload *
find(const struct fixture *f, const char *ns, const char *name)
{
	size_t i;

	for (i = 0; i < f->nw; i++)
		if (strcmp(f->w[i].ns, ns) == 0 && strcmp(f->w[i].name, name) == 0)
			return &f->w[i];
	fail_msg("no workload %s/%s", ns, name);
	return NULL;
}

static void
test_learn_controllers(void **state)
{
	static const struct cl_ctrl ctrls[] = {
		{ "a", "ReplicaSet", "front-6f7d", "Rollout", "front" },
		{ "a", "Job", "nightly-manual", "CronJob", "nightly" },
	};
	struct fixture f = { 0 };

	(void)state;
	add_pod(&f, "a", "web-5d8f7c9b4d-k2x7p", "ReplicaSet", "web-5d8f7c9b4d", "d",
	    "app=web,pod-template-hash=5d8f7c9b4d");
	add_pod(&f, "a", "odd-x1", "ReplicaSet", "odd", "d", "app=odd,pod-template-hash=zz");
	add_pod(&f, "a", "front-6f7d-abcde", "ReplicaSet", "front-6f7d", "d",
	    "app=front,pod-template-hash=6f7d");
	add_pod(&f, "a", "db-0", "StatefulSet", "db", "d", "app=db");
	add_pod(&f, "a", "agent-x", "DaemonSet", "agent", "d", "app=agent");
	add_pod(&f, "a", "report-29395260-mx8ht", "Job", "report-29395260", "d",
	    "app=report,job-name=report-29395260");
	add_pod(&f, "a", "migrate-2-abcde", "Job", "migrate-2", "d", "app=migrate");
	add_pod(&f, "a", "nightly-manual-q", "Job", "nightly-manual", "d", "app=nightly");
	add_pod(&f, "a", "debug", "", "", "d", "run=debug");
	/* one name, two kinds */
	add_pod(&f, "a", "cache-0", "StatefulSet", "cache", "d", "app=cache,role=sts");
	add_pod(&f, "a", "cache-7c-x", "ReplicaSet", "cache-7c", "d",
	    "app=cache,role=deploy,pod-template-hash=7c");
	build(&f, ctrls, 2, NULL, 0);
	assert_string_equal(find(&f, "a", "web")->kind, "Deployment");
	assert_string_equal(find(&f, "a", "odd")->kind, "ReplicaSet");
	assert_string_equal(find(&f, "a", "front")->kind, "Rollout");
	assert_string_equal(find(&f, "a", "db")->kind, "StatefulSet");
	assert_string_equal(find(&f, "a", "agent")->kind, "DaemonSet");
	assert_string_equal(find(&f, "a", "report")->kind, "CronJob");
	assert_string_equal(find(&f, "a", "migrate-2")->kind, "Job");
	assert_string_equal(find(&f, "a", "nightly")->kind, "CronJob");
	assert_string_equal(find(&f, "a", "debug")->kind, "Pod");
	assert_string_equal(find(&f, "a", "cache")->kind, "Deployment");
	assert_string_equal(find(&f, "a", "cache-statefulset")->kind, "StatefulSet");
	assert_string_equal(f.p[0].ctrl_kind, "Deployment");
	assert_string_equal(f.p[0].ctrl_name, "web");
	assert_string_equal(f.w[f.p[0].wl].name, "web");
	release(&f);
}

static void
test_learn_selector_preference_and_size(void **state)
{
	struct fixture f = { 0 };

	(void)state;
	/* app.kubernetes.io/name comes before app; a second label only if needed */
	add_pod(&f, "n", "a-1", "StatefulSet", "a", "d",
	    "zeta=1,app=x,app.kubernetes.io/name=alpha,version=1");
	add_pod(&f, "n", "b-1", "StatefulSet", "b", "d",
	    "app=x,app.kubernetes.io/name=beta,version=1");
	add_pod(&f, "n", "c-1", "StatefulSet", "c", "d", "app=shop,tier=web");
	add_pod(&f, "n", "d-1", "StatefulSet", "d", "d", "app=shop,tier=db");
	add_pod(&f, "n", "e-1", "StatefulSet", "e", "d", "app=other,tier=web");
	build(&f, NULL, 0, NULL, 0);
	assert_string_equal(find(&f, "n", "a")->selector,
	    "app.kubernetes.io/name == 'alpha'");
	assert_string_equal(find(&f, "n", "c")->selector,
	    "app == 'shop' && tier == 'web'");
	assert_string_equal(find(&f, "n", "d")->selector, "tier == 'db'");
	assert_int_equal(find(&f, "n", "c")->exact, 1);
	release(&f);
}

static void
test_learn_volatile_and_states(void **state)
{
	static const char *const vol[] = { "release" };
	struct fixture f = { 0 };

	(void)state;
	/* Labels that change between snapshots or per pod never select. */
	add_pod(&f, "n", "w-1", "StatefulSet", "w", "d",
	    "app=w,release=1,controller-revision-hash=w-1|app=w,release=2,version=2");
	add_pod(&f, "n", "w-2", "StatefulSet", "w", "d",
	    "app=w,statefulset.kubernetes.io/pod-name=w-2,release=1");
	add_pod(&f, "n", "v-1", "StatefulSet", "v", "d", "app=v,release=1,pcns.x=y");
	build(&f, NULL, 0, vol, 1);
	assert_string_equal(find(&f, "n", "w")->selector, "app == 'w'");
	assert_int_equal(find(&f, "n", "w")->pods, 2);
	assert_string_equal(find(&f, "n", "v")->selector, "app == 'v'");
	release(&f);
}

static void
test_learn_merge_and_inexact(void **state)
{
	struct fixture f = { 0 };

	(void)state;
	/* Two Deployments sharing all labels: merged, once. */
	add_pod(&f, "m", "api-v1-1-a", "ReplicaSet", "api-v1-1", "d",
	    "app=api,pod-template-hash=1");
	add_pod(&f, "m", "api-v2-2-b", "ReplicaSet", "api-v2-2", "d",
	    "app=api,pod-template-hash=2");
	/* One-sided: plain matches extra's pods too; extra stays exact. */
	add_pod(&f, "o", "plain-0", "StatefulSet", "plain", "d", "app=p");
	add_pod(&f, "o", "extra-0", "StatefulSet", "extra", "d", "app=p,canary=true");
	/* No labels at all: the service account tells them apart. */
	add_pod(&f, "s", "x", "", "", "alice", "");
	add_pod(&f, "s", "y", "", "", "bob", "");
	build(&f, NULL, 0, NULL, 0);
	assert_int_equal(f.merged, 1);
	assert_int_equal(f.nw, 5);
	assert_string_equal(find(&f, "m", "api-v1+api-v2")->selector, "app == 'api'");
	assert_string_equal(find(&f, "m", "api-v1+api-v2")->members,
	    "Deployment/api-v1,Deployment/api-v2");
	assert_int_equal(find(&f, "m", "api-v1+api-v2")->pods, 2);
	assert_int_equal(find(&f, "o", "plain")->exact, 0);
	assert_string_equal(find(&f, "o", "plain")->selector,
	    "app == 'p' && projectcalico.org/serviceaccount == 'd'");
	assert_int_equal(find(&f, "o", "extra")->exact, 1);
	assert_string_equal(find(&f, "o", "extra")->selector, "canary == 'true'");
	assert_string_equal(find(&f, "s", "x")->selector,
	    "projectcalico.org/serviceaccount == 'alice'");
	release(&f);
}

static void
test_learn_merge_long_names(void **state)
{
	struct fixture f = { 0 };
	char names[6][64];
	int i;

	(void)state;
	for (i = 0; i < 6; i++) {
		snprintf(names[i], sizeof(names[i]),
		    "a-rather-long-statefulset-name-number-%d-0", i);
		add_pod(&f, "l", names[i], "StatefulSet", names[i], "d", "app=same");
	}
	build(&f, NULL, 0, NULL, 0);
	assert_int_equal(f.nw, 1);
	assert_int_equal(f.merged, 5);
	assert_string_equal(f.w[0].name,
	    "a-rather-long-statefulset-name-number-0-0+5-more");
	assert_int_equal(f.w[0].pods, 6);
	assert_int_equal(f.p[3].wl, 0);
	release(&f);
}

static void
test_learn_order_independent(void **state)
{
	struct fixture f1 = { 0 }, f2 = { 0 };
	size_t i;

	(void)state;
	add_pod(&f1, "b", "q-0", "StatefulSet", "q", "d", "app=q");
	add_pod(&f1, "a", "z-0", "StatefulSet", "z", "d", "app=z,tier=1");
	add_pod(&f1, "a", "y-0", "StatefulSet", "y", "d", "app=z,tier=2");
	add_pod(&f2, "a", "y-0", "StatefulSet", "y", "d", "app=z,tier=2");
	add_pod(&f2, "a", "z-0", "StatefulSet", "z", "d", "app=z,tier=1");
	add_pod(&f2, "b", "q-0", "StatefulSet", "q", "d", "app=q");
	build(&f1, NULL, 0, NULL, 0);
	build(&f2, NULL, 0, NULL, 0);
	assert_int_equal(f1.nw, f2.nw);
	for (i = 0; i < f1.nw; i++) {
		assert_string_equal(f1.w[i].ns, f2.w[i].ns);
		assert_string_equal(f1.w[i].name, f2.w[i].name);
		assert_string_equal(f1.w[i].selector, f2.w[i].selector);
	}
	assert_string_equal(f1.w[0].name, "y");	/* sorted by namespace, name */
	assert_string_equal(f1.w[2].ns, "b");
	release(&f1);
	release(&f2);
}

/* --- resolver ----------------------------------------------------------- */

static struct fp_ip
ip(const char *s)
{
	struct fp_ip a;

	assert_int_equal(fp_ip_parse(&a, s), 0);
	return a;
}

static void
test_learn_resolve_intervals(void **state)
{
	struct resolver *r;
	struct rs_result o;
	struct fp_ip a = ip("10.1.0.5"), b = ip("10.1.0.6"), n = ip("192.168.0.1");
	struct fp_ip net = ip("10.1.0.0"), v6 = ip("fd00::5");

	(void)state;
	assert_int_equal(resolver_new(&r), 0);
	/* 10.1.0.5: workload 1 in [100, 200), workload 2 from 150, open */
	assert_int_equal(resolver_add(r, &a, 100, 200, 1), 0);
	assert_int_equal(resolver_add(r, &a, 150, INT64_MAX, 2), 0);
	/* 10.1.0.6: workload 3 twice (rollout reuse) [100, 200) [180, open) */
	assert_int_equal(resolver_add(r, &b, 180, INT64_MAX, 3), 0);
	assert_int_equal(resolver_add(r, &b, 100, 200, 3), 0);
	assert_int_equal(resolver_add(r, &n, 0, INT64_MAX, RS_NODE_PEER), 0);
	assert_int_equal(resolver_add(r, &v6, 100, 120, 4), 0);
	assert_int_equal(resolver_add_net(r, &net, 16), 0);
	assert_int_equal(resolver_add_net(r, &net, 16), 0);	/* duplicate */
	resolver_ready(r);

	resolver_lookup(r, &a, 110, 140, &o);
	assert_int_equal(o.cls, RS_WORKLOAD);
	assert_int_equal(o.peer, 1);
	resolver_lookup(r, &a, 140, 160, &o);		/* two owners */
	assert_int_equal(o.cls, RS_AMBIGUOUS);
	assert_int_equal(o.ncand, 2);
	resolver_lookup(r, &a, 200, 300, &o);
	assert_int_equal(o.cls, RS_WORKLOAD);
	assert_int_equal(o.peer, 2);
	resolver_lookup(r, &a, 50, 90, &o);		/* before any owner */
	assert_int_equal(o.cls, RS_UNKNOWN);
	resolver_lookup(r, &a, 90, 110, &o);		/* partly before */
	assert_int_equal(o.cls, RS_AMBIGUOUS);
	resolver_lookup(r, &b, 150, 250, &o);		/* same workload both */
	assert_int_equal(o.cls, RS_WORKLOAD);
	assert_int_equal(o.peer, 3);
	resolver_lookup(r, &v6, 110, 119, &o);
	assert_int_equal(o.cls, RS_WORKLOAD);
	resolver_lookup(r, &v6, 110, 120, &o);		/* to is exclusive */
	assert_int_equal(o.cls, RS_AMBIGUOUS);
	resolver_lookup(r, &v6, 130, 140, &o);		/* gone, outside ranges */
	assert_int_equal(o.cls, RS_EXTERNAL);
	resolver_lookup(r, &n, 5, 6, &o);
	assert_int_equal(o.cls, RS_NODE);
	{
		struct fp_ip x = ip("10.1.9.9"), y = ip("10.2.0.1");

		resolver_lookup(r, &x, 5, 6, &o);
		assert_int_equal(o.cls, RS_UNKNOWN);
		resolver_lookup(r, &y, 5, 6, &o);
		assert_int_equal(o.cls, RS_EXTERNAL);
	}
	resolver_free(r);
}

/*
 * Unowned addresses: the per-prefix index resolver_ready builds answers as
 * testing every net in turn does (thousands of node /32s, /16 guesses,
 * IPv6 nets, duplicates, /0), for addresses inside and around them.
 */
static void
test_learn_resolve_net_index(void **state)
{
	static const char *const nets[] = {
		"10.244.0.0/16", "10.240.0.7/32", "10.240.0.9/32", "10.240.0.9/32",
		"172.16.0.0/12", "100.64.0.0/10", "fd00:10::/48", "fd00:10::2/128",
		"192.168.7.0/24", "10.244.3.0/24", "fc00::/7"
	};
	struct resolver *r, *none;
	struct rs_result o;
	struct fp_ip net, a;
	uint32_t x = 12345;
	char buf[64];
	int prefix, k, i, want, v6;

	(void)state;
	assert_int_equal(resolver_new(&r), 0);
	for (k = 0; k < (int)(sizeof(nets) / sizeof(nets[0])); k++) {
		assert_int_equal(fp_cidr_parse(&net, &prefix, nets[k]), 0);
		assert_int_equal(resolver_add_net(r, &net, prefix), 0);
	}
	for (k = 0; k < 3000; k++) {	/* node addresses */
		snprintf(buf, sizeof(buf), "10.240.%d.%d", k / 250, k % 250 + 3);
		a = ip(buf);
		assert_int_equal(resolver_add_net(r, &a, 32), 0);
	}
	resolver_ready(r);
	assert_int_equal(resolver_new(&none), 0);	/* /0: everything */
	assert_int_equal(fp_cidr_parse(&net, &prefix, "0.0.0.0/0"), 0);
	assert_int_equal(resolver_add_net(none, &net, prefix), 0);
	resolver_ready(none);
	for (i = 0; i < 20000; i++) {
		const struct fp_ip *n;
		const int *p;
		size_t nn, j;

		x = x * 1103515245u + 12345u;
		v6 = (x >> 8) % 5 == 0;
		if (v6)
			snprintf(buf, sizeof(buf), "fd00:%x::%x", (x >> 12) % 24,
			    (x >> 3) % 4);
		else
			snprintf(buf, sizeof(buf), "%u.%u.%u.%u",
			    (x >> 4) % 3 == 0 ? 10 : 160 + (x >> 6) % 40,
			    240 + (x >> 10) % 8, (x >> 14) % 16, (x >> 20) % 256);
		a = ip(buf);
		nn = resolver_nets(r, &n, &p);
		for (want = 0, j = 0; j < nn && !want; j++)
			want = fp_ip_in_net(&a, &n[j], p[j]);
		resolver_lookup(r, &a, 5, 6, &o);
		if (o.cls != (want ? RS_UNKNOWN : RS_EXTERNAL))
			fail_msg("%s: want %s", buf, want ? "unknown" : "external");
		resolver_lookup(none, &a, 5, 6, &o);
		assert_int_equal(o.cls, v6 ? RS_EXTERNAL : RS_UNKNOWN);
	}
	/* Duplicates are kept once. */
	assert_int_equal(resolver_nets(r, &(const struct fp_ip *){ NULL },
	    &(const int *){ NULL }), sizeof(nets) / sizeof(nets[0]) - 1 + 3000 - 2);
	resolver_free(r);
	resolver_free(none);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_learn_controllers),
		cmocka_unit_test(test_learn_selector_preference_and_size),
		cmocka_unit_test(test_learn_volatile_and_states),
		cmocka_unit_test(test_learn_merge_and_inexact),
		cmocka_unit_test(test_learn_merge_long_names),
		cmocka_unit_test(test_learn_order_independent),
		cmocka_unit_test(test_learn_resolve_intervals),
		cmocka_unit_test(test_learn_resolve_net_index),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
