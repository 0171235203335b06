#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/strbuf.h"
#include "common/yamlread.h"
#include "policy/evaluate.h"
#include "policy/reader.h"
#include "policy/selector.h"
#include "testutil.h"

#define H "apiVersion: projectcalico.org/v3\n"
#define GNP H "kind: GlobalNetworkPolicy\nmetadata: {name: p}\n"

static int
read_str(struct pe_policyset *ps, const char *yaml)
{
	return pe_read_buffer(ps, "test.yaml", yaml, strlen(yaml));
}

/* The input must fail for Calico version v with a message containing want. */
static void
bad_v(int v, const char *yaml, const char *want)
{
	struct pe_policyset ps = PE_POLICYSET_INIT;

	ps.calico_version = v;
	fp_error_clear();
	if (read_str(&ps, yaml) == 0)
		fail_msg("accepted, want error '%s':\n%s", want, yaml);
	if (strstr(fp_errmsg(), want) == NULL)
		fail_msg("error '%s', want '%s'", fp_errmsg(), want);
	pe_policyset_release(&ps);
}

static void
bad(const char *yaml, const char *want)
{
	bad_v(0, yaml, want);
}

static void
good(const char *yaml)
{
	struct pe_policyset ps = PE_POLICYSET_INIT;

	if (read_str(&ps, yaml) != 0)
		fail_msg("rejected: %s\n%s", fp_errmsg(), yaml);
	pe_policyset_release(&ps);
}

static void
test_reader_directory(void **state)
{
	struct pe_policyset ps = PE_POLICYSET_INIT;
	const struct pe_policy *p;
	const struct pe_rule *r;
	char path[4096];

	(void)state;
	snprintf(path, sizeof(path), "%s/policy/good", FLOWPOL_TESTDATA);
	if (pe_read_path(&ps, path) < 0)
		fail_msg("%s", fp_errmsg());
	/* README.txt is skipped; sub/ is read after list-kubectl.yaml. */
	assert_int_equal(ps.n_files, 3);
	assert_int_equal(ps.n_policies, 3);
	assert_int_equal(ps.n_tiers, 1);
	assert_int_equal(ps.n_netsets, 1);
	p = &ps.policies[0];
	assert_string_equal(p->name, "default.allow-web");
	assert_int_equal(p->kind, PE_GNP);
	assert_true(p->has_order && p->order == 100);
	assert_string_equal(p->tier, "default");
	assert_int_equal(p->types, PE_TYPE_INGRESS);
	r = &p->ingress[0];
	assert_int_equal(r->protocol, 6);
	assert_int_equal(r->dst.n_ports, 3);
	assert_int_equal(r->dst.ports[0].lo, 80);
	assert_int_equal(r->dst.ports[1].lo, 8000);
	assert_int_equal(r->dst.ports[1].hi, 8080);
	assert_string_equal(r->dst.ports[2].name, "http");
	assert_int_equal(r->line, 22);
	p = &ps.policies[1];
	assert_string_equal(p->name, "security.db-lock");
	assert_string_equal(p->namespace, "data");
	assert_int_equal(p->kind, PE_NP);
	assert_string_equal(p->tier, "security");
	assert_int_equal(p->ingress[0].not_protocol, 17);
	assert_string_equal(p->ingress[0].src.ns_selector, "global()");
	assert_int_equal(p->ingress[1].action, PE_ACT_PASS);
	p = &ps.policies[2];
	assert_int_equal(p->kind, PE_SGNP);
	assert_string_equal(p->staged_action, "Set");
	assert_string_equal(ps.tiers[0].name, "security");
	assert_int_equal(ps.tiers[0].default_pass, 1);
	assert_int_equal(ps.netsets[0].n_nets, 2);
	assert_int_equal(ps.netsets[0].nets[1].ip.len, 16);
	assert_string_equal(labels_get(&ps.netsets[0].labels, "role"),
	    "partner");
	pe_policyset_release(&ps);
}

