#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/hash.h"
#include "policy/intern.h"
#include "common/banned.h"

struct ent {
	struct pe_ient pub;
	uint64_t hash;
	size_t len;
	int64_t kind;			/* 64 bits: data stays 8-aligned */
	char data[];
};

struct pe_intern {
	struct ent **slots;		/* open addressing, linear probing */
	size_t n, cap;			/* cap a power of two */
};

static int
grow(struct pe_intern *t)
{
	size_t cap = t->cap ? t->cap * 2 : 1024, i;
	struct ent **s = calloc(cap, sizeof(*s));

	if (s == NULL)
		return -1;
	for (i = 0; i < t->cap; i++) {
		struct ent *e = t->slots[i];
		size_t k;

		if (e == NULL)
			continue;
		for (k = e->hash & (cap - 1); s[k] != NULL; k = (k + 1) & (cap - 1))
			;
		s[k] = e;
	}
	free(t->slots);
	t->slots = s;
	t->cap = cap;
	return 0;
}

struct pe_ient *
pe_intern(struct pe_intern **tp, int kind, const void *p, size_t n,
    const void **data)
{
	struct pe_intern *t = *tp;
	uint64_t h = fp_fnv1a64_add(fp_fnv1a64(&kind, sizeof(kind)), p, n);
	struct ent *e;
	size_t k;

	if (t == NULL) {
		if ((t = calloc(1, sizeof(*t))) == NULL)
			return NULL;
		*tp = t;
	}
	if ((t->n + 1) * 2 > t->cap && grow(t) < 0)
		return NULL;
	for (k = h & (t->cap - 1); (e = t->slots[k]) != NULL;
	    k = (k + 1) & (t->cap - 1))
		if (e->hash == h && e->len == n && e->kind == kind &&
		    memcmp(e->data, p, n) == 0) {
			*data = e->data;
			return &e->pub;
		}
	if ((e = malloc(sizeof(*e) + n + 1)) == NULL)
		return NULL;
	e->pub.flags = 0;
	e->pub.val = NULL;
	e->hash = h;
	e->len = n;
	e->kind = kind;
	if (n > 0)
		memcpy(e->data, p, n);
	e->data[n] = '\0';
	t->slots[k] = e;
	t->n++;
	*data = e->data;
	return &e->pub;
}

void
pe_intern_free(struct pe_intern *t, void (*val_free)(void *))
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->cap; i++) {
		if (t->slots[i] == NULL)
			continue;
		if (t->slots[i]->pub.val != NULL && val_free != NULL)
			val_free(t->slots[i]->pub.val);
		free(t->slots[i]);
	}
	free(t->slots);
	free(t);
}
