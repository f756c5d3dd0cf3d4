/*
 * file.h — reading a file whole into memory.
 *
 * Bulk inputs (reference data, datasets, imports) are read whole and parsed
 * in place (base/csv.h), which is simpler than streaming and costs one
 * allocation. The caller names the largest size it accepts, so a wrong path
 * pointing at something huge is refused instead of exhausting memory.
 *
 * Thread-safe: no shared state.
 */
#ifndef CV_BASE_FILE_H
#define CV_BASE_FILE_H

#include "base/err.h"

#include <stddef.h>

/*
 * Read the regular file at path into *data: *size bytes, then a NUL (so the
 * buffer can be parsed as a string); the caller frees it with cv_free(). On
 * failure *data is NULL and err->field is field (how the user knows the file;
 * NULL: path), the message naming path:
 *  - CV_ENOTFOUND "cannot read <path>: <reason>" when the file does not exist
 *    (or a folder of the path is a file);
 *  - CV_EINVAL "<path> is larger than <max> bytes";
 *  - CV_EIO for any other failure (not a regular file, a read error);
 *  - CV_ENOMEM.
 */
int cv_file_read(const char *path, size_t max, const char *field, char **data, size_t *size,
		 struct cv_error *err);

#endif
