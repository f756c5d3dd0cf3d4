/*
 * csv.c — a small RFC 4180 reader (see csv.h).
 *
 * Why not a library: the files are simple (a comma separator, fields quoted
 * with '"' when they hold a comma, a quote or a line break, a quote inside
 * doubled), Debian has no small maintained C CSV library worth a dependency,
 * and jansson is far too slow for bulk rows (docs/DESIGN.md).
 *
 * The reader parses in place: the whole input is in one buffer, and each
 * field is unescaped over itself (a doubled quote only ever shrinks the text)
 * and NUL-terminated where its separator was. So reading allocates nothing,
 * and a row's fields live as long as the buffer.
 *
 * The input is checked for UTF-8 once, whole, before the first record is
 * handed out: a caller validating rows never sees invalid text, and a bad
 * byte anywhere fails the input before any row was used.
 */
#include "base/csv.h"

#include "base/buf.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define UTF8_BOM "\xEF\xBB\xBF"
#define UTF8_BOM_LEN 3

/* Length of the well-formed UTF-8 sequence at p (left bytes available), or 0. */
static size_t utf8_sequence(const unsigned char *p, size_t left)
{
	size_t len;
	unsigned long cp;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xC2 && p[0] <= 0xDF) {
		len = 2;
		cp = p[0] & 0x1Fu;
	} else if ((p[0] & 0xF0) == 0xE0) {
		len = 3;
		cp = p[0] & 0x0Fu;
	} else if (p[0] >= 0xF0 && p[0] <= 0xF4) {
		len = 4;
		cp = p[0] & 0x07u;
	} else {
		return 0;
	}
	if (left < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3Fu);
	}
	/* Overlong forms, UTF-16 surrogates and code points past U+10FFFF. */
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
	    (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return len;
}

int cv_csv_error(const struct cv_csv *csv, struct cv_error *err, long line, const char *fmt, ...)
{
	char what[CV_ERROR_MESSAGE_MAX];
	va_list ap;

	va_start(ap, fmt);
	/* Truncation is acceptable: the message is for people. */
	if (vsnprintf(what, sizeof(what), fmt, ap) < 0)
		what[0] = '\0';
	va_end(ap);
	if (line > 0)
		return cv_error_set(err, CV_EINVAL, csv->field, "%s line %ld: %s", csv->name, line,
				    what);
	return cv_error_set(err, CV_EINVAL, csv->field, "%s: %s", csv->name, what);
}

int cv_csv_init(struct cv_csv *csv, const char *name, const char *field, char *data, size_t size,
		struct cv_error *err)
{
	char *p, *end;
	long line = 1;

	assert(csv && name && data && data[size] == '\0');
	p = data;
	end = data + size;
	if (size >= UTF8_BOM_LEN && memcmp(p, UTF8_BOM, UTF8_BOM_LEN) == 0)
		p += UTF8_BOM_LEN;
	csv->name = name;
	csv->field = field ? field : name;
	csv->next = p;
	csv->end = end;
	csv->line = 1;
	while (p < end) {
		size_t len;

		if (*p == '\0')
			return cv_csv_error(csv, err, line, "a NUL byte in the text");
		len = utf8_sequence((const unsigned char *)p, (size_t)(end - p));
		if (len == 0)
			return cv_csv_error(csv, err, line, "the text is not valid UTF-8");
		if (*p == '\n')
			line++;
		p += len;
	}
	return CV_OK;
}

/* Strip the quotes of a quoted field at csv->next, unescaping in place; *w ends the text. */
static int unquote_field(struct cv_csv *csv, char **w, struct cv_error *err)
{
	char *r = csv->next + 1;
	long opened = csv->line;

	for (;;) {
		if (r == csv->end)
			return cv_csv_error(csv, err, opened, "a quoted field is never closed");
		if (*r == '"') {
			if (r + 1 < csv->end && r[1] == '"') {
				*(*w)++ = '"';
				r += 2;
				continue;
			}
			r++;
			break;
		}
		if (*r == '\n')
			csv->line++;
		*(*w)++ = *r++;
	}
	if (r < csv->end && *r != ',' && *r != '\n' && *r != '\r')
		return cv_csv_error(csv, err, csv->line, "text after the closing quote of a field");
	csv->next = r;
	return CV_OK;
}

/*
 * Parse the field at csv->next into *field; *separator receives what ended it:
 * ',' (more fields follow), '\n' (end of record) or '\0' (end of input).
 */
