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
 * The period a count is for: "2026-11-21T10:00:00Z to 2026-11-21T12:00:00Z",
 * with "the first flow" for since == INT64_MIN and "the last flow" for
 * until == INT64_MAX (learn's open ends). buf holds FP_PERIODLEN bytes.
 */
#define FP_PERIODLEN 96
const char *fp_period_format(int64_t since, int64_t until, char *buf);
/*
 * Parse a time: RFC 3339 ("2026-11-26T11:10:47Z", fraction and +hh:mm
 * offsets allowed), "@UNIXSECONDS", "now", or a duration D, with or without
 * a leading '-', meaning now minus D ("2h", "-14d"). Now is the wall
 * clock; fp_time_parse_rel takes it from the caller (--now). 0 or -1
 * (fp_error).
 */
int fp_time_parse(const char *s, int64_t *us);
int fp_time_parse_rel(const char *s, int64_t now, int64_t *us);
/*
 * fp_time_parse, refusing a time more than FP_CLOCK_SKEW_US after now: for
 * times that are stored and ordered (a snapshot's --at), where one far in
 * the future would poison every later import. 0 or -1 (fp_error).
 */
#define FP_CLOCK_SKEW_US (10 * 60 * FP_USEC)
int fp_time_parse_past(const char *s, int64_t *us);
/*
 * Parse a Go-style duration extended with days and weeks: one or more
 * numbers (a fraction allowed), each with a unit ns, us (or µs), ms, s, m,
 * h, d (24h) or w (7d): "90s", "2h30m", "1.5h", "14d", "2w". A bare number
 * is refused with a message naming the units; no sign. At most about 100
 * years. 0 or -1 (fp_error).
 */
int fp_duration_parse(const char *s, int64_t *us);

#endif
