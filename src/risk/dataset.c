/*
 * dataset.c — the customs declarations dataset CSV into records (see
 * dataset.h).
 *
 * It uses the RFC 4180 reader of base/csv.h: the file is read whole, parsed
 * in place, and the records point into its buffer, so reading 37,000 rows
 * costs one allocation for the file and one for the records. The header is
 * matched by name rather than position (cv_csv_header_map()) so that a file
 * with its columns reordered or an extra column still reads, and a missing
 * column is named.
 *
 * A row is refused, naming its line and column, when it has a different
 * number of fields than the header, an empty Declaration ID, a date that is
 * not YYYY-MM-DD, an HS code that is not 2 to 10 digits, a number that does
 * not parse or is negative or not finite, or a label outside 0/1 (0/1/2 for
 * Critical Fraud). Empty numbers are missing (NAN); empty identifiers are
 * missing ("").
 */
#include "risk/dataset.h"

#include "base/csv.h"
#include "base/file.h"
#include "base/mem.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define DATE_LEN 10 /* YYYY-MM-DD */
#define HS_MIN_DIGITS 2
#define HS_MAX_DIGITS 10
#define RECORDS_INITIAL 1024
/* The published files are 4 MB; anything this big is not one of them. */
#define DATASET_FILE_MAX ((size_t)64 * 1024 * 1024)

static const char *const column_names[RISK_DATASET_COLUMNS] = {"Declaration ID",
							       "Date",
							       "Office ID",
							       "Process Type",
							       "Import Type",
							       "Import Use",
							       "Payment Type",
							       "Mode of Transport",
							       "Declarant ID",
							       "Importer ID",
							       "Seller ID",
							       "Courier ID",
							       "HS6 Code",
							       "Country of Departure",
							       "Country of Origin",
							       "Tax Rate",
							       "Tax Type",
							       "Country of Origin Indicator",
							       "Net Mass",
							       "Item Price",
							       "Fraud",
							       "Critical Fraud"};

const char *risk_dataset_column_name(enum risk_dataset_column column)
{
	return (unsigned)column < RISK_DATASET_COLUMNS ? column_names[column] : "";
}

static int row_error(struct cv_error *err, const char *path, long line,
		     enum risk_dataset_column column, const char *what, const char *value)
{
	return cv_error_set(err, CV_EINVAL, column_names[column],
			    "%s:%ld: column \"%s\": %s \"%.40s\"", path, line, column_names[column],
			    what, value);
}

/* An empty field is NAN; otherwise a finite number >= 0. */
static int parse_number(const char *text, double *out)
{
	char *end;

	if (*text == '\0') {
		*out = NAN;
		return CV_OK;
	}
	errno = 0;
	*out = strtod(text, &end);
	if (*end != '\0' || errno == ERANGE || !isfinite(*out) || *out < 0)
		return CV_EINVAL;
	return CV_OK;
}

static int check_date(const char *s)
{
	if (strlen(s) != DATE_LEN)
		return CV_EINVAL;
	for (int i = 0; i < DATE_LEN; i++) {
		int dash = i == 4 || i == 7;

		if (dash ? s[i] != '-' : !isdigit((unsigned char)s[i]))
			return CV_EINVAL;
	}
	return CV_OK;
}

static int check_hs(const char *s)
{
	size_t len = strlen(s);

	if (len < HS_MIN_DIGITS || len > HS_MAX_DIGITS)
		return CV_EINVAL;
	for (size_t i = 0; i < len; i++)
		if (!isdigit((unsigned char)s[i]))
			return CV_EINVAL;
	return CV_OK;
}

static int parse_label(const char *s, int max, int *out)
{
	if (s[0] < '0' || s[0] > '0' + max || s[1] != '\0')
		return CV_EINVAL;
	*out = s[0] - '0';
	return CV_OK;
}

/* Fill record from a row of the file, checking every field. */
static int read_record(const struct cv_csv_row *row, const int index[RISK_DATASET_COLUMNS],
		       int nfields, const char *path, struct risk_dataset_record *r,
		       struct cv_error *err)
{
	if (row->count != nfields)
		return cv_error_set(err, CV_EINVAL, "row",
				    "%s:%ld: the row has %d fields, the header %d", path, row->line,
				    row->count, nfields);
	r->line = row->line;
	for (int c = 0; c < RISK_DATASET_COLUMNS; c++)
		r->text[c] = cv_csv_trim(row->fields[index[c]]);
	if (r->text[RISK_DATASET_DECLARATION_ID][0] == '\0')
		return row_error(err, path, r->line, RISK_DATASET_DECLARATION_ID, "is empty:", "");
	if (check_date(r->text[RISK_DATASET_DATE]))
		return row_error(err, path, r->line, RISK_DATASET_DATE,
				 "is not a date YYYY-MM-DD:", r->text[RISK_DATASET_DATE]);
	if (check_hs(r->text[RISK_DATASET_HS6_CODE]))
		return row_error(err, path, r->line, RISK_DATASET_HS6_CODE,
				 "is not an HS code of 2 to 10 digits:",
				 r->text[RISK_DATASET_HS6_CODE]);
	if (parse_number(r->text[RISK_DATASET_TAX_RATE], &r->tax_rate))
		return row_error(err, path, r->line, RISK_DATASET_TAX_RATE,
				 "is not a number >= 0:", r->text[RISK_DATASET_TAX_RATE]);
	if (parse_number(r->text[RISK_DATASET_NET_MASS], &r->net_mass))
		return row_error(err, path, r->line, RISK_DATASET_NET_MASS,
				 "is not a number >= 0:", r->text[RISK_DATASET_NET_MASS]);
	if (parse_number(r->text[RISK_DATASET_ITEM_PRICE], &r->item_price))
		return row_error(err, path, r->line, RISK_DATASET_ITEM_PRICE,
				 "is not a number >= 0:", r->text[RISK_DATASET_ITEM_PRICE]);
	if (parse_label(r->text[RISK_DATASET_FRAUD], 1, &r->fraud))
		return row_error(err, path, r->line, RISK_DATASET_FRAUD,
				 "is not 0 or 1:", r->text[RISK_DATASET_FRAUD]);
	if (parse_label(r->text[RISK_DATASET_CRITICAL_FRAUD], 2, &r->critical_fraud))
		return row_error(err, path, r->line, RISK_DATASET_CRITICAL_FRAUD,
				 "is not 0, 1 or 2:", r->text[RISK_DATASET_CRITICAL_FRAUD]);
	return CV_OK;
}

