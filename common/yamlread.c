#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "common/err.h"
#include "common/yamlread.h"
#include "common/banned.h"

/* One key of an open mapping, for the duplicate check at its end. */
struct yr_key {
	size_t off;		/* into the frame's text */
	size_t len;
	size_t line;		/* 1-based, base added */
	size_t ord;		/* position in the mapping */
	const char *s;		/* set when the mapping ends */
};

/* An open mapping or sequence. */
struct yr_frame {
	int is_map;
	int want_key;		/* mapping: the next node is a key */
	size_t count;		/* keys or items seen */
	/* mapping: every key so far, NUL-terminated, back to back */
	char *text;
	size_t ntext, atext;
	struct yr_key *keys;
	size_t akeys;
	/* what yr_load built for it */
	int node;
	int pending;		/* yr_load: the key waiting for its value */
};

struct yr {
	yaml_parser_t parser;
	int parser_ok;
	struct yr_limits lim;
	size_t line_base, offset_base;
	struct yr_frame *frames;	/* lim.depth + 1 of them, reused */
	size_t depth;
	size_t nodes;			/* counted since the document began */
	size_t start;			/* index where the count began */
	size_t last;			/* end index of the last event */
	int spent;			/* an error or the end of the stream */
	struct yr_error err;
};

static int
yr_fail(struct yr *r, enum yr_errkind kind, const yaml_mark_t *at,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Record the error at mark `at` (base already added). Returns -1. */
static int
yr_fail(struct yr *r, enum yr_errkind kind, const yaml_mark_t *at,
    const char *fmt, ...)
{
	va_list ap;

	r->err.kind = kind;
	r->err.line = at ? at->line + 1 : 0;
	r->err.offset = at ? at->index : 0;
	va_start(ap, fmt);
	vsnprintf(r->err.msg, sizeof(r->err.msg), fmt, ap);
	va_end(ap);
	r->spent = 1;
	return -1;
}

int
yr_new(struct yr **out, const char *buf, size_t len,
    const struct yr_limits *lim, int flags)
{
	static const struct yr_limits def = YR_LIMITS_INIT;
	struct yr *r;

	*out = NULL;
	if (lim == NULL)
		lim = &def;
	if (lim->depth == 0 || lim->depth > YR_DEPTH_CAP)
		return fp_error("yaml: depth limit %zu is out of range (1 to %d)",
		    lim->depth, YR_DEPTH_CAP);
	if ((r = calloc(1, sizeof(*r))) == NULL ||
	    (r->frames = calloc(lim->depth + 1, sizeof(*r->frames))) == NULL) {
		free(r);
		return fp_error("yaml: out of memory");
	}
	r->lim = *lim;
	if (!yaml_parser_initialize(&r->parser)) {
		yr_free(r);
		return fp_error("yaml: cannot initialise the parser");
	}
	r->parser_ok = 1;
	yaml_parser_set_input_string(&r->parser, (const unsigned char *)buf,
	    len);
	if (flags & YR_UTF8)
		yaml_parser_set_encoding(&r->parser, YAML_UTF8_ENCODING);
	*out = r;
	return 0;
}

void
yr_free(struct yr *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i <= r->lim.depth; i++) {
		free(r->frames[i].text);
		free(r->frames[i].keys);
	}
	free(r->frames);
	if (r->parser_ok)
		yaml_parser_delete(&r->parser);
	free(r);
}

void
yr_set_base(struct yr *r, size_t line, size_t offset)
{
	r->line_base = line;
	r->offset_base = offset;
}

const struct yr_error *
yr_error(const struct yr *r)
{
	return &r->err;
}

void
yr_restart_count(struct yr *r)
{
	r->nodes = 0;
	r->start = r->last;
}

/*
 * The place of frame `upto` inside the document, as the policy reader names
 * fields: "spec.ingress[0].source". Empty at the top.
 */
