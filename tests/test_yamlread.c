#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/yamlread.h"

/* Load every document of text; the error (or "") and the count of docs. */
static int
load_all(const char *text, size_t len, const struct yr_limits *lim,
    int flags, const struct yr_error **err, struct yr **keep)
{
	yaml_document_t doc;
	struct yr *r;
	int n = 0, got;

	assert_int_equal(yr_new(&r, text, len, lim, flags), 0);
	while ((got = yr_load(r, &doc)) > 0) {
		assert_non_null(yaml_document_get_root_node(&doc));
		yaml_document_delete(&doc);
		n++;
	}
	*err = yr_error(r);
	*keep = r;
	return got < 0 ? -1 : n;
}

/* text must be refused with kind, at line, with a message holding want. */
static void
refused(const char *text, const struct yr_limits *lim, enum yr_errkind kind,
    size_t line, const char *want)
{
	const struct yr_error *e;
	struct yr *r;

	if (load_all(text, strlen(text), lim, 0, &e, &r) >= 0)
		fail_msg("accepted, want '%s':\n%s", want, text);
	if (e->kind != kind || e->line != line || strstr(e->msg, want) == NULL)
		fail_msg("got kind %d line %zu '%s', want kind %d line %zu '%s'",
		    e->kind, e->line, e->msg, kind, line, want);
	yr_free(r);
}

static int
accepted(const char *text, const struct yr_limits *lim)
{
	const struct yr_error *e;
	struct yr *r;
	int n;

	if ((n = load_all(text, strlen(text), lim, 0, &e, &r)) < 0)
		fail_msg("refused: line %zu: %s\n%s", e->line, e->msg, text);
	yr_free(r);
	return n;
}

static void
test_yamlread_limits(void **state)
{
	struct yr_limits lim = { 3, 3, 100, 1000 };

	(void)state;
	/* depth: three levels read, the fourth is refused where it opens */
	accepted("[[[1]]]", &lim);
	refused("a:\n  b:\n    c:\n      d: 1\n", &lim, YR_LIMIT, 4,
	    "nested deeper than 3 levels (the depth limit)");
	refused("[[[[1]]]]", &lim, YR_LIMIT, 1, "the depth limit");
	/* keys per mapping, with the mapping's place */
	accepted("{a: 1, b: 2, c: 3}", &lim);
	refused("x:\n  a: 1\n  b: 2\n  c: 3\n  d: 4\n", &lim, YR_LIMIT, 5,
	    "x: mapping has more than 3 keys (the keys-per-mapping limit)");
	/* nodes per document (8): each document counts afresh */
	lim.nodes = 8;
	accepted("[1, 2, 3, 4, 5, 6, 7]\n---\n[1, 2, 3, 4, 5, 6, 7]\n", &lim);
	refused("[1, 2, 3, 4, 5, 6, 7, 8]\n", &lim, YR_LIMIT, 1,
	    "document has more than 8 nodes (the node limit)");
	/* characters one document spans (40) */
	lim.nodes = 100;
	lim.bytes = 40;
	accepted("- aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n", &lim);
	refused("- aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n", &lim,
	    YR_LIMIT, 1, "document larger than 40 bytes (the document size "
	    "limit)");
	/* a limit out of range is refused up front */
	{
		struct yr_limits deep = { YR_DEPTH_CAP + 1, 1, 1, 1 };
		struct yr *r = NULL;

		assert_int_equal(yr_new(&r, "", 0, &deep, 0), -1);
		assert_null(r);
	}
}

static void
test_yamlread_duplicate_keys(void **state)
{
	(void)state;
	refused("a: 1\nb: 2\na: 3\n", NULL, YR_DUPKEY, 3,
	    "duplicate key 'a' (first at line 1)");
	/* JSON as kubectl prints it, the place named as the policy reader does */
	refused("{\n  \"spec\": {\n    \"ingress\": [\n      {\n"
	    "        \"action\": \"Allow\",\n        \"action\": \"Deny\"\n"
	    "      }\n    ]\n  }\n}\n", NULL, YR_DUPKEY, 6,
	    "spec.ingress[0]: duplicate key 'action' (first at line 5)");
	/* quoting does not make another key; the first repeat is named */
	refused("{b: 1, 'a': 2, a: 3, b: 4}", NULL, YR_DUPKEY, 1,
	    "duplicate key 'a'");
	refused("b: 1\nc: 1\na: 2\nc: 3\nb: 4\na: 5\n", NULL, YR_DUPKEY, 4,
	    "duplicate key 'c' (first at line 2)");
	/* the same key in two mappings is no repeat */
	assert_int_equal(accepted("- {a: 1}\n- {a: 2}\n- a: {a: 3}\n", NULL), 1);
	/* keys must be scalars */
	refused("? [a]\n: 1\n", NULL, YR_BADKEY, 1, "mapping keys must be strings");
	refused("{{a: 1}: 2}", NULL, YR_BADKEY, 1, "mapping keys must be strings");
}

