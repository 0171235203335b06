#ifndef FLOWPOL_POLICY_INTERN_H
#define FLOWPOL_POLICY_INTERN_H

#include <stddef.h>

/*
 * Inside the policy engine (policy/ only): a table of distinct byte
 * strings, each kept once, so that the thousands of rules that name the
 * same selector text or the same ports list share one copy. An entry's
 * bytes never move or change while the table lives; each carries a word of
 * flags and one pointer slot for its owner (the reader records which
 * checks a selector text passed; evaluate keeps a compiled selector, which
 * pe_intern_free hands to the free function given).
 */

struct pe_intern;

struct pe_ient {
	unsigned flags;
	void *val;
};

/*
 * The entry for the n bytes at p of kind (a caller's tag, so equal bytes
 * of different kinds stay apart), made when new in *t (created when NULL).
 * *data is set to the entry's copy of the bytes, NUL-terminated. NULL when
 * out of memory.
 */
struct pe_ient *pe_intern(struct pe_intern **t, int kind, const void *p,
    size_t n, const void **data);

/* Frees the table, calling val_free on every non-NULL val; NULL is fine. */
void pe_intern_free(struct pe_intern *t, void (*val_free)(void *));

#endif
