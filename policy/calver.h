#ifndef FLOWPOL_POLICY_CALVER_H
#define FLOWPOL_POLICY_CALVER_H

/*
 * The Calico release a policy set is read and evaluated for
 * (--calico-version). Everything that changed between 3.28 and 3.33 and
 * that the engine models is a fact of one row of the table in calver.c,
 * each with the release tag and file it was read from.
 *
 * A version is a number MAJOR * 100 + MINOR: 328 .. 333. 0 means
 * "not given", which PE_CALVER_DEFAULT stands for.
 */

#define PE_CALVER_MIN 328
#define PE_CALVER_MAX 333
#define PE_CALVER_DEFAULT 333

struct pe_calver {
	int version;		/* 328 .. 333 */
	const char *source;	/* the release tag (or commit) facts come from */
	/*
	 * Kubernetes NetworkPolicy becomes "knp.default.<name>" of kind
	 * NetworkPolicy (0), or a KubernetesNetworkPolicy named as the object
	 * (1). conversion.go K8sNetworkPolicyToCalico.
	 */
	int knp_plain_name;
	/*
	 * Felix's tie-break between policies of equal order: the v1 key name
	 * ("<ns>/<name>" for namespaced kinds, else "<name>") (0), or the
	 * byte string "<name>/<namespace>/<kind>" (1). policy_sorter.go
	 * PolKVLess.
	 */
	int tiebreak_kind;
	int has_tiers;		/* Tier kind, spec.tier (the tiers CRD) */
	int has_staged;		/* Staged* kinds (the staged CRDs) */
	/* Built-in tiers besides default, with their order (tier.go). */
	const char *admin_tier;		/* before default, or NULL */
	const char *baseline_tier;	/* after default, or NULL */
	/*
	 * The rule limits of the release's CRD schema: selector fields at
	 * most 1024 characters, ports/notPorts at most 50 items, nets and
	 * notNets at most 256 items and a set (no duplicates), at most 1024
	 * rules per direction; 0 where the schema has none.
	 */
	int rule_limits;
	/*
	 * A rule's selector may not contain "global(" (the CRD's CEL rule)
	 * (1), or "global()" (validator.go validateEntityRule) (0).
	 */
	int global_paren;
};

/* The facts for a version (0 gives the default). NULL if unknown. */
const struct pe_calver *pe_calver_get(int version);

/*
 * Parse "3.30", "v3.30" or "3.30.2" into 330. 0, or -1 with fp_error
 * naming the versions known.
 */
int pe_calver_parse(const char *s, int *out);

/* "3.30" (static storage). */
const char *pe_calver_name(int version);

#endif
