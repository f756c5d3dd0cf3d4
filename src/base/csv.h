/*
 * csv.h — an RFC 4180 CSV reader over a buffer in memory.
 *
 * For any module that reads CSV: reference data files, the customs
 * declarations dataset, an uploaded watchlist. The input is one writable,
 * NUL-terminated buffer that the caller owns (a file read whole with
 * cv_file_read(), a request body); the reader parses it in place, so reading
 * allocates nothing and a row's fields point into the buffer, living as long
 * as it does.
 *
 * Accepted: a comma separator, fields quoted with '"' (needed when a field
 * holds a comma, a quote or a line break; a quote inside doubled), LF or CRLF
 * line ends, no final line end, a UTF-8 byte order mark. Rejected with
 * CV_EINVAL, naming the input and the line: bytes that are not UTF-8 or a NUL
 * (checked for the whole input by cv_csv_init(), so no invalid text reaches
 * the database), a quote inside an unquoted field, text after a closing
 * quote, a quoted field never closed, a lone CR, a record of more than
 * CV_CSV_FIELDS_MAX fields. A line number is the physical line where a record
 * starts: a quoted field may span lines.
 *
 * An error's message reads "<name> line <line>: <what is wrong>" and its
 * err->field is the input's field (see cv_csv_init()).
 *
 * Not thread-safe: a reader and its buffer belong to one thread.
 */
#ifndef CV_BASE_CSV_H
#define CV_BASE_CSV_H

#include "base/err.h"

#include <stddef.h>

/*
 * Records with more fields than this are rejected. 32: the widest file read
 * is the customs declarations dataset (22 columns, src/risk/dataset.c).
 */
#define CV_CSV_FIELDS_MAX 32

/* A reader: caller-owned, set up by cv_csv_init(), nothing to release. */
struct cv_csv {
	const char *name;  /* the input in messages (a path); not owned */
	const char *field; /* err->field of the reader's errors; not owned */
	char *next;        /* first byte not yet parsed */
	char *end;         /* one past the last byte of the input */
	long line;         /* physical line of next, from 1 */
};

/* One record. Fields point into the input buffer, NUL-terminated. */
struct cv_csv_row {
	long line; /* physical line the record starts on */
	int count; /* fields, at least 1 (an empty line is one empty field) */
	char *fields[CV_CSV_FIELDS_MAX];
};

/*
 * Start reading the size bytes at data, which must be followed by a NUL
 * (data[size] == '\0'). The whole input is checked to be UTF-8 without NUL
 * bytes first; a byte order mark is skipped. The reader rewrites the buffer
 * as it parses and keeps name, field and data (not copied) until the last
 * call. name names the input in messages ("/srv/data/hs/sections.csv",
 * "watchlist upload"); field is err->field of every error of the input
 * (e.g. the file's name as the user knows it, a request field), NULL for
 * name.
 */
int cv_csv_init(struct cv_csv *csv, const char *name, const char *field, char *data, size_t size,
		struct cv_error *err);

/*
 * Parse the next record into row: returns 1 for a record, 0 at the end of the
 * input, or CV_EINVAL (with name and line in err) for broken quoting, a lone
 * CR or too many fields.
 */
int cv_csv_next(struct cv_csv *csv, struct cv_csv_row *row, struct cv_error *err);

/*
 * Read the header record and check it names exactly the count columns of
 * names, in that order (each field trimmed). Otherwise fails with CV_EINVAL,
 * "<name> line 1: the header must be "a,b,c"".
 */
int cv_csv_header(struct cv_csv *csv, const char *const *names, int count, struct cv_error *err);

/*
 * Read the header record and find each of the count columns of names in it,
 * in any order (each field trimmed, compared exactly; the first of equal
 * names wins): index[i] receives the position of names[i] in a row. Columns
 * not in names are allowed. fields (if not NULL) receives the header's
 * number of fields, which a caller may require of every row. Fails with
 * CV_EINVAL when a column is missing (err->field is the column,
 * "<name> line 1: the header has no column "X""), or when the input is
 * empty (err->field "header").
 */
int cv_csv_header_map(struct cv_csv *csv, const char *const *names, int count, int *index,
		      int *fields, struct cv_error *err);

/*
 * Fail with CV_EINVAL for something wrong at line of the input, in the
 * reader's own form: err->field is the input's field, the message
 * "<name> line <line>: <what>" (line 0 leaves the line out). For callers
 * checking the values of a row (row->line). Returns CV_EINVAL.
 */
int cv_csv_error(const struct cv_csv *csv, struct cv_error *err, long line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Strip ASCII blanks (space, tab) from both ends of field, in place; returns field. */
char *cv_csv_trim(char *field);

#endif
