/* import.c — see import.h. */
#include "risk/import.h"

#include "aeo/applications.h"
#include "base/clock.h"
#include "base/ids.h"
#include "risk/assess.h"
#include "risk/examination.h"
#include "trade/declarations.h"

#include <math.h>
#include <string.h>

#define BATCH 500

int risk_import_shift_to(const struct risk_dataset *ds, const char *today)
{
	int64_t newest = INT64_MIN, day, now;

	for (size_t i = 0; i < ds->count; i++)
		if (!cv_date_parse(ds->records[i].text[RISK_DATASET_DATE], &day) && day > newest)
			newest = day;
	if (newest == INT64_MIN || cv_date_parse(today, &now))
		return 0;
	return (int)(now - newest);
}

static double or_zero(double v) { return isnan(v) ? 0 : v; }

static int import_one(struct store_conn *conn, struct risk_assessor *assessor,
		      const struct aeo_context *ctx, const struct risk_dataset_record *r,
		      const struct risk_import_options *opt, struct risk_import_stats *stats,
		      struct cv_error *err)
{
	const char *const *t = r->text;
	struct trade_item item = {t[RISK_DATASET_HS6_CODE], t[RISK_DATASET_COUNTRY_OF_ORIGIN],
				  or_zero(r->item_price), or_zero(r->net_mass),
				  or_zero(r->tax_rate)};
	struct trade_declaration d = {
		.number = t[RISK_DATASET_DECLARATION_ID],
		.direction = "import",
		.procedure = t[RISK_DATASET_PROCESS_TYPE],
		.office = t[RISK_DATASET_OFFICE_ID],
		.mode = t[RISK_DATASET_MODE_OF_TRANSPORT],
		.declarant = t[RISK_DATASET_DECLARANT_ID],
		.importer = t[RISK_DATASET_IMPORTER_ID],
		.seller = t[RISK_DATASET_SELLER_ID],
		.courier = t[RISK_DATASET_COURIER_ID],
		.departure = t[RISK_DATASET_COUNTRY_OF_DEPARTURE],
		.status = "released",
		.source = "import",
		.items = &item,
		.nitems = 1,
	};
	struct risk_examination ex = {"physical", "import",
				      r->critical_fraud == 2 ? "seizure"
				      : r->fraud             ? "major"
							     : "clean",
				      NULL, NULL};
	char on[CV_DATE_MAX], id[CV_UUID_STR];
	struct risk_outcome decision;
	int rc;

	if (trade_declaration_exists(conn, d.number)) {
		stats->skipped++;
		return CV_OK;
	}
	if (cv_date_add_days(t[RISK_DATASET_DATE], opt->shift_days, on))
		return cv_error_set(err, CV_EINVAL, "Date", "line %ld: bad date", r->line);
	d.lodged_on = ex.examined_on = on;
	/* What the model reads besides the columns: kept with the document. */
	d.document = json_pack("{s:{s:s, s:s, s:s, s:s, s:s}, s:I}", "attributes", "import_type",
			       t[RISK_DATASET_IMPORT_TYPE], "import_use",
			       t[RISK_DATASET_IMPORT_USE], "payment_type",
			       t[RISK_DATASET_PAYMENT_TYPE], "tax_type", t[RISK_DATASET_TAX_TYPE],
			       "origin_indicator", t[RISK_DATASET_COUNTRY_OF_ORIGIN_INDICATOR],
			       "line", (json_int_t)r->line);
	rc = trade_declaration_insert(conn, &d, id, err);
	json_decref(d.document);
	if (!rc && assessor)
		rc = risk_assess_stored(assessor, conn, id, &decision, NULL, err);
	for (int lane = RISK_GREEN; assessor && !rc && lane <= RISK_RED; lane++)
		if (!strcmp(risk_lane_name((enum risk_lane)lane), decision.lane))
			stats->lanes[lane]++;
	if (!rc)
		rc = risk_examination_record(conn, ctx, "import", id, &ex, NULL, err);
	if (!rc) {
		stats->imported++;
		stats->findings += r->fraud != 0;
		stats->seizures += r->critical_fraud == 2;
	}
	return rc;
}

int risk_import_dataset(struct store_conn *conn, const struct risk_dataset *ds,
			const struct risk_import_options *opt, struct risk_import_stats *stats,
			struct cv_error *err)
{
	struct risk_assessor *assessor = NULL;
	struct aeo_context ctx = {"", cv_clock_now_ms()};
	int64_t started = cv_clock_monotonic_ns();
	int rc = CV_OK;

	memset(stats, 0, sizeof(*stats));
	for (size_t start = 0; !rc && start < ds->count; start += BATCH) {
		size_t end = start + BATCH < ds->count ? start + BATCH : ds->count;

		if ((rc = store_begin(conn)))
			break;
		/* Per batch: a profile set activated meanwhile is used from the next batch on. */
		if (opt->assess && (rc = risk_assessor_open(conn, &assessor, err))) {
			store_rollback(conn);
			break;
		}
		for (size_t i = start; !rc && i < end; i++)
			rc = import_one(conn, assessor, &ctx, &ds->records[i], opt, stats, err);
		risk_assessor_free(assessor);
		assessor = NULL;
		if (!rc)
			rc = store_commit(conn);
		else
			store_rollback(conn);
		if (opt->progress)
			opt->progress(opt->progress_ctx, end, ds->count);
	}
	stats->seconds = (double)(cv_clock_monotonic_ns() - started) / 1e9;
	return rc;
}
