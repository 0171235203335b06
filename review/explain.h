#ifndef FLOWPOL_REVIEW_EXPLAIN_H
#define FLOWPOL_REVIEW_EXPLAIN_H

#include <stdio.h>

#include "policy/evaluate.h"

struct store;
struct model;

/*
 * Resolve a command-line endpoint into ep (initialised by the caller,
 * released by the caller), then pe_endpoint_prepare it:
 *   NAMESPACE/NAME   a learned workload (its pod with the lowest name
 *                    gives the labels), else a pod; needs the model
 *   IP               the endpoints table says whose it is (pod or node);
 *                    without a store or owner it is external
 *   node:IP, external:IP
 *   a label spec     comma-separated items, no store needed:
 *                    ns:NAMESPACE (required), sa:NAME, ip:ADDR,
 *                    nslabel:KEY=VALUE, salabel:KEY=VALUE,
 *                    port:NAME/PROTO/NUMBER (named ports; when any is
 *                    given the pod's named ports count as known), and
 *                    KEY=VALUE pod labels
 * m (the read model, store/model.h) may be NULL. 0 or -1 (fp_error).
 */
int pe_resolve_endpoint(struct model *m, const char *arg,
    struct pe_endpoint *ep);

/*
 * The addresses a resolved endpoint may use. A pod named by NAMESPACE/NAME
 * is all of its addresses (dual stack): its newest of each family; an
 * argument that names an address (IP, node:, external:, ip: in a spec)
 * fixes it.
 */
struct pe_resolved {
	struct fp_ip addr[2];	/* [0] IPv4, [1] IPv6 */
	int has[2];
	int fixed;
};

/* pe_resolve_endpoint, also saying which addresses the endpoint may use. */
int pe_resolve_endpoint_ex(struct model *m, const char *arg,
    struct pe_endpoint *ep, struct pe_resolved *res /* OUT */);

/*
 * Before evaluating f (protocol parsed): give both sides addresses of one
 * family, the one an address argument or ICMP/ICMPv6 fixes, else the
 * source's if the destination has it, else one both have; and set
 * f->family. A pod without an address of that family evaluates without
 * one. Leaves everything as resolved when no family fits.
 */
void pe_resolve_family(struct pe_flow *f, struct pe_endpoint *src,
    const struct pe_resolved *rs, struct pe_endpoint *dst,
    const struct pe_resolved *rd);

/*
 * Load the pod with this uid from the store (labels, service account,
 * namespace labels, latest IP; hostNetwork pods become PE_EP_NODE) into ep
 * (initialised by the caller) and prepare it. For diff and the emitter's
 * proof, which resolve IPs themselves. Returns 1 found, 0 no such pod,
 * -1 error (fp_error).
 */
int pe_endpoint_load_pod(struct store *st, const char *uid,
    struct pe_endpoint *ep);

/*
 * Parse PROTO[/PORT] (tcp/80, udp/53, sctp/9) or ICMP as icmp/TYPE[/CODE]
 * into f->proto, f->dport, f->icmp_type, f->icmp_code. Protocol names are
 * any case, or a number 1..255. 0 or -1 (fp_error).
 */
int pe_parse_proto_port(const char *s, struct pe_flow *f);

/* Write the verdict and, per direction, what decided it. */
void pe_explain_print(FILE *out, const struct pe_flow *f,
    const struct pe_verdict *v);

#endif
