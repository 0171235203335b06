#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cli.h"
#include "common/err.h"
#include "common/k8sname.h"
#include "common/banned.h"

int
fp_cli_help(const char *usage)
{
	fputs(usage, stdout);
	return FP_EXIT_OK;
}

int
fp_cli_usage_error(const char *cmd, const char *usage, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "flowpol: %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	(void)usage;
	return FP_EXIT_ERR;
}

int
fp_getopt(int argc, char **argv, const char *shortopts,
    const struct option *opts)
{
	const char *p;

	if (optind == 1 && argc >= 2 && argv[1] != NULL &&
	    strcmp(argv[1], "--completion-helper") == 0) {
		for (; opts->name != NULL; opts++)
			printf("--%s%s\n", opts->name,
			    opts->has_arg == required_argument ? "=" : "");
		for (p = shortopts; *p != '\0'; p++)
			if (*p != ':' && *p != '+' && *p != '-')
				printf("-%c\n", *p);
		fflush(stdout);
		exit(FP_EXIT_OK);
	}
	return getopt_long(argc, argv, shortopts, opts, NULL);
}

/*
 * Optimal string alignment distance (Damerau-Levenshtein without
 * repeated edits of a substring), as git's levenshtein.c, with its costs
 * w (swap), s (substitution), a (insertion into a), d (deletion from a).
 */
static size_t
osa_distance(const char *a, const char *b, size_t w, size_t s, size_t ins,
    size_t del)
{
	size_t la = strlen(a), lb = strlen(b), i, j, v, *r0, *r1, *r2, *t;
	size_t ret = (size_t)-1;

	if (la > 256 || lb > 256)
		return ret;
	r0 = calloc(lb + 1, sizeof(*r0));
	r1 = calloc(lb + 1, sizeof(*r1));
	r2 = calloc(lb + 1, sizeof(*r2));
	if (r0 == NULL || r1 == NULL || r2 == NULL)
		goto out;
	for (j = 0; j <= lb; j++)
		r1[j] = j * ins;
	for (i = 0; i < la; i++) {
		r2[0] = (i + 1) * del;
		for (j = 0; j < lb; j++) {
			/* substitution */
			r2[j + 1] = r1[j] + s * (a[i] != b[j]);
			/* swap */
			if (i > 0 && j > 0 && a[i - 1] == b[j] && a[i] == b[j - 1] &&
			    r2[j + 1] > r0[j - 1] + w)
				r2[j + 1] = r0[j - 1] + w;
			/* deletion */
			if (r2[j + 1] > (v = r1[j + 1] + del))
				r2[j + 1] = v;
			/* insertion */
			if (r2[j + 1] > (v = r2[j] + ins))
				r2[j + 1] = v;
		}
		t = r0;
		r0 = r1;
		r1 = r2;
		r2 = t;
	}
	ret = r1[lb];
out:
	free(r0);
	free(r1);
	free(r2);
	return ret;
}

int
fp_cli_unknown(const char *cmd, const char *what, const char *arg,
    const char *prefix, const char *best)
{
	fprintf(stderr, "flowpol: %s%sunknown %s '%s'; ", cmd ? cmd : "",
	    cmd ? ": " : "", what, fp_clamp(arg, 64));
	if (best != NULL)
		fprintf(stderr, "did you mean '%s%s'? ", prefix, best);
	fprintf(stderr, "see 'flowpol %s%s--help'\n", cmd ? cmd : "",
	    cmd ? " " : "");
	return FP_EXIT_ERR;
}

#define SIMILARITY_FLOOR 7

const char *
fp_cli_suggest(const char *word, const char *const *cands, size_t n)
{
	const char *best = NULL;
	size_t i, d, bestd = SIMILARITY_FLOOR;

	if (word == NULL || *word == '\0')
		return NULL;
	for (i = 0; i < n; i++) {
		if (strncmp(cands[i], word, strlen(word)) == 0)
			d = 0;
		else
			d = osa_distance(word, cands[i], 0, 2, 1, 3);
		if (d < bestd) {
			bestd = d;
			best = cands[i];
		}
	}
	return best;
}

