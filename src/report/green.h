/*
 * green.h — what paperless trade saved: for a period, the electronic
 * declarations lodged, payments made and LPCOs issued by the node, times
 * the coefficients of data/green/coefficients.json (sheets of paper, km of
 * travel, kg CO2e, each with its source), totalled and per document kind.
 */
#ifndef CV_REPORT_GREEN_H
#define CV_REPORT_GREEN_H

#include "base/err.h"
#include "store/db.h"

#include <jansson.h>

/* From..to (dates, inclusive). coefficients_path: the JSON file. */
int report_green(struct store_conn *conn, const char *coefficients_path, const char *from,
		 const char *to, json_t **out, struct cv_error *err);

#endif
