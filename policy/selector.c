#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/strbuf.h"
#include "policy/selector.h"
#include "common/banned.h"

/*
 * Parser and evaluator for Calico selectors. The tokenizer mirrors
 * libcalico-go/lib/selector/tokenizer: it works on bytes and keeps one bit
 * of state, whether the previous token was a label, which decides between
 * word operators (only after a label) and functions or labels (elsewhere).
 * The parser is recursive descent over || (lowest), && and prefix '!'.
 */

enum sel_kind {
	S_ALL, S_GLOBAL, S_HAS, S_EQ, S_NE, S_CONTAINS, S_STARTS, S_ENDS,
	S_IN, S_NOTIN, S_NOT, S_AND, S_OR
};

struct sel {
	enum sel_kind kind;
	char *label;		/* S_HAS and the comparisons */
	char *value;		/* S_EQ .. S_ENDS */
	char **set;		/* S_IN, S_NOTIN: sorted, unique */
	size_t nset;
	struct sel **kids;	/* S_NOT (one), S_AND, S_OR (two or more) */
	size_t nkids;
};

/* Nesting cap: Calico has none, but our recursion needs one. */
#define SEL_MAX_DEPTH 256

enum tok_kind {
	T_EOF, T_LPAREN, T_RPAREN, T_LBRACE, T_RBRACE, T_COMMA, T_EQ, T_NE,
	T_NOT, T_AND, T_OR, T_IN, T_NOTIN, T_CONTAINS, T_STARTS, T_ENDS,
	T_HAS, T_ALL, T_GLOBAL, T_LABEL, T_STRING
};

struct tok {
	enum tok_kind kind;
	size_t pos;		/* byte offset of the token */
	const char *text;	/* label (T_LABEL, T_HAS) or string body */
	size_t len;
};

struct parser {
	const char *s;
	size_t pos;		/* next byte to scan */
	struct tok t;		/* current token */
	int prev_label;		/* previous token was a label */
	size_t errpos;
	int depth;
};

static int
is_idchar(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '/' ||
	    c == '-';
}

static int
is_ws(unsigned char c)
{
	return c == ' ' || c == '\t';
}

