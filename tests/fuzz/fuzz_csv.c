/*
 * fuzz_csv.c — the CSV reader (base/csv.h) on arbitrary bytes.
 *
 * Its inputs come from outside (a national tariff, a WCO release, a dataset,
 * an uploaded watchlist), so the reader must reject anything broken with a
 * line number and never read or write outside the buffer. The first byte
 * chooses how the header is read: bit 0 checks it exactly (as the HS loader
 * does), else bit 1 maps its columns in any order (as the dataset reader
 * does), else it is a record like any other; the rest is the input.
 */
#include "base/csv.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define COLUMNS 5

static const char *const columns[COLUMNS] = {"section", "hscode", "description", "parent", "level"};

/* Read the header as the first byte says; CV_OK when there is nothing to check. */
static int read_header(struct cv_csv *csv, uint8_t mode, struct cv_error *err)
{
	int index[COLUMNS], fields = 0, rc;

	if (mode & 1)
		return cv_csv_header(csv, columns, COLUMNS, err);
	if (!(mode & 2))
		return CV_OK;
	rc = cv_csv_header_map(csv, columns, COLUMNS, index, &fields, err);
	if (rc == CV_OK) {
		for (int c = 0; c < COLUMNS; c++)
			if (index[c] < 0 || index[c] >= fields)
				abort();
		if (fields < 1 || fields > CV_CSV_FIELDS_MAX)
			abort();
	}
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cv_csv csv;
	struct cv_csv_row row;
	struct cv_error err;
	uint8_t mode;
	char *text;
	int rc;

	if (size == 0)
		return 0;
	mode = data[0];
	data++;
	size--;
	/* The reader expects what cv_file_read() gives: size bytes and a NUL. */
	text = malloc(size + 1);
	if (!text)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';
	cv_error_clear(&err);
	rc = cv_csv_init(&csv, "fuzz.csv", NULL, text, size, &err);
	if (rc == CV_OK)
		rc = read_header(&csv, mode, &err);
	while (rc == CV_OK && (rc = cv_csv_next(&csv, &row, &err)) == 1) {
		if (row.count < 1 || row.count > CV_CSV_FIELDS_MAX || row.line < 1)
			abort();
		for (int i = 0; i < row.count; i++) {
			/* Fields lie inside the buffer and end with a NUL (ASan checks). */
			if (row.fields[i] < text || row.fields[i] > text + size)
				abort();
			cv_csv_trim(row.fields[i]);
		}
		rc = CV_OK;
	}
	if (rc < 0 && (err.code != rc || err.message[0] == '\0'))
		abort();
	free(text);
	return 0;
}
