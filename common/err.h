#ifndef FLOWPOL_ERR_H
#define FLOWPOL_ERR_H

#include <stdarg.h>
#include <stddef.h>

/*
 * Error recording. Modules return 0/-1 and record why with fp_error(); only
 * subcommand code prints (fp_report) and chooses the exit status. Messages
 * follow "context: reason" in lower case with no full stop; the program name
 * is added when printed. fp_error() returns -1 so that `return fp_error(...)`
 * reads cleanly, as git's error() does.
 */

#define FP_ERRMAX 1024

/* Exit statuses shared by every subcommand. */
enum {
	FP_EXIT_OK = 0,		/* success, or "match" */
	FP_EXIT_NO = 1,		/* a negative answer: no match, drift */
	FP_EXIT_ERR = 2		/* an error */
};

int fp_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int fp_verror(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
/* Prefix the recorded error with more context: "ctx: <old>". Returns -1. */
int fp_error_prefix(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The last recorded message; never NULL. */
const char *fp_errmsg(void);
void fp_error_clear(void);

/*
 * Name the running subcommand (main does, before it runs one): from then
 * on fp_report, fp_warn and fp_fail print "flowpol: COMMAND: msg", unless
 * msg already begins with "COMMAND:".
 */
void fp_err_command(const char *name);
/* Print "flowpol: <last error>" to stderr; returns FP_EXIT_ERR. */
int fp_report(void);
/* Print "flowpol: <msg>" to stderr (not recorded). */
void fp_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print "flowpol: <msg>" to stderr and return FP_EXIT_ERR. */
int fp_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Copy untrusted text for a message: at most max bytes, control characters
 * replaced by '?', so a hostile label or path cannot forge lines. Returns a
 * pointer into one of a few static rotating buffers (valid until four more
 * calls); use only as a printf argument.
 */
const char *fp_clamp(const char *s, size_t max);

#endif
