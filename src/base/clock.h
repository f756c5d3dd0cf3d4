/*
 * clock.h — time in caravan: UTC everywhere, RFC 3339 on the wire.
 *
 * Times are int64 milliseconds since the Unix epoch (UTC). Legal deadlines
 * are dates, handled by their own module when they arrive. Thread-safe.
 */
#ifndef CV_BASE_CLOCK_H
#define CV_BASE_CLOCK_H

#include <stddef.h>
#include <stdint.h>

/* "2026-11-27T21:49:44.123Z" plus NUL fits. */
#define CV_RFC3339_MAX 32

/* Wall-clock now, ms since the epoch. */
int64_t cv_clock_now_ms(void);
/* Monotonic clock in nanoseconds, for measuring durations. */
int64_t cv_clock_monotonic_ns(void);
/*
 * Format as "YYYY-MM-DDTHH:MM:SS.mmmZ"; returns CV_EINVAL if out is too small
 * or ms is outside the years 0000 to 9999.
 */
int cv_clock_format_rfc3339_ms(int64_t ms, char *out, size_t size);
/* Format as "YYYY-MM-DDTHH:MM:SSZ" (seconds precision). */
int cv_clock_format_rfc3339(int64_t ms, char *out, size_t size);
/*
 * Parse an RFC 3339 timestamp with Z or an offset; CV_EINVAL when malformed
 * or when the offset moves it outside the years 0000 to 9999 (UTC).
 */
int cv_clock_parse_rfc3339(const char *s, int64_t *ms);

/* A date as "YYYY-MM-DD" plus NUL. Legal deadlines are dates (UTC). */
#define CV_DATE_MAX 11

/* The UTC date of ms. */
int cv_date_from_ms(int64_t ms, char out[CV_DATE_MAX]);
/* Parse "YYYY-MM-DD" into days since 1970-01-01; CV_EINVAL when malformed or impossible. */
int cv_date_parse(const char *date, int64_t *days);
/* date + days, as a date. */
int cv_date_add_days(const char *date, int days, char out[CV_DATE_MAX]);
/* date + years (29 February becomes 28 February in a common year). */
int cv_date_add_years(const char *date, int years, char out[CV_DATE_MAX]);

#endif
