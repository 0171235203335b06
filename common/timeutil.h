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
 * offsets allowed), "@UNIXSECONDS", "now", or "-DURATION" (before now).
 * 0 or -1 (fp_error).
 */
int fp_time_parse(const char *s, int64_t *us);
/* Parse a duration such as "90s", "10m", "24h", "7d" or plain seconds. */
int fp_duration_parse(const char *s, int64_t *us);

#endif
