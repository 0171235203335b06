#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emitter/names.h"
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

/* --- selector syntax check (doc/selector-grammar.md) ------------------ */

struct sc {
	const char *s;
	size_t i;
	int depth;
};

static int
sc_id(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '/' || c == '-';
}

static void
sc_ws(struct sc *p)
{
	while (p->s[p->i] == ' ' || p->s[p->i] == '\t')
		p->i++;
}

static int
sc_label(struct sc *p)
{
	size_t st = p->i;

	while (sc_id((unsigned char)p->s[p->i]))
		p->i++;
	return p->i > st && p->i - st <= 512 ? 0 : -1;
}

static int
sc_string(struct sc *p)
{
	char q = p->s[p->i];
	const char *e;

	if (q != '"' && q != '\'')
		return -1;
	if ((e = strchr(p->s + p->i + 1, q)) == NULL)
		return -1;
	p->i = (size_t)(e - p->s) + 1;
	return 0;
}

/* A word operator must end at a word boundary. */
static int
sc_word(struct sc *p, const char *w)
{
	size_t n = strlen(w);

	if (strncmp(p->s + p->i, w, n) != 0 || sc_id((unsigned char)p->s[p->i + n]))
		return 0;
	p->i += n;
	return 1;
}

/* "a" ws* "b" or "ab", e.g. "starts with" / "startswith". */
static int
sc_word2(struct sc *p, const char *a, const char *b)
{
	size_t save = p->i, n = strlen(a);

	if (strncmp(p->s + p->i, a, n) != 0)
		return 0;
	p->i += n;
	sc_ws(p);
	if (sc_word(p, b))
		return 1;
	p->i = save;
	return 0;
}

static int
sc_func(struct sc *p, const char *f, int arg)
{
	size_t n = strlen(f);

	if (strncmp(p->s + p->i, f, n) != 0)
		return 0;
	p->i += n;
	sc_ws(p);
	if (arg) {
		if (sc_label(p) < 0)
			return -1;
		sc_ws(p);
	}
	if (p->s[p->i] != ')')
		return -1;
	p->i++;
	return 1;
}

static int sc_or(struct sc *p);

static int
sc_primary(struct sc *p)
{
	int r;

	while (p->s[p->i] == '!' && p->s[p->i + 1] != '=') {
		p->i++;
		sc_ws(p);
	}
	if (p->s[p->i] == '(') {
		if (++p->depth > 100)
			return -1;
		p->i++;
		sc_ws(p);
		if (sc_or(p) < 0)
			return -1;
		sc_ws(p);
		if (p->s[p->i] != ')')
			return -1;
		p->i++;
		p->depth--;
		return 0;
	}
	if ((r = sc_func(p, "has(", 1)) != 0 || (r = sc_func(p, "all(", 0)) != 0 ||
	    (r = sc_func(p, "global(", 0)) != 0)
		return r < 0 ? -1 : 0;
	if (sc_label(p) < 0)
		return -1;
	sc_ws(p);
	if (strncmp(p->s + p->i, "==", 2) == 0 || strncmp(p->s + p->i, "!=", 2) == 0) {
		p->i += 2;
	} else if (sc_word(p, "contains") || sc_word2(p, "starts", "with") ||
	    sc_word2(p, "ends", "with")) {
		;
	} else if (sc_word(p, "in") || sc_word2(p, "not", "in")) {
		sc_ws(p);
		if (p->s[p->i++] != '{')
			return -1;
		sc_ws(p);
		while (p->s[p->i] != '}') {
			if (sc_string(p) < 0)
				return -1;
			sc_ws(p);
			if (p->s[p->i] == ',') {
				p->i++;
				sc_ws(p);
			} else if (p->s[p->i] != '}') {
				return -1;
			}
		}
		p->i++;
		return 0;
	} else {
		return -1;
	}
	sc_ws(p);
	return sc_string(p);
}

/* operand (op operand)*: "&&" binds operands, "||" binds "&&" chains. */
static int
sc_chain(struct sc *p, const char *op, int (*operand)(struct sc *))
{
	if (operand(p) < 0)
		return -1;
	for (;;) {
		size_t save = p->i;

		sc_ws(p);
		if (strncmp(p->s + p->i, op, 2) != 0) {
			p->i = save;
			return 0;
		}
		p->i += 2;
		sc_ws(p);
		if (operand(p) < 0)
			return -1;
	}
}

static int
sc_and(struct sc *p)
{
	return sc_chain(p, "&&", sc_primary);
}

static int
sc_or(struct sc *p)
{
	return sc_chain(p, "||", sc_and);
}

int
emit_selector_check(const char *s, size_t *errpos)
{
	struct sc p = { s, 0, 0 };

	sc_ws(&p);
	if (s[p.i] != '\0') {
		if (sc_or(&p) < 0)
			goto bad;
		sc_ws(&p);
		if (s[p.i] != '\0')
			goto bad;
	}
	return 0;
bad:
	if (errpos != NULL)
		*errpos = p.i;
	return -1;
}
