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
#include "policy/evaluate.h"
#include "policy/reader.h"
#include "testutil.h"

/*
 * Kubernetes NetworkPolicy conversion (policy/k8snp.c), table-driven: the
 * NetworkPolicy cases of projectcalico/calico v3.32.1
 * libcalico-go/lib/backend/k8s/conversion/conversion_test.go ("Test
 * NetworkPolicy conversion", "Test selector conversion" and the
 * SimplifyPorts table), each written as the YAML object the Go struct
 * stands for, with the converted policy rendered as one line for the
 * policy and one per rule (pe_rule_format). The Go file's case title is
 * the name of each row.
 */

#define NP "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n" \
	"metadata: {name: test.policy, namespace: default}\n"

struct conv_case {
	const char *name;	/* the It(...) of conversion_test.go */
	const char *yaml;
	const char *want;
};

static const struct conv_case cases[] = {
	{ "should parse a basic k8s NetworkPolicy to a NetworkPolicy",
	  NP "spec:\n  podSelector: {matchLabels: {label: value, label2: value2}}\n"
	  "  ingress:\n  - ports: [{port: 80}, {port: foo}]\n"
	  "    from: [{podSelector: {matchLabels: {k: v, k2: v2}}}]\n"
	  "  policyTypes: [Ingress]\n",
	  "KubernetesNetworkPolicy default/test.policy tier=default order=1000 "
	  "types=I selector=projectcalico.org/orchestrator == 'k8s' && "
	  "label == 'value' && label2 == 'value2'\n"
	  "in[0]: Allow protocol=TCP source.selector=\"projectcalico.org/"
	  "orchestrator == 'k8s' && k == 'v' && k2 == 'v2'\" "
	  "destination.ports=[80,foo]\n" },
	{ "should parse a k8s NetworkPolicy with no ports",
	  NP "spec:\n  podSelector: {matchLabels: {label: value, label2: value2}}\n"
	  "  ingress:\n  - from: [{podSelector: {matchLabels: {k: v, k2: v2}}}]\n"
	  "  policyTypes: [Ingress]\n",
	  "KubernetesNetworkPolicy default/test.policy tier=default order=1000 "
	  "types=I selector=projectcalico.org/orchestrator == 'k8s' && "
	  "label == 'value' && label2 == 'value2'\n"
	  "in[0]: Allow source.selector=\"projectcalico.org/orchestrator == "
	  "'k8s' && k == 'v' && k2 == 'v2'\"\n" },
	{ "should parse a k8s NetworkPolicy with blank ports",
	  NP "spec:\n  podSelector: {matchLabels: {label: value}}\n"
	  "  ingress:\n  - ports: [{port: 80}, {}]\n"
	  "    from: [{podSelector: {matchLabels: {k: v, k2: v2}}}]\n"
	  "  policyTypes: [Ingress]\n",
	  "KubernetesNetworkPolicy default/test.policy tier=default order=1000 "
	  "types=I selector=projectcalico.org/orchestrator == 'k8s' && "
	  "label == 'value'\n"
	  "in[0]: Allow protocol=TCP source.selector=\"projectcalico.org/"
	  "orchestrator == 'k8s' && k == 'v' && k2 == 'v2'\"\n" },
	{ "should parse a k8s egress NetworkPolicy with blank ports",
	  NP "spec:\n  podSelector: {matchLabels: {label: value}}\n"
	  "  egress:\n  - ports: [{port: 80}, {}]\n"
	  "    to: [{podSelector: {matchLabels: {k: v, k2: v2}}}]\n"
	  "  policyTypes: [Egress]\n",
	  "KubernetesNetworkPolicy default/test.policy tier=default order=1000 "
	  "types=E selector=projectcalico.org/orchestrator == 'k8s' && "
	  "label == 'value'\n"
	  "eg[0]: Allow protocol=TCP destination.selector=\"projectcalico.org/"
	  "orchestrator == 'k8s' && k == 'v' && k2 == 'v2'\"\n" },
	{ "should parse a NetworkPolicy with no rules",
	  NP "spec:\n  podSelector: {matchLabels: {label: value}}\n"
	  "  policyTypes: [Ingress]\n",
	  "KubernetesNetworkPolicy default/test.policy tier=default order=1000 "
	  "types=I selector=projectcalico.org/orchestrator == 'k8s' && "
	  "label == 'value'\n" },
	{ "should parse a default-deny egress NetworkPolicy",
	  NP "spec:\n  podSelector: {}\n  policyTypes: [Egress]\n",
	  "KubernetesNetworkPolicy default/test.policy tier=default order=1000 "
	  "types=E selector=projectcalico.org/orchestrator == 'k8s'\n" },
	{ "should parse a NetworkPolicy with multiple peers",
	  NP "spec:\n  podSelector: {matchLabels: {label: value}}\n"
	  "  ingress:\n  - from:\n    - podSelector: {matchLabels: {k: v}}\n"
	  "    - podSelector: {matchLabels: {k2: v2}}\n"
	  "  policyTypes: [Ingress]\n",
	  "KubernetesNetworkPolicy default/test.policy tier=default order=1000 "
	  "types=I selector=projectcalico.org/orchestrator == 'k8s' && "
	  "label == 'value'\n"
	  "in[0]: Allow source.selector=\"projectcalico.org/orchestrator == "
	  "'k8s' && k == 'v'\"\n"
	  "in[1]: Allow source.selector=\"projectcalico.org/orchestrator == "
	  "'k8s' && k2 == 'v2'\"\n" },
	{ "should parse a k8s NetworkPolicy with a DoesNotExist expression",
	  NP "spec:\n  podSelector: {matchLabels: {label: value}}\n"
	  "  ingress:\n  - from:\n    - podSelector:\n"
	  "        matchExpressions: [{key: toast, operator: DoesNotExist}]\n"
	  "  policyTypes: [Ingress]\n",
	  "KubernetesNetworkPolicy default/test.policy tier=default order=1000 "
	  "types=I selector=projectcalico.org/orchestrator == 'k8s' && "
	  "label == 'value'\n"
	  "in[0]: Allow source.selector=\"projectcalico.org/orchestrator == "
	  "'k8s' && ! has(toast)\"\n" },
	{ "should parse a NetworkPolicy with multiple peers and ports",
	  NP "spec:\n  podSelector: {matchLabels: {label: value}}\n"
	  "  ingress:\n  - ports: [{port: 90, protocol: UDP}, "
	  "{port: 80, protocol: TCP}]\n"
	  "    from:\n    - podSelector: {matchLabels: {k: v}}\n"
	  "    - podSelector: {matchLabels: {k2: v2}}\n"
	  "  policyTypes: [Ingress]\n",
	  "KubernetesNetworkPolicy default/test.policy tier=default order=1000 "
	  "types=I selector=projectcalico.org/orchestrator == 'k8s' && "
	  "label == 'value'\n"
	  "in[0]: Allow protocol=TCP source.selector=\"projectcalico.org/"
	  "orchestrator == 'k8s' && k == 'v'\" destination.ports=[80]\n"
	  "in[1]: Allow protocol=TCP source.selector=\"projectcalico.org/"
	  "orchestrator == 'k8s' && k2 == 'v2'\" destination.ports=[80]\n"
	  "in[2]: Allow protocol=UDP source.selector=\"projectcalico.org/"
	  "orchestrator == 'k8s' && k == 'v'\" destination.ports=[90]\n"
	  "in[3]: Allow protocol=UDP source.selector=\"projectcalico.org/"
	  "orchestrator == 'k8s' && k2 == 'v2'\" destination.ports=[90]\n" },
	{ "should parse a NetworkPolicy with empty podSelector",
	  NP "spec:\n  podSelector: {}\n  policyTypes: [Ingress]\n",
	  "KubernetesNetworkPolicy default/test.policy tier=default order=1000 "
	  "types=I selector=projectcalico.org/orchestrator == 'k8s'\n" },
	{ "should parse a NetworkPolicy with a namespaceSelector",
	  NP "spec:\n  podSelector: {matchLabels: {label: value}}\n"
	  "  ingress:\n  - from:\n    - namespaceSelector:\n"
	  "        matchLabels: {namespaceRole: dev, namespaceFoo: bar}\n"
	  "  policyTypes: [Ingress]\n",
	  "KubernetesNetworkPolicy default/test.policy tier=default order=1000 "
	  "types=I selector=projectcalico.org/orchestrator == 'k8s' && "
	  "label == 'value'\n"
	  "in[0]: Allow source.selector=\"projectcalico.org/orchestrator == "
	  "'k8s'\" source.namespaceSelector=\"namespaceFoo == 'bar' && "
	  "namespaceRole == 'dev'\"\n" },
	{ "should parse a NetworkPolicy with a nil namespace selector",
	  NP "spec:\n  podSelector: {matchLabels: {label: value}}\n"
	  "  ingress:\n  - from:\n    - namespaceSelector: null\n"
	  "      podSelector: {}\n"
	  "  policyTypes: [Ingress]\n",
	  "KubernetesNetworkPolicy default/test.policy tier=default order=1000 "
	  "types=I selector=projectcalico.org/orchestrator == 'k8s' && "
	  "label == 'value'\n"
	  "in[0]: Allow source.selector=\"projectcalico.org/orchestrator == "
	  "'k8s'\"\n" },
	{ "should parse a NetworkPolicy with an empty namespaceSelector",
	  NP "spec:\n  podSelector: {matchLabels: {label: value}}\n"
	  "  ingress:\n  - from:\n    - namespaceSelector: {}\n"
	  "  policyTypes: [Ingress]\n",
	  "KubernetesNetworkPolicy default/test.policy tier=default order=1000 "
	  "types=I selector=projectcalico.org/orchestrator == 'k8s' && "
	  "label == 'value'\n"
	  "in[0]: Allow source.selector=\"projectcalico.org/orchestrator == "
	  "'k8s'\" source.namespaceSelector=\"all()\"\n" },
	{ "should parse a NetworkPolicy with pod and namespace selectors",
	  NP "spec:\n  podSelector: {matchLabels: {label: value}}\n"
	  "  ingress:\n  - from:\n"
	  "    - namespaceSelector: {matchLabels: {namespaceRole: dev, "
	  "namespaceFoo: bar}}\n"
	  "      podSelector: {matchLabels: {podA: B, podC: D}}\n"
	  "  policyTypes: [Ingress]\n",
	  "KubernetesNetworkPolicy default/test.policy tier=default order=1000 "
	  "types=I selector=projectcalico.org/orchestrator == 'k8s' && "
	  "label == 'value'\n"
	  "in[0]: Allow source.selector=\"projectcalico.org/orchestrator == "
	  "'k8s' && podA == 'B' && podC == 'D'\" source.namespaceSelector="
	  "\"namespaceFoo == 'bar' && namespaceRole == 'dev'\"\n" },
	{ "should parse a NetworkPolicy with podSelector.MatchExpressions",
	  NP "spec:\n  podSelector:\n    matchExpressions:\n"
	  "    - {key: k, operator: In, values: [v1, v2]}\n"
	  "  policyTypes: [Ingress]\n",
	  "KubernetesNetworkPolicy default/test.policy tier=default order=1000 "
	  "types=I selector=projectcalico.org/orchestrator == 'k8s' && "
	  "k in { 'v1', 'v2' }\n" },
	{ "should parse a NetworkPolicy with Ports only",
	  NP "spec:\n  podSelector: {matchLabels: {label: value}}\n"
	  "  ingress:\n  - ports: [{port: 80}]\n"
	  "  policyTypes: [Ingress]\n",
	  "KubernetesNetworkPolicy default/test.policy tier=default order=1000 "
	  "types=I selector=projectcalico.org/orchestrator == 'k8s' && "
	  "label == 'value'\n"
	  "in[0]: Allow protocol=TCP destination.ports=[80]\n" },
	{ "should parse a NetworkPolicy with Port Range only",
	  NP "spec:\n  podSelector: {matchLabels: {label: value}}\n"
	  "  ingress:\n  - ports: [{port: 32000, endPort: 32768}]\n"
	  "  policyTypes: [Ingress]\n",
	  "KubernetesNetworkPolicy default/test.policy tier=default order=1000 "
	  "types=I selector=projectcalico.org/orchestrator == 'k8s' && "
	  "label == 'value'\n"
	  "in[0]: Allow protocol=TCP destination.ports=[32000:32768]\n" },
	{ "should parse a NetworkPolicy with Port Range only (egress)",
	  NP "spec:\n  podSelector: {matchLabels: {label: value}}\n"
	  "  egress:\n  - ports: [{port: 32000, endPort: 32768}]\n"
	  "  policyTypes: [Egress]\n",
	  "KubernetesNetworkPolicy default/test.policy tier=default order=1000 "
	  "types=E selector=projectcalico.org/orchestrator == 'k8s' && "
	  "label == 'value'\n"
	  "eg[0]: Allow protocol=TCP destination.ports=[32000:32768]\n" },
	{ "should parse a NetworkPolicy with an Ingress rule with an IPBlock "
	  "Peer",
	  NP "spec:\n  podSelector: {}\n"
	  "  ingress:\n  - from:\n    - ipBlock: {cidr: 192.168.0.0/16, "
	  "except: [192.168.3.0/24, 192.168.4.0/24]}\n"
	  "  policyTypes: [Ingress]\n",
	  "KubernetesNetworkPolicy default/test.policy tier=default order=1000 "
	  "types=I selector=projectcalico.org/orchestrator == 'k8s'\n"
	  "in[0]: Allow source.nets=[192.168.0.0/16] "
	  "source.notNets=[192.168.3.0/24,192.168.4.0/24]\n" },
	{ "should parse a NetworkPolicy with an Egress rule with IPBlock and "
	  "Ports",
	  NP "spec:\n  podSelector: {}\n"
	  "  egress:\n  - to:\n    - ipBlock: {cidr: 10.10.0.0/16}\n"
	  "    ports: [{port: 80, protocol: TCP}, {port: 443, protocol: TCP},"
	  " {port: 53, protocol: UDP}]\n"
	  "  policyTypes: [Egress]\n",
	  "KubernetesNetworkPolicy default/test.policy tier=default order=1000 "
	  "types=E selector=projectcalico.org/orchestrator == 'k8s'\n"
	  "eg[0]: Allow protocol=TCP destination.nets=[10.10.0.0/16] "
	  "destination.ports=[80,443]\n"
	  "eg[1]: Allow protocol=UDP destination.nets=[10.10.0.0/16] "
	  "destination.ports=[53]\n" },
	{ "should parse a NetworkPolicy with both an Egress and an Ingress "
	  "rule",
	  NP "spec:\n  podSelector: {}\n"
	  "  ingress:\n  - from: [{ipBlock: {cidr: 192.168.0.0/16}}]\n"
	  "  egress:\n  - to: [{ipBlock: {cidr: 10.10.0.0/16}}]\n"
	  "  policyTypes: [Ingress, Egress]\n",
	  "KubernetesNetworkPolicy default/test.policy tier=default order=1000 "
	  "types=IE selector=projectcalico.org/orchestrator == 'k8s'\n"
	  "in[0]: Allow source.nets=[192.168.0.0/16]\n"
	  "eg[0]: Allow destination.nets=[10.10.0.0/16]\n" },
	/* SimplifyPorts table: "1,2,3,4,80:81,81:90,9090" -> "1:4,80:90,9090" */
	{ "SimplifyPorts 1,2,3,4,80:81,81:90,9090",
	  NP "spec:\n  podSelector: {}\n  ingress:\n  - ports: [{port: 1}, "
	  "{port: 2}, {port: 3}, {port: 4}, {port: 80, endPort: 81}, "
	  "{port: 81, endPort: 90}, {port: 9090}]\n",
	  "KubernetesNetworkPolicy default/test.policy tier=default order=1000 "
	  "types=I selector=projectcalico.org/orchestrator == 'k8s'\n"
	  "in[0]: Allow protocol=TCP destination.ports=[1:4,80:90,9090]\n" },
	{ "SimplifyPorts 81:90,4,2,foo,80:81,3,1,9090,http",
	  NP "spec:\n  podSelector: {}\n  ingress:\n  - ports: [{port: 81, "
	  "endPort: 90}, {port: 4}, {port: 2}, {port: foo}, {port: 80, "
	  "endPort: 81}, {port: 3}, {port: 1}, {port: 9090}, {port: http}]\n",
	  "KubernetesNetworkPolicy default/test.policy tier=default order=1000 "
	  "types=I selector=projectcalico.org/orchestrator == 'k8s'\n"
	  "in[0]: Allow protocol=TCP destination.ports=[foo,http,1:4,80:90,"
	  "9090]\n" },
	{ "SimplifyPorts 2,1 and 1,2,4",
	  NP "spec:\n  podSelector: {}\n  ingress:\n  - ports: [{port: 2}, "
	  "{port: 1}]\n  - ports: [{port: 1}, {port: 2}, {port: 4}]\n",
	  "KubernetesNetworkPolicy default/test.policy tier=default order=1000 "
	  "types=I selector=projectcalico.org/orchestrator == 'k8s'\n"
	  "in[0]: Allow protocol=TCP destination.ports=[1:2]\n"
	  "in[1]: Allow protocol=TCP destination.ports=[1:2,4]\n" },
	/* Selector conversion table: the namespace-selector rows. */
	{ "should handle an OpExists / OpNotIn namespace selector",
	  NP "spec:\n  podSelector: {}\n  ingress:\n  - from:\n"
	  "    - namespaceSelector: {matchExpressions: [{key: toast, "
	  "operator: Exists}, {key: toast, operator: NotIn, values: "
	  "[marmite, milk]}]}\n",
	  "KubernetesNetworkPolicy default/test.policy tier=default order=1000 "
	  "types=I selector=projectcalico.org/orchestrator == 'k8s'\n"
	  "in[0]: Allow source.selector=\"projectcalico.org/orchestrator == "
	  "'k8s'\" source.namespaceSelector=\"has(toast) && toast not in { "
	  "'marmite', 'milk' }\"\n" },
	/*
	 * Kubernetes' defaulting, which the API server applies before Calico
	 * sees the object: no policyTypes and egress rules means both.
	 */
	{ "policyTypes defaulted by the API server (SetDefaults_NetworkPolicy)",
	  NP "spec:\n  podSelector: {}\n  egress:\n  - {}\n",
	  "KubernetesNetworkPolicy default/test.policy tier=default order=1000 "
	  "types=IE selector=projectcalico.org/orchestrator == 'k8s'\n"
	  "eg[0]: Allow\n" },
};

