#ifndef FLOWPOL_LABELS_H
#define FLOWPOL_LABELS_H

#include <stddef.h>

/*
 * A label set: key/value pairs, sorted by key once labels_sort has run.
 * The set owns its strings. The stored text form (pods.labels and
 * namespaces.labels) is "key=value\n" per label, sorted by key; keys and
 * values cannot hold '=' or '\n' under the Kubernetes rules.
 */
struct kv {
	char *k, *v;
};

struct labels {
	struct kv *kv;
	size_t n, cap;
};

#define LABELS_INIT { NULL, 0, 0 }

void labels_init(struct labels *l);
/* Frees the strings and the array; leaves l empty. */
void labels_release(struct labels *l);
/* Adds copies of k and v. 0 or -1 (out of memory, not recorded). */
int labels_add(struct labels *l, const char *k, const char *v);
/* Sort by key; -1 if a key appears twice. */
int labels_sort(struct labels *l);
/* Value of key (sorted or not) or NULL. */
const char *labels_get(const struct labels *l, const char *k);
/* The text form, malloc'd (caller frees). 0 or -1 (fp_error). */
int labels_format(const struct labels *l, char **out);
/* Parse the text form. 0 or -1 (fp_error). */
int labels_parse(struct labels *l, const char *text);

#endif
