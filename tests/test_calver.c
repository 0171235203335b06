#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "policy/calver.h"
#include "policy/evaluate.h"
#include "policy/reader.h"
#include "testutil.h"

/*
 * The reader checked against Calico's validation (one test per fix of
 * issue 13, item 4) and the facts that depend on --calico-version
 * (policy/calver.c, each with its source there).
 */

#define GNP "apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\n" \
	"metadata: {name: p}\n"

static int
read_v(struct pe_policyset *ps, int v, const char *yaml)
{
	ps->calico_version = v;
	return pe_read_buffer(ps, "t.yaml", yaml, strlen(yaml));
}

static void
bad_v(int v, const char *yaml, const char *want)
{
	struct pe_policyset ps = PE_POLICYSET_INIT;

	fp_error_clear();
	if (read_v(&ps, v, yaml) == 0)
		fail_msg("%d accepted, want '%s':\n%s", v, want, yaml);
	if (strstr(fp_errmsg(), want) == NULL)
		fail_msg("error '%s', want '%s'", fp_errmsg(), want);
	pe_policyset_release(&ps);
}

static void
good_v(int v, const char *yaml)
{
	struct pe_policyset ps = PE_POLICYSET_INIT;

	if (read_v(&ps, v, yaml) != 0)
		fail_msg("%d rejected: %s\n%s", v, fp_errmsg(), yaml);
	pe_policyset_release(&ps);
}

/* "HTTP", "my_port", "a.b": the API server refuses, a cluster holds. */
static void
test_calver_named_port_warned(void **state)
{
	static const char *const names[] = { "HTTP", "my_port", "a.b" };
	char y[512];
	size_t i;

	(void)state;
	for (i = 0; i < 3; i++) {
		struct pe_policyset ps = PE_POLICYSET_INIT;

		snprintf(y, sizeof(y), GNP "spec:\n  egress:\n  - action: Allow\n"
		    "    destination: {ports: ['%s']}\n", names[i]);
		if (read_v(&ps, 0, y) != 0)
			fail_msg("%s: %s", names[i], fp_errmsg());
		assert_int_equal(ps.n_warnings, 1);
		assert_non_null(strstr(ps.warnings[0], "t.yaml:7: "
		    "spec.egress[0].destination.ports[0]: named port"));
		assert_string_equal(ps.policies[0].egress[0].dst.ports[0].name,
		    names[i]);
		pe_policyset_release(&ps);
	}
	/* outside numorstring's ^[a-zA-Z0-9_.-]{1,128}$: Felix fails too */
	bad_v(0, GNP "spec: {egress: [{action: Allow, destination: "
	    "{ports: ['a b']}}]}\n", "invalid named port 'a b'");
}

static void
test_calver_http_path(void **state)
{
	(void)state;
	good_v(0, GNP "spec: {ingress: [{action: Allow, http: {paths: "
	    "[{exact: /a}]}}]}\n");
	bad_v(0, GNP "spec: {ingress: [{action: Allow, http: {paths: "
	    "[{exact: a}]}}]}\n", "invalid path 'a' (must start with '/'");
	bad_v(0, GNP "spec: {ingress: [{action: Allow, http: {paths: "
	    "[{prefix: '/a?b'}]}}]}\n", "invalid path '/a?b'");
}

static void
test_calver_annotation_key(void **state)
{
	(void)state;
	good_v(0, GNP "spec: {ingress: [{action: Allow, metadata: "
	    "{annotations: {example.com/Key: v}}}]}\n");
	bad_v(0, GNP "spec: {ingress: [{action: Allow, metadata: "
	    "{annotations: {'bad key!': v}}}]}\n",
	    "spec.ingress[0].metadata.annotations: invalid key 'bad key!'");
}

static void
test_calver_not_protocol_ip_version(void **state)
{
	(void)state;
	bad_v(0, GNP "spec: {ingress: [{action: Allow, ipVersion: 4, "
	    "notProtocol: ICMPv6}]}\n", "notProtocol ICMPv6 needs ipVersion 6");
	bad_v(328, GNP "spec: {ingress: [{action: Allow, ipVersion: 6, "
	    "notProtocol: ICMP}]}\n", "notProtocol ICMP needs ipVersion 4");
	good_v(0, GNP "spec: {ingress: [{action: Allow, ipVersion: 6, "
	    "notProtocol: ICMPv6}]}\n");
}