static void
test_reader_seed(void **state)
{
	struct pe_policyset ps = PE_POLICYSET_INIT;
	char path[4096];

	(void)state;
	snprintf(path, sizeof(path), "%s/samples/seed/calico-policies.yaml",
	    FLOWPOL_SRC);
	if (pe_read_path(&ps, path) < 0)
		fail_msg("%s", fp_errmsg());
	assert_int_equal(ps.n_policies, 6);
	assert_string_equal(ps.policies[0].name, "deny-all");
	assert_int_equal(ps.policies[0].has_order, 0);
	assert_int_equal(ps.policies[0].types,
	    PE_TYPE_INGRESS | PE_TYPE_EGRESS);
	assert_int_equal(ps.policies[0].ingress[0].action, PE_ACT_DENY);
	assert_string_equal(ps.policies[1].selector, "all()");
	assert_int_equal(ps.policies[1].ingress[0].protocol, 17);
	assert_int_equal(ps.policies[1].ingress[0].dst.ports[0].lo, 53);
	assert_int_equal(ps.policies[4].kind, PE_NP);
	assert_string_equal(ps.policies[4].namespace, "ntierapp");
	assert_true(ps.policies[4].order == 1);
	pe_policyset_release(&ps);
}

static void
test_reader_accepts(void **state)
{
	(void)state;
	/* Empty documents, comments, a trailing "---". */
	good("# nothing\n---\n---\n");
	good("");
	good(GNP "spec:\n  selector:\n  order: 1e3\n  types: []\n---\n");
	/* JSON with tabs, and a calicoctl List. */
	good("{\"apiVersion\":\t\"projectcalico.org/v3\", \"kind\": "
	    "\"GlobalNetworkPolicyList\", \"items\": []}");
	good("apiVersion: v1\nkind: List\nitems:\n- " H
	    "  kind: Tier\n  metadata: {name: t}\n");
	/* Quoted numbers are strings; protocol as a number or digits. */
	good(GNP "spec:\n  ingress:\n  - {action: Allow, protocol: 6, "
	    "destination: {ports: ['80', 443, '1:65535']}}\n"
	    "  - {action: Allow, protocol: '17'}\n"
	    "  - {action: Log, protocol: ICMP, icmp: {type: 8}, notICMP: "
	    "{type: 8, code: 1}}\n");
	good(H "kind: NetworkPolicy\nmetadata: {name: knp.default.x}\n"
	    "spec: {}\n");
	good("apiVersion: crd.projectcalico.org/v1\n"
	    "kind: GlobalNetworkPolicy\nmetadata: {name: default.p}\n"
	    "spec: {ingress: [{action: Allow, destination: {ports: [http]}}]}\n");
	good(GNP "spec: {ingress: [{action: Allow, http: {methods: [GET]}}]}\n");
}

/* Protocols read by Calico's names come back under the same names. */
static void
test_reader_protocol_names(void **state)
{
	struct pe_policyset ps = PE_POLICYSET_INIT;
	char *t;

	(void)state;
	if (read_str(&ps, GNP "spec: {ingress: [{action: Allow, protocol: "
	    "UDPLite, notProtocol: 99}, {action: Deny, protocol: ICMPv6}]}\n") < 0)
		fail_msg("%s", fp_errmsg());
	assert_int_equal(ps.policies[0].ingress[0].protocol, 136);
	t = pe_rule_format(&ps.policies[0].ingress[0]);
	assert_string_equal(t, "Allow protocol=UDPLite notProtocol=99");
	free(t);
	t = pe_rule_format(&ps.policies[0].ingress[1]);
	assert_string_equal(t, "Deny protocol=ICMPv6");
	free(t);
	assert_null(pe_protocol_name(99));
	pe_policyset_release(&ps);
}

