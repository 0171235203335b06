#ifndef FLOWPOL_EMIT_NAMES_H
#define FLOWPOL_EMIT_NAMES_H

#include <stddef.h>
#include <stdint.h>

#include "common/hash.h"

/* Policy names, hashes and the input checks the emitter relies on. */

/* GNP metadata.name limit (doc/calico-semantics.md 3) */
#define EMIT_NAME_MAX 253

/*
 * "flowpol-<a>-<b>" (b may be NULL) made valid for a GlobalNetworkPolicy
 * name: lowercase letters, digits and '-', no dot, a letter or digit at both
 * ends, at most EMIT_NAME_MAX bytes. Characters outside [a-z0-9-] become
 * '-'. A name that would be too long is cut and ends in "-<8 hex>", a hash
 * of the untouched a and b. Returns malloc'd memory (caller frees) or NULL.
 */
char *emit_policy_name(const char *a, const char *b);
/* name + "-" + 8 hex of key, cut so the result fits; malloc'd or NULL. */
char *emit_name_with_hash(const char *name, const char *key);

/*
 * Syntax check of a Calico selector with the policy engine's parser
 * (policy/selector.h). 0 if valid; -1 and *errpos (byte offset, may be
 * NULL) if not. Used to refuse a model whose selectors Calico would reject.
 */
int emit_selector_check(const char *s, size_t *errpos);

#endif