/* The 3.33 CRD's limits; 3.32 has none of them. */
static void
test_calver_rule_limits(void **state)
{
	char *y = malloc(8192);
	size_t n;
	int i;

	(void)state;
	assert_non_null(y);
	n = (size_t)snprintf(y, 8192, GNP "spec: {ingress: [{action: Allow, "
	    "source: {selector: \"a == '");
	for (i = 0; i < 1020; i++)
		y[n++] = 'x';
	snprintf(y + n, 8192 - n, "'\"}}]}\n");
	bad_v(333, y, "spec.ingress[0].source: selector of 1027 characters, "
	    "Calico 3.33 allows at most 1024");
	good_v(332, y);

	n = (size_t)snprintf(y, 8192, GNP "spec: {ingress: [{action: Allow, "
	    "protocol: TCP, destination: {ports: [");
	for (i = 1; i <= 51; i++)
		n += (size_t)snprintf(y + n, 8192 - n, "%s%d", i > 1 ? ", " :
		    "", i);
	snprintf(y + n, 8192 - n, "]}}]}\n");
	bad_v(333, y, "ports: 51 items, Calico 3.33 allows at most 50");
	good_v(332, y);
	free(y);

	bad_v(0, GNP "spec: {ingress: [{action: Allow, source: {nets: "
	    "[10.0.0.0/8, 10.0.0.0/8]}}]}\n", "nets[1]: repeats entry 0");
	good_v(332, GNP "spec: {ingress: [{action: Allow, source: {nets: "
	    "[10.0.0.0/8, 10.0.0.0/8]}}]}\n");
	/*
	 * A network set's nets have no item limit (a 5,000-node cluster's
	 * node set), but are a set: a repeat is named however far apart.
	 */
	y = malloc(65536);
	assert_non_null(y);
	n = (size_t)snprintf(y, 65536, "apiVersion: projectcalico.org/v3\n"
	    "kind: GlobalNetworkSet\nmetadata: {name: s}\nspec: {nets: [");
	for (i = 0; i < 3000; i++)
		n += (size_t)snprintf(y + n, 65536 - n, "%s10.%d.%d.1/32",
		    i ? ", " : "", i / 250, i % 250);
	snprintf(y + n, 65536 - n, "]}\n");
	good_v(333, y);
	snprintf(y + n, 65536 - n, ", 10.0.7.1/32]}\n");
	bad_v(333, y, "spec.nets[3000]: repeats entry 7");
	free(y);
	/* global( in a rule selector: 3.33's CEL; up to 3.32 only global() */
	bad_v(333, GNP "spec: {ingress: [{action: Allow, source: {selector: "
	    "\"a == 'global(x'\"}}]}\n", "global() is not allowed here");
	good_v(332, GNP "spec: {ingress: [{action: Allow, source: {selector: "
	    "\"a == 'global(x'\"}}]}\n");
}

static void
test_calver_kinds(void **state)
{
	(void)state;
	bad_v(328, "apiVersion: projectcalico.org/v3\nkind: Tier\n"
	    "metadata: {name: t}\n", "Calico 3.28 has no Tier");
	good_v(329, "apiVersion: projectcalico.org/v3\nkind: Tier\n"
	    "metadata: {name: t}\n");
	bad_v(328, GNP "spec: {tier: t}\n", "spec.tier: Calico 3.28 has no tiers");
	good_v(328, GNP "spec: {tier: default}\n");
	bad_v(329, "apiVersion: projectcalico.org/v3\n"
	    "kind: StagedGlobalNetworkPolicy\nmetadata: {name: s}\n"
	    "spec: {}\n", "Calico 3.29 has no StagedGlobalNetworkPolicy");
}

static void
test_calver_parse(void **state)
{
	int v;

	(void)state;
	assert_int_equal(pe_calver_parse("3.30", &v), 0);
	assert_int_equal(v, 330);
	assert_int_equal(pe_calver_parse("v3.28.5", &v), 0);
	assert_int_equal(v, 328);
	assert_int_equal(pe_calver_parse("3.27", &v), -1);
	assert_int_equal(pe_calver_parse("3.3x", &v), -1);
	assert_string_equal(pe_calver_name(0), "3.33");
}

/* Tiers each release creates, in evaluation order. */
static void
test_calver_builtin_tiers(void **state)
{
	static const struct {
		int v;
		const char *want;
	} rows[] = {
		{ 328, "default" },
		{ 329, "adminnetworkpolicy,default" },
		{ 331, "adminnetworkpolicy,default,baselineadminnetworkpolicy" },
		{ 332, "kube-admin,default,kube-baseline" },
	};
	size_t i, j;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct pe_policyset ps = PE_POLICYSET_INIT;
		char got[256] = "";

		ps.calico_version = rows[i].v;
		assert_int_equal(pe_policyset_prepare(&ps, PE_TYPES_API), 0);
		for (j = 0; j < ps.n_ctiers; j++) {
			strcat(got, j ? "," : "");
			strcat(got, ps.c_tiers[j].name);
		}
		assert_string_equal(got, rows[i].want);
		pe_policyset_release(&ps);
	}
}

/*
 * Felix's tie-break between equal orders: up to 3.31 the key name, so
 * "allow" < "allow-dns"; from 3.32 "<name>/<ns>/<kind>", so
 * "allow-dns//..." < "allow//..." ('-' < '/').
 */
static void
test_calver_tiebreak(void **state)
{
	static const char y[] =
	    "apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\n"
	    "metadata: {name: allow}\nspec: {order: 5, selector: all()}\n---\n"
	    "apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\n"
	    "metadata: {name: allow-dns}\nspec: {order: 5, selector: all()}\n";
	int v;

	(void)state;
	for (v = 331; v <= 332; v++) {
		struct pe_policyset ps = PE_POLICYSET_INIT;
		const struct pe_ctier *t = NULL;
		size_t i;

		assert_int_equal(read_v(&ps, v, y), 0);
		assert_int_equal(pe_policyset_prepare(&ps, PE_TYPES_API), 0);
		for (i = 0; i < ps.n_ctiers; i++)
			if (strcmp(ps.c_tiers[i].name, "default") == 0)
				t = &ps.c_tiers[i];
		assert_non_null(t);
		assert_int_equal(t->n_pols, 2);
		assert_string_equal(ps.policies[t->pols[0]].name,
		    v == 331 ? "allow" : "allow-dns");
		pe_policyset_release(&ps);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_calver_named_port_warned),
		cmocka_unit_test(test_calver_http_path),
		cmocka_unit_test(test_calver_annotation_key),
		cmocka_unit_test(test_calver_not_protocol_ip_version),
		cmocka_unit_test(test_calver_rule_limits),
		cmocka_unit_test(test_calver_kinds),
		cmocka_unit_test(test_calver_parse),
		cmocka_unit_test(test_calver_builtin_tiers),
		cmocka_unit_test(test_calver_tiebreak),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