static int
perr(struct parser *p, size_t pos, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
perr(struct parser *p, size_t pos, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	p->errpos = pos;
	return fp_error("position %zu: %s", pos, msg);
}

/* Describe the byte at pos for a message. */
static const char *
byte_desc(const char *s, size_t pos, char *buf, size_t len)
{
	unsigned char c = (unsigned char)s[pos];

	if (c == '\0')
		snprintf(buf, len, "end of selector");
	else if (c >= 0x21 && c < 0x7f)
		snprintf(buf, len, "'%c'", c);
	else
		snprintf(buf, len, "byte 0x%02x", c);
	return buf;
}

/* Length of an identifier starting at pos (0 if none). */
static size_t
ident_len(const char *s, size_t pos)
{
	size_t n = 0;

	while (is_idchar((unsigned char)s[pos + n]))
		n++;
	return n;
}

/* Match word w at *pos followed by a word boundary; advance on success. */
static int
match_word(const char *s, size_t *pos, const char *w)
{
	size_t n = strlen(w);

	if (strncmp(s + *pos, w, n) != 0)
		return 0;
	*pos += n;
	return 1;
}

static void
skip_ws(const char *s, size_t *pos)
{
	while (is_ws((unsigned char)s[*pos]))
		(*pos)++;
}

/* Word operators, recognised only right after a label. */
static int
lex_word_op(struct parser *p, size_t start)
{
	const char *s = p->s;
	size_t q = start;
	enum tok_kind k;

	if (match_word(s, &q, "contains")) {
		k = T_CONTAINS;
	} else if (match_word(s, &q, "starts")) {
		skip_ws(s, &q);
		if (!match_word(s, &q, "with"))
			return 0;
		k = T_STARTS;
	} else if (match_word(s, &q, "ends")) {
		skip_ws(s, &q);
		if (!match_word(s, &q, "with"))
			return 0;
		k = T_ENDS;
	} else if (match_word(s, &q, "not")) {
		skip_ws(s, &q);
		if (!match_word(s, &q, "in"))
			return 0;
		k = T_NOTIN;
	} else if (match_word(s, &q, "in")) {
		k = T_IN;
	} else {
		return 0;
	}
	if (is_idchar((unsigned char)s[q]))
		return 0;	/* no word boundary: "inf", "withs" */
	p->t.kind = k;
	p->pos = q;
	return 1;
}

/* "name(" ws [label ws] ")" as one token; name already matched. */
static int
lex_func(struct parser *p, size_t start, size_t q, enum tok_kind k,
    const char *word)
{
	const char *s = p->s;

	skip_ws(s, &q);
	if (k == T_HAS) {
		size_t n = ident_len(s, q);

		if (n == 0)
			return perr(p, q, "has() needs a label name");
		if (n > SEL_MAX_LABEL)
			return perr(p, q, "label longer than %d bytes",
			    SEL_MAX_LABEL);
		p->t.text = s + q;
		p->t.len = n;
		q += n;
		skip_ws(s, &q);
	}
	if (s[q] != ')')
		return perr(p, start, "unterminated %s", word);
	p->t.kind = k;
	p->pos = q + 1;
	return 0;
}

static int
lex(struct parser *p)
{
	static const struct {
		const char *word;
		enum tok_kind k;
	} funcs[3] = {
		{ "has(", T_HAS }, { "all(", T_ALL }, { "global(", T_GLOBAL }
	};
	const char *s = p->s;
	size_t q, start, i;
	char c, d[32];

	skip_ws(s, &p->pos);
	start = p->pos;
	p->t.pos = start;
	p->t.text = NULL;
	p->t.len = 0;
	c = s[start];
	q = start + 1;
	switch (c) {
	case '\0':
		p->t.kind = T_EOF;
		goto done;
	case '(':
		p->t.kind = T_LPAREN;
		break;
	case ')':
		p->t.kind = T_RPAREN;
		break;
	case '{':
		p->t.kind = T_LBRACE;
		break;
	case '}':
		p->t.kind = T_RBRACE;
		break;
	case ',':
		p->t.kind = T_COMMA;
		break;
	case '"':
	case '\'': {
		const char *end = strchr(s + q, c);

		if (end == NULL)
			return perr(p, start, "unterminated string");
		p->t.kind = T_STRING;
		p->t.text = s + q;
		p->t.len = (size_t)(end - (s + q));
		q = (size_t)(end - s) + 1;
		break;
	}
	case '=':
		if (s[q] != '=')
			return perr(p, start, "lone '=' (use '==')");
		p->t.kind = T_EQ;
		q++;
		break;
	case '!':
		if (s[q] == '=') {
			p->t.kind = T_NE;
			q++;
		} else {
			p->t.kind = T_NOT;
		}
		break;
	case '&':
		if (s[q] != '&')
			return perr(p, start, "lone '&' (use '&&')");
		p->t.kind = T_AND;
		q++;
		break;
	case '|':
		if (s[q] != '|')
			return perr(p, start, "lone '|' (use '||')");
		p->t.kind = T_OR;
		q++;
		break;
	default:
		if (p->prev_label && lex_word_op(p, start))
			goto done;
		for (i = 0; !p->prev_label && i < 3; i++) {
			q = start;
			if (match_word(s, &q, funcs[i].word))
				return lex_func(p, start, q, funcs[i].k,
				    funcs[i].word) < 0 ? -1 : (p->prev_label = 0, 0);
		}
		{
			size_t n = ident_len(s, start);

			if (n == 0)
				return perr(p, start, "unexpected %s",
				    byte_desc(s, start, d, sizeof(d)));
			if (n > SEL_MAX_LABEL)
				return perr(p, start,
				    "label longer than %d bytes",
				    SEL_MAX_LABEL);
			p->t.kind = T_LABEL;
			p->t.text = s + start;
			p->t.len = n;
			q = start + n;
		}
		break;
	}
	p->pos = q;
done:
	p->prev_label = p->t.kind == T_LABEL;
	return 0;
}

static struct sel *
node_new(enum sel_kind k)
{
	struct sel *n = calloc(1, sizeof(*n));

	if (n != NULL)
		n->kind = k;
	return n;
}

void
sel_free(struct sel *s)
{
	size_t i;

	if (s == NULL)
		return;
	free(s->label);
	free(s->value);
	for (i = 0; i < s->nset; i++)
		free(s->set[i]);
	free(s->set);
	for (i = 0; i < s->nkids; i++)
		sel_free(s->kids[i]);
	free(s->kids);
	free(s);
}

static int
oom(struct parser *p)
{
	return perr(p, p->t.pos, "out of memory");
}

static int
add_kid(struct sel *n, struct sel *k)
{
	struct sel **nk = realloc(n->kids, (n->nkids + 1) * sizeof(*nk));

	if (nk == NULL)
		return -1;
	n->kids = nk;
	n->kids[n->nkids++] = k;
	return 0;
}

static int parse_or(struct parser *p, struct sel **out);

static const char *
tok_desc(const struct parser *p, char *buf, size_t len)
{
	static const char *const names[] = {
		[T_EOF] = "end of selector", [T_LPAREN] = "'('",
		[T_RPAREN] = "')'", [T_LBRACE] = "'{'", [T_RBRACE] = "'}'",
		[T_COMMA] = "','", [T_EQ] = "'=='", [T_NE] = "'!='",
		[T_NOT] = "'!'", [T_AND] = "'&&'", [T_OR] = "'||'",
		[T_IN] = "'in'", [T_NOTIN] = "'not in'",
		[T_CONTAINS] = "'contains'", [T_STARTS] = "'starts with'",
		[T_ENDS] = "'ends with'", [T_HAS] = "has()",
		[T_ALL] = "all()", [T_GLOBAL] = "global()",
		[T_LABEL] = "label", [T_STRING] = "string",
	};

	if (p->t.kind == T_LABEL) {
		snprintf(buf, len, "label '%.*s'",
		    (int)(p->t.len < 40 ? p->t.len : 40), p->t.text);
		return buf;
	}
	return names[p->t.kind];
}

static int
parse_set(struct parser *p, struct sel *n)
{
	char d[80];

	if (p->t.kind != T_LBRACE)
		return perr(p, p->t.pos, "expected '{' after 'in', got %s",
		    tok_desc(p, d, sizeof(d)));
	if (lex(p) < 0)
		return -1;
	for (;;) {
		char **ns;

		if (p->t.kind == T_RBRACE)
			break;
		if (p->t.kind != T_STRING)
			return perr(p, p->t.pos, "expected a string in set, "
			    "got %s", tok_desc(p, d, sizeof(d)));
		if ((ns = realloc(n->set, (n->nset + 1) * sizeof(*ns))) == NULL)
			return oom(p);
		n->set = ns;
		if ((n->set[n->nset] = strndup(p->t.text, p->t.len)) == NULL)
			return oom(p);
		n->nset++;
		if (lex(p) < 0)
			return -1;
		if (p->t.kind == T_COMMA) {
			if (lex(p) < 0)
				return -1;
			continue;
		}
		if (p->t.kind != T_RBRACE)
			return perr(p, p->t.pos, "expected ',' or '}' in set, "
			    "got %s", tok_desc(p, d, sizeof(d)));
	}
	if (n->nset > 1) {
		size_t i, j = 1;

		qsort(n->set, n->nset, sizeof(n->set[0]), fp_cmp_str);
		for (i = 1; i < n->nset; i++) {
			if (strcmp(n->set[i], n->set[j - 1]) == 0)
				free(n->set[i]);
			else
				n->set[j++] = n->set[i];
		}
		n->nset = j;
	}
	return lex(p);
}

static int
parse_primary(struct parser *p, struct sel **out)
{
	struct sel *n = NULL;
	char d[80];
	int ret = -1;

	switch (p->t.kind) {
	case T_LPAREN:
		if (++p->depth > SEL_MAX_DEPTH)
			return perr(p, p->t.pos, "nested more than %d deep",
			    SEL_MAX_DEPTH);
		if (lex(p) < 0 || parse_or(p, &n) < 0)
			goto out;
		if (p->t.kind != T_RPAREN) {
			perr(p, p->t.pos, "expected ')', got %s",
			    tok_desc(p, d, sizeof(d)));
			goto out;
		}
		p->depth--;
		if (lex(p) < 0)
			goto out;
		break;
	case T_HAS:
		if ((n = node_new(S_HAS)) == NULL ||
		    (n->label = strndup(p->t.text, p->t.len)) == NULL) {
			oom(p);
			goto out;
		}
		if (lex(p) < 0)
			goto out;
		break;
	case T_ALL:
	case T_GLOBAL:
		if ((n = node_new(p->t.kind == T_ALL ? S_ALL : S_GLOBAL)) == NULL) {
			oom(p);
			goto out;
		}
		if (lex(p) < 0)
			goto out;
		break;
	case T_LABEL: {
		enum sel_kind k;

		if ((n = node_new(S_EQ)) == NULL ||
		    (n->label = strndup(p->t.text, p->t.len)) == NULL) {
			oom(p);
			goto out;
		}
		if (lex(p) < 0)
			goto out;
		switch (p->t.kind) {
		case T_EQ: k = S_EQ; break;
		case T_NE: k = S_NE; break;
		case T_CONTAINS: k = S_CONTAINS; break;
		case T_STARTS: k = S_STARTS; break;
		case T_ENDS: k = S_ENDS; break;
		case T_IN: k = S_IN; break;
		case T_NOTIN: k = S_NOTIN; break;
		default:
			perr(p, p->t.pos, "expected an operator after label "
			    "'%s', got %s", fp_clamp(n->label, 40),
			    tok_desc(p, d, sizeof(d)));
			goto out;
		}
		n->kind = k;
		if (lex(p) < 0)
			goto out;
		if (k == S_IN || k == S_NOTIN) {
			if (parse_set(p, n) < 0)
				goto out;
			break;
		}
		if (p->t.kind != T_STRING) {
			perr(p, p->t.pos, "expected a quoted string, got %s",
			    tok_desc(p, d, sizeof(d)));
			goto out;
		}
		if ((n->value = strndup(p->t.text, p->t.len)) == NULL) {
			oom(p);
			goto out;
		}
		if (lex(p) < 0)
			goto out;
		break;
	}
	default:
		perr(p, p->t.pos, "expected a label, has(), all(), global(), "
		    "'!' or '(', got %s", tok_desc(p, d, sizeof(d)));
		goto out;
	}
	*out = n;
	n = NULL;
	ret = 0;
out:
	sel_free(n);
	return ret;
}

static int
parse_unary(struct parser *p, struct sel **out)
{
	struct sel *n = NULL, *neg;
	int nots = 0;

	while (p->t.kind == T_NOT) {
		nots ^= 1;
		if (lex(p) < 0)
			return -1;
	}
	if (parse_primary(p, &n) < 0)
		return -1;
	if (nots) {
		if ((neg = node_new(S_NOT)) == NULL || add_kid(neg, n) < 0) {
			free(neg);
			sel_free(n);
			return oom(p);
		}
		n = neg;
	}
	*out = n;
	return 0;
}

/* One level of an n-ary operator: sub (op sub)*. */
static int
parse_nary(struct parser *p, struct sel **out, enum tok_kind op,
    enum sel_kind kind, int (*sub)(struct parser *, struct sel **))
{
	struct sel *first = NULL, *n = NULL, *k = NULL;

	if (sub(p, &first) < 0)
		return -1;
	if (p->t.kind != op) {
		*out = first;
		return 0;
	}
	if ((n = node_new(kind)) == NULL || add_kid(n, first) < 0) {
		free(n);
		sel_free(first);
		return oom(p);
	}
	while (p->t.kind == op) {
		if (lex(p) < 0 || sub(p, &k) < 0)
			goto fail;
		if (add_kid(n, k) < 0) {
			sel_free(k);
			oom(p);
			goto fail;
		}
	}
	*out = n;
	return 0;
fail:
	sel_free(n);
	return -1;
}

static int
parse_and(struct parser *p, struct sel **out)
{
	return parse_nary(p, out, T_AND, S_AND, parse_unary);
}

static int
parse_or(struct parser *p, struct sel **out)
{
	return parse_nary(p, out, T_OR, S_OR, parse_and);
}

int
sel_parse(const char *s, struct sel **out, size_t *errpos)
{
	struct parser p;
	struct sel *n = NULL;
	char d[80];

	memset(&p, 0, sizeof(p));
	p.s = s;
	if (strlen(s) > SEL_MAX_INPUT) {
		perr(&p, SEL_MAX_INPUT, "selector longer than %d bytes",
		    SEL_MAX_INPUT);
		goto fail;
	}
	if (lex(&p) < 0)
		goto fail;
	if (p.t.kind == T_EOF) {
		if ((n = node_new(S_ALL)) == NULL) {
			oom(&p);
			goto fail;
		}
		*out = n;
		return 0;
	}
	if (parse_or(&p, &n) < 0)
		goto fail;
	if (p.t.kind != T_EOF) {
		sel_free(n);
		perr(&p, p.t.pos, "unexpected content at end of selector: %s",
		    tok_desc(&p, d, sizeof(d)));
		goto fail;
	}
	*out = n;
	return 0;
fail:
	if (errpos != NULL)
		*errpos = p.errpos;
	return -1;
}

static int
ends_with(const char *v, const char *suffix)
{
	size_t a = strlen(v), b = strlen(suffix);

	return a >= b && memcmp(v + a - b, suffix, b) == 0;
}

static int
in_set(const struct sel *s, const char *v)
{
	if (s->nset == 0)
		return 0;	/* bsearch must not see a NULL array */
	return bsearch(&v, s->set, s->nset, sizeof(s->set[0]), fp_cmp_str) != NULL;
}

int
sel_match(const struct sel *s, const struct labels *l)
{
	const char *v;
	size_t i;

	switch (s->kind) {
	case S_ALL:
	case S_GLOBAL:
		return 1;
	case S_HAS:
		return labels_get(l, s->label) != NULL;
	case S_EQ:
		v = labels_get(l, s->label);
		return v != NULL && strcmp(v, s->value) == 0;
	case S_NE:
		v = labels_get(l, s->label);
		return v == NULL || strcmp(v, s->value) != 0;
	case S_CONTAINS:
		v = labels_get(l, s->label);
		return v != NULL && strstr(v, s->value) != NULL;
	case S_STARTS:
		v = labels_get(l, s->label);
		return v != NULL &&
		    strncmp(v, s->value, strlen(s->value)) == 0;
	case S_ENDS:
		v = labels_get(l, s->label);
		return v != NULL && ends_with(v, s->value);
	case S_IN:
		v = labels_get(l, s->label);
		return v != NULL && in_set(s, v);
	case S_NOTIN:
		v = labels_get(l, s->label);
		return v == NULL || !in_set(s, v);
	case S_NOT:
		return !sel_match(s->kids[0], l);
	case S_AND:
		for (i = 0; i < s->nkids; i++)
			if (!sel_match(s->kids[i], l))
				return 0;
		return 1;
	case S_OR:
		for (i = 0; i < s->nkids; i++)
			if (sel_match(s->kids[i], l))
				return 1;
		return 0;
	}
	return 0;
}

static void
fmt_str(struct strbuf *b, const char *v)
{
	char q = strchr(v, '"') ? '\'' : '"';

	sb_addc(b, q);
	sb_adds(b, v);
	sb_addc(b, q);
}

static void
fmt_node(struct strbuf *b, const struct sel *s)
{
	static const char *const ops[] = {
		[S_EQ] = " == ", [S_NE] = " != ", [S_CONTAINS] = " contains ",
		[S_STARTS] = " starts with ", [S_ENDS] = " ends with ",
		[S_IN] = " in ", [S_NOTIN] = " not in ",
	};
	size_t i;

	switch (s->kind) {
	case S_ALL:
		sb_adds(b, "all()");
		break;
	case S_GLOBAL:
		sb_adds(b, "global()");
		break;
	case S_HAS:
		sb_adds(b, "has(");
		sb_adds(b, s->label);
		sb_addc(b, ')');
		break;
	case S_EQ:
	case S_NE:
	case S_CONTAINS:
	case S_STARTS:
	case S_ENDS:
		sb_adds(b, s->label);
		sb_adds(b, ops[s->kind]);
		fmt_str(b, s->value);
		break;
	case S_IN:
	case S_NOTIN:
		sb_adds(b, s->label);
		sb_adds(b, ops[s->kind]);
		sb_addc(b, '{');
		for (i = 0; i < s->nset; i++) {
			if (i > 0)
				sb_adds(b, ", ");
			fmt_str(b, s->set[i]);
		}
		sb_addc(b, '}');
		break;
	case S_NOT:
		sb_addc(b, '!');
		fmt_node(b, s->kids[0]);
		break;
	case S_AND:
	case S_OR:
		sb_addc(b, '(');
		for (i = 0; i < s->nkids; i++) {
			if (i > 0)
				sb_adds(b, s->kind == S_AND ? " && " : " || ");
			fmt_node(b, s->kids[i]);
		}
		sb_addc(b, ')');
		break;
	}
}

char *
sel_format(const struct sel *s)
{
	struct strbuf b = STRBUF_INIT;

	fmt_node(&b, s);
	return sb_detach(&b);
}

int
sel_prefix(struct sel *s, const char *prefix)
{
	size_t i;

	if (s->label != NULL) {
		size_t a = strlen(prefix), c = strlen(s->label);
		char *n = malloc(a + c + 1);

		if (n == NULL)
			return fp_error("selector: out of memory");
		memcpy(n, prefix, a);
		memcpy(n + a, s->label, c + 1);
		free(s->label);
		s->label = n;
	}
	for (i = 0; i < s->nkids; i++)
		if (sel_prefix(s->kids[i], prefix) < 0)
			return -1;
	return 0;
}

size_t
sel_required_eqs(const struct sel *s, const char **keys, const char **values,
    size_t max)
{
	size_t i, n = 0;

	if (s == NULL)
		return 0;
	if (s->kind == S_EQ) {
		if (max > 0) {
			keys[0] = s->label;
			values[0] = s->value;
		}
		return 1;
	}
	if (s->kind != S_AND)
		return 0;
	for (i = 0; i < s->nkids; i++)
		n += sel_required_eqs(s->kids[i], keys + (n < max ? n : max),
		    values + (n < max ? n : max), n < max ? max - n : 0);
	return n;
}

int
sel_is_all(const struct sel *s)
{
	return s->kind == S_ALL;
}

int
sel_is_global(const struct sel *s)
{
	return s->kind == S_GLOBAL;
}
