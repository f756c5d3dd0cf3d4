/*
 * err.h — the one error convention of caravan.
 *
 * Every function that can fail returns int: 0 for success, a negative CV_E*
 * code for failure. Results travel through out parameters. When the failure
 * has something to tell a person (which field, what was wrong), the callee
 * fills a struct cv_error that the caller owns; callers that do not care pass
 * NULL. The struct holds fixed-size buffers so filling it never allocates and
 * never fails.
 *
 * Thread-safe: no shared state.
 */
#ifndef CV_BASE_ERR_H
#define CV_BASE_ERR_H

#include <stddef.h>

enum {
	CV_OK = 0,
	CV_ENOMEM = -1,        /* allocation failed */
	CV_EINVAL = -2,        /* input is malformed or fails validation */
	CV_ENOTFOUND = -3,     /* the thing asked for does not exist */
	CV_ECONFLICT = -4,     /* conflicts with the current state (duplicate, wrong state) */
	CV_EDB = -5,           /* the database failed */
	CV_EIO = -6,           /* file or network I/O failed */
	CV_EPERM = -7,         /* not permitted */
	CV_EAUTH = -8,         /* not authenticated */
	CV_EBUSY = -9,         /* try again later (locked, throttled) */
	CV_EUNSUPPORTED = -10, /* a feature that is not built */
	CV_EINTERNAL = -11     /* a bug: an invariant was broken */
};

#define CV_ERROR_FIELD_MAX 128
#define CV_ERROR_MESSAGE_MAX 512

/* Details of a failure for the person who caused it. */
struct cv_error {
	int code;                           /* the CV_E* code also returned */
	char field[CV_ERROR_FIELD_MAX];     /* offending field or "" */
	char message[CV_ERROR_MESSAGE_MAX]; /* human sentence, no trailing newline */
};

/* Reset err to "no error". NULL is allowed. */
void cv_error_clear(struct cv_error *err);

/*
 * Fill err (if not NULL) with code, field (may be NULL) and a printf-style
 * message; returns code so callers can write `return cv_error_set(...)`.
 */
int cv_error_set(struct cv_error *err, int code, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* A short constant name for a CV_E* code ("not found"). */
const char *cv_strerror(int code);

#endif
