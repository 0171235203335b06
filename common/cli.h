#ifndef FLOWPOL_CLI_H
#define FLOWPOL_CLI_H

#include <getopt.h>
#include <stdio.h>

/*
 * Helpers shared by subcommands. A subcommand is
 *     int cmd_NAME(int argc, char **argv);
 * where argv[0] is the subcommand name; it returns an FP_EXIT_* status.
 * Each parses its options with getopt_long (optind reset by main) and prints
 * its own usage text on --help (to stdout, exit 0) or on a usage error (to
 * stderr, exit 2).
 */

/* Print "usage: ..." text to stdout; returns FP_EXIT_OK. */
int fp_cli_help(const char *usage);
/*
 * Print the one line "flowpol: CMD: MSG" to stderr; returns FP_EXIT_ERR.
 * The usage is not repeated: a bad value is named, not the whole help.
 */
int fp_cli_usage_error(const char *cmd, const char *usage, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/*
 * For getopt_long's '?' (or ':'): the offending argument is argv[optind - 1].
 * Prints "flowpol: CMD: option '--X' needs a value" when X is in opts and
 * takes one, else "unknown option '--X'" with the closest option of opts
 * ("did you mean '--Y'?") and a pointer to --help, on one line; returns
 * FP_EXIT_ERR.
 */
int fp_cli_bad_option(const char *cmd, const char *usage,
    const struct option *opts, char **argv);
/*
 * Parse a decimal integer in [min, max] for option OPT (used in the message).
 * 0 or -1 (fp_error: "option --OPT: ...").
 */
int fp_cli_long(const char *opt, const char *s, long long min, long long max,
    long long *out);

/*
 * getopt_long for subcommands: the same, except that "CMD
 * --completion-helper" prints the options of opts and shortopts, one a
 * line ("--db=" for one that takes a value), and exits 0: shell completion
 * is generated from the table the parser uses (git's
 * --git-completion-helper).
 */
int fp_getopt(int argc, char **argv, const char *shortopts,
    const struct option *opts);

/*
 * The closest of n candidates to word by Damerau-Levenshtein distance with
 * git's weights (help.c: swap 0, substitution 2, insertion 1, deletion 3),
 * or NULL when none is close (distance 7 or more). A candidate that word
 * is a prefix of counts as closest.
 */
const char *fp_cli_suggest(const char *word, const char *const *cands,
    size_t n);

/*
 * The one line for an unknown command or option: "flowpol: [CMD: ]unknown
 * WHAT 'ARG'; did you mean 'PREFIX BEST'? see 'flowpol [CMD ]--help'" (the
 * question only when best is not NULL; cmd NULL at the top level).
 * Returns FP_EXIT_ERR.
 */
int fp_cli_unknown(const char *cmd, const char *what, const char *arg,
    const char *prefix, const char *best);

/* Output formats (-o/--output; --format is its alias). */
enum fp_format {
	FP_FMT_TSV, FP_FMT_JSON, FP_FMT_TEXT, FP_FMT_MARKDOWN, FP_FMT_DOT,
	FP_FMT_TABLE, FP_FMT_YAML, FP_FMT_MERMAID
};
/*
 * Parse a format name against a comma-separated allowed list ("tsv,json").
 * 0 or -1 (fp_error "option -o/--output: 'X' is not one of A, B").
 */
int fp_cli_format(const char *s, const char *allowed, enum fp_format *out);
/* A listing's default: table on a terminal, tsv when piped. */
enum fp_format fp_cli_listing_format(void);
#define FP_LISTING_FORMATS "table,tsv,json,yaml"

/*
 * -n/--namespace NS (repeatable) and -A/--all-namespaces: which namespaces
 * a listing keeps. Empty (the default, or after -A) keeps all.
 */
#define FP_NS_MAX 64
struct fp_nsfilter {
	const char *ns[FP_NS_MAX];	/* not owned: argv */
	size_t n;
};
/* Add one -n value (a DNS-1123 label). 0 or -1 (fp_error naming -n). */
int fp_ns_add(struct fp_nsfilter *f, const char *ns);
/* Whether namespace ns is kept. */
int fp_ns_keep(const struct fp_nsfilter *f, const char *ns);
/* Whether a peer "ns/name" is in a kept namespace; node:, external:,
 * unknown: peers are in none (kept only without a filter). */
int fp_ns_keep_peer(const struct fp_nsfilter *f, const char *peer);

#endif