static char *
dump(const struct pe_policyset *ps)
{
	struct strbuf b = STRBUF_INIT;
	size_t i, j;

	for (i = 0; i < ps->n_policies; i++) {
		const struct pe_policy *p = &ps->policies[i];

		sb_addf(&b, "%s %s/%s tier=%s order=%g types=%s%s selector=%s\n",
		    pe_kind_name(p->kind), p->namespace ? p->namespace :
		    "(null)", p->name, p->tier,
		    p->order, p->types & PE_TYPE_INGRESS ? "I" : "",
		    p->types & PE_TYPE_EGRESS ? "E" : "",
		    p->selector ? p->selector : "");
		for (j = 0; j < p->n_ingress + p->n_egress; j++) {
			int in = j < p->n_ingress;
			char *t = pe_rule_format(in ? &p->ingress[j] :
			    &p->egress[j - p->n_ingress]);

			sb_addf(&b, "%s[%zu]: %s\n", in ? "in" : "eg",
			    in ? j : j - p->n_ingress, t);
			free(t);
		}
	}
	return sb_detach(&b);
}

static void
test_k8snp_conversion_cases(void **state)
{
	size_t i, passed = 0, n = sizeof(cases) / sizeof(cases[0]);

	(void)state;
	for (i = 0; i < n; i++) {
		struct pe_policyset ps = PE_POLICYSET_INIT;
		char *got;

		ps.calico_version = 332;
		if (pe_read_buffer(&ps, "np.yaml", cases[i].yaml,
		    strlen(cases[i].yaml)) < 0)
			fail_msg("%s: %s", cases[i].name, fp_errmsg());
		got = dump(&ps);
		if (strcmp(got, cases[i].want) != 0)
			print_error("%s:\ngot:\n%swant:\n%s", cases[i].name,
			    got, cases[i].want);
		else
			passed++;
		free(got);
		pe_policyset_release(&ps);
	}
	print_message("conversion_test.go cases: %zu of %zu passed\n", passed,
	    n);
	assert_int_equal(passed, n);
}

