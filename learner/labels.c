#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "learner/labels.h"
#include "common/banned.h"

void
labels_init(struct labels *l)
{
	l->kv = NULL;
	l->n = l->cap = 0;
}

void
labels_release(struct labels *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->kv[i].k);
		free(l->kv[i].v);
	}
	free(l->kv);
	labels_init(l);
}

int
labels_add(struct labels *l, const char *k, const char *v)
{
	struct kv *p;
	size_t cap;

	if (l->n == l->cap) {
		cap = l->cap ? l->cap * 2 : 8;
		if ((p = realloc(l->kv, cap * sizeof(*p))) == NULL)
			return -1;
		l->kv = p;
		l->cap = cap;
	}
	p = &l->kv[l->n];
	if ((p->k = strdup(k)) == NULL)
		return -1;
	if ((p->v = strdup(v)) == NULL) {
		free(p->k);
		return -1;
	}
	l->n++;
	return 0;
}

static int
kv_cmp(const void *a, const void *b)
{
	return strcmp(((const struct kv *)a)->k, ((const struct kv *)b)->k);
}

int
labels_sort(struct labels *l)
{
	size_t i;

	if (l->n > 1)
		qsort(l->kv, l->n, sizeof(*l->kv), kv_cmp);
	for (i = 1; i < l->n; i++)
		if (strcmp(l->kv[i - 1].k, l->kv[i].k) == 0)
			return -1;
	return 0;
}

const char *
labels_get(const struct labels *l, const char *k)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->kv[i].k, k) == 0)
			return l->kv[i].v;
	return NULL;
}

int
labels_format(const struct labels *l, char **out)
{
	size_t i, len = 1, used = 0;
	char *buf;

	for (i = 0; i < l->n; i++)
		len += strlen(l->kv[i].k) + strlen(l->kv[i].v) + 2;
	if ((buf = malloc(len)) == NULL)
		return fp_error("labels: out of memory");
	buf[0] = '\0';
	for (i = 0; i < l->n; i++) {
		size_t kl = strlen(l->kv[i].k), vl = strlen(l->kv[i].v);

		memcpy(buf + used, l->kv[i].k, kl);
		used += kl;
		buf[used++] = '=';
		memcpy(buf + used, l->kv[i].v, vl);
		used += vl;
		buf[used++] = '\n';
	}
	buf[used] = '\0';
	*out = buf;
	return 0;
}

int
labels_parse(struct labels *l, const char *text)
{
	const char *p = text, *eq, *nl;
	char *k = NULL, *v = NULL;

	labels_init(l);
	while (p != NULL && *p != '\0') {
		nl = strchr(p, '\n');
		if (nl == NULL)
			nl = p + strlen(p);
		eq = memchr(p, '=', (size_t)(nl - p));
		if (eq == NULL) {
			labels_release(l);
			return fp_error("labels: line without '=': '%s'",
			    fp_clamp(p, 64));
		}
		k = strndup(p, (size_t)(eq - p));
		v = strndup(eq + 1, (size_t)(nl - eq - 1));
		if (k == NULL || v == NULL || labels_add(l, k, v) < 0) {
			free(k);
			free(v);
			labels_release(l);
			return fp_error("labels: out of memory");
		}
		free(k);
		free(v);
		p = *nl ? nl + 1 : nl;
	}
	return 0;
}
