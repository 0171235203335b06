#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/banned.h"

static char errbuf[FP_ERRMAX];

int
fp_verror(const char *fmt, va_list ap)
{
	vsnprintf(errbuf, sizeof(errbuf), fmt, ap);
	return -1;
}

int
fp_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fp_verror(fmt, ap);
	va_end(ap);
	return -1;
}

int
fp_error_prefix(const char *fmt, ...)
{
	char old[FP_ERRMAX], ctx[FP_ERRMAX];
	va_list ap;

	memcpy(old, errbuf, sizeof(old));
	va_start(ap, fmt);
	vsnprintf(ctx, sizeof(ctx), fmt, ap);
	va_end(ap);
	{
		size_t n = strlen(ctx), m = strlen(old);

		if (n > sizeof(errbuf) - 3)
			n = sizeof(errbuf) - 3;
		memcpy(errbuf, ctx, n);
		memcpy(errbuf + n, ": ", 2);
		n += 2;
		if (m > sizeof(errbuf) - 1 - n)
			m = sizeof(errbuf) - 1 - n;
		memcpy(errbuf + n, old, m);
		errbuf[n + m] = '\0';
	}
	return -1;
}

const char *
fp_errmsg(void)
{
	return errbuf[0] ? errbuf : "unknown error";
}

void
fp_error_clear(void)
{
	errbuf[0] = '\0';
}

static const char *command;	/* the running subcommand, or NULL */

void
fp_err_command(const char *name)
{
	command = name;
}

/* "flowpol: " and, unless msg names it already, "COMMAND: ". */
static void
prefix(const char *msg)
{
	size_t n;

	fputs("flowpol: ", stderr);
	if (command == NULL)
		return;
	n = strlen(command);
	if (strncmp(msg, command, n) != 0 || msg[n] != ':')
		fprintf(stderr, "%s: ", command);
}

int
fp_report(void)
{
	prefix(fp_errmsg());
	fprintf(stderr, "%s\n", fp_errmsg());
	return FP_EXIT_ERR;
}

static void __attribute__((format(printf, 1, 0)))
vwarn(const char *fmt, va_list ap)
{
	char msg[FP_ERRMAX];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	prefix(msg);
	fprintf(stderr, "%s\n", msg);
}

void
fp_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn(fmt, ap);
	va_end(ap);
}

int
fp_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn(fmt, ap);
	va_end(ap);
	return FP_EXIT_ERR;
}

const char *
fp_clamp(const char *s, size_t max)
{
	static char ring[4][256];
	static unsigned next;
	char *out = ring[next++ % 4];
	size_t i, cap = sizeof(ring[0]) - 4;

	if (s == NULL)
		return "(null)";
	if (max > cap)
		max = cap;
	for (i = 0; s[i] != '\0' && i < max; i++) {
		unsigned char c = (unsigned char)s[i];
		out[i] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
	}
	if (s[i] != '\0') {
		memcpy(out + i, "...", 3);
		i += 3;
	}
	out[i] = '\0';
	return out;
}
