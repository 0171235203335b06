#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/k8sname.h"
#include "common/labels.h"
#include "common/banned.h"

void
labels_init(struct labels *l)
{
	l->v = NULL;
	l->n = 0;
	l->alloc = 0;
}

void
labels_release(struct labels *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->v[i].key);
		free(l->v[i].value);
	}
	free(l->v);
	labels_init(l);
}

/* Index of key, or of where it would go (*found says which). */
static size_t
labels_find(const struct labels *l, const char *key, int *found)
{
	size_t lo = 0, hi = l->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(l->v[mid].key, key);

		if (c == 0) {
			*found = 1;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = 0;
	return lo;
}

const char *
labels_get(const struct labels *l, const char *key)
{
	int found;
	size_t i;

	if (l->n == 0)
		return NULL;
	i = labels_find(l, key, &found);
	return found ? l->v[i].value : NULL;
}

int
labels_set(struct labels *l, const char *key, const char *value)
{
	int found;
	size_t i = labels_find(l, key, &found);
	char *v = strdup(value), *k = NULL;

	if (v == NULL)
		return fp_error("labels: out of memory");
	if (found) {
		free(l->v[i].value);
		l->v[i].value = v;
		return 0;
	}
	if ((k = strdup(key)) == NULL)
		goto oom;
	if (l->n == l->alloc) {
		size_t na = l->alloc ? l->alloc * 2 : 8;
		struct label *nv;

		if (na > ((size_t)-1) / sizeof(*nv))
			goto oom;
		if ((nv = realloc(l->v, na * sizeof(*nv))) == NULL)
			goto oom;
		l->v = nv;
		l->alloc = na;
	}
	memmove(&l->v[i + 1], &l->v[i], (l->n - i) * sizeof(l->v[0]));
	l->v[i].key = k;
	l->v[i].value = v;
	l->n++;
	return 0;
oom:
	free(k);
	free(v);
	return fp_error("labels: out of memory");
}

void
labels_del(struct labels *l, const char *key)
{
	int found;
	size_t i;

	if (l->n == 0)
		return;
	i = labels_find(l, key, &found);
	if (!found)
		return;
	free(l->v[i].key);
	free(l->v[i].value);
	memmove(&l->v[i], &l->v[i + 1], (l->n - i - 1) * sizeof(l->v[0]));
	l->n--;
}

int
labels_merge(struct labels *dst, const struct labels *src)
{
	size_t i;

	for (i = 0; i < src->n; i++)
		if (labels_set(dst, src->v[i].key, src->v[i].value) < 0)
			return -1;
	return 0;
}

int
labels_copy(struct labels *dst, const struct labels *src)
{
	labels_release(dst);
	if (labels_merge(dst, src) < 0) {
		labels_release(dst);
		return -1;
	}
	return 0;
}

int
labels_parse_pair(struct labels *l, const char *pair)
{
	const char *eq = strchr(pair, '=');
	char *key;
	int ret;

	if (eq == NULL)
		return fp_error("label '%s': expected KEY=VALUE", fp_clamp(pair, 128));
	if (eq == pair)
		return fp_error("label '%s': empty key", fp_clamp(pair, 128));
	if ((key = strndup(pair, (size_t)(eq - pair))) == NULL)
		return fp_error("labels: out of memory");
	ret = labels_set(l, key, eq + 1);
	free(key);
	return ret;
}

static int
check_stored_pair(const char *pair)
{
	const char *eq = strchr(pair, '=');
	const char *why;
	char *key;

	if ((key = strndup(pair, (size_t)(eq - pair))) == NULL)
		return fp_error("labels: out of memory");
	if ((why = k8s_check_label_key(key)) != NULL) {
		fp_error("key '%s' is not a valid label key: %s", fp_clamp(key, 80),
		    why);
		free(key);
		return -1;
	}
	free(key);
	if ((why = k8s_check_label_value(eq + 1)) != NULL)
		return fp_error("value '%s' is not a valid label value: %s",
		    fp_clamp(eq + 1, 80), why);
	return 0;
}

int
labels_parse_lines(struct labels *l, const char *text)
{
	const char *p = text;
	int line = 1;

	while (*p != '\0') {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char *one;
		int ret;

		if (len > 0) {
			if ((one = strndup(p, len)) == NULL)
				return fp_error("labels: out of memory");
			ret = labels_parse_pair(l, one);
			/*
			 * The text comes from a database, which is input: every
			 * pair must pass the rules the inventory import applied, or
			 * a crafted row would reach a selector or a file.
			 */
			if (ret == 0)
				ret = check_stored_pair(one);
			free(one);
			if (ret < 0)
				return fp_error_prefix("labels line %d", line);
		}
		if (nl == NULL)
			break;
		p = nl + 1;
		line++;
	}
	return 0;
}

int
labels_cmp(const struct labels *a, const struct labels *b)
{
	size_t i;
	int c;

	for (i = 0; i < a->n && i < b->n; i++) {
		if ((c = strcmp(a->v[i].key, b->v[i].key)) != 0)
			return c;
		if ((c = strcmp(a->v[i].value, b->v[i].value)) != 0)
			return c;
	}
	return (a->n > b->n) - (a->n < b->n);
}
