/*
 * csv.c — a small RFC 4180 reader for the reference data files.
 *
 * Why not a library: the files are simple (a comma separator, fields quoted
 * with '"' when they hold a comma, a quote or a line break, a quote inside
 * doubled), Debian has no small maintained C CSV library worth a dependency,
 * and jansson is far too slow for bulk rows (docs/DESIGN.md).
 *
 * The reader parses in place: the whole file is in one buffer, and each field
 * is unescaped over itself (a doubled quote only ever shrinks the text) and
 * NUL-terminated where its separator was. So reading allocates nothing, and a
 * row's fields live as long as the file buffer.
 *
 * Accepted: LF or CRLF line ends, no final line end, a UTF-8 byte order mark.
 * Rejected, with the file and line: a quote inside an unquoted field, text
 * after a closing quote, a quoted field never closed, a lone CR, a NUL byte,
 * and bytes that are not UTF-8 (so no invalid text reaches the database).
 * A line number is the physical line where a record starts; a quoted field
 * may span lines.
 */
#include "refdata/refdata_internal.h"

#include "base/buf.h"

#include <assert.h>
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

int refdata_csv_init(struct refdata_csv *csv, struct refdata_file *file, struct cv_error *err)
{
	char *p, *end;
	long line = 1;

	assert(file->data && file->data[file->size] == '\0');
	p = file->data;
	end = file->data + file->size;
	if (file->size >= UTF8_BOM_LEN && memcmp(p, UTF8_BOM, UTF8_BOM_LEN) == 0)
		p += UTF8_BOM_LEN;
	csv->file = file;
	csv->next = p;
	csv->end = end;
	csv->line = 1;
	while (p < end) {
		size_t len;

		if (*p == '\0')
			return refdata_file_error(err, file, line, "NUL byte in the file");
		len = utf8_sequence((const unsigned char *)p, (size_t)(end - p));
		if (len == 0)
			return refdata_file_error(err, file, line, "the text is not valid UTF-8");
		if (*p == '\n')
			line++;
		p += len;
	}
	return CV_OK;
}

/* Strip the quotes of a quoted field at csv->next, unescaping in place; *w ends the text. */
static int unquote_field(struct refdata_csv *csv, char **w, struct cv_error *err)
{
	char *r = csv->next + 1;
	long opened = csv->line;

	for (;;) {
		if (r == csv->end)
			return refdata_file_error(err, csv->file, opened,
						  "a quoted field is never closed");
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
		return refdata_file_error(err, csv->file, csv->line,
					  "text after the closing quote of a field");
	csv->next = r;
	return CV_OK;
}

/*
 * Parse the field at csv->next into *field; *separator receives what ended it:
 * ',' (more fields follow), '\n' (end of record) or '\0' (end of file).
 */
static int parse_field(struct refdata_csv *csv, char **field, char *separator, struct cv_error *err)
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
				return refdata_file_error(err, csv->file, csv->line,
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
		return refdata_file_error(err, csv->file, csv->line,
					  "a carriage return not followed by a line feed");
	}
	*w = '\0';
	csv->next = r;
	return CV_OK;
}

int refdata_csv_next(struct refdata_csv *csv, struct refdata_csv_row *row, struct cv_error *err)
{
	char separator = ',';

	if (csv->next >= csv->end)
		return 0;
	row->line = csv->line;
	row->count = 0;
	while (separator == ',') {
		char *field;
		int rc;

		if (row->count == REFDATA_CSV_FIELDS_MAX)
			return refdata_file_error(err, csv->file, row->line, "more than %d fields",
						  REFDATA_CSV_FIELDS_MAX);
		rc = parse_field(csv, &field, &separator, err);
		if (rc)
			return rc;
		row->fields[row->count++] = field;
	}
	return 1;
}

int refdata_csv_header(struct refdata_csv *csv, const char *const *names, int count,
		       struct cv_error *err)
{
	struct refdata_csv_row row;
	struct cv_buf expected;
	int rc = refdata_csv_next(csv, &row, err);

	if (rc < 0)
		return rc;
	if (rc == 1 && row.count == count) {
		int i = 0;

		while (i < count && strcmp(refdata_csv_trim(row.fields[i]), names[i]) == 0)
			i++;
		if (i == count)
			return CV_OK;
	}
	cv_buf_init(&expected);
	for (int i = 0; i < count; i++) {
		rc = cv_buf_addf(&expected, "%s%s", i ? "," : "", names[i]);
		if (rc) {
			cv_buf_release(&expected);
			return cv_error_set(err, rc, csv->file->name, "out of memory");
		}
	}
	rc = refdata_file_error(err, csv->file, 1, "the header must be \"%s\"",
				cv_buf_str(&expected));
	cv_buf_release(&expected);
	return rc;
}

char *refdata_csv_trim(char *field)
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
