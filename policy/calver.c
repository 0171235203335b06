#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "policy/calver.h"
#include "common/banned.h"

/*
 * One row per release, read from projectcalico/calico at the tag named in
 * .source (3.33 is master 87c15906, tagged v3.33.0-0.dev, not released).
 * Files, all in projectcalico/calico:
 *   knp_plain_name  libcalico-go/lib/backend/k8s/conversion/conversion.go
 *                   K8sNetworkPolicyToCalico: v3.31.7 names the policy
 *                   names.K8sNetworkPolicyNamePrefix + np.Name with kind
 *                   NetworkPolicy; v3.32.1 uses np.Name with kind
 *                   KindKubernetesNetworkPolicy
 *   tiebreak_kind   felix/calc/policy_sorter.go PolKVLess: up to v3.31.7
 *                   "i.Key.Name < j.Key.Name" where a namespaced key's
 *                   name is "<ns>/<name>" (updateprocessors/
 *                   networkpolicyprocessor.go); v3.32.1 compares
 *                   "%s/%s/%s" of name, namespace, kind
 *   has_tiers       libcalico-go/config/crd/crd.projectcalico.org_tiers.yaml
 *                   first present at v3.29.0 (absent in v3.28.5)
 *   has_staged      crd.projectcalico.org_stagedglobalnetworkpolicies.yaml
 *                   first present at v3.30.0
 *   admin_tier      v3.29/v3.30/v3.31: names.AdminNetworkPolicyTierName
 *   baseline_tier   "adminnetworkpolicy" at AdminNetworkPolicyTierOrder
 *                   1000 and (v3.30, v3.31) "baselineadminnetworkpolicy"
 *                   at 10,000,000, both created with defaultAction Pass
 *                   (libcalico-go/lib/clientv3/client.go ensureTierExists);
 *                   v3.32: "kube-admin" 1000 and "kube-baseline"
 *                   10,000,000 (api/pkg/apis/projectcalico/v3/tier.go).
 *                   The default tier's order is 1,000,000 in every
 *                   release with tiers (tier.go DefaultTierOrder).
 *   rule_limits     api/config/crd/projectcalico.org_globalnetworkpolicies
 *                   .yaml at master: maxLength 1024 on selectors,
 *                   maxItems 50 on ports, maxItems 256 and
 *                   x-kubernetes-list-type set on nets, maxItems 1024 on
 *                   ingress/egress; no maxLength/maxItems on those fields
 *                   up to v3.32.1
 *   global_paren    master CRD CEL "!self.selector.contains('global(')";
 *                   up to v3.32.1 validator.go validateEntityRule
 *                   strings.Contains(rule.Selector, "global()")
 */
static const struct pe_calver table[] = {
	{ 328, "v3.28.5", 0, 0, 0, 0, NULL, NULL, 0, 0 },
	{ 329, "v3.29.7", 0, 0, 1, 0, "adminnetworkpolicy", NULL, 0, 0 },
	{ 330, "v3.30.7", 0, 0, 1, 1, "adminnetworkpolicy",
	    "baselineadminnetworkpolicy", 0, 0 },
	{ 331, "v3.31.7", 0, 0, 1, 1, "adminnetworkpolicy",
	    "baselineadminnetworkpolicy", 0, 0 },
	{ 332, "v3.32.1", 1, 1, 1, 1, "kube-admin", "kube-baseline", 0, 0 },
	{ 333, "master 87c15906 (v3.33.0-0.dev)", 1, 1, 1, 1, "kube-admin",
	    "kube-baseline", 1, 1 },
};

const struct pe_calver *
pe_calver_get(int version)
{
	size_t i;

	if (version == 0)
		version = PE_CALVER_DEFAULT;
	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (table[i].version == version)
			return &table[i];
	return NULL;
}

int
pe_calver_parse(const char *s, int *out)
{
	const char *p = s;
	char *end;
	long major, minor;

	if (*p == 'v')
		p++;
	if (*p < '0' || *p > '9')
		goto bad;
	major = strtol(p, &end, 10);
	if (*end != '.' || end[1] < '0' || end[1] > '9')
		goto bad;
	minor = strtol(end + 1, &end, 10);
	if (*end == '.') {
		/* a patch release: the facts are per minor release */
		end++;
		if (*end < '0' || *end > '9')
			goto bad;
		while (*end >= '0' && *end <= '9')
			end++;
	}
	if (*end != '\0' || major != 3 || minor < PE_CALVER_MIN % 100 ||
	    minor > PE_CALVER_MAX % 100)
		goto bad;
	*out = (int)(major * 100 + minor);
	return 0;
bad:
	return fp_error("calico version '%s': want 3.28 to 3.33",
	    fp_clamp(s, 32));
}

const char *
pe_calver_name(int version)
{
	static const char *const names[] = {
		"3.28", "3.29", "3.30", "3.31", "3.32", "3.33"
	};

	if (version == 0)
		version = PE_CALVER_DEFAULT;
	if (version < PE_CALVER_MIN || version > PE_CALVER_MAX)
		return "?";
	return names[version - PE_CALVER_MIN];
}
