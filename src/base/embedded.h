/*
 * embedded.h — files compiled into the binary (scripts/embed generates the
 * table): SQL migrations, the web pages and the OpenAPI reference. Names are
 * the paths in the source tree ("src/store/migrations/001_foundation.sql").
 * Each file's data is followed by a NUL byte, so text files are C strings.
 * Read-only: thread-safe.
 */
#ifndef CV_BASE_EMBEDDED_H
#define CV_BASE_EMBEDDED_H

#include <stddef.h>

struct cv_embedded_file {
	const char *name;
	const unsigned char *data;
	size_t size;
};

/* Terminated by an entry whose name is NULL. */
extern const struct cv_embedded_file cv_embedded_files[];

/* The file with this exact name, or NULL. */
const struct cv_embedded_file *cv_embedded_find(const char *name);

#endif
