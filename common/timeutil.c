#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/err.h"
#include "common/timeutil.h"
#include "common/banned.h"

int64_t
fp_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * FP_USEC + ts.tv_nsec / 1000;
}

const char *
fp_time_format(int64_t us, char *buf)
{
	time_t t = (time_t)(us >= 0 ? us / FP_USEC : (us - FP_USEC + 1) / FP_USEC);
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, FP_TIMESTRLEN, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, FP_TIMESTRLEN, "@%lld", (long long)t);
	return buf;
}

int
fp_duration_parse(const char *s, int64_t *us)
{
	char *end;
	long long v;
	int64_t mul = FP_USEC;

	if (s == NULL || !isdigit((unsigned char)*s))
		return fp_error("duration '%s': expected a number with s, m, h or d",
		    fp_clamp(s, 64));
	v = strtoll(s, &end, 10);
	if (*end != '\0') {
		switch (*end) {
		case 's': mul = FP_USEC; break;
		case 'm': mul = 60 * FP_USEC; break;
		case 'h': mul = 3600 * FP_USEC; break;
		case 'd': mul = 86400 * FP_USEC; break;
		default:
			return fp_error("duration '%s': unknown unit '%c'",
			    fp_clamp(s, 64), *end);
		}
		if (end[1] != '\0')
			return fp_error("duration '%s': trailing characters",
			    fp_clamp(s, 64));
	}
	if (v < 0 || v > 100LL * 365 * 86400 * FP_USEC / mul)
		return fp_error("duration '%s': out of range", fp_clamp(s, 64));
	*us = v * mul;
	return 0;
}

static int
digits(const char **p, int n, int *out)
{
	int v = 0;

	while (n-- > 0) {
		if (!isdigit((unsigned char)**p))
			return -1;
		v = v * 10 + (**p - '0');
		(*p)++;
	}
	*out = v;
	return 0;
}

int
fp_time_parse(const char *s, int64_t *us)
{
	const char *p = s;
	struct tm tm;
	int y, mo, d, h, mi, sec, frac = 0, fdig = 0, oh = 0, om = 0, sign = 0;
	int64_t t, dur;
	char *end;

	if (s == NULL || *s == '\0')
		return fp_error("time: empty");
	if (strcmp(s, "now") == 0) {
		*us = fp_now_us();
		return 0;
	}
	if (*s == '-') {
		if (fp_duration_parse(s + 1, &dur) < 0)
			return fp_error_prefix("time '%s'", fp_clamp(s, 64));
		*us = fp_now_us() - dur;
		return 0;
	}
	if (*s == '@') {
		long long v = strtoll(s + 1, &end, 10);
		if (end == s + 1 || *end != '\0' || v < 0 || v > 253402300799LL)
			return fp_error("time '%s': bad unix seconds", fp_clamp(s, 64));
		*us = (int64_t)v * FP_USEC;
		return 0;
	}
	if (digits(&p, 4, &y) < 0 || *p++ != '-' || digits(&p, 2, &mo) < 0 ||
	    *p++ != '-' || digits(&p, 2, &d) < 0 || (*p != 'T' && *p != 't' &&
	    *p != ' ') || (p++, digits(&p, 2, &h)) < 0 || *p++ != ':' ||
	    digits(&p, 2, &mi) < 0 || *p++ != ':' || digits(&p, 2, &sec) < 0)
		goto bad;
	if (*p == '.') {
		p++;
		while (isdigit((unsigned char)*p)) {
			if (fdig < 6) {
				frac = frac * 10 + (*p - '0');
				fdig++;
			}
			p++;
		}
		if (fdig == 0)
			goto bad;
		while (fdig++ < 6)
			frac *= 10;
	}
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		sign = *p++ == '+' ? 1 : -1;
		if (digits(&p, 2, &oh) < 0 || *p++ != ':' || digits(&p, 2, &om) < 0)
			goto bad;
	} else {
		goto bad;
	}
	if (*p != '\0' || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 ||
	    mi > 59 || sec > 60 || oh > 23 || om > 59)
		goto bad;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	t = (int64_t)timegm(&tm);
	t -= sign * (oh * 3600 + om * 60);
	*us = t * FP_USEC + frac;
	return 0;
bad:
	return fp_error("time '%s': expected RFC 3339 (2026-01-02T15:04:05Z), "
	    "@UNIXSECONDS, now or -DURATION", fp_clamp(s, 64));
}

const char *
fp_period_format(int64_t since, int64_t until, char *buf)
{
	char a[FP_TIMESTRLEN], b[FP_TIMESTRLEN];

	snprintf(buf, FP_PERIODLEN, "%s to %s",
	    since == INT64_MIN ? "the first flow" : fp_time_format(since, a),
	    until == INT64_MAX ? "the last flow" : fp_time_format(until, b));
	return buf;
}