static void
yr_path(const struct yr *r, size_t upto, char *buf, size_t len)
{
	size_t i, n = 0;
	int w;

	buf[0] = '\0';
	for (i = 0; i < upto && n < len; i++) {
		const struct yr_frame *f = &r->frames[i];

		if (f->is_map && f->count > 0)
			w = snprintf(buf + n, len - n, "%s%s", n ? "." : "",
			    fp_clamp(f->text + f->keys[f->count - 1].off, 64));
		else if (!f->is_map && f->count > 0)
			w = snprintf(buf + n, len - n, "[%zu]", f->count - 1);
		else
			w = 0;
		if (w < 0 || (size_t)w >= len - n) {
			/* Too deep to show whole: keep the start, mark the cut. */
			if (len > 4)
				memcpy(buf + len - 4, "...", 4);
			return;
		}
		n += (size_t)w;
	}
}

static void
shift_mark(const struct yr *r, yaml_mark_t *m)
{
	m->line += r->line_base;
	m->index += r->offset_base;
}

/* libyaml's own error, in our form. */
static int
parser_fail(struct yr *r)
{
	yaml_parser_t *p = &r->parser;
	yaml_mark_t at;

	switch (p->error) {
	case YAML_MEMORY_ERROR:
		return yr_fail(r, YR_NOMEM, NULL, "out of memory");
	case YAML_READER_ERROR:
		at = p->mark;
		shift_mark(r, &at);
		at.index = r->offset_base + p->problem_offset;
		return yr_fail(r, YR_ENCODING, &at, "%s",
		    p->problem ? p->problem : "bad encoding");
	default:
		at = p->problem_mark;
		shift_mark(r, &at);
		return yr_fail(r, YR_SYNTAX, &at, "%s%s%s",
		    p->problem ? p->problem : "syntax error",
		    p->context ? " " : "", p->context ? p->context : "");
	}
}

/* Keep a copy of a key of frame f (the keys limit is checked already). */
static int
key_add(struct yr *r, struct yr_frame *f, const yaml_event_t *ev)
{
	size_t len = ev->data.scalar.length, need;
	struct yr_key *k;

	if (f->count == f->akeys) {
		size_t na = f->akeys ? f->akeys * 2 : 16;

		if ((k = realloc(f->keys, na * sizeof(*k))) == NULL)
			return yr_fail(r, YR_NOMEM, NULL, "out of memory");
		f->keys = k;
		f->akeys = na;
	}
	need = f->ntext + len + 1;
	if (need < len)
		return yr_fail(r, YR_NOMEM, NULL, "out of memory");
	if (need > f->atext) {
		size_t na = f->atext ? f->atext : 256;
		char *t;

		while (na < need)
			na *= 2;
		if ((t = realloc(f->text, na)) == NULL)
			return yr_fail(r, YR_NOMEM, NULL, "out of memory");
		f->text = t;
		f->atext = na;
	}
	k = &f->keys[f->count];
	k->off = f->ntext;
	k->len = len;
	k->line = ev->start_mark.line + 1;
	k->ord = f->count;
	memcpy(f->text + f->ntext, ev->data.scalar.value, len);
	f->text[f->ntext + len] = '\0';
	f->ntext = need;
	return 0;
}

static int
cmp_key(const void *a, const void *b)
{
	const struct yr_key *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->s, y->s, n);

	if (c != 0)
		return c;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return x->ord < y->ord ? -1 : x->ord > y->ord;
}

/*
 * The mapping of frame f (at depth index d) has ended: refuse the first
 * key, in document order, that repeats an earlier one.
 */
static int
keys_check(struct yr *r, size_t d)
{
	struct yr_frame *f = &r->frames[d];
	const struct yr_key *dup = NULL, *first = NULL;
	char path[256];
	yaml_mark_t at;
	size_t i, j;

	if (f->count < 2)
		return 0;
	for (i = 0; i < f->count; i++)
		f->keys[i].s = f->text + f->keys[i].off;
	qsort(f->keys, f->count, sizeof(*f->keys), cmp_key);
	/* A run of equal keys is in document order: its second is a repeat. */
	for (i = 0; i < f->count; i = j) {
		const struct yr_key *a = &f->keys[i];

		for (j = i + 1; j < f->count && f->keys[j].len == a->len &&
		    memcmp(f->keys[j].s, a->s, a->len) == 0; j++)
			;
		if (j - i > 1 && (dup == NULL || f->keys[i + 1].ord < dup->ord)) {
			first = a;
			dup = &f->keys[i + 1];
		}
	}
	if (dup == NULL)
		return 0;
	memset(&at, 0, sizeof(at));
	at.line = dup->line - 1;
	yr_path(r, d, path, sizeof(path));
	return yr_fail(r, YR_DUPKEY, &at, "%s%sduplicate key '%s' (first at "
	    "line %zu)", path, *path ? ": " : "", fp_clamp(dup->s, 64),
	    first->line);
}

