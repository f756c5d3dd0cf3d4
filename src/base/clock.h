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

/* Now, ms since the epoch: the wall clock, or the override below. */
int64_t cv_clock_now_ms(void);
/*
 * Run at a given time: while ms is not 0, cv_clock_now_ms() answers ms
 * instead of the wall clock; 0 returns to the wall clock. For `caravan
 * demo` only, which plays months of single-window traffic through the code
 * the API runs, at the times each step happened: the places that read the
 * clock themselves (a declaration's lodgement time, the engine's decision
 * time) then agree with the trade context's now_ms. The server never sets
 * it. UUIDv7 ids and log lines keep the wall clock (cv_clock_wall_ms): they
 * order rows and lines by when this machine wrote them.
 */
void cv_clock_override(int64_t ms);
/* The wall clock, ms since the epoch, whatever the override. */
int64_t cv_clock_wall_ms(void);
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