int
fp_cli_bad_option(const char *cmd, const char *usage,
    const struct option *opts, char **argv)
{
	const char *arg = optind > 0 ? argv[optind - 1] : "?";
	const char *name = arg, *eq, *names[64], *best = NULL;
	char word[128];
	const struct option *o;
	size_t n, k = 0;

	(void)usage;
	if (strncmp(name, "--", 2) == 0) {
		name += 2;
		eq = strchr(name, '=');
		n = eq != NULL ? (size_t)(eq - name) : strlen(name);
		for (o = opts; eq == NULL && o->name != NULL; o++) {
			if (o->has_arg == required_argument &&
			    strlen(o->name) == n && strncmp(o->name, name, n) == 0)
				return fp_cli_usage_error(cmd, usage,
				    "option '%s' needs a value", fp_clamp(arg, 64));
		}
		snprintf(word, sizeof(word), "%.*s", (int)(n < 127 ? n : 127), name);
		for (o = opts; o->name != NULL && k < 64; o++)
			names[k++] = o->name;
		best = fp_cli_suggest(word, names, k);
	} else if (optopt > ' ' && optopt < 0x7f && strchr("-:?", optopt) == NULL) {
		/*
		 * A short option: one that takes a value and came last lacks it
		 * (its long form, by value or by initial, takes one); any other
		 * is unknown, also inside a bundle such as -Ax.
		 */
		for (o = opts; argv[optind] == NULL && o->name != NULL; o++) {
			if (o->has_arg == required_argument &&
			    (o->val == optopt || o->name[0] == optopt))
				return fp_cli_usage_error(cmd, usage,
				    "option '-%c' needs a value", optopt);
		}
		snprintf(word, sizeof(word), "-%c", optopt);
		return fp_cli_unknown(cmd, "option", word, "", NULL);
	}
	return fp_cli_unknown(cmd, "option", arg, "--", best);
}

int
fp_cli_long(const char *opt, const char *s, long long min, long long max,
    long long *out)
{
	char *end;
	long long v;

	if (s == NULL || *s == '\0')
		return fp_error("option --%s: missing value", opt);
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || end == s)
		return fp_error("option --%s: '%s' is not a whole number", opt,
		    fp_clamp(s, 64));
	if (v < min || v > max)
		return fp_error("option --%s: %lld is out of range (%lld to %lld)",
		    opt, v, min, max);
	*out = v;
	return 0;
}

static const struct {
	const char *name;
	enum fp_format fmt;
} formats[] = {
	{ "tsv", FP_FMT_TSV },
	{ "json", FP_FMT_JSON },
	{ "text", FP_FMT_TEXT },
	{ "markdown", FP_FMT_MARKDOWN },
	{ "dot", FP_FMT_DOT },
	{ "mermaid", FP_FMT_MERMAID },
	{ "table", FP_FMT_TABLE },
	{ "yaml", FP_FMT_YAML },
};

enum fp_format
fp_cli_listing_format(void)
{
	return isatty(STDOUT_FILENO) ? FP_FMT_TABLE : FP_FMT_TSV;
}

/* "a,b,c" as "a, b or c" for a message. */
static const char *
allowed_words(const char *allowed, char *buf, size_t len)
{
	const char *last = strrchr(allowed, ',');
	size_t o = 0, i;

	for (i = 0; allowed[i] != '\0' && o + 4 < len; i++) {
		if (&allowed[i] == last) {
			o += (size_t)snprintf(buf + o, len - o, " or ");
		} else if (allowed[i] == ',') {
			buf[o++] = ',';
			buf[o++] = ' ';
		} else {
			buf[o++] = allowed[i];
		}
	}
	buf[o < len ? o : len - 1] = '\0';
	return buf;
}

int
fp_cli_format(const char *s, const char *allowed, enum fp_format *out)
{
	size_t i, n = strlen(s);
	const char *p;
	char words[128];

	/* strstr finds "" at every position without moving on: stop here. */
	if (n == 0)
		return fp_error("option -o/--output: '' is not one of %s",
		    allowed_words(allowed, words, sizeof(words)));
	for (p = allowed; (p = strstr(p, s)) != NULL; p += n) {
		if ((p == allowed || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
			break;
	}
	if (p != NULL && n > 0) {
		for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
			if (strcmp(formats[i].name, s) == 0) {
				*out = formats[i].fmt;
				return 0;
			}
		}
	}
	return fp_error("option -o/--output: '%s' is not one of %s",
	    fp_clamp(s, 32), allowed_words(allowed, words, sizeof(words)));
}

int
fp_ns_add(struct fp_nsfilter *f, const char *ns)
{
	const char *why = k8s_check_dns_label(ns);

	if (why != NULL)
		return fp_error("option -n/--namespace: '%s' is not a namespace "
		    "name: %s", fp_clamp(ns, 64), why);
	if (f->n >= FP_NS_MAX)
		return fp_error("option -n/--namespace: more than %d namespaces",
		    FP_NS_MAX);
	f->ns[f->n++] = ns;
	return 0;
}

int
fp_ns_keep(const struct fp_nsfilter *f, const char *ns)
{
	size_t i;

	if (f->n == 0)
		return 1;
	for (i = 0; ns != NULL && i < f->n; i++)
		if (strcmp(f->ns[i], ns) == 0)
			return 1;
	return 0;
}

int
fp_ns_keep_peer(const struct fp_nsfilter *f, const char *peer)
{
	const char *slash;
	size_t i, n;

	if (f->n == 0)
		return 1;
	if (peer == NULL || (slash = strchr(peer, '/')) == NULL ||
	    memchr(peer, ':', (size_t)(slash - peer)) != NULL)
		return 0;
	n = (size_t)(slash - peer);
	for (i = 0; i < f->n; i++)
		if (strlen(f->ns[i]) == n && strncmp(f->ns[i], peer, n) == 0)
			return 1;
	return 0;
}
