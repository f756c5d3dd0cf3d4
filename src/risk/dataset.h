/*
 * dataset.h — reading the customs declarations dataset (Jeong et al.,
 * "Customs Import Declaration Datasets", 2022; data/customs-declarations/)
 * into rows: `caravan risk eval` trains and tests the learned model on it,
 * and the declarations import loads the same files into the database.
 *
 * A file is read whole and validated before anything is handed out: the
 * header must name the 22 columns (in any order; extra columns are ignored,
 * a missing one is named), and every row is checked field by field. An error
 * names the file, the line and the column. Strings point into the dataset's
 * own buffer and live until risk_dataset_release().
 *
 * Volumes: the published files hold 8,000 to 37,000 rows (4 MB); a file may
 * hold up to 64 MB. Not thread-safe: a dataset belongs to one reader.
 */
#ifndef CV_RISK_DATASET_H
#define CV_RISK_DATASET_H

#include "base/err.h"
#include "risk/model.h"

#include <stddef.h>

/* The columns of the file, in the published order. */
enum risk_dataset_column {
	RISK_DATASET_DECLARATION_ID,
	RISK_DATASET_DATE,
	RISK_DATASET_OFFICE_ID,
	RISK_DATASET_PROCESS_TYPE,
	RISK_DATASET_IMPORT_TYPE,
	RISK_DATASET_IMPORT_USE,
	RISK_DATASET_PAYMENT_TYPE,
	RISK_DATASET_MODE_OF_TRANSPORT,
	RISK_DATASET_DECLARANT_ID,
	RISK_DATASET_IMPORTER_ID,
	RISK_DATASET_SELLER_ID,
	RISK_DATASET_COURIER_ID,
	RISK_DATASET_HS6_CODE,
	RISK_DATASET_COUNTRY_OF_DEPARTURE,
	RISK_DATASET_COUNTRY_OF_ORIGIN,
	RISK_DATASET_TAX_RATE,
	RISK_DATASET_TAX_TYPE,
	RISK_DATASET_COUNTRY_OF_ORIGIN_INDICATOR,
	RISK_DATASET_NET_MASS,
	RISK_DATASET_ITEM_PRICE,
	RISK_DATASET_FRAUD,
	RISK_DATASET_CRITICAL_FRAUD,
	RISK_DATASET_COLUMNS
};

/* One declaration: every column as text (trimmed), plus the parsed numbers. */
struct risk_dataset_record {
	long line;                              /* physical line in the file */
	const char *text[RISK_DATASET_COLUMNS]; /* never NULL; "" when empty */
	double tax_rate, net_mass, item_price;  /* NAN when empty */
	int fraud;                              /* 0 or 1 */
	int critical_fraud;                     /* 0, 1 or 2 */
};

struct risk_dataset {
	char *path; /* as given */
	char *data; /* the file, parsed in place */
	struct risk_dataset_record *records;
	size_t count;
};

/* The header name of a column ("Importer ID"). */
const char *risk_dataset_column_name(enum risk_dataset_column column);

/*
 * Read the file at path into dataset (zeroed first). Errors: CV_ENOTFOUND
 * for a missing file; CV_EINVAL for a bad header ("... the header has no
 * column \"Fraud\"") or row ("PATH:LINE: column \"Net Mass\": ..."), with
 * err->field the column; CV_EIO, CV_ENOMEM. Release the dataset either way.
 */
int risk_dataset_read(const char *path, struct risk_dataset *dataset, struct cv_error *err);

void risk_dataset_release(struct risk_dataset *dataset);

/* The model's view of a record (strings borrowed from the record). */
void risk_dataset_model_row(const struct risk_dataset_record *record, struct risk_model_row *row);

#endif
