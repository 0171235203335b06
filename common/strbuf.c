#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/strbuf.h"
#include "common/banned.h"

static int
sb_grow(struct strbuf *b, size_t extra)
{
	size_t need, na;
	char *nb;

	if (b->oom)
		return -1;
	if (extra > ((size_t)-1) / 2 - b->len - 1)
		goto fail;
	need = b->len + extra + 1;
	if (need <= b->alloc)
		return 0;
	na = b->alloc ? b->alloc : 64;
	while (na < need)
		na *= 2;
	if ((nb = realloc(b->buf, na)) == NULL)
		goto fail;
	b->buf = nb;
	b->alloc = na;
	return 0;
fail:
	b->oom = 1;
	return -1;
}

void
sb_addn(struct strbuf *b, const char *s, size_t n)
{
	if (sb_grow(b, n) < 0)
		return;
	memcpy(b->buf + b->len, s, n);
	b->len += n;
	b->buf[b->len] = '\0';
}

void
sb_addc(struct strbuf *b, char c)
{
	sb_addn(b, &c, 1);
}

void
sb_adds(struct strbuf *b, const char *s)
{
	sb_addn(b, s, strlen(s));
}

void
sb_addf(struct strbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || sb_grow(b, (size_t)n) < 0)
		return;
	va_start(ap, fmt);
	vsnprintf(b->buf + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

const char *
sb_str(const struct strbuf *b)
{
	return (b->buf != NULL && !b->oom) ? b->buf : "";
}

char *
sb_detach(struct strbuf *b)
{
	char *s = b->buf;

	if (b->oom) {
		free(s);
		s = NULL;
	} else if (s == NULL) {
		s = strdup("");
	}
	b->buf = NULL;
	b->len = b->alloc = 0;
	b->oom = 0;
	return s;
}

void
sb_release(struct strbuf *b)
{
	free(b->buf);
	b->buf = NULL;
	b->len = b->alloc = 0;
	b->oom = 0;
}

int
fp_cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void
fp_strv_free(char **v, size_t n)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void *
fp_grow(void *v, size_t *cap, size_t need, size_t elem)
{
	size_t n = *cap ? *cap : 16;
	char *p;

	if (need <= *cap)
		return v;
	while (n < need) {
		if (n > ((size_t)-1) / 2)
			return NULL;
		n *= 2;
	}
	if (elem != 0 && n > ((size_t)-1) / elem)
		return NULL;
	if ((p = realloc(v, n * elem)) == NULL)
		return NULL;
	memset(p + *cap * elem, 0, (n - *cap) * elem);
	*cap = n;
	return p;
}