static void
test_reader_rejects(void **state)
{
	(void)state;
	bad(GNP "spec:\n  ingres: []\n", "test.yaml:5: spec: unknown field 'ingres'");
	bad(GNP "spec:\n  ingress: yes\n", "test.yaml:5: spec.ingress: expected a list, got a boolean");
	bad(H "kind: GlobalNetworkPolicy\nmetadata: {name: 123}\n",
	    "test.yaml:3: metadata.name: expected a string, got a number");
	bad(GNP "spec:\n  selector: a\n  selector: b\n", "test.yaml:6: spec: duplicate key 'selector' (first at line 5)");
	/* JSON too: the Kubernetes API refuses a key twice on apply. */
	bad("{\"apiVersion\": \"projectcalico.org/v3\",\n \"kind\": \"Tier\",\n"
	    " \"metadata\": {\"name\": \"a\",\n  \"name\": \"b\"}}\n",
	    "test.yaml:4: metadata: duplicate key 'name' (first at line 3)");
	bad(GNP "spec:\n  ingress:\n  - action: Allow\n    source: {nets: [], nets: []}\n",
	    "test.yaml:7: spec.ingress[0].source: duplicate key 'nets' (first at line 7)");
	bad(GNP "spce: {}\n", "test.yaml:4: unknown field 'spce'");
	bad(H "metadata: {name: x}\n", "test.yaml:1: kind: missing kind");
	bad("kind: Tier\nmetadata: {name: x}\n", "missing apiVersion");
	bad("apiVersion: projectcalico.org/v2\nkind: Tier\nmetadata: {name: x}\n",
	    "test.yaml:1: apiVersion: unsupported apiVersion");
	bad(H "kind: Profile\nmetadata: {name: x}\n",
	    "test.yaml:2: kind: unsupported kind 'Profile'");
	bad("- a\n- b\n", "test.yaml:1: expected a Calico resource");
	bad(GNP "spec: {egress: [{action: Accept}]}\n", "invalid action 'Accept'");
	bad(GNP "spec: {egress: [{protocol: TCP}]}\n", "spec.egress[0]: action is required");
	bad(GNP "spec: {egress: [{action: Allow, protocol: 0}]}\n", "protocol 0 is out of range");
	bad(GNP "spec: {egress: [{action: Allow, protocol: 256}]}\n", "protocol 256 is out of range");
	bad(GNP "spec: {egress: [{action: Allow, protocol: Tcp}]}\n", "invalid protocol 'Tcp'");
	bad(GNP "spec: {egress: [{action: Allow, protocol: TCP, destination: {ports: [0]}}]}\n",
	    "spec.egress[0].destination.ports[0]: port 0 is out of range");
	bad(GNP "spec: {egress: [{action: Allow, protocol: TCP, destination: {ports: [65536]}}]}\n",
	    "port 65536 is out of range");
	bad(GNP "spec: {egress: [{action: Allow, protocol: TCP, destination: {ports: ['90:80']}}]}\n",
	    "invalid port range '90:80'");
	bad(GNP "spec: {egress: [{action: Allow, destination: {ports: [a!]}}]}\n",
	    "invalid named port 'a!'");
	bad(GNP "spec: {egress: [{action: Allow, destination: {ports: [80]}}]}\n",
	    "numeric ports need protocol");
	bad(GNP "spec: {egress: [{action: Allow, protocol: ICMP, destination: {ports: [http]}}]}\n",
	    "ports need protocol TCP, UDP or SCTP");
	bad(GNP "spec: {egress: [{action: Allow, destination: {nets: [10.1.2.3/8]}}]}\n",
	    "CIDR '10.1.2.3/8' has host bits set");
	bad(GNP "spec: {egress: [{action: Allow, destination: {nets: [10.0.0.0/33]}}]}\n",
	    "invalid CIDR '10.0.0.0/33'");
	bad(GNP "spec: {egress: [{action: Allow, destination: {notNets: [0.0.0.0/0]}}]}\n",
	    "notNets must not contain 0.0.0.0/0");
	bad(GNP "spec: {egress: [{action: Allow, source: {nets: [10.0.0.0/8]}, "
	    "destination: {nets: ['fd00::/8']}}]}\n", "mixes IPv4 and IPv6");
	bad(GNP "spec: {egress: [{action: Allow, ipVersion: 6, destination: {nets: [10.0.0.0/8]}}]}\n",
	    "CIDRs do not match ipVersion 6");
	bad(GNP "spec: {egress: [{action: Allow, ipVersion: 5}]}\n", "ipVersion must be 4 or 6");
	bad(GNP "spec: {egress: [{action: Allow, protocol: ICMP, icmp: {code: 1}}]}\n",
	    "ICMP code specified without an ICMP type");
	bad(GNP "spec: {egress: [{action: Allow, protocol: TCP, icmp: {type: 8}}]}\n",
	    "ICMP fields need protocol ICMP or ICMPv6");
	bad(GNP "spec: {egress: [{action: Allow, protocol: ICMP, icmp: {type: 255}}]}\n",
	    "255 is out of range (0 to 254)");
	bad(GNP "spec: {egress: [{action: Allow, protocol: ICMP, ipVersion: 6}]}\n",
	    "protocol ICMP needs ipVersion 4");
	bad(GNP "spec: {selector: has(a) || global()}\n", "spec.selector: global() is not allowed here");
	bad(GNP "spec: {namespaceSelector: global()}\n", "global() is not allowed here");
	bad(GNP "spec: {egress: [{action: Allow, destination: {namespaceSelector: "
	    "global() && has(x)}}]}\n", "global() must be the whole namespaceSelector");
	bad(GNP "spec: {egress: [{action: Allow, destination: {selector: global()}}]}\n",
	    "global() is not allowed here");
	bad(GNP "spec:\n  selector: |\n    app == 'x'\n", "test.yaml:5: spec.selector: invalid selector");
	bad(GNP "spec: {selector: \"a == 'b\"}\n", "position 5: unterminated string");
	bad(H "kind: GlobalNetworkPolicy\nmetadata: {name: a.b.c}\nspec: {}\n",
	    "invalid policy name 'a.b.c'");
	bad(H "kind: GlobalNetworkPolicy\nmetadata: {name: Allow}\nspec: {}\n",
	    "invalid policy name 'Allow'");
	bad(GNP "spec: {tier: Security}\n", "invalid tier name 'Security'");
	/* A tier name is a DNS label: 63 bytes at most; a policy name is not. */
	good(GNP "spec: {tier: t23456789012345678901234567890123456789012345678901234567890123}\n");
	bad(GNP "spec: {tier: t234567890123456789012345678901234567890123456789012345678901234}\n",
	    "invalid tier name");
	good(H "kind: GlobalNetworkPolicy\nmetadata: {name: "
	    "p234567890123456789012345678901234567890123456789012345678901234}\nspec: {}\n");
	bad(H "kind: Tier\nmetadata: {name: default}\nspec: {defaultAction: Pass}\n",
	    "tier 'default' must have default action Deny");
	bad(H "kind: Tier\nmetadata: {name: t}\nspec: {defaultAction: Allow}\n",
	    "invalid defaultAction 'Allow'");
	bad(GNP "spec: {types: [ingress]}\n", "invalid type 'ingress'");
	bad(GNP "spec: {types: [Ingress, Ingress]}\n", "duplicate type 'Ingress'");
	bad(GNP "spec: {stagedAction: Set}\n", "unknown field 'stagedAction'");
	bad(H "kind: StagedGlobalNetworkPolicy\nmetadata: {name: p}\n"
	    "spec: {stagedAction: Apply}\n", "invalid stagedAction 'Apply'");
	bad(GNP "spec: {ingress: [{action: Allow, destination: {services: {name: s, "
	    "namespace: ns1}}}]}\n", "destination services are only allowed in egress");
	bad(GNP "spec: {egress: [{action: Allow, destination: {services: {name: s}}}]}\n",
	    "services need a namespace in a global policy");
	bad(GNP "spec: {egress: [{action: Allow, destination: {services: {name: s, "
	    "namespace: ns1}, selector: has(a)}}]}\n", "services cannot be combined");
	bad(GNP "spec: {egress: [{action: Allow, http: {methods: [GET]}}]}\n",
	    "http is only allowed on ingress Allow rules");
	bad(GNP "spec: {ingress: [{action: Allow, http: {paths: [{exact: /a, "
	    "prefix: /b}]}}]}\n", "http.paths[0]: want exactly one of exact and prefix");
	bad(GNP "spec: {ingress: [{action: Allow, http: {methods: [1]}}]}\n",
	    "http.methods[0]: expected a string, got a number");
	good(GNP "spec: {ingress: [{action: Allow, http: {methods: [GET], "
	    "paths: [{prefix: /api}, {exact: /x}]}}]}\n");
	bad(GNP "spec: {order: '10'}\n", "spec.order: expected a number, got a string");
	bad(GNP "spec: {order: .inf}\n", "not a finite number");
	bad(GNP "spec: {doNotTrack: true, preDNAT: true, applyOnForward: true}\n",
	    "preDNAT and doNotTrack cannot both be true");
	bad(GNP "spec: {preDNAT: true}\n", "applyOnForward must be true");
	bad(H "kind: GlobalNetworkPolicy\nmetadata: {name: p, namespace: x}\nspec: {}\n",
	    "a cluster-scoped resource has no namespace");
	bad(H "kind: NetworkSet\nmetadata: {name: s, namespace: a, labels: "
	    "{projectcalico.org/namespace: b}}\n", "is reserved");
	bad(H "kind: NetworkSet\nmetadata: {name: s, labels: {v: 1}}\n",
	    "value of 'v': expected a string, got a number");
	bad(GNP "spec: {}\n---\n" GNP "spec: {}\n",
	    "test.yaml:7: GlobalNetworkPolicy 'p' is already defined at test.yaml:2");
	/* Past the duplicate table's growth, and across two reads. */
	{
		struct pe_policyset ps = PE_POLICYSET_INIT;
		struct strbuf b = STRBUF_INIT;
		const char *dup1 = H "kind: NetworkPolicy\nmetadata: "
		    "{name: p57, namespace: n1}\nspec: {}\n";
		const char *dup2 = H "kind: NetworkPolicy\nmetadata: "
		    "{name: p57, namespace: n2}\nspec: {}\n";
		int i;

		for (i = 0; i < 300; i++)
			sb_addf(&b, "%s" H "kind: NetworkPolicy\nmetadata: "
			    "{name: p%d, namespace: n%d}\nspec: {}\n",
			    i ? "---\n" : "", i, i % 7);
		assert_int_equal(read_str(&ps, sb_str(&b)), 0);
		assert_int_equal(ps.n_policies, 300);
		fp_error_clear();
		assert_int_equal(pe_read_buffer(&ps, "other.yaml", dup1,
		    strlen(dup1)), -1);
		assert_non_null(strstr(fp_errmsg(), "other.yaml:2: "
		    "NetworkPolicy 'n1/p57' is already defined at test.yaml:"));
		/* p57 is in n1; in n2 it is another policy. */
		assert_int_equal(pe_read_buffer(&ps, "other.yaml", dup2,
		    strlen(dup2)), 0);
		assert_int_equal(ps.n_policies, 301);
		sb_release(&b);
		pe_policyset_release(&ps);
	}
	/* The same name in another namespace, or of another kind, is another resource. */
#define NP(ns) H "kind: NetworkPolicy\nmetadata: {name: p, namespace: " ns "}\nspec: {}\n"
#define NS(ns) H "kind: NetworkSet\nmetadata: {name: s, namespace: " ns "}\n"
#define GNS H "kind: GlobalNetworkSet\nmetadata: {name: s}\n"
	good(NP("a") "---\n" NP("b") "---\n" GNP "spec: {}\n");
	bad(NP("a") "---\n" NP("a"), "NetworkPolicy 'a/p' is already defined");
	good(NS("a") "---\n" NS("b") "---\n" GNS);
	bad(NS("a") "---\n" NS("a"), "network set 's' is already defined");
	bad(GNS "---\n" GNS, "network set 's' is already defined");
#undef NP
#undef NS
#undef GNS
	bad("apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: List\n  items: []\n",
	    "a List inside a List");
	bad("apiVersion: v1\nkind: List\nitems:\n- " H "  kind: Pod\n",
	    "items[0]: test.yaml:5: kind: unsupported kind 'Pod'");
	bad(GNP "spec: {egress: [{action: Allow, metadata: {labels: {a: b}}}]}\n",
	    "spec.egress[0].metadata: unknown field 'labels'");
	bad(GNP "spec: [\n", "test.yaml:");
	bad(GNP "spec: {selector: \"a\\0b\"}\n", "NUL byte");
	/* Aliases are refused where they are used; anchors alone are harmless. */
	bad(GNP "spec:\n  ingress: &a [{action: Allow}, {action: Allow}]\n"
	    "  egress: *a\n  types: &t [Ingress, Egress, Ingress]\n",
	    "test.yaml:6: YAML aliases are not supported");
	bad(GNP "spec:\n  types: &t [Ingress, Egress, Ingress]\n",
	    "at most two types");
}

