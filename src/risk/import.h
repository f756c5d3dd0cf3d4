/*
 * import.h — load a file of the customs declarations dataset
 * (data/customs-declarations/, Jeong et al. 2022) into the node: each row
 * becomes a declaration with one item, the engine decides its lane with the
 * active profiles, and the row's examination result is recorded (Fraud 1 →
 * major finding, Critical Fraud 2 → seizure, otherwise clean), so that
 * consignment memory, statistics and `caravan risk train` run on realistic
 * data.
 *
 * Rows go in date order as the file has them, in transactions of a few
 * hundred; a row whose number is already stored is skipped, so an import
 * that stopped half way is finished by running it again.
 */
#ifndef CV_RISK_IMPORT_H
#define CV_RISK_IMPORT_H

#include "base/err.h"
#include "risk/dataset.h"
#include "store/db.h"

struct risk_import_options {
	int shift_days; /* added to every date (0: as in the file) */
	int assess;     /* decide each lane with the active profile set */
	void (*progress)(void *ctx, size_t done, size_t total);
	void *progress_ctx;
};

struct risk_import_stats {
	size_t imported, skipped;
	size_t findings, seizures;
	size_t lanes[4]; /* by enum risk_lane */
	double seconds;
};

/* The number of days that moves the newest date of the dataset to today. */
int risk_import_shift_to(const struct risk_dataset *ds, const char *today);

int risk_import_dataset(struct store_conn *conn, const struct risk_dataset *ds,
			const struct risk_import_options *opt, struct risk_import_stats *stats,
			struct cv_error *err);

#endif
