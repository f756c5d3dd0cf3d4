/* clock.c — see clock.h. */
#include "base/clock.h"

#include "base/err.h"

#include <ctype.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/*
 * RFC 3339 writes a year in four digits: the instants it can express run from
 * 0000-01-01T00:00:00.000Z to 9999-12-31T23:59:59.999Z. Parsing rejects an
 * offset that moves a time outside them, and formatting never writes "-001"
 * or "10000", so whatever one accepts the other can write and read back.
 */
#define RFC3339_MIN_MS (-62167219200000LL)
#define RFC3339_MAX_MS (253402300799999LL)

/* 0: the wall clock. Atomic so that reading it stays thread-safe; only the demo writes it. */
static _Atomic int64_t override_ms;

void cv_clock_override(int64_t ms)
{
	atomic_store_explicit(&override_ms, ms, memory_order_relaxed);
}

int64_t cv_clock_wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t cv_clock_now_ms(void)
{
	int64_t fixed = atomic_load_explicit(&override_ms, memory_order_relaxed);

	return fixed ? fixed : cv_clock_wall_ms();
}

int64_t cv_clock_monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int format_tm(int64_t ms, char *out, size_t size, int with_ms)
{
	time_t secs = (time_t)(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
	int millis = (int)(ms - (int64_t)secs * 1000);
	struct tm tm;
	int n;

	if (ms < RFC3339_MIN_MS || ms > RFC3339_MAX_MS || !gmtime_r(&secs, &tm))
		return CV_EINVAL;
	if (with_ms)
		n = snprintf(out, size, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
			     tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
	else
		n = snprintf(out, size, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900,
			     tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
	return (n < 0 || (size_t)n >= size) ? CV_EINVAL : CV_OK;
}

int cv_clock_format_rfc3339_ms(int64_t ms, char *out, size_t size)
{
	return format_tm(ms, out, size, 1);
}

int cv_clock_format_rfc3339(int64_t ms, char *out, size_t size)
{
	return format_tm(ms, out, size, 0);
}

static int digits(const char *s, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return CV_EINVAL;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return CV_OK;
}

int cv_clock_parse_rfc3339(const char *s, int64_t *ms)
{
	int year, mon, day, hour, min, sec, frac_ms = 0, offset_min = 0;
	static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	struct tm tm = {0};
	const char *p;
	int64_t utc;

	if (strlen(s) < 20 || digits(s, 4, &year) || s[4] != '-' || digits(s + 5, 2, &mon) ||
	    s[7] != '-' || digits(s + 8, 2, &day) || (s[10] != 'T' && s[10] != 't') ||
	    digits(s + 11, 2, &hour) || s[13] != ':' || digits(s + 14, 2, &min) || s[16] != ':' ||
	    digits(s + 17, 2, &sec))
		return CV_EINVAL;
	if (mon < 1 || mon > 12 || day < 1 || day > mdays[mon - 1] || hour > 23 || min > 59 ||
	    sec > 60)
		return CV_EINVAL;
	if (mon == 2 && day == 29 && !((year % 4 == 0 && year % 100 != 0) || year % 400 == 0))
		return CV_EINVAL;
	p = s + 19;
	if (*p == '.') {
		int scale = 100;
		p++;
		if (!isdigit((unsigned char)*p))
			return CV_EINVAL;
		for (; isdigit((unsigned char)*p); p++) {
			frac_ms += (*p - '0') * scale;
			scale /= 10;
		}
	}
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int oh, om;
		if (digits(p + 1, 2, &oh) || p[3] != ':' || digits(p + 4, 2, &om) || oh > 23 ||
		    om > 59)
			return CV_EINVAL;
		offset_min = (oh * 60 + om) * (*p == '+' ? 1 : -1);
		p += 6;
	} else {
		return CV_EINVAL;
	}
	if (*p)
		return CV_EINVAL;
	tm.tm_year = year - 1900;
	tm.tm_mon = mon - 1;
	tm.tm_mday = day;
	tm.tm_hour = hour;
	tm.tm_min = min;
	tm.tm_sec = sec > 59 ? 59 : sec;
	utc = ((int64_t)timegm(&tm) - (int64_t)offset_min * 60) * 1000 + frac_ms;
	if (utc < RFC3339_MIN_MS || utc > RFC3339_MAX_MS)
		return CV_EINVAL;
	*ms = utc;
	return CV_OK;
}

int cv_date_from_ms(int64_t ms, char out[CV_DATE_MAX])
{
	char full[CV_RFC3339_MAX];
	int rc = cv_clock_format_rfc3339(ms, full, sizeof(full));

	if (rc)
		return rc;
	memcpy(out, full, 10);
	out[10] = '\0';
	return CV_OK;
}

int cv_date_parse(const char *date, int64_t *days)
{
	char full[32];
	int64_t ms;

	if (strlen(date) != 10)
		return CV_EINVAL;
	snprintf(full, sizeof(full), "%sT00:00:00Z", date);
	if (cv_clock_parse_rfc3339(full, &ms))
		return CV_EINVAL;
	*days = ms / 86400000;
	return CV_OK;
}

int cv_date_add_days(const char *date, int days, char out[CV_DATE_MAX])
{
	int64_t d;

	if (cv_date_parse(date, &d))
		return CV_EINVAL;
	return cv_date_from_ms((d + days) * 86400000, out);
}

int cv_date_add_years(const char *date, int years, char out[CV_DATE_MAX])
{
	int y, m, dd;
	int64_t check;

	if (cv_date_parse(date, &check) || sscanf(date, "%4d-%2d-%2d", &y, &m, &dd) != 3)
		return CV_EINVAL;
	y += years;
	if (m == 2 && dd == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		dd = 28;
	if (snprintf(out, CV_DATE_MAX, "%04d-%02d-%02d", y, m, dd) != 10)
		return CV_EINVAL;
	return CV_OK;
}