/*
 * Issue 14.3: a 160 KB document of nested flow mappings (or sequences) is
 * refused by the depth limit at its first line, where yaml_parser_load took
 * 42 s; no timing is asserted, the limit's message is.
 */
static void
test_reader_nesting_refused(void **state)
{
	size_t i, n = 40000;
	char *y = malloc(4 * n + 1);

	(void)state;
	assert_non_null(y);
	for (i = 0; i < n; i++)
		memcpy(y + 4 * i, "{a: ", 4);
	y[4 * n] = '\0';
	bad(y, "test.yaml:1: nested deeper than 64 levels (the depth limit)");
	memset(y, '[', n);
	y[n] = '\0';
	bad(y, "test.yaml:1: nested deeper than 64 levels (the depth limit)");
	free(y);
}

/*
 * Issue 14.3: a mapping of 2,500 keys reads (it failed as "document too
 * complex"); one over the keys-per-mapping limit is refused by name.
 */
static void
test_reader_many_keys(void **state)
{
	size_t cap = 1 << 20, n = 0;
	struct pe_policyset ps = PE_POLICYSET_INIT;
	char *y = malloc(cap);
	int i;

	(void)state;
	assert_non_null(y);
	n += (size_t)snprintf(y + n, cap - n, H "kind: GlobalNetworkSet\n"
	    "metadata:\n  name: s\n  labels:\n");
	for (i = 0; i < 2500; i++)
		n += (size_t)snprintf(y + n, cap - n, "    k%d: v\n", i);
	assert_int_equal(read_str(&ps, y), 0);
	assert_int_equal(ps.n_netsets, 1);
	assert_int_equal(ps.netsets[0].labels.n, 2500);
	pe_policyset_release(&ps);
	for (; i < YR_MAX_KEYS + 1; i++)
		n += (size_t)snprintf(y + n, cap - n, "    k%d: v\n", i);
	bad(y, "test.yaml:10006: metadata.labels: mapping has more than 10000 "
	    "keys (the keys-per-mapping limit)");
	free(y);
}

