#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/labels.h"
#include "policy/selector.h"
#include "testutil.h"

static int
eval(const char *expr, const char *const *kv)
{
	struct labels l = LABELS_INIT;
	struct sel *s = NULL;
	int r;

	for (; kv != NULL && *kv != NULL; kv++)
		assert_int_equal(labels_parse_pair(&l, *kv), 0);
	if (sel_parse(expr, &s, NULL) < 0) {
		labels_release(&l);
		return -1;
	}
	r = sel_match(s, &l);
	sel_free(s);
	labels_release(&l);
	return r;
}

static void
assert_canon(const char *in, const char *want)
{
	struct sel *s = NULL;
	char *t;

	if (sel_parse(in, &s, NULL) < 0)
		fail_msg("'%s' did not parse: %s", in, fp_errmsg());
	t = sel_format(s);
	assert_non_null(t);
	if (strcmp(t, want) != 0)
		fail_msg("canonical of '%s' is '%s', want '%s'", in, t, want);
	free(t);
	sel_free(s);
}

static size_t
errpos(const char *in)
{
	struct sel *s = NULL;
	size_t pos = 9999;

	if (sel_parse(in, &s, &pos) == 0) {
		sel_free(s);
		fail_msg("'%s' parsed, want an error", in);
	}
	return pos;
}

/* The whole vector file, in-process (so it runs under ASan as well). */
static void
test_selector_vectors(void **state)
{
	char path[4096], line[8192];
	FILE *f;
	int n = 0;

	(void)state;
	snprintf(path, sizeof(path), "%s/calico/selector-vectors.tsv",
	    FLOWPOL_SRC);
	assert_non_null(f = fopen(path, "r"));
	while (fgets(line, sizeof(line), f) != NULL) {
		char *t1, *t2, *want, *nl;
		struct labels l = LABELS_INIT;
		struct sel *s = NULL;
		int got;

		if ((nl = strchr(line, '\n')) != NULL)
			*nl = '\0';
		assert_non_null(t1 = strchr(line, '\t'));
		*t1++ = '\0';
		assert_non_null(t2 = strchr(t1, '\t'));
		*t2++ = '\0';
		want = t2;
		if (strcmp(t1, "-") != 0) {
			char *p = t1, *c;

			for (;;) {
				c = strchr(p, ',');
				if (c != NULL)
					*c = '\0';
				assert_int_equal(labels_parse_pair(&l, p), 0);
				if (c == NULL)
					break;
				p = c + 1;
			}
		}
		if (sel_parse(line, &s, NULL) < 0)
			got = -1;
		else
			got = sel_match(s, &l);
		if (strcmp(want, "error") == 0 && got != -1)
			fail_msg("'%s' parsed, want error", line);
		if (strcmp(want, "match") == 0 && got != 1)
			fail_msg("'%s' got %d, want match (%s)", line, got,
			    fp_errmsg());
		if (strcmp(want, "nomatch") == 0 && got != 0)
			fail_msg("'%s' got %d, want nomatch", line, got);
		/* The canonical form parses again to the same meaning. */
		if (s != NULL) {
			char *canon = sel_format(s);
			struct sel *s2 = NULL;

			assert_non_null(canon);
			assert_int_equal(sel_parse(canon, &s2, NULL), 0);
			assert_int_equal(sel_match(s2, &l), got);
			sel_free(s2);
			free(canon);
		}
		sel_free(s);
		labels_release(&l);
		n++;
	}
	fclose(f);
	assert_true(n >= 140);
}

static void
test_selector_lexical(void **state)
{
	const char *const ab[] = { "a=b", NULL };
	char buf[600];

	(void)state;
	/* Only space and tab are whitespace. */
	assert_int_equal(eval("\ta == 'b'\t", ab), 1);
	assert_int_equal(eval("a == 'b'\n", ab), -1);
	assert_int_equal(eval("a ==\r'b'", ab), -1);
	/* No space between has and '('. */
	assert_int_equal(eval("has (a)", ab), -1);
	assert_int_equal(eval("has(\ta )", ab), 1);
	assert_int_equal(eval("all( )", ab), 1);
	assert_int_equal(eval("all ( )", ab), -1);
	/* Identifiers: digits, slashes, dashes first. */
	assert_int_equal(eval("1a == 'x' || / == 'y' || a//b == 'z' || has(a)", ab), 1);
	assert_int_equal(eval("a:b == 'x'", ab), -1);
	/* No escapes; other quote inside. */
	{
		const char *const q[] = { "a=it's", "b=x\\", NULL };

		assert_int_equal(eval("a == \"it's\" && b == 'x\\'", q), 1);
	}
	/* Word operators and their boundaries. */
	{
		const char *const kv[] = { "contains=contains", "not=z", NULL };

		assert_int_equal(eval("contains contains \"contains\"", kv), 1);
		assert_int_equal(eval("not in {'a'}", kv), 0);
		assert_int_equal(eval("not in {'z'}", kv), 1);
		assert_int_equal(eval("not notin {'z'}", kv), 0);
		assert_int_equal(eval("contains startswith 'con'", kv), 1);
		assert_int_equal(eval("contains endswith'ins'", kv), 1);
		assert_int_equal(eval("contains ends   with 'ins'", kv), 1);
		assert_int_equal(eval("contains contains'x'", kv), 0);
		assert_int_equal(eval("a IN {'b'}", ab), -1);
		assert_int_equal(eval("a == 'b' and c == 'd'", ab), -1);
	}
	/* 512-byte labels pass, 513 fail. */
	memset(buf, 'k', 512);
	memcpy(buf + 512, " == 'v'", 8);
	assert_int_equal(eval(buf, NULL), 0);
	memset(buf, 'k', 513);
	memcpy(buf + 513, " == 'v'", 8);
	assert_int_equal(eval(buf, NULL), -1);
	/* Sets: empty, trailing comma; errors. */
	assert_int_equal(eval("a in {}", ab), 0);
	assert_int_equal(eval("a not in {}", ab), 1);
	assert_int_equal(eval("a in {'b',}", ab), 1);
	assert_int_equal(eval("a in {,}", ab), -1);
	assert_int_equal(eval("a in {'a' 'b'}", ab), -1);
	assert_int_equal(eval("a in {'b'", ab), -1);
	assert_int_equal(eval("(a == 'b'))", ab), -1);
	assert_int_equal(eval("a=='b' c=='d'", ab), -1);
}

