/* buf.c — see buf.h. Capacity doubles so appends are amortised O(1). */
#include "base/buf.h"

#include "base/err.h"
#include "base/mem.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

void cv_buf_init(struct cv_buf *buf)
{
	buf->data = NULL;
	buf->len = 0;
	buf->cap = 0;
}

void cv_buf_release(struct cv_buf *buf)
{
	cv_free(buf->data);
	cv_buf_init(buf);
}

void cv_buf_reset(struct cv_buf *buf)
{
	buf->len = 0;
	if (buf->data)
		buf->data[0] = '\0';
}

int cv_buf_grow(struct cv_buf *buf, size_t extra)
{
	size_t need = buf->len + extra + 1;
	size_t cap = buf->cap ? buf->cap : 64;
	char *data;

	if (extra >= SIZE_MAX - buf->len) /* need would overflow */
		return CV_ENOMEM;
	if (need <= buf->cap)
		return CV_OK;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	data = cv_realloc(buf->data, cap);
	if (!data)
		return CV_ENOMEM;
	buf->data = data;
	buf->cap = cap;
	return CV_OK;
}

int cv_buf_add(struct cv_buf *buf, const void *data, size_t len)
{
	int rc = cv_buf_grow(buf, len);

	if (rc)
		return rc;
	if (len)
		memcpy(buf->data + buf->len, data, len);
	buf->len += len;
	buf->data[buf->len] = '\0';
	return CV_OK;
}

int cv_buf_adds(struct cv_buf *buf, const char *s) { return cv_buf_add(buf, s, strlen(s)); }

int cv_buf_addch(struct cv_buf *buf, char c) { return cv_buf_add(buf, &c, 1); }

int cv_buf_vaddf(struct cv_buf *buf, const char *fmt, va_list ap)
{
	va_list copy;
	int n;
	int rc;

	va_copy(copy, ap);
	n = vsnprintf(NULL, 0, fmt, copy);
	va_end(copy);
	if (n < 0)
		return CV_EINVAL;
	rc = cv_buf_grow(buf, (size_t)n);
	if (rc)
		return rc;
	if (vsnprintf(buf->data + buf->len, (size_t)n + 1, fmt, ap) != n)
		return CV_EINTERNAL;
	buf->len += (size_t)n;
	return CV_OK;
}

int cv_buf_addf(struct cv_buf *buf, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = cv_buf_vaddf(buf, fmt, ap);
	va_end(ap);
	return rc;
}

const char *cv_buf_str(const struct cv_buf *buf) { return buf->data ? buf->data : ""; }

char *cv_buf_detach(struct cv_buf *buf, size_t *len)
{
	char *data = buf->data;

	if (!data)
		data = cv_strdup("");
	if (len)
		*len = buf->data ? buf->len : 0;
	cv_buf_init(buf);
	return data;
}