static void
expect_dump(int version, const char *yaml, const char *want)
{
	struct pe_policyset ps = PE_POLICYSET_INIT;
	char *got;

	ps.calico_version = version;
	if (pe_read_buffer(&ps, "a.yaml", yaml, strlen(yaml)) < 0)
		fail_msg("%s", fp_errmsg());
	got = dump(&ps);
	if (strcmp(got, want) != 0)
		fail_msg("got:\n%swant:\n%s", got, want);
	free(got);
	pe_policyset_release(&ps);
}

/*
 * Admin policies (k8sadmin.c): ports per protocol, a portRange, and the
 * AdminNetworkPolicy namedPort, which v3.31.7 converts to no port at all
 * (every protocol and port); ClusterNetworkPolicy's destinationNamedPort
 * is a named port with no protocol.
 */
static void
test_k8snp_admin_conversion(void **state)
{
	(void)state;
	expect_dump(331, "apiVersion: policy.networking.k8s.io/v1alpha1\n"
	    "kind: AdminNetworkPolicy\nmetadata: {name: a}\nspec:\n"
	    "  priority: 7\n  subject: {namespaces: {matchLabels: {t: x}}}\n"
	    "  ingress:\n  - action: Allow\n    from: [{pods: {podSelector: "
	    "{matchLabels: {app: b}}}}]\n    ports: [{portNumber: {port: 80}},"
	    " {portRange: {protocol: UDP, start: 5, end: 9}}, {portNumber: "
	    "{port: 81}}]\n"
	    "  - action: Pass\n    from: [{namespaces: {}}]\n"
	    "    ports: [{portNumber: {port: 80}}, {namedPort: http}]\n",
	    "KubernetesClusterNetworkPolicy (null)/kanp.adminnetworkpolicy.a "
	    "tier=adminnetworkpolicy order=7 types=I selector="
	    "projectcalico.org/orchestrator == 'k8s'\n"
	    "in[0]: Allow protocol=TCP source.selector=\"projectcalico.org/"
	    "orchestrator == 'k8s' && app == 'b'\" source.namespaceSelector="
	    "\"all()\" destination.ports=[80:81]\n"
	    "in[1]: Allow protocol=UDP source.selector=\"projectcalico.org/"
	    "orchestrator == 'k8s' && app == 'b'\" source.namespaceSelector="
	    "\"all()\" destination.ports=[5:9]\n"
	    "in[2]: Pass source.namespaceSelector=\"all()\"\n");
	expect_dump(332, "apiVersion: policy.networking.k8s.io/v1alpha2\n"
	    "kind: ClusterNetworkPolicy\nmetadata: {name: c}\nspec:\n"
	    "  tier: Baseline\n  priority: 3\n  subject: {namespaces: {}}\n"
	    "  egress:\n  - action: Accept\n    to: [{networks: "
	    "[10.1.2.3/8]}]\n    protocols: [{destinationNamedPort: dns}, "
	    "{udp: {destinationPort: {range: {start: 53, end: 54}}}}]\n",
	    "KubernetesClusterNetworkPolicy (null)/c tier=kube-baseline "
	    "order=3 types=E selector=projectcalico.org/orchestrator == "
	    "'k8s'\n"
	    "eg[0]: Allow destination.nets=[10.0.0.0/8] "
	    "destination.ports=[dns]\n"
	    "eg[1]: Allow protocol=UDP destination.nets=[10.0.0.0/8] "
	    "destination.ports=[53:54]\n");
}

