#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/hash.h"
#include "learner/strmap.h"
#include "common/banned.h"

struct strmap {
	char **keys;		/* by id */
	size_t *lens;
	uint64_t *hashes;	/* by id: skips most key comparisons */
	size_t n, cap;
	long *slots;		/* open addressing, -1 empty */
	size_t nslots;		/* power of two */
};

static uint64_t
hash(const char *s, size_t len)
{
	uint64_t h = fp_fnv1a64(s, len);

	return h ^ (h >> 29);	/* high bits into the slot index */
}

struct strmap *
strmap_new(void)
{
	struct strmap *m = calloc(1, sizeof(*m));
	size_t i;

	if (m == NULL)
		return NULL;
	m->nslots = 64;
	if ((m->slots = malloc(m->nslots * sizeof(*m->slots))) == NULL) {
		free(m);
		return NULL;
	}
	for (i = 0; i < m->nslots; i++)
		m->slots[i] = -1;
	return m;
}

void
strmap_free(struct strmap *m)
{
	size_t i;

	if (m == NULL)
		return;
	for (i = 0; i < m->n; i++)
		free(m->keys[i]);
	free(m->keys);
	free(m->lens);
	free(m->hashes);
	free(m->slots);
	free(m);
}

static long
lookup(const struct strmap *m, const char *key, size_t len, uint64_t h,
    size_t *slot)
{
	size_t i = (size_t)h & (m->nslots - 1);
	long id;

	while ((id = m->slots[i]) >= 0) {
		if (m->hashes[id] == h && m->lens[id] == len &&
		    memcmp(m->keys[id], key, len) == 0) {
			*slot = i;
			return id;
		}
		i = (i + 1) & (m->nslots - 1);
	}
	*slot = i;
	return -1;
}

long
strmap_find(const struct strmap *m, const char *key, size_t len)
{
	size_t slot;

	return lookup(m, key, len, hash(key, len), &slot);
}

static int
rehash(struct strmap *m)
{
	size_t n = m->nslots * 2, i, j;
	long *slots = malloc(n * sizeof(*slots));

	if (slots == NULL)
		return -1;
	for (i = 0; i < n; i++)
		slots[i] = -1;
	for (i = 0; i < m->n; i++) {
		j = (size_t)m->hashes[i] & (n - 1);
		while (slots[j] >= 0)
			j = (j + 1) & (n - 1);
		slots[j] = (long)i;
	}
	free(m->slots);
	m->slots = slots;
	m->nslots = n;
	return 0;
}

long
strmap_intern(struct strmap *m, const char *key, size_t len)
{
	size_t slot, cap;
	uint64_t h = hash(key, len);
	long id;
	char *copy;
	void *p;

	if ((id = lookup(m, key, len, h, &slot)) >= 0)
		return id;
	if ((m->n + 1) * 2 > m->nslots) {
		if (rehash(m) < 0)
			return -1;
		lookup(m, key, len, h, &slot);
	}
	if (m->n == m->cap) {
		cap = m->cap ? m->cap * 2 : 64;
		if ((p = realloc(m->keys, cap * sizeof(*m->keys))) == NULL)
			return -1;
		m->keys = p;
		if ((p = realloc(m->lens, cap * sizeof(*m->lens))) == NULL)
			return -1;
		m->lens = p;
		if ((p = realloc(m->hashes, cap * sizeof(*m->hashes))) == NULL)
			return -1;
		m->hashes = p;
		m->cap = cap;
	}
	if ((copy = malloc(len + 1)) == NULL)
		return -1;
	memcpy(copy, key, len);
	copy[len] = '\0';
	m->keys[m->n] = copy;
	m->lens[m->n] = len;
	m->hashes[m->n] = h;
	m->slots[slot] = (long)m->n;
	return (long)m->n++;
}

const char *
strmap_key(const struct strmap *m, long id, size_t *len)
{
	if (len != NULL)
		*len = m->lens[id];
	return m->keys[id];
}

size_t
strmap_count(const struct strmap *m)
{
	return m->n;
}
