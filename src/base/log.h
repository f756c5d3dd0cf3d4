/*
 * log.h — the logger: one line per event on standard error.
 *
 * Lines look like `2026-11-27T21:49:44.123Z info  http: GET /healthz 200 0.12ms -`
 * so that they sort by time and grep by level or module. The level is global
 * configuration, set once at start-up. Secrets (passwords, tokens, cookies)
 * are never passed to the logger: callers log identifiers, not credentials.
 *
 * Thread-safe: each line is written with one call under stdio's lock.
 */
#ifndef CV_BASE_LOG_H
#define CV_BASE_LOG_H

enum cv_log_level { CV_LOG_DEBUG, CV_LOG_INFO, CV_LOG_WARN, CV_LOG_ERROR, CV_LOG_OFF };

void cv_log_set_level(enum cv_log_level level);
enum cv_log_level cv_log_get_level(void);
/* Parse "debug", "info", "warn", "error" or "off"; returns CV_EINVAL otherwise. */
int cv_log_parse_level(const char *name, enum cv_log_level *out);

void cv_log(enum cv_log_level level, const char *module, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define cv_debug(module, ...) cv_log(CV_LOG_DEBUG, module, __VA_ARGS__)
#define cv_info(module, ...) cv_log(CV_LOG_INFO, module, __VA_ARGS__)
#define cv_warn(module, ...) cv_log(CV_LOG_WARN, module, __VA_ARGS__)
#define cv_logerr(module, ...) cv_log(CV_LOG_ERROR, module, __VA_ARGS__)

#endif
