/*
 * buf.h — a growable byte buffer for building strings (git's strbuf).
 *
 * struct cv_buf is caller-owned: cv_buf_init() before use, cv_buf_release()
 * after. The content is always NUL-terminated (data[len] == '\0') once
 * anything has been added, so data can be used as a C string. An append that
 * cannot allocate returns CV_ENOMEM and leaves the buffer as it was.
 *
 * Not thread-safe: one buffer, one thread.
 */
#ifndef CV_BASE_BUF_H
#define CV_BASE_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct cv_buf {
	char *data; /* NULL until the first append */
	size_t len; /* bytes used, not counting the terminating NUL */
	size_t cap; /* bytes allocated */
};

void cv_buf_init(struct cv_buf *buf);
/* Free the memory; the buffer is empty and may be reused. */
void cv_buf_release(struct cv_buf *buf);
/* Forget the content, keep the memory. */
void cv_buf_reset(struct cv_buf *buf);
/* Make room for at least extra more bytes. */
int cv_buf_grow(struct cv_buf *buf, size_t extra);
int cv_buf_add(struct cv_buf *buf, const void *data, size_t len);
int cv_buf_adds(struct cv_buf *buf, const char *s);
int cv_buf_addch(struct cv_buf *buf, char c);
int cv_buf_addf(struct cv_buf *buf, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int cv_buf_vaddf(struct cv_buf *buf, const char *fmt, va_list ap);
/* The content as a C string: "" for an empty buffer, never NULL. */
const char *cv_buf_str(const struct cv_buf *buf);
/* Hand the heap string to the caller (free with cv_free); the buffer is empty. */
char *cv_buf_detach(struct cv_buf *buf, size_t *len);

#endif
