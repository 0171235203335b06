#ifndef FLOWPOL_STRMAP_H
#define FLOWPOL_STRMAP_H

#include <stddef.h>

/*
 * String interning: each distinct key gets a dense id 0, 1, 2... in the
 * order first added. The map owns copies of the keys. Used where the
 * learner aggregates (edges, label pairs, namespaces); output order never
 * comes from it (callers sort).
 */
struct strmap;

struct strmap *strmap_new(void);
/* NULL does nothing. */
void strmap_free(struct strmap *m);
/* The id of key (len bytes, may hold NUL), adding it if new; -1 on ENOMEM. */
long strmap_intern(struct strmap *m, const char *key, size_t len);
/* The id of key or -1 if absent. */
long strmap_find(const struct strmap *m, const char *key, size_t len);
/* Key of an id (NUL-terminated copy owned by the map), its length. */
const char *strmap_key(const struct strmap *m, long id, size_t *len);
size_t strmap_count(const struct strmap *m);

#endif