static int append_record(struct risk_dataset *dataset, size_t *cap,
			 struct risk_dataset_record **slot)
{
	if (dataset->count == *cap) {
		size_t ncap = *cap ? *cap * 2 : RECORDS_INITIAL;
		struct risk_dataset_record *grown = cv_realloc(dataset->records,
							       ncap * sizeof(*grown));

		if (!grown)
			return CV_ENOMEM;
		dataset->records = grown;
		*cap = ncap;
	}
	*slot = &dataset->records[dataset->count++];
	return CV_OK;
}

int risk_dataset_read(const char *path, struct risk_dataset *dataset, struct cv_error *err)
{
	struct cv_csv csv;
	struct cv_csv_row row;
	int index[RISK_DATASET_COLUMNS], nfields = 0, rc;
	size_t cap = 0, size;

	memset(dataset, 0, sizeof(*dataset));
	/* The dataset owns the buffers from here, whatever happens next. */
	dataset->path = cv_strdup(path);
	if (!dataset->path)
		return cv_error_set(err, CV_ENOMEM, path, "out of memory");
	rc = cv_file_read(path, DATASET_FILE_MAX, path, &dataset->data, &size, err);
	if (rc)
		return rc;
	rc = cv_csv_init(&csv, path, path, dataset->data, size, err);
	if (!rc)
		rc = cv_csv_header_map(&csv, column_names, RISK_DATASET_COLUMNS, index, &nfields,
				       err);
	while (!rc && (rc = cv_csv_next(&csv, &row, err)) == 1) {
		struct risk_dataset_record *r;

		/* A blank line (a lone empty field) is no record, wherever it is. */
		if (row.count == 1 && row.fields[0][0] == '\0') {
			rc = CV_OK;
			continue;
		}
		rc = append_record(dataset, &cap, &r);
		if (rc)
			return cv_error_set(err, rc, path, "out of memory reading %s", path);
		rc = read_record(&row, index, nfields, path, r, err);
	}
	return rc;
}

void risk_dataset_release(struct risk_dataset *dataset)
{
	if (!dataset)
		return;
	cv_free(dataset->path);
	cv_free(dataset->data);
	cv_free(dataset->records);
	memset(dataset, 0, sizeof(*dataset));
}

void risk_dataset_model_row(const struct risk_dataset_record *record, struct risk_model_row *row)
{
	static const enum risk_dataset_column text_column[RISK_MODEL_TEXT_FIELDS] = {
		[RISK_MODEL_OFFICE] = RISK_DATASET_OFFICE_ID,
		[RISK_MODEL_PROCEDURE] = RISK_DATASET_PROCESS_TYPE,
		[RISK_MODEL_IMPORT_TYPE] = RISK_DATASET_IMPORT_TYPE,
		[RISK_MODEL_IMPORT_USE] = RISK_DATASET_IMPORT_USE,
		[RISK_MODEL_PAYMENT_TYPE] = RISK_DATASET_PAYMENT_TYPE,
		[RISK_MODEL_MODE] = RISK_DATASET_MODE_OF_TRANSPORT,
		[RISK_MODEL_DECLARANT] = RISK_DATASET_DECLARANT_ID,
		[RISK_MODEL_IMPORTER] = RISK_DATASET_IMPORTER_ID,
		[RISK_MODEL_SELLER] = RISK_DATASET_SELLER_ID,
		[RISK_MODEL_COURIER] = RISK_DATASET_COURIER_ID,
		[RISK_MODEL_HS] = RISK_DATASET_HS6_CODE,
		[RISK_MODEL_DEPARTURE] = RISK_DATASET_COUNTRY_OF_DEPARTURE,
		[RISK_MODEL_ORIGIN] = RISK_DATASET_COUNTRY_OF_ORIGIN,
		[RISK_MODEL_TAX_TYPE] = RISK_DATASET_TAX_TYPE,
		[RISK_MODEL_ORIGIN_INDICATOR] = RISK_DATASET_COUNTRY_OF_ORIGIN_INDICATOR,
	};

	for (int f = 0; f < RISK_MODEL_TEXT_FIELDS; f++)
		row->text[f] = record->text[text_column[f]];
	row->number[RISK_MODEL_TAX_RATE] = record->tax_rate;
	row->number[RISK_MODEL_NET_MASS] = record->net_mass;
	row->number[RISK_MODEL_VALUE] = record->item_price;
	row->fraud = record->fraud;
}
