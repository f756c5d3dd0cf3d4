/*
 * fuzz_csv.c — the reference-data CSV reader on arbitrary bytes.
 *
 * The HS files come from outside (a national tariff, a WCO release), so the
 * reader must reject anything broken with a line number and never read or
 * write outside the file's buffer. The first byte chooses whether the header
 * is checked first (as the HS loader does); the rest is the file.
 */
#include "refdata/refdata_internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char *const columns[] = {"section", "hscode", "description", "parent", "level"};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct refdata_file file = {.name = "fuzz.csv"};
	struct refdata_csv csv;
	struct refdata_csv_row row;
	struct cv_error err;
	int check_header, rc;

	if (size == 0)
		return 0;
	check_header = data[0] & 1;
	data++;
	size--;
	/* The reader expects what refdata_file_read() gives: size bytes and a NUL. */
	file.path = strdup("fuzz.csv");
	file.data = malloc(size + 1);
	if (!file.path || !file.data)
		abort();
	memcpy(file.data, data, size);
	file.data[size] = '\0';
	file.size = size;
	cv_error_clear(&err);
	rc = refdata_csv_init(&csv, &file, &err);
	if (rc == CV_OK && check_header)
		rc = refdata_csv_header(&csv, columns, 5, &err);
	while (rc == CV_OK && (rc = refdata_csv_next(&csv, &row, &err)) == 1) {
		if (row.count < 1 || row.count > REFDATA_CSV_FIELDS_MAX || row.line < 1)
			abort();
		for (int i = 0; i < row.count; i++) {
			/* Fields lie inside the buffer and end with a NUL (ASan checks). */
			if (row.fields[i] < file.data || row.fields[i] > file.data + file.size)
				abort();
			refdata_csv_trim(row.fields[i]);
		}
		rc = CV_OK;
	}
	if (rc < 0 && (err.code != rc || err.message[0] == '\0'))
		abort();
	free(file.path);
	free(file.data);
	return 0;
}
