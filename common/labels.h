#ifndef FLOWPOL_LABELS_H
#define FLOWPOL_LABELS_H

#include <stddef.h>

/*
 * A label map as Calico selectors see it: key/value pairs kept sorted by key
 * (byte order, strcmp), keys unique. The map owns copies of every string.
 * Shared by the policy engine, the emitter and the learner.
 *
 *	struct labels l = LABELS_INIT;
 *	labels_set(&l, "app", "web");
 *	...
 *	labels_release(&l);
 */
struct label {
	char *key;
	char *value;
};

struct labels {
	struct label *v;	/* sorted by key */
	size_t n;
	size_t alloc;
};

#define LABELS_INIT { NULL, 0, 0 }

void labels_init(struct labels *l);
/* Frees every string and the array; l is then empty (LABELS_INIT). */
void labels_release(struct labels *l);
/* Set key to value (both copied), replacing an existing value. 0 or -1. */
int labels_set(struct labels *l, const char *key, const char *value);
/* Remove key if present. */
void labels_del(struct labels *l, const char *key);
/* The value of key, or NULL when absent. Points into l. */
const char *labels_get(const struct labels *l, const char *key);
/* dst = copy of src (dst is released first). 0 or -1. */
int labels_copy(struct labels *dst, const struct labels *src);
/* Add every pair of src to dst, src winning on equal keys. 0 or -1. */
int labels_merge(struct labels *dst, const struct labels *src);
/*
 * Parse the store's text form, one "key=value" line each ending in '\n'
 * (common/schema.c), into l (added to what is there). A line without '='
 * is an error. 0 or -1 (fp_error naming the line).
 */
int labels_parse_lines(struct labels *l, const char *text);
/*
 * Parse one "key=value" argument (split at the first '='); an empty value is
 * allowed, an empty key is not. 0 or -1 (fp_error).
 */
int labels_parse_pair(struct labels *l, const char *pair);
/* Compare two maps: 0 when equal, else a total order. */
int labels_cmp(const struct labels *a, const struct labels *b);

#endif
