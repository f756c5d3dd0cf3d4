/*
 * release_times.h — how long release takes, the WCO Time Release Study
 * way: for the declarations released in a period (optionally at one
 * office), the count, mean, median and 90th percentile of arrival →
 * release and lodgement → release, overall, by lane, and for AEO against
 * non-AEO traders — the figure that shows traders what AEO status is worth
 * (WTO TFA Art. 7.6 asks members to publish average release times).
 */
#ifndef CV_REPORT_RELEASE_TIMES_H
#define CV_REPORT_RELEASE_TIMES_H

#include "base/err.h"
#include "store/db.h"

#include <jansson.h>

/*
 * Released from..to (dates, inclusive), office "" for all. Durations in
 * minutes. CV_EINVAL naming from or to when they are not dates in order.
 */
int report_release_times(struct store_conn *conn, const char *from, const char *to,
			 const char *office, json_t **out, struct cv_error *err);

#endif
