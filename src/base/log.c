/* log.c — see log.h. */
#include "base/log.h"

#include "base/clock.h"
#include "base/err.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

static atomic_int current_level = CV_LOG_INFO;

static const char *const level_names[] = {"debug", "info", "warn", "error", "off"};

void cv_log_set_level(enum cv_log_level level) { atomic_store(&current_level, (int)level); }

enum cv_log_level cv_log_get_level(void) { return (enum cv_log_level)atomic_load(&current_level); }

int cv_log_parse_level(const char *name, enum cv_log_level *out)
{
	for (int i = CV_LOG_DEBUG; i <= CV_LOG_OFF; i++) {
		if (strcmp(name, level_names[i]) == 0) {
			*out = (enum cv_log_level)i;
			return CV_OK;
		}
	}
	return CV_EINVAL;
}

void cv_log(enum cv_log_level level, const char *module, const char *fmt, ...)
{
	char stamp[CV_RFC3339_MAX];
	char line[2048];
	va_list ap;
	int n;

	if ((int)level < atomic_load(&current_level) || level >= CV_LOG_OFF)
		return;
	cv_clock_format_rfc3339_ms(cv_clock_wall_ms(), stamp, sizeof(stamp));
	n = snprintf(line, sizeof(line), "%s %-5s %s: ", stamp, level_names[level], module);
	if (n < 0 || (size_t)n >= sizeof(line))
		return;
	va_start(ap, fmt);
	/* A message longer than the line is cut: a log line is not a transport. */
	if (vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap) < 0)
		line[n] = '\0';
	va_end(ap);
	fprintf(stderr, "%s\n", line);
}
