/* err.c — see err.h. */
#include "base/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void cv_error_clear(struct cv_error *err)
{
	if (!err)
		return;
	err->code = CV_OK;
	err->field[0] = '\0';
	err->message[0] = '\0';
}

int cv_error_set(struct cv_error *err, int code, const char *field, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return code;
	err->code = code;
	snprintf(err->field, sizeof(err->field), "%s", field ? field : "");
	va_start(ap, fmt);
	/* Truncation of a long message is acceptable: it is for people. */
	if (vsnprintf(err->message, sizeof(err->message), fmt, ap) < 0)
		err->message[0] = '\0';
	va_end(ap);
	return code;
}

const char *cv_strerror(int code)
{
	switch (code) {
	case CV_OK: return "ok";
	case CV_ENOMEM: return "out of memory";
	case CV_EINVAL: return "invalid input";
	case CV_ENOTFOUND: return "not found";
	case CV_ECONFLICT: return "conflict";
	case CV_EDB: return "database error";
	case CV_EIO: return "input/output error";
	case CV_EPERM: return "not permitted";
	case CV_EAUTH: return "not authenticated";
	case CV_EBUSY: return "busy";
	case CV_EUNSUPPORTED: return "not supported";
	case CV_EINTERNAL: return "internal error";
	}
	return "unknown error";
}
