#ifndef FLOWPOL_POLICY_READER_H
#define FLOWPOL_POLICY_READER_H

#include <stddef.h>

#include "policy/model.h"

/*
 * Read Calico resources into a policy set: GlobalNetworkPolicy,
 * StagedGlobalNetworkPolicy, NetworkPolicy, StagedNetworkPolicy,
 * GlobalNetworkSet, NetworkSet and Tier, with apiVersion
 * projectcalico.org/v3 or crd.projectcalico.org/v1; multi-document YAML or
 * JSON (one libyaml parser for both); "kind: List" (kubectl) and
 * "kind: <Kind>List" (calicoctl) with items. Unknown fields, wrong types,
 * duplicate keys and values Calico's validator rejects (selectors,
 * protocol spelling, ports, un-masked CIDRs, actions, names) are errors
 * "FILE:LINE: FIELD: reason" recorded with fp_error; the set may then hold
 * part of the input and should be released.
 */

#define PE_READ_MAX_FILE (64u << 20)	/* bytes per file */

/*
 * A file, or a directory read recursively in byte order of names, taking
 * *.yaml, *.yml and *.json and skipping names that start with '.'.
 * "-" reads stdin. 0 or -1.
 */
int pe_read_path(struct pe_policyset *ps, const char *path);

/* Parse one buffer (name is used in messages). 0 or -1. */
int pe_read_buffer(struct pe_policyset *ps, const char *name,
    const char *buf, size_t len);

#endif