/* Checks for a node (scalar, mapping or sequence start) of the document. */
static int
node_event(struct yr *r, const yaml_event_t *ev)
{
	struct yr_frame *up = r->depth ? &r->frames[r->depth - 1] : NULL;
	char path[256];

	if (up != NULL && up->is_map && up->want_key) {
		if (ev->type != YAML_SCALAR_EVENT)
			return yr_fail(r, YR_BADKEY, &ev->start_mark,
			    "mapping keys must be strings");
		if (up->count >= r->lim.keys) {
			yr_path(r, r->depth - 1, path, sizeof(path));
			return yr_fail(r, YR_LIMIT, &ev->start_mark,
			    "%s%smapping has more than %zu keys (the "
			    "keys-per-mapping limit)", path, *path ? ": " : "",
			    r->lim.keys);
		}
		if (key_add(r, up, ev) < 0)
			return -1;
		up->count++;
		up->want_key = 0;
	} else if (up != NULL && up->is_map) {
		up->want_key = 1;
	} else if (up != NULL) {
		up->count++;
	}
	if (++r->nodes > r->lim.nodes)
		return yr_fail(r, YR_LIMIT, &ev->start_mark, "document has more "
		    "than %zu nodes (the node limit)", r->lim.nodes);
	if (ev->type == YAML_SCALAR_EVENT)
		return 0;
	if (r->depth >= r->lim.depth)
		return yr_fail(r, YR_LIMIT, &ev->start_mark, "nested deeper "
		    "than %zu levels (the depth limit)", r->lim.depth);
	up = &r->frames[r->depth++];
	up->is_map = ev->type == YAML_MAPPING_START_EVENT;
	up->want_key = up->is_map;
	up->count = 0;
	up->ntext = 0;
	up->node = up->pending = 0;
	return 0;
}

int
yr_event(struct yr *r, yaml_event_t *ev)
{
	memset(ev, 0, sizeof(*ev));
	if (r->spent) {
		if (r->err.kind == YR_OK)
			return yr_fail(r, YR_SYNTAX, NULL, "read past the end "
			    "of the stream");
		return -1;
	}
	if (!yaml_parser_parse(&r->parser, ev))
		return parser_fail(r);
	shift_mark(r, &ev->start_mark);
	shift_mark(r, &ev->end_mark);
	r->last = ev->end_mark.index;
	switch (ev->type) {
	case YAML_STREAM_END_EVENT:
		r->spent = 1;
		return 0;
	case YAML_DOCUMENT_START_EVENT:
		r->depth = 0;
		r->nodes = 0;
		r->start = ev->start_mark.index;
		return 0;
	case YAML_ALIAS_EVENT:
		yr_fail(r, YR_ALIAS, &ev->start_mark, "YAML aliases are not "
		    "supported");
		goto fail;
	case YAML_SCALAR_EVENT:
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT:
		if (node_event(r, ev) < 0)
			goto fail;
		break;
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		if (r->depth == 0) {
			yr_fail(r, YR_SYNTAX, &ev->start_mark, "unbalanced end "
			    "of a collection");
			goto fail;
		}
		if (r->frames[r->depth - 1].is_map &&
		    keys_check(r, r->depth - 1) < 0)
			goto fail;
		r->depth--;
		break;
	default:
		return 0;
	}
	if (ev->end_mark.index - r->start > r->lim.bytes) {
		yr_fail(r, YR_LIMIT, &ev->start_mark, "document larger than %zu "
		    "bytes (the document size limit)", r->lim.bytes);
		goto fail;
	}
	return 0;
fail:
	yaml_event_delete(ev);
	return -1;
}

/* --- documents ----------------------------------------------------------- */

static int
load_nomem(struct yr *r)
{
	return yr_fail(r, YR_NOMEM, NULL, "out of memory");
}

