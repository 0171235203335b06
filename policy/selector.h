#ifndef FLOWPOL_SELECTOR_H
#define FLOWPOL_SELECTOR_H

#include <stddef.h>

#include "common/labels.h"

/*
 * Calico label selectors (doc/selector-grammar.md, Calico v3.32.1): a
 * byte-wise tokenizer (only space and tab are whitespace), labels of
 * [A-Za-z0-9_./-] up to 512 bytes, string literals without escapes in
 * either quote style, has(/all(/global( tokens, word operators with word
 * boundaries, '!' collapsed by parity, && over ||, and Calico's
 * missing-label semantics. A parsed selector is immutable except for
 * sel_prefix and may be shared between threads for matching.
 */
struct sel;

#define SEL_MAX_LABEL 512	/* MaxLabelLength in Calico's tokenizer */
#define SEL_MAX_INPUT 65536	/* our own cap on untrusted selector text */

/*
 * Parse s (NUL-terminated). On success *out is a new selector the caller
 * frees with sel_free; the empty selector means all(). On error returns -1,
 * records "position N: reason" (N is the 0-based byte offset) with fp_error
 * and, when errpos is not NULL, stores N there.
 */
int sel_parse(const char *s, struct sel **out, size_t *errpos /* OUT */);
void sel_free(struct sel *s);

/* 1 when the labels match, else 0. */
int sel_match(const struct sel *s, const struct labels *l);

/*
 * Calico's canonical form (Selector.String(): sorted de-duplicated sets,
 * one space around operators, parenthesised && and || groups). Returns
 * malloc'd text the caller frees, or NULL on out of memory.
 */
char *sel_format(const struct sel *s);

/*
 * Prefix every label name in the selector (Calico's PrefixVisitor, used to
 * turn a namespace selector into "pcns." labels). 0 or -1 (out of memory).
 */
int sel_prefix(struct sel *s, const char *prefix);

/*
 * The equalities "label == 'value'" every matching label set must satisfy
 * (the S_EQ terms of the top-level conjunction), for indexing selectors by
 * label. Stores up to max of them (pointers into s) and returns how many
 * there are in all; 0 when the selector requires no exact label value.
 */
size_t sel_required_eqs(const struct sel *s, const char **keys,
    const char **values, size_t max);

/* Whether the selector is exactly all() (or empty) / exactly global(). */
int sel_is_all(const struct sel *s);
int sel_is_global(const struct sel *s);

#endif