/* A mapping of 100,000 keys, one repeated at the end (linear, not timed). */
static void
test_yamlread_large_mapping(void **state)
{
	struct yr_limits lim = YR_LIMITS_INIT;
	size_t cap = 2 << 20, n = 0;
	char *y = malloc(cap);
	int i;

	(void)state;
	assert_non_null(y);
	lim.keys = 200000;
	for (i = 0; i < 100000; i++)
		n += (size_t)snprintf(y + n, cap - n, "key%d: %d\n", i, i);
	assert_int_equal(accepted(y, &lim), 1);
	n += (size_t)snprintf(y + n, cap - n, "key7: again\n");
	refused(y, &lim, YR_DUPKEY, 100001, "duplicate key 'key7' (first at "
	    "line 8)");
	/* with the default limit it is refused at the 10,001st key */
	refused(y, NULL, YR_LIMIT, 10001, "more than 10000 keys");
	free(y);
}

static void
test_yamlread_aliases(void **state)
{
	yaml_document_t doc;
	struct yr *r;

	(void)state;
	refused("a: &x [1, 2]\nb: *x\n", NULL, YR_ALIAS, 2,
	    "YAML aliases are not supported");
	refused("a: &x 1\n*x : 2\n", NULL, YR_ALIAS, 2, "aliases");
	/* an anchor alone is harmless: the node is read as it is */
	assert_int_equal(yr_new(&r, "a: &x [1, 2]\n", 12, NULL, 0), 0);
	assert_int_equal(yr_load(r, &doc), 1);
	assert_int_equal(yaml_document_get_node(&doc, 3)->type,
	    YAML_SEQUENCE_NODE);
	yaml_document_delete(&doc);
	assert_int_equal(yr_load(r, &doc), 0);
	yr_free(r);
}

/* Documents come one by one with their lines; the tree is libyaml's. */
static void
test_yamlread_documents(void **state)
{
	static const char text[] =
	    "a: 1\n"
	    "---\n"
	    "b:\n"
	    "- 'x'\n"
	    "- y\n"
	    "---\n"
	    "---\n"
	    "{\"c\": [true]}\n";
	yaml_document_t doc;
	yaml_node_t *root, *k, *v, *it;
	struct yr *r;

	(void)state;
	assert_int_equal(yr_new(&r, text, strlen(text), NULL, 0), 0);
	assert_int_equal(yr_load(r, &doc), 1);
	root = yaml_document_get_root_node(&doc);
	assert_int_equal(root->type, YAML_MAPPING_NODE);
	assert_int_equal(root->data.mapping.pairs.top -
	    root->data.mapping.pairs.start, 1);
	yaml_document_delete(&doc);

	assert_int_equal(yr_load(r, &doc), 1);
	root = yaml_document_get_root_node(&doc);
	assert_int_equal(root->start_mark.line, 2);
	k = yaml_document_get_node(&doc, root->data.mapping.pairs.start[0].key);
	v = yaml_document_get_node(&doc, root->data.mapping.pairs.start[0].value);
	assert_string_equal((char *)k->data.scalar.value, "b");
	assert_int_equal(v->type, YAML_SEQUENCE_NODE);
	assert_int_equal(v->data.sequence.items.top -
	    v->data.sequence.items.start, 2);
	it = yaml_document_get_node(&doc, v->data.sequence.items.start[0]);
	assert_string_equal((char *)it->data.scalar.value, "x");
	assert_int_equal(it->data.scalar.style, YAML_SINGLE_QUOTED_SCALAR_STYLE);
	assert_int_equal(it->start_mark.line, 3);
	it = yaml_document_get_node(&doc, v->data.sequence.items.start[1]);
	assert_int_equal(it->data.scalar.style, YAML_PLAIN_SCALAR_STYLE);
	assert_int_equal(it->start_mark.line, 4);
	assert_int_equal(v->end_mark.line, 5);
	yaml_document_delete(&doc);

	/* an empty document is a null scalar */
	assert_int_equal(yr_load(r, &doc), 1);
	root = yaml_document_get_root_node(&doc);
	assert_int_equal(root->type, YAML_SCALAR_NODE);
	assert_int_equal(root->data.scalar.length, 0);
	yaml_document_delete(&doc);

	assert_int_equal(yr_load(r, &doc), 1);
	root = yaml_document_get_root_node(&doc);
	assert_int_equal(root->start_mark.line, 7);
	yaml_document_delete(&doc);
	assert_int_equal(yr_load(r, &doc), 0);
	yr_free(r);

	/* an empty stream has no document */
	assert_int_equal(accepted("", NULL), 0);
	assert_int_equal(accepted("# only a comment\n", NULL), 0);
}