static void
test_selector_missing_labels(void **state)
{
	const char *const none[] = { NULL };
	const char *const empty[] = { "k=", NULL };

	(void)state;
	assert_int_equal(eval("k == 'x'", none), 0);
	assert_int_equal(eval("k != 'x'", none), 1);
	assert_int_equal(eval("k in {'x'}", none), 0);
	assert_int_equal(eval("k not in {'x'}", none), 1);
	assert_int_equal(eval("k contains ''", none), 0);
	assert_int_equal(eval("k starts with ''", none), 0);
	assert_int_equal(eval("k ends with ''", none), 0);
	assert_int_equal(eval("!has(k)", none), 1);
	assert_int_equal(eval("has(k)", empty), 1);
	assert_int_equal(eval("k == \"\"", empty), 1);
	assert_int_equal(eval("k contains ''", empty), 1);
	assert_int_equal(eval("!k == 'x'", none), 1);
	/* Precedence: ! > && > ||. */
	assert_int_equal(eval("has(a) || has(k) && has(b)", empty), 0);
	assert_int_equal(eval("!has(a) || has(b)", none), 1);
	assert_int_equal(eval("!!!has(k)", empty), 0);
	assert_int_equal(eval("! ! has(k)", empty), 1);
}

static void
test_selector_canonical(void **state)
{
	(void)state;
	assert_canon("! (has( b)||! has(a ))", "!(has(b) || !has(a))");
	assert_canon("a startswith '\"'", "a starts with '\"'");
	assert_canon("a!='\"'", "a != '\"'");
	assert_canon(" (all() )", "all()");
	assert_canon("", "all()");
	assert_canon("  ", "all()");
	assert_canon("a in {'z','a','y','x', 'a'}", "a in {\"a\", \"x\", \"y\", \"z\"}");
	assert_canon("a == 'a1' && b == 'b1' || c notin{}",
	    "((a == \"a1\" && b == \"b1\") || c not in {})");
	assert_canon("!(a == 'b')", "!a == \"b\"");
	assert_canon("a endswith 'x' && b contains 'y'",
	    "(a ends with \"x\" && b contains \"y\")");
	assert_canon("global( )", "global()");
}

static void
test_selector_error_positions(void **state)
{
	(void)state;
	assert_int_equal(errpos("a = 'b'"), 2);
	assert_int_equal(errpos("a == 'b' && %"), 12);
	assert_int_equal(errpos("label == 'value"), 9);
	assert_int_equal(errpos("(a == 'b'))"), 10);
	assert_int_equal(errpos("a =="), 4);
	assert_int_equal(errpos("has(foo"), 0);
	assert_non_null(strstr(fp_errmsg(), "unterminated has("));
	assert_int_equal(errpos("a == 'b' || all( x"), 12);
	assert_non_null(strstr(fp_errmsg(), "unterminated all("));
	assert_int_equal(errpos("global("), 0);
	assert_non_null(strstr(fp_errmsg(), "unterminated global("));
	assert_int_equal(errpos("a == 'b'\n"), 8);
	assert_true(strstr(fp_errmsg(), "position 8") != NULL);
}

static void
test_selector_prefix(void **state)
{
	struct sel *s = NULL;
	struct labels l = LABELS_INIT;
	char *t;

	(void)state;
	assert_int_equal(sel_parse("k == 'v' || has(x)", &s, NULL), 0);
	assert_int_equal(sel_prefix(s, "visited/"), 0);
	t = sel_format(s);
	assert_string_equal(t, "(visited/k == \"v\" || has(visited/x))");
	free(t);
	assert_int_equal(labels_set(&l, "visited/x", ""), 0);
	assert_int_equal(sel_match(s, &l), 1);
	labels_release(&l);
	sel_free(s);
}

static void
test_selector_labels_type(void **state)
{
	struct labels l = LABELS_INIT, m = LABELS_INIT;

	(void)state;
	assert_int_equal(labels_parse_lines(&l, "b=2\na=1\nc=\n"), 0);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.v[0].key, "a");
	assert_string_equal(l.v[2].key, "c");
	assert_string_equal(labels_get(&l, "c"), "");
	assert_null(labels_get(&l, "d"));
	assert_int_equal(labels_set(&l, "a", "x"), 0);
	assert_string_equal(labels_get(&l, "a"), "x");
	assert_int_equal(labels_copy(&m, &l), 0);
	assert_int_equal(labels_cmp(&l, &m), 0);
	labels_del(&m, "b");
	assert_true(labels_cmp(&l, &m) != 0);
	assert_int_equal(labels_parse_lines(&m, "nokey\n"), -1);
	assert_int_equal(labels_parse_pair(&m, "=v"), -1);
	labels_release(&l);
	labels_release(&m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_selector_vectors),
		cmocka_unit_test(test_selector_lexical),
		cmocka_unit_test(test_selector_missing_labels),
		cmocka_unit_test(test_selector_canonical),
		cmocka_unit_test(test_selector_error_positions),
		cmocka_unit_test(test_selector_prefix),
		cmocka_unit_test(test_selector_labels_type),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