static int parse_field(struct cv_csv *csv, char **field, char *separator, struct cv_error *err)
{
	char *w = csv->next;
	char *r;

	*field = w;
	if (csv->next < csv->end && *csv->next == '"') {
		int rc = unquote_field(csv, &w, err);

		if (rc)
			return rc;
	} else {
		while (csv->next < csv->end && *csv->next != ',' && *csv->next != '\n' &&
		       *csv->next != '\r') {
			if (*csv->next == '"')
				return cv_csv_error(csv, err, csv->line,
						    "a quote inside an unquoted field (quote the whole field and double the quote)");
			csv->next++;
		}
		w = csv->next;
	}
	/* Read the separator before w's NUL may overwrite it. */
	r = csv->next;
	if (r == csv->end) {
		*separator = '\0';
	} else if (*r == ',') {
		*separator = ',';
		r++;
	} else if (*r == '\n' || (*r == '\r' && r + 1 < csv->end && r[1] == '\n')) {
		*separator = '\n';
		r += *r == '\r' ? 2 : 1;
		csv->line++;
	} else {
		return cv_csv_error(csv, err, csv->line,
				    "a carriage return not followed by a line feed");
	}
	*w = '\0';
	csv->next = r;
	return CV_OK;
}

int cv_csv_next(struct cv_csv *csv, struct cv_csv_row *row, struct cv_error *err)
{
	char separator = ',';

	if (csv->next >= csv->end)
		return 0;
	row->line = csv->line;
	row->count = 0;
	while (separator == ',') {
		char *field;
		int rc;

		if (row->count == CV_CSV_FIELDS_MAX)
			return cv_csv_error(csv, err, row->line, "more than %d fields",
					    CV_CSV_FIELDS_MAX);
		rc = parse_field(csv, &field, &separator, err);
		if (rc)
			return rc;
		row->fields[row->count++] = field;
	}
	return 1;
}

/* names joined with commas, as the header line would read, into out. */
static int join_names(struct cv_buf *out, const char *const *names, int count)
{
	for (int i = 0; i < count; i++) {
		int rc = cv_buf_addf(out, "%s%s", i ? "," : "", names[i]);

		if (rc)
			return rc;
	}
	return CV_OK;
}

int cv_csv_header(struct cv_csv *csv, const char *const *names, int count, struct cv_error *err)
{
	struct cv_csv_row row;
	struct cv_buf expected;
	int rc = cv_csv_next(csv, &row, err);

	if (rc < 0)
		return rc;
	if (rc == 1 && row.count == count) {
		int i = 0;

		while (i < count && strcmp(cv_csv_trim(row.fields[i]), names[i]) == 0)
			i++;
		if (i == count)
			return CV_OK;
	}
	cv_buf_init(&expected);
	rc = join_names(&expected, names, count);
	if (rc == CV_OK)
		rc = cv_csv_error(csv, err, 1, "the header must be \"%s\"", cv_buf_str(&expected));
	else
		rc = cv_error_set(err, rc, csv->field, "out of memory");
	cv_buf_release(&expected);
	return rc;
}

/* Fail for an input without even a header, listing the columns expected. */
static int empty_input(struct cv_csv *csv, const char *const *names, int count, struct cv_error *err)
{
	struct cv_buf expected;
	int rc;

	cv_buf_init(&expected);
	rc = join_names(&expected, names, count);
	if (rc == CV_OK)
		rc = cv_error_set(err, CV_EINVAL, "header",
				  "%s is empty (expected a header naming the columns \"%s\")",
				  csv->name, cv_buf_str(&expected));
	else
		rc = cv_error_set(err, rc, csv->field, "out of memory");
	cv_buf_release(&expected);
	return rc;
}

int cv_csv_header_map(struct cv_csv *csv, const char *const *names, int count, int *index,
		      int *fields, struct cv_error *err)
{
	struct cv_csv_row row;
	int rc = cv_csv_next(csv, &row, err);

	if (rc < 0)
		return rc;
	if (rc == 0)
		return empty_input(csv, names, count, err);
	for (int f = 0; f < row.count; f++)
		row.fields[f] = cv_csv_trim(row.fields[f]);
	for (int c = 0; c < count; c++) {
		index[c] = -1;
		for (int f = 0; f < row.count && index[c] < 0; f++)
			if (strcmp(row.fields[f], names[c]) == 0)
				index[c] = f;
		if (index[c] < 0)
			return cv_error_set(err, CV_EINVAL, names[c],
					    "%s line %ld: the header has no column \"%s\"",
					    csv->name, row.line, names[c]);
	}
	if (fields)
		*fields = row.count;
	return CV_OK;
}

char *cv_csv_trim(char *field)
{
	char *end;

	while (*field == ' ' || *field == '\t')
		field++;
	end = field + strlen(field);
	while (end > field && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	*end = '\0';
	return field;
}
