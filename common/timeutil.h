#ifndef FLOWPOL_TIMEUTIL_H
#define FLOWPOL_TIMEUTIL_H

#include <stdint.h>

/* Times are int64 unix microseconds, UTC. */
#define FP_USEC 1000000LL

int64_t fp_now_us(void);
/*
 * RFC 3339 UTC at whole seconds ("2026-11-26T11:10:47Z"); buf holds at least
 * FP_TIMESTRLEN bytes.
 */
#define FP_TIMESTRLEN 32
const char *fp_time_format(int64_t us, char *buf);
/*
 * Parse a time: RFC 3339 ("2026-11-26T11:10:47Z", fraction and +hh:mm
 * offsets allowed), "@UNIXSECONDS", "now", or "-DURATION" (before now).
 * 0 or -1 (fp_error).
 */
int fp_time_parse(const char *s, int64_t *us);
/*
 * fp_time_parse, refusing a time more than FP_CLOCK_SKEW_US after now: for
 * times that are stored and ordered (a snapshot's --at), where one far in
 * the future would poison every later import. 0 or -1 (fp_error).
 */
#define FP_CLOCK_SKEW_US (10 * 60 * FP_USEC)
int fp_time_parse_past(const char *s, int64_t *us);
/* Parse a duration such as "90s", "10m", "24h", "7d" or plain seconds. */
int fp_duration_parse(const char *s, int64_t *us);

#endif
