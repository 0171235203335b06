#ifndef FLOWPOL_POLICY_RD_H
#define FLOWPOL_POLICY_RD_H

#include <stddef.h>
#include <yaml.h>

#include "common/labels.h"
#include "policy/calver.h"
#include "policy/model.h"

/*
 * Inside the policy reader (policy/ only): the walk over one YAML document
 * that reader.c does for Calico kinds, offered to the readers of other
 * kinds (k8snp.c) so that every kind gets the same types, messages
 * ("FILE:LINE: FIELD: reason") and limits. Nodes are libyaml's; NULL or
 * a YAML null means "absent".
 */

struct rd;

/* Record "FILE:LINE(n): ctx: reason"; returns -1. */
int rd_error(struct rd *r, const yaml_node_t *n, const char *ctx,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
struct pe_policyset *rd_policyset(struct rd *r);
const char *rd_file(struct rd *r);
/* The target release's facts (never NULL). */
const struct pe_calver *rd_calver(struct rd *r);

/* n is a mapping with string keys, none twice, all in allowed (or any). */
int rd_map_check(struct rd *r, yaml_node_t *n, const char *ctx,
    const char *const *allowed);
/* The value of key, NULL when absent or null. */
yaml_node_t *rd_map_get(struct rd *r, yaml_node_t *n, const char *key);
int rd_get_str(struct rd *r, yaml_node_t *map, const char *ctx,
    const char *key, char **out);
int rd_get_int(struct rd *r, yaml_node_t *map, const char *ctx,
    const char *key, long min, long max, int *out, int *present);
int rd_get_seq(struct rd *r, yaml_node_t *map, const char *ctx,
    const char *key, yaml_node_t **out);
size_t rd_seq_len(const yaml_node_t *s);
yaml_node_t *rd_seq_at(struct rd *r, yaml_node_t *s, size_t i);
int rd_get_str_list(struct rd *r, yaml_node_t *map, const char *ctx,
    const char *key, char ***out, size_t *n);
int rd_get_labels(struct rd *r, yaml_node_t *map, const char *ctx,
    const char *key, struct labels *out);
/* A scalar that is a whole number: 1 (*out set), 0 other scalar, -1 not. */
int rd_scalar_int(const yaml_node_t *n, long *out);
/* The text of a scalar, or NULL. */
const char *rd_scalar(const yaml_node_t *n);
/* Clear the host bits of ip beyond prefix. */
void rd_mask_net(struct fp_ip *ip, int prefix);
void rd_ctx_join(char *buf, size_t len, const char *ctx, const char *key);
void rd_ctx_item(char *buf, size_t len, const char *ctx, const char *key,
    size_t i);

/*
 * metadata of an object, namespaced (namespace "default" when unset) or
 * cluster-scoped (*ns NULL): *name and *ns malloc'd, *node the metadata
 * mapping. 0 or -1.
 */
int rd_read_meta(struct rd *r, yaml_node_t *doc, int namespaced, char **name,
    char **ns, yaml_node_t **node);

/* A new policy at the end of the set (zeroed), or NULL (fp_error). */
struct pe_policy *rd_policy_add(struct rd *r, yaml_node_t *at);
/* Drop the last policy added (on error). */
void rd_policy_drop(struct rd *r);
/* The same kind, name and namespace read before: error naming it. */
int rd_policy_check_dup(struct rd *r, yaml_node_t *at);

/* Limits of the target release's CRD schema (calver.h rule_limits). */
#define RD_MAX_SELECTOR 1024
#define RD_MAX_PORTS 50
#define RD_MAX_NETS 256
#define RD_MAX_RULES 1024
int rd_check_items(struct rd *r, yaml_node_t *at, const char *ctx,
    const char *key, size_t len, size_t max);
int rd_check_selector_len(struct rd *r, yaml_node_t *at, const char *ctx,
    const char *s);
/*
 * An entry of the sequence seq (read into nets[0..n)) repeats an earlier
 * one where the release makes nets a set: names the first such entry.
 */
int rd_check_net_dups(struct rd *r, yaml_node_t *seq, const char *ctx,
    const char *key, const struct pe_net *nets, size_t n);
/* validator.go validateHTTPPaths */
int rd_check_http_path(struct rd *r, yaml_node_t *at, const char *ctx,
    const char *path);
/* validator.go validateObjectMetaAnnotations: keys, 256 KiB in all. */
int rd_check_annotations(struct rd *r, yaml_node_t *map, const char *ctx);
/*
 * A named port outside Kubernetes' port-name syntax (IANA_SVC_NAME) but
 * inside numorstring's "^[a-zA-Z0-9_.-]{1,128}$": a warning (the API
 * server refuses it, the CRD schema and Felix take it); anything else
 * an error.
 */
int rd_named_port_outside(struct rd *r, yaml_node_t *at, const char *ctx,
    const char *name);

#endif
