#ifndef FLOWPOL_POLICY_K8SNP_H
#define FLOWPOL_POLICY_K8SNP_H

#include <yaml.h>

#include "policy/model.h"

/*
 * Kubernetes NetworkPolicy (networking.k8s.io/v1), read and converted into
 * the Calico policy Felix enforces for it, as projectcalico/calico's
 * libcalico-go/lib/backend/k8s/conversion/conversion.go
 * K8sNetworkPolicyToCalico does (the same code from v3.28.5 to master but
 * for the name and kind):
 *   - tier default, order 1000;
 *   - up to 3.31 a NetworkPolicy named "knp.default.<name>"; from 3.32 a
 *     KubernetesNetworkPolicy named as the object (calver.h);
 *   - spec.selector from podSelector, prefixed with
 *     "projectcalico.org/orchestrator == 'k8s'"; matchLabels in key order,
 *     then matchExpressions in order (In, NotIn, Exists, DoesNotExist);
 *   - a peer's podSelector (even absent) likewise; its namespaceSelector
 *     "" when absent, "all()" when empty; ipBlock to nets, except to
 *     notNets;
 *   - one Allow rule per protocol (SCTP, TCP, UDP in that order; none
 *     when the rule has no ports) and peer, ports merged into ranges
 *     (SimplifyPorts), protocol TCP when a port names none, endPort as a
 *     range;
 *   - types from policyTypes after Kubernetes' defaulting (Ingress, plus
 *     Egress when there are egress rules), Ingress when none.
 * Input Kubernetes' validation refuses (bad selectors, ports, CIDRs, a
 * peer with ipBlock and a selector) is an error naming file and line.
 */

#define PE_K8SNP_API "networking.k8s.io/v1"
#define PE_K8SNP_PREFIX "knp.default."

struct rd;

/* One NetworkPolicy document (kind_node: its kind: line). 0 or -1. */
int pe_k8snp_read(struct rd *r, yaml_node_t *doc, yaml_node_t *kind_node);

/*
 * The Kubernetes object's name of a converted policy (PE_KNP, PE_KCNP):
 * the name less the prefix Calico adds ("knp.default.",
 * "kanp.adminnetworkpolicy.", "kbanp.baselineadminnetworkpolicy.").
 */
const char *pe_k8snp_object_name(const struct pe_policy *p);

/*
 * AdminNetworkPolicy and BaselineAdminNetworkPolicy (policy.networking.
 * k8s.io/v1alpha1, Calico 3.29 to 3.31 and 3.30 to 3.31) and
 * ClusterNetworkPolicy (v1alpha2, Calico 3.32 on): k8sadmin.c. 0 or -1.
 */
#define PE_K8SADMIN_GROUP "policy.networking.k8s.io/"
int pe_k8sadmin_read(struct rd *r, yaml_node_t *doc, yaml_node_t *kind_node,
    const char *api, const char *kind);
/* Whether kind is one pe_k8sadmin_read reads. */
int pe_k8sadmin_kind(const char *kind);

/* Shared by the Kubernetes converters (policy/ only). */
struct pe_port;
/*
 * k8sSelectorToCalico of the LabelSelector at parent.key (absent: NULL
 * parent or key): pod selectors get the orchestrator term; an empty
 * namespace selector is "all()". *out malloc'd, NULL when empty. 0 or -1.
 */
int pe_k8s_selector(struct rd *r, yaml_node_t *parent, const char *ctx,
    const char *key, int pod, char **out);
/* SimplifyPorts in place; returns the new count. */
size_t pe_k8s_simplify_ports(struct pe_port *ports, size_t n);

#endif
