#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emitter/names.h"
#include "policy/selector.h"
#include "common/banned.h"

static int
name_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* Append src to dst[*n..cap) mapped to [a-z0-9-], runs of '-' collapsed. */
static void
append_mapped(char *dst, size_t cap, size_t *n, const char *src)
{
	const unsigned char *s = (const unsigned char *)src;
	int c;

	for (; *s != '\0' && *n + 1 < cap; s++) {
		c = *s;
		if (c >= 'A' && c <= 'Z')
			c += 'a' - 'A';
		if (!name_char(c))
			c = '-';
		if (c == '-' && *n > 0 && dst[*n - 1] == '-')
			continue;
		dst[(*n)++] = (char)c;
	}
	dst[*n] = '\0';
}

static void
trim_dashes(char *s)
{
	size_t n = strlen(s), i = 0;

	while (n > 0 && s[n - 1] == '-')
		s[--n] = '\0';
	while (s[i] == '-')
		i++;
	if (i > 0)
		memmove(s, s + i, n - i + 1);
}

char *
emit_name_with_hash(const char *name, const char *key)
{
	char buf[EMIT_NAME_MAX + 1];
	size_t keep = strlen(name);

	/* room for "-" and 8 hex digits */
	if (keep > EMIT_NAME_MAX - 9)
		keep = EMIT_NAME_MAX - 9;
	memcpy(buf, name, keep);
	buf[keep] = '\0';
	trim_dashes(buf);
	keep = strlen(buf);
	snprintf(buf + keep, sizeof(buf) - keep, "-%08x",
	    (unsigned)(fp_fnv1a64(key, strlen(key)) >> 32));
	return strdup(buf);
}

char *
emit_policy_name(const char *a, const char *b)
{
	/* Big enough to notice overlong names; the rest is cut anyway. */
	char buf[2 * EMIT_NAME_MAX + 16];
	char key[2 * EMIT_NAME_MAX + 16];
	size_t n = 0;

	memcpy(buf, "flowpol-", 9);
	n = 8;
	append_mapped(buf, sizeof(buf), &n, a);
	if (b != NULL) {
		if (n + 1 < sizeof(buf))
			buf[n++] = '-';
		append_mapped(buf, sizeof(buf), &n, b);
	}
	/* collapse a '-' run at the join */
	trim_dashes(buf);
	{
		char *p, *q;

		for (p = q = buf; *p != '\0'; p++)
			if (!(*p == '-' && q > buf && q[-1] == '-'))
				*q++ = *p;
		*q = '\0';
	}
	if (strlen(buf) <= EMIT_NAME_MAX)
		return strdup(buf);
	snprintf(key, sizeof(key), "%s/%s", a, b != NULL ? b : "");
	return emit_name_with_hash(buf, key);
}

/* --- selector syntax check ----------------------------------------------- */

int
emit_selector_check(const char *s, size_t *errpos)
{
	struct sel *p = NULL;

	/* The engine's parser: one grammar for what we write and read. */
	if (sel_parse(s, &p, errpos) < 0)
		return -1;
	sel_free(p);
	return 0;
}
