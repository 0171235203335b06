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

/* Units of a duration, longest name first where one is a prefix. */
static const struct {
	const char *name;
	int64_t ns;
} units[] = {
	{ "ns", 1 },
	{ "us", 1000 },
	{ "\xc2\xb5s", 1000 },	/* U+00B5 micro sign, as Go accepts */
	{ "ms", 1000000 },
	{ "s", 1000000000LL },
	{ "m", 60 * 1000000000LL },
	{ "h", 3600 * 1000000000LL },
	{ "d", 86400 * 1000000000LL },
	{ "w", 7 * 86400 * 1000000000LL },
};

#define DUR_MAX_NS (100LL * 366 * 86400 * 1000000000LL)	/* about 100 years */
#define DUR_UNITS "units ns, us, ms, s, m, h, d (24h) or w (7d), as in 90s, " \
	"2h30m, 14d, 2w"

int
fp_duration_parse(const char *s, int64_t *us)
{
	const char *p = s;
	int64_t total = 0, whole, frac, scale, ns;
	size_t i, ul;

	if (s == NULL || *s == '\0')
		return fp_error("duration '': expected a number with a unit: "
		    DUR_UNITS);
	while (*p != '\0') {
		if (!isdigit((unsigned char)*p) && *p != '.')
			return fp_error("duration '%s': expected a number at '%s': "
			    DUR_UNITS, fp_clamp(s, 64), fp_clamp(p, 16));
		whole = 0;
		frac = 0;
		scale = 1;
		for (; isdigit((unsigned char)*p); p++) {
			if (whole > DUR_MAX_NS / 10)
				goto range;
			whole = whole * 10 + (*p - '0');
		}
		if (*p == '.') {
			if (p == s || !isdigit((unsigned char)p[-1])) {
				if (!isdigit((unsigned char)p[1]))
					goto number;
			}
			for (p++; isdigit((unsigned char)*p); p++) {
				if (scale < 1000000000LL) {	/* nanoseconds suffice */
					frac = frac * 10 + (*p - '0');
					scale *= 10;
				}
			}
		}
		if (*p == '\0') {
			if (p == s + strspn(s, "0123456789."))
				return fp_error("duration '%s': a number needs a unit: "
				    DUR_UNITS, fp_clamp(s, 64));
			return fp_error("duration '%s': the last number needs a unit: "
			    DUR_UNITS, fp_clamp(s, 64));
		}
		for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
			ul = strlen(units[i].name);
			if (strncmp(p, units[i].name, ul) == 0 &&
			    (p[ul] == '\0' || isdigit((unsigned char)p[ul]) ||
			    p[ul] == '.'))
				break;
		}
		if (i == sizeof(units) / sizeof(units[0]))
			return fp_error("duration '%s': unknown unit '%s': " DUR_UNITS,
			    fp_clamp(s, 64), fp_clamp(p, 8));
		p += strlen(units[i].name);
		if (whole > DUR_MAX_NS / units[i].ns)
			goto range;
		ns = whole * units[i].ns + (int64_t)((double)frac *
		    (double)units[i].ns / (double)scale);
		if (ns > DUR_MAX_NS - total)
			goto range;
		total += ns;
	}
	*us = total / 1000;
	return 0;
number:
	return fp_error("duration '%s': expected a number: " DUR_UNITS,
	    fp_clamp(s, 64));
range:
	return fp_error("duration '%s': out of range (at most about 100 years)",
	    fp_clamp(s, 64));
}

int
fp_time_parse_rel(const char *s, int64_t now, int64_t *us)
{
	int64_t dur;
	const char *d = s;

	if (s == NULL || *s == '\0')
		return fp_error("time: empty");
	if (strcmp(s, "now") == 0) {
		*us = now;
		return 0;
	}
	/* RFC 3339 begins YYYY-: four digits and a dash. */
	if (*s != '@' && !(strlen(s) >= 5 && isdigit((unsigned char)s[0]) &&
	    isdigit((unsigned char)s[1]) && isdigit((unsigned char)s[2]) &&
	    isdigit((unsigned char)s[3]) && s[4] == '-')) {
		if (*d == '-')
			d++;
		if (!isdigit((unsigned char)*d) && *d != '.')
			return fp_error("time '%s': expected RFC 3339 "
			    "(2026-01-02T15:04:05Z), @UNIXSECONDS, now or a duration "
			    "before now (90s, 2h30m, 14d, 2w)", fp_clamp(s, 64));
		if (fp_duration_parse(d, &dur) < 0)
			return fp_error_prefix("time '%s'", fp_clamp(s, 64));
		*us = now - dur;
		return 0;
	}
	return fp_time_parse(s, us);
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

static int
days_in_month(int y, int mo)
{
	static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };

	if (mo == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))
		return 29;
	return days[mo - 1];
}

int
fp_time_parse_past(const char *s, int64_t *us)
{
	int64_t now = fp_now_us();

	if (fp_time_parse(s, us) < 0)
		return -1;
	if (*us > now + FP_CLOCK_SKEW_US)
		return fp_error("time '%s' is %lld minutes in the future (more than "
		    "the %d minutes of clock skew allowed): a snapshot from the "
		    "future would make every later one look older", fp_clamp(s, 64),
		    (long long)((*us - now) / (60 * FP_USEC)),
		    (int)(FP_CLOCK_SKEW_US / (60 * FP_USEC)));
	return 0;
}

int
fp_time_parse(const char *s, int64_t *us)
{
	const char *p = s;
	struct tm tm;
	int y, mo, d, h, mi, sec, frac = 0, fdig = 0, oh = 0, om = 0, sign = 0;
	int64_t t;
	char *end;

	if (s == NULL || *s == '\0')
		return fp_error("time: empty");
	if (*s != '@' && !(isdigit((unsigned char)s[0]) && strlen(s) >= 5 &&
	    s[4] == '-'))
		return fp_time_parse_rel(s, fp_now_us(), us);
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
	/* timegm would turn 2026-02-30 into 2026-03-02: refuse it instead. */
	if (d > days_in_month(y, mo))
		return fp_error("time '%s': %04d-%02d has %d days", fp_clamp(s, 64),
		    y, mo, days_in_month(y, mo));
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
	    "@UNIXSECONDS, now or a duration before now (2h, -14d)",
	    fp_clamp(s, 64));
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
