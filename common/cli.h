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
/* Print "flowpol: CMD: MSG" then the usage to stderr; returns FP_EXIT_ERR. */
int fp_cli_usage_error(const char *cmd, const char *usage, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/*
 * For getopt_long's '?' (or ':'): the offending argument is argv[optind - 1].
 * Prints "flowpol: CMD: option '--X' needs a value" when X is in opts and
 * takes one, else "unknown option '--X'", then the usage; returns
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

/* Output formats shared by listing commands. */
enum fp_format { FP_FMT_TSV, FP_FMT_JSON, FP_FMT_TEXT, FP_FMT_MARKDOWN, FP_FMT_DOT,
    FP_FMT_MERMAID };
/* Parse a format name against a comma-separated allowed list ("tsv,json"). */
int fp_cli_format(const char *s, const char *allowed, enum fp_format *out);

#endif
