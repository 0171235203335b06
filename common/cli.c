#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "common/cli.h"
#include "common/err.h"
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
	fputs(usage, stderr);
	return FP_EXIT_ERR;
}

int
fp_cli_bad_option(const char *cmd, const char *usage,
    const struct option *opts, char **argv)
{
	const char *arg = optind > 0 ? argv[optind - 1] : "?";
	const char *name = arg, *eq;
	size_t n;

	if (strncmp(name, "--", 2) == 0) {
		name += 2;
		eq = strchr(name, '=');
		n = eq != NULL ? (size_t)(eq - name) : strlen(name);
		for (; eq == NULL && opts->name != NULL; opts++) {
			if (opts->has_arg == required_argument &&
			    strlen(opts->name) == n && strncmp(opts->name, name, n) == 0)
				return fp_cli_usage_error(cmd, usage,
				    "option '%s' needs a value", fp_clamp(arg, 64));
		}
	}
	return fp_cli_usage_error(cmd, usage, "unknown option '%s'",
	    fp_clamp(arg, 64));
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
};

int
fp_cli_format(const char *s, const char *allowed, enum fp_format *out)
{
	size_t i, n = strlen(s);
	const char *p;

	/* strstr finds "" at every position without moving on: stop here. */
	if (n == 0)
		return fp_error("option --format: '' is not one of %s", allowed);
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
	return fp_error("option --format: '%s' is not one of %s", fp_clamp(s, 32),
	    allowed);
}
