/*
 * statistics.h — how the selectivity engine performs, and what a draft
 * would do before it is activated.
 *
 *  - Projection: run a compiled profile set (usually a draft) over the
 *    declarations lodged in the last N days and count what each profile
 *    would hit, with a sample of the declarations hit.
 *  - Statistics over a period (by lodgement date), for one office or all:
 *    per profile its hits, examinations, findings and hit rate; per lane the
 *    actual share against the office's expected share; the random sample's
 *    hit rate (the WCO's compliance measurement).
 */
#ifndef CV_RISK_STATISTICS_H
#define CV_RISK_STATISTICS_H

#include "base/err.h"
#include "risk/profile.h"
#include "store/db.h"

#include <jansson.h>

#define RISK_PROJECTION_MAX_DAYS 366
#define RISK_PROJECTION_MAX_SAMPLE 100

/* Declarations lodged from today - days + 1 to today. */
int risk_project(struct store_conn *conn, const struct risk_profile_set *set, const char *today,
		 int days, int sample, json_t **out, struct cv_error *err);

/* Decisions on declarations lodged from..to (dates, inclusive); office "" for all. */
int risk_statistics(struct store_conn *conn, const char *from, const char *to, const char *office,
		    json_t **out, struct cv_error *err);

#endif