/* Up to 3.31 the policy is "knp.default.<name>", kind NetworkPolicy. */
static void
test_k8snp_name_per_version(void **state)
{
	static const char y[] = NP "spec: {podSelector: {}}\n";
	struct pe_policyset ps = PE_POLICYSET_INIT;

	(void)state;
	ps.calico_version = 331;
	assert_int_equal(pe_read_buffer(&ps, "np.yaml", y, strlen(y)), 0);
	assert_string_equal(ps.policies[0].name, "knp.default.test.policy");
	pe_policyset_release(&ps);
	ps.calico_version = 332;
	assert_int_equal(pe_read_buffer(&ps, "np.yaml", y, strlen(y)), 0);
	assert_string_equal(ps.policies[0].name, "test.policy");
	pe_policyset_release(&ps);
}

/* kubectl get networkpolicies -A -o json: a List, in JSON. */
static void
test_k8snp_list_json(void **state)
{
	static const char y[] =
	    "{\"apiVersion\": \"v1\", \"kind\": \"List\", \"items\": [\n"
	    " {\"apiVersion\": \"networking.k8s.io/v1\", \"kind\": "
	    "\"NetworkPolicy\",\n"
	    "  \"metadata\": {\"name\": \"a\", \"namespace\": \"x\", "
	    "\"uid\": \"u\", \"resourceVersion\": \"1\"},\n"
	    "  \"spec\": {\"podSelector\": {}, \"policyTypes\": "
	    "[\"Ingress\"]}},\n"
	    " {\"apiVersion\": \"networking.k8s.io/v1\", \"kind\": "
	    "\"NetworkPolicy\",\n"
	    "  \"metadata\": {\"name\": \"a\", \"namespace\": \"y\"},\n"
	    "  \"spec\": {\"podSelector\": {}}}]}\n";
	struct pe_policyset ps = PE_POLICYSET_INIT;

	(void)state;
	assert_int_equal(pe_read_buffer(&ps, "l.json", y, strlen(y)), 0);
	assert_int_equal(ps.n_policies, 2);
	assert_string_equal(ps.policies[1].namespace, "y");
	assert_int_equal(ps.policies[1].line, 5);
	pe_policyset_release(&ps);
}