/*
 * Aliases are refused at their line, before anything could follow them:
 * this one would stand for 10^4 nodes (it was read under a walk budget).
 */
static void
test_reader_aliases_refused(void **state)
{
	(void)state;
	bad(GNP "spec:\n  ingress:\n"
	    "  - action: Allow\n    source:\n      nets: &n [10.0.0.0/8, 10.1.0.0/16,"
	    " 10.2.0.0/16, 10.3.0.0/16, 10.4.0.0/16, 10.5.0.0/16, 10.6.0.0/16,"
	    " 10.7.0.0/16, 10.8.0.0/16, 10.9.0.0/16]\n"
	    "  - &r {action: Allow, source: {nets: *n}}\n"
	    "  egress: [*r, *r, *r, *r, *r, *r, *r, *r, *r, *r]\n",
	    "test.yaml:9: YAML aliases are not supported");
	bad("a: &x 1\n*x : 2\n", "test.yaml:2: YAML aliases are not supported");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reader_directory),
		cmocka_unit_test(test_reader_seed),
		cmocka_unit_test(test_reader_accepts),
		cmocka_unit_test(test_reader_protocol_names),
		cmocka_unit_test(test_reader_rejects),
		cmocka_unit_test(test_reader_nesting_refused),
		cmocka_unit_test(test_reader_many_keys),
		cmocka_unit_test(test_reader_aliases_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