/* Syntax and encoding errors; a piece of a longer stream names its place. */
static void
test_yamlread_errors_and_base(void **state)
{
	static const char bad_utf8[] = "a: b\nc: \xff\n";
	const struct yr_error *e;
	yaml_event_t ev;
	struct yr *r;

	(void)state;
	refused("a: [1, 2\nb: 3\n", NULL, YR_SYNTAX, 2,
	    "did not find expected ',' or ']' while parsing a flow sequence");
	assert_int_equal(load_all(bad_utf8, strlen(bad_utf8), NULL, YR_UTF8,
	    &e, &r), -1);
	assert_int_equal(e->kind, YR_ENCODING);
	assert_int_equal(e->offset, 8);
	yr_free(r);

	/* lines and offsets count from the base; so do the events' marks */
	assert_int_equal(yr_new(&r, "x: 1\nx: 2\n", 10, NULL, 0), 0);
	yr_set_base(r, 100, 5000);
	while (yr_event(r, &ev) == 0) {
		if (ev.type == YAML_SCALAR_EVENT &&
		    strcmp((char *)ev.data.scalar.value, "2") == 0) {
			assert_int_equal(ev.start_mark.line, 101);
			assert_int_equal(ev.start_mark.index, 5008);
		}
		yaml_event_delete(&ev);
	}
	e = yr_error(r);
	assert_int_equal(e->kind, YR_DUPKEY);
	assert_int_equal(e->line, 102);
	assert_string_equal(e->msg, "duplicate key 'x' (first at line 101)");
	/* a spent reader stays spent */
	assert_int_equal(yr_event(r, &ev), -1);
	yr_free(r);
}

/*
 * A consumer that frees what it has handled (inventory's List items)
 * restarts the count: the limits bound what it keeps, not the stream.
 */
static void
test_yamlread_restart_count(void **state)
{
	struct yr_limits lim = { 8, 100, 6, 1000 };
	const char *text = "items:\n- [1, 2]\n- [3, 4]\n- [5, 6]\n- [7, 8]\n";
	yaml_event_t ev;
	struct yr *r;
	int restart, seen;

	(void)state;
	for (restart = 0; restart < 2; restart++) {
		seen = 0;
		assert_int_equal(yr_new(&r, text, strlen(text), &lim, 0), 0);
		while (yr_event(r, &ev) == 0 && ev.type != YAML_STREAM_END_EVENT) {
			if (ev.type == YAML_SEQUENCE_END_EVENT && restart) {
				yr_restart_count(r);
				seen++;
			}
			yaml_event_delete(&ev);
		}
		yaml_event_delete(&ev);
		if (restart) {
			assert_int_equal(yr_error(r)->kind, YR_OK);
			assert_int_equal(seen, 5);
		} else {
			assert_int_equal(yr_error(r)->kind, YR_LIMIT);
			assert_int_equal(yr_error(r)->line, 3);
		}
		yr_free(r);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_yamlread_limits),
		cmocka_unit_test(test_yamlread_duplicate_keys),
		cmocka_unit_test(test_yamlread_large_mapping),
		cmocka_unit_test(test_yamlread_aliases),
		cmocka_unit_test(test_yamlread_documents),
		cmocka_unit_test(test_yamlread_errors_and_base),
		cmocka_unit_test(test_yamlread_restart_count),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