static void
bad(const char *yaml, const char *want)
{
	struct pe_policyset ps = PE_POLICYSET_INIT;

	if (pe_read_buffer(&ps, "np.yaml", yaml, strlen(yaml)) == 0)
		fail_msg("accepted, want '%s':\n%s", want, yaml);
	if (strstr(fp_errmsg(), want) == NULL)
		fail_msg("error '%s', want '%s'", fp_errmsg(), want);
	pe_policyset_release(&ps);
}

/* What Kubernetes' validation refuses is an error with file and line. */
static void
test_k8snp_rejects(void **state)
{
	(void)state;
	bad(NP "spec:\n  podSelector: {}\n  ingress:\n  - from:\n"
	    "    - ipBlock: {cidr: 10.0.0.0/8}\n      podSelector: {}\n",
	    "np.yaml:8: spec.ingress[0].from[0]: ipBlock cannot be combined");
	bad(NP "spec:\n  podSelector: {}\n  ingress:\n  - from:\n"
	    "    - ipBlock: {cidr: 10.0.0.0/8, except: [11.0.0.0/16]}\n",
	    "not a strict subset of cidr");
	bad(NP "spec:\n  podSelector: {}\n  ingress:\n  - ports: "
	    "[{port: http, endPort: 90}]\n", "endPort needs a numeric port");
	bad(NP "spec:\n  podSelector: {}\n  ingress:\n  - ports: "
	    "[{port: 90, endPort: 80}]\n", "endPort is below it");
	bad(NP "spec:\n  podSelector: {}\n  ingress:\n  - ports: "
	    "[{port: 80, protocol: tcp}]\n", "invalid protocol 'tcp'");
	bad(NP "spec:\n  podSelector: {matchExpressions: [{key: a, operator: "
	    "In}]}\n", "values: required for operator In");
	bad(NP "spec:\n  podSelector: {matchExpressions: [{key: a, operator: "
	    "Exists, values: [x]}]}\n", "values: must be empty");
	bad(NP "spec:\n  podSelector: {}\n  ingress:\n  - from: [{}]\n",
	    "a peer needs podSelector, namespaceSelector or ipBlock");
	bad(NP "spec:\n  podSelector: {}\n  policyTypes: [Ingres]\n",
	    "invalid type 'Ingres'");
	bad(NP "spec: {podSelector: {}}\n---\n" NP "spec: {podSelector: {}}\n",
	    "np.yaml:7: KubernetesNetworkPolicy 'default/test.policy' is "
	    "already defined at np.yaml:2");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_k8snp_conversion_cases),
		cmocka_unit_test(test_k8snp_name_per_version),
		cmocka_unit_test(test_k8snp_admin_conversion),
		cmocka_unit_test(test_k8snp_list_json),
		cmocka_unit_test(test_k8snp_rejects),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