/* Add the node of a checked event to doc and hang it under its parent. */
/*
 * yaml_document_add_scalar, but taking the event's value instead of a copy
 * and leaving the node untagged (no one reads tags): one allocation per
 * scalar instead of three. The node stack grows as libyaml's does, with
 * the allocator yaml_document_delete frees with.
 */
static int
add_scalar(yaml_document_t *doc, yaml_event_t *ev)
{
	yaml_node_t *n;

	if (doc->nodes.top == doc->nodes.end) {
		size_t have = (size_t)(doc->nodes.end - doc->nodes.start);
		size_t want = have ? have * 2 : 16;
		yaml_node_t *s;

		if (want > INT_MAX / 2 ||
		    (s = realloc(doc->nodes.start, want * sizeof(*s))) == NULL)
			return 0;
		doc->nodes.top = s + (doc->nodes.top - doc->nodes.start);
		doc->nodes.start = s;
		doc->nodes.end = s + want;
	}
	n = doc->nodes.top;
	memset(n, 0, sizeof(*n));
	n->type = YAML_SCALAR_NODE;
	n->tag = NULL;
	n->data.scalar.value = ev->data.scalar.value;
	n->data.scalar.length = ev->data.scalar.length;
	n->data.scalar.style = ev->data.scalar.style;
	ev->data.scalar.value = NULL;	/* the node's now */
	doc->nodes.top++;
	return (int)(doc->nodes.top - doc->nodes.start);
}

static int
load_node(struct yr *r, yaml_document_t *doc, yaml_event_t *ev)
{
	/* yr_event has pushed the frame of a collection already. */
	int coll = ev->type != YAML_SCALAR_EVENT;
	struct yr_frame *up, *self = coll ? &r->frames[r->depth - 1] : NULL;
	yaml_node_t *n;
	int id;

	up = r->depth > (size_t)coll ? &r->frames[r->depth - 1 - coll] : NULL;
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		if (ev->data.scalar.length > INT_MAX)
			return yr_fail(r, YR_LIMIT, &ev->start_mark, "scalar "
			    "longer than %d bytes", INT_MAX);
		id = add_scalar(doc, ev);
		break;
	case YAML_SEQUENCE_START_EVENT:
		id = yaml_document_add_sequence(doc, NULL,
		    ev->data.sequence_start.style);
		break;
	default:
		id = yaml_document_add_mapping(doc, NULL,
		    ev->data.mapping_start.style);
		break;
	}
	if (id == 0)
		return load_nomem(r);
	n = yaml_document_get_node(doc, id);
	n->start_mark = ev->start_mark;
	n->end_mark = ev->end_mark;
	if (self != NULL)
		self->node = id;
	if (up == NULL)
		return 0;	/* the root: node 1 */
	if (!up->is_map)
		return yaml_document_append_sequence_item(doc, up->node, id) ?
		    0 : load_nomem(r);
	if (up->pending == 0) {
		up->pending = id;	/* a key: yr_event made sure of a scalar */
		return 0;
	}
	if (!yaml_document_append_mapping_pair(doc, up->node, up->pending, id))
		return load_nomem(r);
	up->pending = 0;
	return 0;
}

int
yr_load(struct yr *r, yaml_document_t *doc)
{
	yaml_event_t ev;
	int have = 0, ret = -1;

	for (;;) {
		if (yr_event(r, &ev) < 0)
			goto out;
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			ret = 0;
			goto done;
		case YAML_DOCUMENT_START_EVENT:
			if (!yaml_document_initialize(doc, NULL, NULL, NULL,
			    ev.data.document_start.implicit, 1)) {
				load_nomem(r);
				goto done;
			}
			have = 1;
			break;
		case YAML_DOCUMENT_END_EVENT:
			doc->end_implicit = ev.data.document_end.implicit;
			yaml_event_delete(&ev);
			return 1;
		case YAML_SCALAR_EVENT:
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			if (load_node(r, doc, &ev) < 0)
				goto done;
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			/* yr_event has popped the frame: it sits just above. */
			yaml_document_get_node(doc,
			    r->frames[r->depth].node)->end_mark = ev.end_mark;
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
	}
done:
	yaml_event_delete(&ev);
out:
	if (have)
		yaml_document_delete(doc);
	return ret;
}
